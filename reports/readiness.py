"""The readiness index of a unit, or of each unit below it, for a period: the values the
roll-up engine gives from approved figures (open data), scored by reports/index.py.

The same functions feed the API (/api/v1/readiness/) and the dashboard's ranking, so a unit
has one score wherever it is shown. docs/decisions/0016-readiness-index.md gives the method.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from indicators import analytics
from indicators.models import Figure, Indicator
from indicators.periods import Period
from indicators.selectors import within_q
from indicators.validation import indicator_valid_in
from plans import progress
from plans.models import Plan, Target
from reports import index
from reports.models import PillarWeight
from units.models import Unit, UnitChange
from units.selectors import subtree_q

BY_UNIT = "unit"
BY_CHILDREN = "children"


@dataclass(frozen=True)
class IndexInput:
    """What the index scores units of one level on in one period."""

    indicators: list[Indicator]  # scored ones, in the catalogue's order
    specs: list[index.IndicatorSpec]


@dataclass
class Readiness:
    unit: Unit
    period: Period
    by: str
    results: list[index.IndexResult]  # key: the Unit; the unit itself, or its children by code
    min_coverage: float = index.MIN_COVERAGE


def readiness_read(*, unit: Unit, period: Period, by: str = BY_UNIT) -> Readiness:
    """Score and coverage, per pillar and in total, of `unit` (by="unit") or of each of its
    children as the tree stood at the end of the period (by="children"; none for a period
    after the unit ended, as analytics.rollup_children)."""
    if by == BY_CHILDREN:
        if unit.ended_before(period.start):
            units = []
        else:
            on = analytics.structure_date(unit, period)
            units = list(Unit.objects.in_force(on).filter(parent=unit).order_by("code"))
    else:
        units = [unit]
    plans = plans_for(unit, period)
    weights = pillar_weights()
    sources = [c.predecessor for c in predecessors(unit, period)] or [unit]
    reported = reported_indicators(sources, [period])
    results: dict[int, index.IndexResult] = {}
    for level in dict.fromkeys(u.level for u in units):
        group = [u for u in units if u.level == level]
        found = index_input(level=level, period=period, plans=plans)
        scores = readiness_scores(group, found, period, weights=weights, reported=reported)
        results.update((r.key.pk, r) for r in scores.results({u.pk: u for u in group}))
    return Readiness(unit=unit, period=period, by=by, results=[results[u.pk] for u in units])


def index_input(*, level: str, period: Period, plans: Sequence[Plan] = ()) -> IndexInput:
    """The indicators the index scores units of `level` on in `period`: every one that applies
    to the level and is valid in the period — a percentage always, a count or an amount when a
    target of `plans` gives it a reference. One query, and the plans' targets."""
    candidates = [
        i
        for i in Indicator.objects.filter(levels__contains=f",{level},").order_by("position", "pk")
        if indicator_valid_in(i, period)
    ]
    targets = _reference_targets(level, period, plans) if plans else {}
    indicators, specs = [], []
    for indicator in candidates:
        spec = index.IndicatorSpec(
            code=indicator.code,
            pillar=indicator.pillar,
            value_type=indicator.value_type,
            higher_is_better=indicator.direction == Indicator.Direction.HIGHER,
            target=targets.get(indicator.pk),
        )
        if spec.is_scored:
            indicators.append(indicator)
            specs.append(spec)
    return IndexInput(indicators=indicators, specs=specs)


def readiness_scores(
    units: Sequence[Unit],
    found: IndexInput,
    period: Period,
    *,
    weights: dict[str, float],
    reported: set[int] | None,
) -> index.Scores:
    """The units' scores. Only the indicators in `reported` (someone under the units reported
    them in the period: reported_indicators; None: every one) are read; the others have no
    value anyway, and count against the coverage all the same."""
    return readiness_scores_each(units, found, [period], weights=weights, reported=reported)[
        period.id
    ]


def readiness_scores_each(
    units: Sequence[Unit],
    found: IndexInput,
    periods: Sequence[Period],
    *,
    weights: dict[str, float],
    reported: set[int] | None,
) -> dict[str, index.Scores]:
    """readiness_scores of each period, {period id: scores}, the values of every period read
    together (analytics.percent_values_each)."""
    read = [i for i in found.indicators if reported is None or i.pk in reported]
    if read:
        # A value combined from too few of its members does not stand for the unit
        # (docs/decisions/0017): it counts as missing, against the coverage.
        values = analytics.percent_values_each(read, list(units), periods, sufficient_only=True)
    else:
        empty = pd.DataFrame(index=pd.Index([u.pk for u in units]), dtype=float)
        values = {p.id: empty for p in periods}
    return {p.id: index.readiness_index(values[p.id], found.specs, weights) for p in periods}


def pillar_weights() -> dict[str, float]:
    """The administrator's weights (reports.PillarWeight); a pillar without one weighs 1."""
    return {w.pillar: float(w.weight) for w in PillarWeight.objects.all()}


def plans_for(unit: Unit, period: Period) -> list[Plan]:
    """Plans issued by the unit or a unit above it that cover the period's year."""
    issuers = [unit.pk, unit.parent_id, unit.province_id, unit.district_id]
    return list(
        Plan.objects.filter(
            issuing_unit_id__in=[i for i in issuers if i is not None],
            year_from__lte=period.end.year,
            year_to__gte=period.start.year,
        )
        .select_related("issuing_unit")
        .order_by("-year_from", "code")
    )


def predecessors(unit: Unit, period: Period) -> list[UnitChange]:
    """The units this one was formed from, when the period is from before it existed."""
    if not unit.formed_after(period.start):
        return []
    return list(
        UnitChange.objects.filter(successor=unit, predecessor__level=unit.level)
        .select_related("predecessor")
        .order_by("predecessor__code")
    )


def reported_indicators(units: Sequence[Unit], periods: Sequence[Period]) -> set[int]:
    """The indicators with an approved figure under `units` within the periods (one query):
    the others have no value there, and need not be read."""
    start = min(p.start for p in periods)
    end = max(p.end for p in periods)
    return set(
        Figure.objects.filter(
            subtree_q(list(units), "unit__"),
            within_q(start, end),
            status=Figure.Status.APPROVED,
        )
        .order_by()
        .values_list("indicator_id", flat=True)
        .distinct()
    )


def _reference_targets(level: str, period: Period, plans: Sequence[Plan]) -> dict[int, float]:
    """For each indicator, the target of these plans (or of the documents they implement) that
    reads on units of `level` themselves, with the nearest deadline not before the period: a
    count's or an amount's reference. A lower-is-better indicator takes an "at most" target,
    the others an "at least" one (a range: its lower end). One query per plan."""
    found: dict[int, Target] = {}
    for plan in plans:
        for target in progress.plan_targets(plan):
            lower = target.indicator.direction == Indicator.Direction.LOWER
            due = target.due_end(period.end)  # a target without a deadline is due at once
            if (
                progress.engine_scope(target.scope, level) != "self"
                or (target.comparator == Target.Comparator.AT_MOST) != lower
                or due < period.start
            ):
                continue
            best = found.get(target.indicator_id)
            if best is None or due < best.due_end(period.end):
                found[target.indicator_id] = target
    return {indicator_id: float(t.value) for indicator_id, t in found.items()}
