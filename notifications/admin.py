from django.contrib import admin

from notifications.models import Notification, NotificationSetting


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: notifications are written by notifications.services."""

    list_display = ["recipient", "kind", "unit", "agency", "period", "created_at", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient", "unit", "agency"]
    search_fields = ["recipient__username", "period"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NotificationSetting)
class NotificationSettingAdmin(admin.ModelAdmin):
    list_display = ["user", "email_enabled"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
