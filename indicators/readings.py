"""Two readings of history (docs/decisions/0017): which units a question about a period is
answered for.

- `as_reported`: the units of the time. A figure stays with the unit that reported it; a unit
  formed after the period is answered by the units it was formed from, each on its own.
- `rebased`: today's units. A period is read onto the units in force today: a unit that has
  ended is answered by the units it went into, and each of today's units takes its
  predecessors' values where it did not exist yet (a whole predecessor exactly, a partial one
  marked `partial`, never split by a guess: indicators/analytics.py).

By default the unit asked says which: a unit in force today is read rebased, one that has
ended as reported.
"""

import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from indicators import analytics, selectors
from indicators.models import Figure
from indicators.periods import Period
from units.models import Unit
from units.selectors import unit_predecessors, unit_successors

AS_REPORTED = "as_reported"
REBASED = "rebased"
CHOICES = [
    (AS_REPORTED, _("theo đơn vị lúc báo cáo")),
    (REBASED, _("theo đơn vị hiện nay")),
]


def default_reading(unit: Unit, today: datetime.date) -> str:
    """Rebased for a unit in force today, as reported for one that has ended."""
    return AS_REPORTED if unit.ended_before(today) else REBASED


def subjects(unit: Unit, period: Period, reading: str, today: datetime.date) -> list[Unit]:
    """The units a question about `unit` and `period` is answered for (by=unit)."""
    if reading == AS_REPORTED and unit.formed_after(period.end):
        # Not there yet: the units of the time it was formed from, at its own level.
        return list(unit_predecessors(unit=unit).filter(level=unit.level).order_by("code"))
    if reading == REBASED and unit.ended_before(today):
        # Gone: today's units that hold its territory.
        return list(unit_successors(unit=unit, on=today).order_by("code"))
    return [unit]


def children(unit: Unit, period: Period, reading: str, today: datetime.date) -> list[Unit]:
    """The units one level down (by=children): the children of each subject, as the tree
    stood at the period's end (as reported) or today (rebased)."""
    answered_by = subjects(unit, period, reading, today)
    if reading == REBASED and any(s.level != unit.level for s in answered_by):
        # A district gone into communes (no district level since 2025): today's units one
        # level down are those communes themselves.
        return answered_by
    found: dict[int, Unit] = {}
    for subject in answered_by:
        on = today if reading == REBASED else analytics.structure_date(subject, period)
        if subject.ended_before(period.start) and reading == AS_REPORTED:
            continue  # gone before the period: nothing of it to count
        for child in Unit.objects.in_force(on).filter(parent=subject).order_by("code"):
            found.setdefault(child.pk, child)
    return sorted(found.values(), key=lambda u: u.code)


def figures_under(figures: QuerySet[Figure], unit: Unit, reading: str) -> QuerySet[Figure]:
    """The figures under `unit` (descendants_of): rebased, also those of the units it was
    formed from and theirs (a 2025 province lists its old provinces' figures); as reported,
    those of its own subtree only."""
    if reading != REBASED:
        return selectors.figures_under(figures, unit=unit)
    formed_from = list(unit_predecessors(unit=unit).filter(level=unit.level))
    return selectors.figures_under(figures, unit=[unit, *formed_from])
