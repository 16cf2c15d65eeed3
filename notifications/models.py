"""Word to officials when something happens to their reports: returned (with the reason),
approved, or due soon; and each person's choice of whether it also comes by e-mail
(docs/decisions/0020-notifications.md)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import formats
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from indicators.models import Submission
from indicators.periods import parse_period
from units.models import Agency, Unit


class Notification(models.Model):
    """One piece of news for one person, about one report (a unit's or an agency's, for a
    period). Its text is written when it is shown, in the reader's language."""

    class Kind(models.TextChoices):
        RETURNED = "returned", _("Bị trả lại")
        APPROVED = "approved", _("Đã duyệt")
        DUE_SOON = "due_soon", _("Sắp đến hạn")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhận"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    # The report, once it exists (returned, approved); a reminder may come before any save.
    submission = models.ForeignKey(
        Submission,
        verbose_name=_("báo cáo"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="notifications"
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    period = models.CharField(_("kỳ"), max_length=7)
    reason = models.TextField(_("lý do"), blank=True)
    due_on = models.DateField(_("hạn nộp"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    read_at = models.DateTimeField(_("đọc lúc"), null=True, blank=True)
    # Set when the mail is claimed for sending, cleared again if the send failed: a mail
    # goes at most once (notifications.services.notifications_mail).
    emailed_at = models.DateTimeField(_("gửi thư lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The header's count on every page: a user's unread notifications.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            # The list page: a user's notifications, newest first.
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
        ]
        constraints = [
            # A deadline reminder goes once per person, report and period: the daily task
            # may run twice, or on several workers at once (bulk_create ignores conflicts).
            models.UniqueConstraint(
                fields=["recipient", "unit", "period"],
                condition=Q(kind="due_soon", agency__isnull=True),
                name="notification_due_soon_unit_once",
            ),
            models.UniqueConstraint(
                fields=["recipient", "agency", "period"],
                condition=Q(kind="due_soon", agency__isnull=False),
                name="notification_due_soon_agency_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} — {self.get_kind_display()} — {self.agency or self.unit}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def reporter_name(self) -> str:
        return (self.agency or self.unit).name

    @property
    def period_label(self) -> str:
        """«quý 1/2025» (or «Q1 2025» in English), as the entry pages name it."""
        period = parse_period(self.period)
        if (get_language() or "vi").startswith("en"):
            return period.label_en
        return period.label_vi[:1].lower() + period.label_vi[1:]

    def text(self) -> str:
        """What happened, in the active language (needs unit and agency fetched)."""
        values = {"report": self.reporter_name, "period": self.period_label}
        if self.kind == self.Kind.RETURNED:
            return gettext("Báo cáo %(period)s của %(report)s bị trả lại.") % values
        if self.kind == self.Kind.APPROVED:
            return gettext("Báo cáo %(period)s của %(report)s đã được duyệt.") % values
        values["due"] = formats.date_format(self.due_on, "SHORT_DATE_FORMAT") if self.due_on else ""
        return (
            gettext("Báo cáo %(period)s của %(report)s đến hạn nộp ngày %(due)s mà chưa được gửi.")
            % values
        )

    def target_url(self) -> str:
        """The report's page, or for a reminder the form to fill in."""
        if self.submission_id is not None and self.kind != self.Kind.DUE_SOON:
            return reverse("entry:submission-detail", kwargs={"pk": self.submission_id})
        if self.agency_id is not None:
            kwargs = {"agency_id": self.agency_id, "period": self.period}
            return reverse("entry:entry-form-agency", kwargs=kwargs)
        return reverse("entry:entry-form", kwargs={"unit_id": self.unit_id, "period": self.period})


class NotificationSetting(models.Model):
    """A person's choice about notifications; without a row, e-mails are on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="notification_setting",
    )
    email_enabled = models.BooleanField(
        _("nhận thư điện tử"),
        default=True,
        help_text=_("Gửi thông báo qua thư điện tử, ngoài danh sách thông báo trên cổng."),
    )

    class Meta:
        verbose_name = _("cài đặt thông báo")
        verbose_name_plural = _("cài đặt thông báo")

    def __str__(self) -> str:
        return str(self.user)
