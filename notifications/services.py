"""Writes of notifications: for each event, one row per person concerned in one INSERT, then
the mails, after the rows are there (docs/decisions/0020-notifications.md).

Called after the event's transaction commits (entry.services' review steps, through
transaction.on_commit; the daily deadline reminder): a notification or a mail that fails
never undoes the approval it is about.
"""

import datetime
import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts import policy
from accounts.models import Membership
from indicators.models import Submission
from notifications.models import Notification, NotificationSetting

logger = logging.getLogger(__name__)

Kind = Notification.Kind
# The batch size of the reminders' INSERT (all the country's reporters in one run).
BATCH = 1000


@dataclass(frozen=True)
class DueReport:
    """A report due soon and not sent yet: a unit's (agency_id None) or an agency's."""

    unit_id: int
    agency_id: int | None
    period: str
    due_on: datetime.date


def _reporters(keys: Iterable[tuple[int, int | None]]) -> dict[tuple[int, int | None], list[int]]:
    """The ids of the people who report each (unit id, agency id) report: one query."""
    keys = set(keys)
    unit_ids = {unit for unit, agency in keys if agency is None}
    agency_ids = {agency for _unit, agency in keys if agency is not None}
    rows = (
        Membership.objects.filter(policy.report_reporters_q())
        .filter(Q(agency__isnull=True, unit_id__in=unit_ids) | Q(agency_id__in=agency_ids))
        .values_list("user_id", "unit_id", "agency_id")
        .order_by("user_id")
    )
    found = defaultdict(list)
    for user_id, unit_id, agency_id in rows:
        found[(unit_id, agency_id)].append(user_id)
    return found


def notifications_for_step(
    *, submission: Submission, kind: str, reason: str = ""
) -> list[Notification]:
    """Tell the report's reporters that it was approved or returned (with the reason), and
    mail those who want it. Three to four queries, however many reporters."""
    if kind not in (Kind.APPROVED, Kind.RETURNED):
        raise ValueError(kind)
    key = (submission.unit_id, submission.agency_id)
    created = Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id,
            kind=kind,
            submission_id=submission.pk,
            unit_id=submission.unit_id,
            agency_id=submission.agency_id,
            period=submission.period,
            reason=reason if kind == Kind.RETURNED else "",
        )
        for user_id in _reporters([key]).get(key, [])
    )
    if created:
        notifications_mail(pending=Notification.objects.filter(pk__in=[n.pk for n in created]))
    return created


def deadline_reminders_create(*, reports: list[DueReport]) -> int:
    """Notify the reporters of each report due soon: once per person, report and period
    (running it again adds nothing: the uniqueness constraint, conflicts ignored), and mail
    every reminder of these reports not mailed yet. Returns how many reminders are new."""
    if not reports:
        return 0
    due = {(r.unit_id, r.agency_id, r.period): r.due_on for r in reports}
    reporters = _reporters((unit, agency) for unit, agency, _period in due)
    sent_before = Notification.objects.filter(_reports_q(reports), kind=Kind.DUE_SOON)
    known = set(sent_before.values_list("recipient_id", "unit_id", "agency_id", "period"))
    rows = [
        Notification(
            recipient_id=user_id,
            kind=Kind.DUE_SOON,
            unit_id=unit,
            agency_id=agency,
            period=period,
            due_on=due_on,
        )
        for (unit, agency, period), due_on in due.items()
        for user_id in reporters.get((unit, agency), [])
        if (user_id, unit, agency, period) not in known
    ]
    # A run on another worker at the same moment: its rows win, these are skipped.
    Notification.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    notifications_mail(pending=sent_before)
    return len(rows)


def _reports_q(reports: list[DueReport]) -> Q:
    """Notifications about these reports: per period (one or two), its units' reports and
    its agencies'."""
    q = Q(pk__in=[])
    for period in {r.period for r in reports}:
        units = [r.unit_id for r in reports if r.period == period and r.agency_id is None]
        agencies = [r.agency_id for r in reports if r.period == period and r.agency_id]
        q |= Q(period=period) & (
            Q(agency__isnull=True, unit_id__in=units) | Q(agency_id__in=agencies)
        )
    return q


def notifications_mail(*, pending: QuerySet[Notification]) -> int:
    """Mail each of `pending` not mailed yet to its recipient, if they have an address and
    have not turned mails off. Each mail goes once: its row is claimed (emailed_at set)
    under a lock a concurrent run skips, before sending; a send that fails is logged and
    its claim undone, and the notification stays in the portal. Returns how many went."""
    with transaction.atomic():
        claimed = list(
            pending.filter(emailed_at__isnull=True, recipient__is_active=True)
            .exclude(recipient__email="")
            .exclude(recipient__notification_setting__email_enabled=False)
            .select_related("recipient", "unit", "agency")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
        )
        if not claimed:
            return 0
        Notification.objects.filter(pk__in=[n.pk for n in claimed]).update(
            emailed_at=timezone.now()
        )
    failed = []
    # Officials read the portal in Vietnamese; a mail sent from a worker has no request.
    with translation.override(settings.LANGUAGE_CODE):
        for notification in claimed:
            subject, body = _mail_text(notification)
            try:
                send_mail(subject, body, None, [notification.recipient.email])
            except Exception as exc:  # SMTP, socket, timeout: whatever the backend raises
                logger.error("Notification %s not mailed: %s", notification.pk, _cause(exc))
                failed.append(notification.pk)
    if failed:
        Notification.objects.filter(pk__in=failed).update(emailed_at=None)
    return len(claimed) - len(failed)


def _mail_text(notification: Notification) -> tuple[str, str]:
    text = notification.text()
    lines = [text]
    if notification.reason:
        lines.append(gettext("Lý do: %(reason)s") % {"reason": notification.reason})
    if settings.PORTAL_URL:
        lines += ["", gettext("Xem trên cổng: %(url)s") % {"url": _absolute(notification)}]
    lines += [
        "",
        gettext("Không muốn nhận thư này nữa? Tắt trong phần Cài đặt thông báo trên cổng."),
    ]
    return f"[egov-portal] {text}", "\n".join(lines)


def _absolute(notification: Notification) -> str:
    return settings.PORTAL_URL.rstrip("/") + notification.target_url()


def _cause(exc: BaseException) -> str:
    """Why, for the log; never the address (a refused recipient's error carries it)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "SMTPRecipientsRefused"
    return repr(exc)


def notification_read(*, notification: Notification) -> None:
    """Mark one notification read (once: the first reading's time is kept)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )


def notifications_read_all(*, user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_setting_save(*, user, email_enabled: bool) -> NotificationSetting:
    """Turn the user's notification mails on or off."""
    setting, _created = NotificationSetting.objects.update_or_create(
        user=user, defaults={"email_enabled": email_enabled}
    )
    return setting
