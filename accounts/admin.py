"""Users with their unit and roles in one page."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from accounts.models import Membership


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = True
    extra = 0
    max_num = 1
    autocomplete_fields = ["unit", "agency"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, MembershipInline]
    list_display = [*UserAdmin.list_display, "membership"]
    list_select_related = ["membership", "membership__unit"]
