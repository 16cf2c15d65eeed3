"""Who a user is in the administration: their unit or agency, and their roles; the change
history of both (docs/decisions/0008-history.md)."""

import simple_history
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from egov_portal.history_reasons import PASSWORD_CHANGED
from units.models import Agency, Unit


class UserHistoricalRecords(HistoricalRecords):
    """The history of django.contrib.auth's User, minus the noise and the secrets."""

    def post_save(self, instance, created, using=None, **kwargs):
        # Every login saves last_login alone: that is not a change to the account.
        if kwargs.get("update_fields") == frozenset({"last_login"}):
            return
        # AbstractBaseUser.save() keeps the new raw password in _password until after the
        # signal has run; only the fact that it changed goes into the history.
        if getattr(instance, "_password", None) is not None:
            instance._change_reason = PASSWORD_CHANGED
        super().post_save(instance, created, using=using, **kwargs)


# The historical model (and its migration) lives in this app, not in django.contrib.auth.
simple_history.register(
    User,
    app="accounts",
    records_class=UserHistoricalRecords,
    excluded_fields=["password", "last_login"],
    m2m_fields=["groups", "user_permissions"],
)


class Membership(models.Model):
    """A user belongs to one unit (or one agency of it) with one or more roles.

    What each role may do is written once, in accounts/policy.py.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="membership",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="members"
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    is_data_entry = models.BooleanField(
        _("nhập số liệu"), default=False, help_text=_("Nhập và gửi số liệu của đơn vị mình.")
    )
    is_reviewer = models.BooleanField(
        _("duyệt số liệu"),
        default=False,
        help_text=_("Duyệt hoặc trả lại số liệu của các đơn vị, cơ quan ngay cấp dưới."),
    )
    is_steering = models.BooleanField(
        _("ban chỉ đạo"), default=False, help_text=_("Xem mọi số liệu trong đơn vị; không sửa.")
    )
    is_administrator = models.BooleanField(
        _("quản trị"), default=False, help_text=_("Mọi quyền, kể cả người dùng và dữ liệu gốc.")
    )

    history = HistoricalRecords(no_db_index=["unit", "agency"])

    class Meta:
        verbose_name = _("vai trò người dùng")
        verbose_name_plural = _("vai trò người dùng")
        # Given to staff who audit without being superusers (egov_portal/history_export.py).
        permissions = [("export_history", _("Xuất lịch sử thay đổi"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_data_entry=True)
                | Q(is_reviewer=True)
                | Q(is_steering=True)
                | Q(is_administrator=True),
                name="membership_has_a_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.agency or self.unit}"

    def clean(self):
        if self.agency_id is not None and self.agency.unit_id != self.unit_id:
            raise ValidationError({"agency": _("Cơ quan này không thuộc đơn vị đã chọn.")})


class PersonalAccessToken(models.Model):
    """A DHIS2-style personal access token (`Authorization: ApiToken d2pat_…`): a client
    acting as its user. Only the token's SHA-256 is kept; the token is shown once, when
    made (accounts.tokens.token_create)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="access_tokens",
    )
    name = models.CharField(_("tên"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The token's first characters, to tell tokens apart in lists ("d2pat_Xa3f…").
    prefix = models.CharField(_("đầu mã"), max_length=16, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    expires_on = models.DateField(_("hết hạn ngày"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("mã truy cập cá nhân")
        verbose_name_plural = _("mã truy cập cá nhân")
        ordering = ["user", "-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
