"""Admin for the indicator catalogue and figures (figures keep their change history); CSV and
XLSX import and export by codes (indicators.resources), figures checked as everywhere else;
reports, read-only (they move through review in the portal)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from indicators.forms import FigureAdminForm
from indicators.models import Figure, Indicator, Submission, Transition
from indicators.resources import FigureResource, IndicatorResource
from indicators.writes import figures as figure_writes
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
    # (indicators.writes.rules); others may view it, and its history, only.
    # (By what is stored: a history page hands over an old version of the figure.)
    def _published_for(self, request, obj) -> bool:
        return figure_writes.published_for(request.user, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    # A stored figure's key is what it is a figure of: a figure of something else is another
    # figure (add it; delete this one). indicators.writes.store writes FIGURE_WRITABLE.
    KEY_FIELDS = ("unit", "agency", "indicator", "period", "scope")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.pk is not None:
            return [*self.KEY_FIELDS, *self.readonly_fields]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        if self._published_for(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves a version POSTed here after checking view permission
        # only: whoever may not change the figure may not restore an old version of it.
        if request.method == "POST":
            figure = Figure.objects.filter(pk=object_id).first()
            if figure is None or not self.has_change_permission(request, figure):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_delete_permission(self, request, obj=None):
        if self._published_for(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    # Written as every figure is: by the write service (indicators.writes), with its rules,
    # locks, history and the aggregates told.
    def delete_queryset(self, request, queryset):
        # The changelist's "delete selected": refused whole if it holds a published figure.
        figure_writes.figures_admin_delete(user=request.user, figures=list(queryset))

    def save_model(self, request, obj, form, change):
        figure_writes.figure_admin_save(user=request.user, figure=obj, change=change)

    def delete_model(self, request, obj):
        figure_writes.figures_admin_delete(user=request.user, figures=[obj])


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "by", "at", "reason"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Read-only here: reports move through review in the portal, where the rules apply."""

    list_display = ["unit", "agency", "period", "status", "submitted_at"]
    list_filter = ["status", "period"]
    search_fields = ["unit__code", "unit__name", "agency__name"]
    list_select_related = ["unit", "agency"]
    inlines = [TransitionInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
