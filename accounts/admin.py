"""Users with their unit and roles in one page; both keep their change history, readable per
object and exported as CSV (egov_portal.history_export)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts import policy
from accounts.models import Membership, PersonalAccessToken
from accounts.tokens import token_issue
from egov_portal.history_export import HistoryAdminMixin


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
    """Tokens are issued here (or by `python manage.py create_api_token`) and revoked by
    deleting them. The token is shown once, on the page that answers its creation (never
    stored, nor put in a message or a URL); only its hash is kept (accounts.tokens)."""

    list_display = ["prefix", "user", "name", "created_at", "expires_on", "last_used_at"]
    list_select_related = ["user"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    search_fields = ["user__username", "name", "prefix"]
    autocomplete_fields = ["user"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "expires_on"]
        return ["user", "name", "prefix", "created_at", "expires_on", "last_used_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is None else [*self.readonly_fields, "user"]

    def has_add_permission(self, request) -> bool:
        return policy.can_manage_access_tokens(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return policy.can_manage_access_tokens(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return policy.can_manage_access_tokens(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return policy.can_manage_access_tokens(request.user)

    def has_module_permission(self, request) -> bool:
        return policy.can_manage_access_tokens(request.user)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            # On the record, not on this admin (one instance serves every request).
            obj.issued_token = token_issue(obj)

    def response_add(self, request, obj, post_url_continue=None):
        token = getattr(obj, "issued_token", None)
        if token is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "record": obj,
            "token": token,
            "title": _("Mã truy cập cá nhân đã tạo"),
        }
        # The admin's pages are never cached (never_cache): nor is this one, with the token.
        return TemplateResponse(request, "admin/accounts/token_issued.html", context)
