"""Admin for the indicator catalogue and figures (figures keep their change history); CSV and
XLSX import and export by codes (indicators.resources), figures checked as everywhere else."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from indicators.forms import FigureAdminForm
from indicators.models import Figure, Indicator
from indicators.resources import FigureResource, IndicatorResource
from units.resources import FilesImportExportMixin


@admin.register(Indicator)
class IndicatorAdmin(FilesImportExportMixin, admin.ModelAdmin):
    resource_classes = [IndicatorResource]
    list_display = ["code", "name", "pillar", "value_type", "unit_rollup", "time_rollup"]
    list_filter = ["pillar", "value_type", "unit_rollup", "time_rollup"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Figure)
class FigureAdmin(FilesImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [FigureResource]
    # Checked with indicators.validation, like every other way figures come in.
    form = FigureAdminForm
    list_display = ["indicator", "unit", "agency", "period", "scope", "value", "status"]
    list_filter = ["status", "scope", "indicator__pillar"]
    list_select_related = ["indicator", "unit", "agency"]
    search_fields = ["indicator__code", "unit__code", "unit__name", "agency__name", "period"]
    autocomplete_fields = ["unit", "agency", "indicator"]
    readonly_fields = ["entered_by", "entered_at", "updated_at"]
