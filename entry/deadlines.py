"""When reports are due: 15 days after the period ends, unless an administrator set a date."""

import datetime

from entry.models import ReportingDeadline
from indicators.periods import Period

DEFAULT_GRACE_DAYS = 15


def default_due_on(period: Period) -> datetime.date:
    return period.end + datetime.timedelta(days=DEFAULT_GRACE_DAYS)


def due_dates(periods: list[Period]) -> dict[str, datetime.date]:
    """Each period's due date (one query for the administrator's overrides)."""
    overrides = dict(
        ReportingDeadline.objects.filter(period__in=[p.id for p in periods]).values_list(
            "period", "due_on"
        )
    )
    return {p.id: overrides.get(p.id, default_due_on(p)) for p in periods}
