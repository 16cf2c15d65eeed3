"""Admin for units, agencies and lineage: searchable by code and name; CSV and XLSX import
and export by natural keys (units.resources: code + a day in force, never database ids). Units
and agencies keep their change history, exported as CSV (egov_portal.history_export)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from egov_portal.history_export import HistoryAdminMixin
from units.models import Agency, Unit, UnitChange
from units.names import fold
from units.resources import (
    AgencyResource,
    FilesExportMixin,
    FilesImportExportMixin,
    UnitChangeResource,
    UnitResource,
)


class UnitChangeInline(admin.TabularInline):
    model = UnitChange
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]
    verbose_name_plural = _("Đơn vị kế thừa")


@admin.register(Unit)
class UnitAdmin(HistoryAdminMixin, FilesImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [UnitResource]
    list_display = ["code", "name", "level", "division_type", "parent", "valid_from", "valid_to"]
    list_filter = ["level", "division_type", "valid_to"]
    list_select_related = ["parent"]
    # search_name holds the name without tone marks: "vinh linh" finds "Huyện Vĩnh Linh".
    search_fields = ["code", "name", "search_name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["search_name"]
    inlines = [UnitChangeInline]

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, fold(search_term) or search_term)

    def save_model(self, request, obj, form, change):
        obj.search_name = fold(obj.name)
        super().save_model(request, obj, form, change)


@admin.register(Agency)
class AgencyAdmin(HistoryAdminMixin, FilesImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [AgencyResource]
    list_display = ["name", "kind", "unit"]
    list_filter = ["kind"]
    list_select_related = ["unit"]
    search_fields = ["name", "unit__code", "unit__name", "unit__search_name"]
    autocomplete_fields = ["unit"]


@admin.register(UnitChange)
class UnitChangeAdmin(FilesExportMixin, admin.ModelAdmin):
    resource_classes = [UnitChangeResource]
    list_display = [
        "predecessor",
        "successor",
        "changed_on",
        "kind",
        "is_partial",
        "legal_basis",
        "method",
    ]
    list_filter = ["kind", "method", "is_partial", "changed_on"]
    list_select_related = ["predecessor", "successor"]
    search_fields = [
        "predecessor__code",
        "predecessor__name",
        "predecessor__search_name",
        "successor__code",
        "successor__name",
        "successor__search_name",
    ]
    autocomplete_fields = ["predecessor", "successor"]
