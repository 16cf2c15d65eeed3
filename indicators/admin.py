"""Admin for the indicator catalogue and figures (figures keep their change history); CSV and
XLSX import and export by codes (indicators.resources), figures checked as everywhere else."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from accounts import policy
from indicators.forms import FigureAdminForm
from indicators.models import Figure, Indicator
from indicators.resources import FigureResource, IndicatorResource
from indicators.services import FIGURE_WRITABLE
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

    # An approved figure is published: only an administrator changes or deletes it
    # (accounts.policy.can_change_approved); others see it read-only.
    # (By what is stored: a history page hands over an old version of the figure.)
    def _published_for(self, request, obj) -> bool:
        return (
            obj is not None
            and obj.pk is not None
            and not policy.can_change_approved(request.user)
            and Figure.objects.filter(pk=obj.pk, status=Figure.Status.APPROVED).exists()
        )

    def revert_disabled(self, request, obj=None):
        return self._published_for(request, obj) or super().revert_disabled(request, obj)

    def save_model(self, request, obj, form, change):
        # The last guard, whichever page saves (the change form, a history version).
        if change and self._published_for(request, obj):
            stored = Figure.objects.get(pk=obj.pk)
            if any(getattr(obj, f) != getattr(stored, f) for f in FIGURE_WRITABLE):
                raise PermissionDenied(policy.APPROVED_LOCKED)
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        if self._published_for(request, obj):
            return [*FigureAdminForm.Meta.fields, *self.readonly_fields]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        if self._published_for(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        if (
            not policy.can_change_approved(request.user)
            and queryset.filter(status=Figure.Status.APPROVED).exists()
        ):
            raise PermissionDenied(policy.APPROVED_LOCKED)
        super().delete_queryset(request, queryset)
