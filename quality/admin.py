from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from quality.models import (
    Comment,
    Evidence,
    EvidenceRequirement,
    FollowUp,
    MinMax,
    ValidationRule,
)


@admin.register(ValidationRule)
class ValidationRuleAdmin(SimpleHistoryAdmin):
    list_display = ("code", "left", "operator", "right", "severity", "is_active")
    list_filter = ("severity", "is_active")
    search_fields = ("code", "left", "right", "message")


@admin.register(MinMax)
class MinMaxAdmin(admin.ModelAdmin):
    """Read only: the ranges are generated (manage.py generate_min_max)."""

    list_display = ("unit", "indicator", "lower", "upper", "max_change", "basis", "values_used")
    list_filter = ("basis", "indicator")
    list_select_related = ("unit", "indicator")
    search_fields = ("unit__name", "unit__code", "indicator__code")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EvidenceRequirement)
class EvidenceRequirementAdmin(admin.ModelAdmin):
    """Which indicators need evidence before their reports can be approved."""

    list_display = ("indicator", "note")
    autocomplete_fields = ("indicator",)


class _ReadOnly(admin.ModelAdmin):
    """Written through the pages and the API (quality.discussion, quality.evidence), which
    check who may; the admin lists them."""

    list_select_related = ("unit", "indicator")
    search_fields = ("unit__name", "unit__code", "indicator__code")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FollowUp)
class FollowUpAdmin(_ReadOnly):
    list_display = ("indicator", "unit", "period", "reason", "opened_at", "resolved_at")
    list_filter = ("period",)


@admin.register(Comment)
class CommentAdmin(_ReadOnly):
    list_display = ("indicator", "unit", "period", "kind", "author", "created_at")
    list_filter = ("kind",)


@admin.register(Evidence)
class EvidenceAdmin(_ReadOnly):
    list_display = ("indicator", "unit", "period", "name", "link", "content_type", "size")
    exclude = ("file",)  # downloaded through the portal's view, which checks who may
