"""The deadline reminder: which reports are due within a few days and not sent yet, handed
to notifications.services, which tells each report's officials once
(docs/decisions/0020-notifications.md)."""

import datetime

from django.conf import settings
from django.db.models import Q

from accounts import policy
from accounts.models import Membership
from entry.deadlines import due_dates
from indicators.models import Submission
from indicators.periods import PeriodKind, period_of, period_previous
from notifications.services import DueReport, deadline_reminders_create
from units.models import in_force_q

# Sent or approved: nothing left to remind of (a draft or a returned report is waiting).
SENT = (Submission.Status.SUBMITTED, Submission.Status.APPROVED)


def reports_due_soon(*, today: datetime.date, days: int) -> list[DueReport]:
    """Reports due from `today` to `days` days later and not sent: those of units and
    agencies that have someone to report them, of units in force today that existed in
    the period (a unit dissolved or not yet formed owes nothing now). Two queries a period
    due, and one for the due dates."""
    current = period_of(PeriodKind.QUARTER, today)
    periods = [current, period_previous(current)]
    dues = due_dates(periods)
    reports = []
    for period in periods:
        due_on = dues[period.id]
        if not today <= due_on <= today + datetime.timedelta(days=days):
            continue
        owing = set(
            Membership.objects.filter(policy.report_reporters_q())
            .filter(in_force_q(today, "unit__"))
            .filter(Q(unit__valid_from__isnull=True) | Q(unit__valid_from__lte=period.end))
            .values_list("unit_id", "agency_id")
            .distinct()
        )
        sent = set(
            Submission.objects.filter(
                period=period.id,
                status__in=SENT,
                unit_id__in={unit for unit, _agency in owing},
            ).values_list("unit_id", "agency_id")
        )
        reports += [
            DueReport(unit, agency, period.id, due_on) for unit, agency in sorted(owing - sent)
        ]
    return reports


def deadline_reminders_send(*, today: datetime.date, days: int | None = None) -> int:
    """Remind the officials of every report due soon (settings.NOTIFY_DUE_SOON_DAYS), once;
    returns how many reminders are new (0 when run again the same day)."""
    days = settings.NOTIFY_DUE_SOON_DAYS if days is None else days
    return deadline_reminders_create(reports=reports_due_soon(today=today, days=days))
