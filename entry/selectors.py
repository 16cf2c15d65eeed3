"""Reads for data entry: what a user has to report, and who below a unit has reported."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from accounts import policy
from entry.deadlines import due_dates
from indicators.models import Submission
from indicators.periods import Period, PeriodKind, period_of, period_previous
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
        """Not yet submitted (or sent back), and past its due date."""
        waiting = self.submission is None or self.submission.is_editable
        return waiting and self.today > self.due_on


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
    """Who directly below `unit` has reported for `period`: its child units (as they stood
    at the period's end) and its own agencies. Three queries."""
    on = min(period.end, unit.valid_to) if unit.valid_to else period.end
    children = list(Unit.objects.in_force(on).filter(parent=unit).order_by("code"))
    agencies = list(Agency.objects.filter(unit=unit).order_by("kind", "name"))
    submissions = Submission.objects.filter(period=period.id).filter(unit__in=[*children, unit])
    by_unit = {s.unit_id: s for s in submissions if s.agency_id is None}
    by_agency = {s.agency_id: s for s in submissions if s.agency_id is not None}
    due = due_dates([period])[period.id]
    rows = [ReportRow(unit, a, period, due, by_agency.get(a.pk), today) for a in agencies]
    rows += [ReportRow(c, None, period, due, by_unit.get(c.pk), today) for c in children]
    return rows
