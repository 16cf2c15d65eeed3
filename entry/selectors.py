"""Reads for data entry: what a user has to report, and who below a unit has reported."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from accounts import policy
from entry.deadlines import due_dates
from indicators.models import Submission
from indicators.periods import (
    Period,
    PeriodKind,
    enclosing,
    period_of,
    period_previous,
    periods_within,
)
from units.models import Agency, Unit

# How far back the entry list reaches: the current quarter and the seven before it.
QUARTERS_LISTED = 8


@dataclass
class ReportRow:
    """One line of an entry list or a completeness report."""

    unit: Unit
    agency: Agency | None
    period: Period
    due_on: datetime.date
    submission: Submission | None
    today: datetime.date

    @property
    def status(self) -> str:
        return self.submission.status if self.submission else "none"

    @property
    def name(self) -> str:
        return (self.agency or self.unit).name

    @property
    def is_late(self) -> bool:
        """Submitted after its due date."""
        sub = self.submission
        return bool(sub and sub.submitted_at and timezone.localdate(sub.submitted_at) > self.due_on)

    @property
    def is_overdue(self) -> bool:
        """Not yet submitted (or sent back), and past its due date; never for a period the
        unit did not exist in (Vĩnh Linh's communes owe no 2025Q3)."""
        waiting = self.submission is None or self.submission.is_editable
        return waiting and self.today > self.due_on and in_force_during(self.unit, self.period)


def in_force_during(unit: Unit, period: Period) -> bool:
    """Whether the unit existed on at least one day of the period (a period partly inside
    its life counts)."""
    return unit.is_in_force_during(period.start, period.end)


def quarters_of(period: Period) -> list[Period]:
    """The quarters a period's reports are (reports are quarterly): the quarters of a year
    or a half, the quarter itself, the quarter a month is in."""
    return periods_within(period, PeriodKind.QUARTER) or [enclosing(period, PeriodKind.QUARTER)]


def reporting_periods(unit: Unit, today: datetime.date) -> list[Period]:
    """The quarters a unit reports, newest first: the current one and those before it, within
    the unit's life (a 2024 commune's last quarter is 2025Q2)."""
    last_day = min(today, unit.valid_to) if unit.valid_to else today
    period = period_of(PeriodKind.QUARTER, last_day)
    periods = []
    while len(periods) < QUARTERS_LISTED and (not unit.formed_after(period.end)):
        periods.append(period)
        period = period_previous(period)
    return periods


def entry_list(user, today: datetime.date) -> list[ReportRow]:
    """What the user has to report: their unit or agency × recent quarters."""
    unit, agency = policy.reporters_of(user)
    if unit is None:
        return []
    periods = reporting_periods(unit, today)
    dues = due_dates(periods)
    submissions = {
        s.period: s
        for s in Submission.objects.filter(
            unit=unit, agency=agency, period__in=[p.id for p in periods]
        )
    }
    return [ReportRow(unit, agency, p, dues[p.id], submissions.get(p.id), today) for p in periods]


def completeness(unit: Unit, period: Period, today: datetime.date) -> list[ReportRow]:
    """Who directly below `unit` has reported, quarter by quarter of `period`: its own
    agencies and its child units, each only in the quarters it existed in (none at all in a
    quarter `unit` did not exist in: the new Quảng Trị owes no 2025Q2). Four queries."""
    quarters = [q for q in quarters_of(period) if in_force_during(unit, q)]
    if not quarters:
        return []
    first, last = quarters[0], quarters[-1]
    # The children that existed on some day of those quarters (as the 2024 tree stands for
    # the years before it, the one the reference data has).
    children = list(
        Unit.objects.filter(parent=unit)
        .filter(_in_force_between(first.start, last.end))
        .order_by("code")
    )
    agencies = list(Agency.objects.filter(unit=unit).order_by("kind", "name"))
    submissions = Submission.objects.filter(
        period__in=[q.id for q in quarters], unit__in=[*children, unit]
    )
    by_unit = {(s.unit_id, s.period): s for s in submissions if s.agency_id is None}
    by_agency = {(s.agency_id, s.period): s for s in submissions if s.agency_id is not None}
    dues = due_dates(quarters)
    rows = []
    for q in quarters:
        due = dues[q.id]
        rows += [ReportRow(unit, a, q, due, by_agency.get((a.pk, q.id)), today) for a in agencies]
        rows += [
            ReportRow(c, None, q, due, by_unit.get((c.pk, q.id)), today)
            for c in children
            if in_force_during(c, q)
        ]
    return rows


def _in_force_between(start: datetime.date, end: datetime.date) -> Q:
    """Units that existed on at least one day from `start` to `end`."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=end)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=start)
    )
