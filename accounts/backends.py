"""Who a request is from: the signed-in user, or the API token's, read with their membership
(its unit and agency) in the same query. Every page and API call asks accounts.policy what
the user is a member of, and every request's log line names the unit: read on their own,
those were two more queries a request (docs/decisions/0030)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

MEMBERSHIP = ("membership__unit", "membership__agency")


class MemberBackend(ModelBackend):
    """Django's ModelBackend; the user of each request comes with their membership."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related(*MEMBERSHIP)
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class MemberTokenAuthentication(TokenAuthentication):
    """DRF's TokenAuthentication; the token's user comes with their membership."""

    def authenticate_credentials(self, key):
        related = [f"user__{path}" for path in MEMBERSHIP]
        token = self.get_model().objects.select_related("user", *related).filter(key=key).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Mã truy cập không hợp lệ."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("Người dùng không còn hoạt động hoặc đã bị xoá.")
            )
        return (token.user, token)
