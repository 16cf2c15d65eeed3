from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from quality.models import MinMax, ValidationRule


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
