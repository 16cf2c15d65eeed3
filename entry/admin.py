from django.contrib import admin

from entry.models import ImportJob, ReportingDeadline, ReportingRequirement


@admin.register(ReportingDeadline)
class ReportingDeadlineAdmin(admin.ModelAdmin):
    list_display = ["period", "due_on"]


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


@admin.register(ReportingRequirement)
class ReportingRequirementAdmin(admin.ModelAdmin):
    """Which indicators each level (or kind of agency) must report; the rest are optional."""

    list_display = ["indicator", "reporter", "plan"]
    list_filter = ["reporter", "plan", "indicator__pillar"]
    list_select_related = ["indicator", "plan"]
    search_fields = ["indicator__code", "indicator__name"]
    autocomplete_fields = ["indicator"]
