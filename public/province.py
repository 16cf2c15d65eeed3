"""A province's or a commune's public page (/public/<code>/, /public/<code>/<commune>/):
its readiness index and pillars, and its headline indicators (the dashboard's) with two years
of quarters, from approved figures; a province's page lists its communes."""

from dataclasses import dataclass

from django.db.models import Q

from indicators import analytics
from indicators.models import Figure, Indicator
from indicators.periods import Period, parse_period
from public.overview import latest_period
from public.progress import PlanRows, unit_progress
from reports import charts, index, readiness
from reports.dashboard import headline_indicators, series_periods
from units.models import Unit
from units.selectors import today


@dataclass(frozen=True)
class Card:
    indicator: object
    value: object  # the period's RolledValue
    sparkline: dict
    series: list  # RolledValues, oldest first


@dataclass(frozen=True)
class PillarRow:
    label: str
    score: object  # 0–100, one decimal, or None
    counted: int
    applicable: int


@dataclass(frozen=True)
class ProvincePage:
    unit: Unit
    period: Period | None
    index: object  # 0–100, one decimal, or None
    coverage: object
    pillars: list[PillarRow]
    cards: list[Card]
    communes: list[Unit]  # a province's, in force today, by name
    progress: list[PlanRows]  # the targets that apply, by document (public.progress)


def province_of(code: str) -> Unit | None:
    """The province (or centrally run city) in force today with this GSO code."""
    return Unit.objects.in_force(today()).filter(Q(level=Unit.Level.PROVINCE), code=code).first()


def commune_of(province: Unit, code: str) -> Unit | None:
    """The commune (ward, special zone) in force today under the province with this code."""
    return (
        Unit.objects.in_force(today())
        .filter(level=Unit.Level.COMMUNE, province=province, code=code)
        .first()
    )


def _communes(unit: Unit) -> list[Unit]:
    if unit.level != Unit.Level.PROVINCE:
        return []
    return list(
        Unit.objects.in_force(today())
        .filter(level=Unit.Level.COMMUNE, province=unit)
        .order_by("search_name", "code")
    )


def _latest_own(unit: Unit) -> Period | None:
    """A commune's latest quarter with an approved figure of its own (communes have no rows
    in the live aggregates: their values are their figures)."""
    found = (
        Figure.objects.filter(unit=unit, status=Figure.Status.APPROVED, period__contains="Q")
        .order_by("-period_end")
        .values_list("period", flat=True)
        .first()
    )
    return parse_period(found) if found else None


def province_page(unit: Unit, period_id: str | None = None) -> ProvincePage:
    """A province's or a commune's page. Raises PeriodError for an unreadable period id."""
    if period_id:
        period = parse_period(period_id)
    elif unit.level == Unit.Level.COMMUNE:
        period = _latest_own(unit)
    else:
        period = latest_period([unit])
    if period is None:
        return ProvincePage(unit, None, None, None, [], [], _communes(unit), [])
    found = readiness.index_input(level=unit.level, period=period)
    scores = readiness.readiness_scores(
        [unit],
        found,
        period,
        weights=readiness.pillar_weights(),
        reported={i.pk for i in found.indicators},
    )
    result = scores.results({unit.pk: unit})[0]
    indicators = headline_indicators(period)
    periods = series_periods(period)
    series = analytics.rollup_series(indicators, unit, periods)
    cards = [
        Card(i, series[i.code][-1], charts.sparkline(i, series[i.code]), series[i.code])
        for i in indicators
    ]
    pillars = [
        PillarRow(Indicator.Pillar(p.pillar).label, index.shown(p.score), p.counted, p.applicable)
        for p in result.pillar_scores
    ]
    return ProvincePage(
        unit,
        period,
        index.shown(result.index),
        index.shown(result.coverage),
        pillars,
        cards,
        _communes(unit),
        unit_progress(unit, period),
    )
