"""Users with their unit and roles in one page; both keep their change history, readable per
object and exported as CSV (accounts.history_export)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from accounts.history_export import HistoryAdminMixin
from accounts.models import Membership, PersonalAccessToken


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = True
    extra = 0
    max_num = 1
    autocomplete_fields = ["unit", "agency"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(HistoryAdminMixin, SimpleHistoryAdmin, UserAdmin):
    inlines = [*UserAdmin.inlines, MembershipInline]
    list_display = [*UserAdmin.list_display, "membership"]
    list_select_related = ["membership", "membership__unit"]


@admin.register(Membership)
class MembershipAdmin(HistoryAdminMixin, SimpleHistoryAdmin):
    """Roles on their own too: their history page, export, and a list across users."""

    list_display = [
        "user",
        "unit",
        "agency",
        "is_data_entry",
        "is_reviewer",
        "is_steering",
        "is_administrator",
    ]
    list_filter = ["is_data_entry", "is_reviewer", "is_steering", "is_administrator"]
    list_select_related = ["user", "unit", "agency"]
    search_fields = ["user__username", "unit__code", "unit__name", "agency__name"]
    autocomplete_fields = ["user", "unit", "agency"]


@admin.register(PersonalAccessToken)
class PersonalAccessTokenAdmin(admin.ModelAdmin):
    """Tokens are made by `python manage.py create_api_token` (the token is shown once);
    here they are listed and revoked (deleted)."""

    list_display = ["prefix", "user", "name", "created_at", "expires_on", "last_used_at"]
    list_select_related = ["user"]
    readonly_fields = ["user", "prefix", "created_at", "last_used_at"]
    fields = ["user", "name", "prefix", "created_at", "expires_on", "last_used_at"]
    search_fields = ["user__username", "name", "prefix"]

    def has_add_permission(self, request) -> bool:
        return False
