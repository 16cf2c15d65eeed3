"""One indicator for one unit: its trend with the plan target, its children, its figures
(no HTTP; the indicator page and its downloads read this)."""

import datetime
from dataclasses import dataclass

from indicators import analytics, readings
from indicators.models import Figure, Indicator
from indicators.periods import Period, PeriodError, period_previous
from plans import progress
from plans.models import Target
from reports import dashboard
from units.models import Unit, UnitChange
from units.selectors import subtree_q

TREND_LENGTH = 12  # periods of the chosen period's kind: three years of quarters


@dataclass
class IndicatorPage:
    indicator: Indicator
    unit: Unit
    period: Period
    periods: list[Period]
    trend: list[analytics.RolledValue]  # oldest first
    target: Target | None
    children: list[analytics.RolledValue]  # best first
    figures: list[Figure]


def indicator_page_build(
    indicator: Indicator, unit: Unit, period: Period, *, reading: str, today: datetime.date
) -> IndicatorPage:
    """The page's parts; its children are the units one level down in `reading`
    (indicators/readings.py): the units of the time, or today's."""
    periods = trend_periods(period)
    trend = [analytics.rollup_value(indicator, unit, p) for p in periods]
    below = readings.children(unit, period, reading, today)
    children = sorted(
        analytics.rollup_units(indicator, below, period) if below else [],
        key=lambda v: (v.percent_or_value is None, -(v.percent_or_value or 0), v.unit.code),
    )
    return IndicatorPage(
        indicator=indicator,
        unit=unit,
        period=period,
        periods=periods,
        trend=trend,
        target=reading_target(indicator, unit, period),
        children=children,
        figures=indicator_figures(indicator, unit, periods[0], period),
    )


def trend_periods(period: Period, length: int = TREND_LENGTH) -> list[Period]:
    """`length` periods of the period's kind, ending with it (fewer at the calendar's start)."""
    periods = [period]
    while len(periods) < length:
        try:
            periods.insert(0, period_previous(periods[0]))
        except PeriodError:
            break
    return periods


def reading_target(indicator: Indicator, unit: Unit, period: Period) -> Target | None:
    """The target of the unit's plans (or of the documents they implement) that reads on the
    unit itself: the nearest deadline not before the period, else the latest one."""
    found = [
        target
        for plan in dashboard.plans_for(unit, period)
        for target in progress.plan_targets(plan)
        if target.indicator_id == indicator.pk
        and progress.engine_scope(target.scope, unit.level) == "self"
    ]
    upcoming = [t for t in found if t.deadline_end >= period.start]
    if upcoming:
        return min(upcoming, key=lambda t: t.deadline_end)
    return max(found, key=lambda t: t.deadline_end, default=None)


def indicator_figures(
    indicator: Indicator, unit: Unit, first: Period, last: Period
) -> list[Figure]:
    """The approved figures of the indicator under the unit from `first` to `last`; under the
    units it was formed from too, when the span starts before it existed."""
    ids = [unit.pk]
    if unit.formed_after(first.start):
        ids += UnitChange.objects.filter(successor=unit, predecessor__level=unit.level).values_list(
            "predecessor_id", flat=True
        )
    under = subtree_q(list(ids), "unit__")
    return list(
        Figure.objects.filter(
            under,
            indicator=indicator,
            status=Figure.Status.APPROVED,
            period_start__lte=last.end,
            period_end__gte=first.start,
        )
        .select_related("unit", "agency", "indicator")
        .order_by("-period_end", "period_start", "unit__code", "scope")
    )
