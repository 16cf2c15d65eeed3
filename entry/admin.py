from django.contrib import admin

from entry.models import ImportJob, ReportingDeadline, Submission, Transition


@admin.register(ReportingDeadline)
class ReportingDeadlineAdmin(admin.ModelAdmin):
    list_display = ["period", "due_on"]


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


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are created by uploads and run by entry.jobs."""

    list_display = ["pk", "user", "filename", "status", "progress", "created_at"]
    list_filter = ["status"]
    list_select_related = ["user"]
    exclude = ["data"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
