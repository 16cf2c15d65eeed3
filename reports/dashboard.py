"""What a unit's dashboard shows, gathered without HTTP: headline cards, plans' progress,
the children ranked by the readiness index, reporting completeness and laggards, and where
the unit stands across the 2025 reorganisation.

Every value comes from the roll-up engine, asked once per scope and period for all the
indicators of the page (analytics.rollup_indicators), so the number of queries does not
grow with the number of units below.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, Max, OuterRef, Q

from entry import selectors as entry_selectors
from indicators import aggregate_table, analytics, rollup
from indicators.models import Figure, Indicator
from indicators.periods import (
    Period,
    PeriodError,
    PeriodKind,
    parse_period,
    period_of,
    period_previous,
)
from indicators.selectors import of_period_q, within_q
from indicators.validation import indicator_valid_in
from plans import progress
from plans.models import Plan, Target
from reports import index, readiness
from reports.readiness import plans_for
from units.models import Unit, UnitChange
from units.selectors import subtree_q, unit_predecessors

# The headline indicators, in this order; those not valid in the period are skipped
# (SVC_ONLINE_L34 before Decree 42/2022 took effect, SVC_ONLINE_FULL after).
KEY_INDICATORS = (
    "INF_LAN",
    "INF_BROADBAND",
    "INF_DATA_NETWORK",
    "HR_PROFICIENT",
    "APP_DOC_MGMT",
    "APP_EDOC_EXCHANGE",
    "APP_DIGSIG_DOCS",
    "SVC_ONE_STOP",
    "SVC_ONLINE_L34",
    "SVC_ONLINE_FULL",
    "SVC_ONLINE_APPS",
    "WEB_PORTAL",
)
# The periods a headline card's sparkline and the trend chart show, of the dashboard
# period's kind, ending with it (two years of quarters).
SERIES_LENGTH = 8
# The approved figures under a unit listed on its page; the rest are downloaded (a province
# has tens of thousands a quarter).
FIGURE_ROWS = 100
# Tier scopes a card also shows, by the unit's level (Đắk Lắk's 2016 baseline is all tiers).
TIER_SCOPES = {
    level: tuple(s for s in scopes if s != rollup.SELF)
    for level, scopes in rollup.SCOPES_OF_LEVEL.items()
}


@dataclass
class Card:
    indicator: Indicator
    value: analytics.RolledValue  # scope "self"
    previous: analytics.RolledValue | None
    tiers: list[analytics.RolledValue] = field(default_factory=list)  # with a value only
    target: progress.TargetProgress | None = None
    # The unit's own values over the last SERIES_LENGTH periods, oldest first (the
    # sparkline, the trend chart); the last one is the period's.
    series: list[analytics.RolledValue] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        """Something to show beyond "no data": a value, a tier's, an earlier period's, or a
        target to be measured against."""
        return bool(
            self.value.has_value
            or self.tiers
            or self.target is not None
            or any(v.has_value for v in self.series)
        )

    @property
    def change(self) -> float | None:
        now = self.value.percent_or_value
        before = self.previous.percent_or_value if self.previous else None
        if now is None or before is None:
            return None
        return round(now - before, 4)


@dataclass
class PlanProgress:
    plan: Plan
    rows: list[progress.TargetProgress]


@dataclass
class Dashboard:
    unit: Unit
    period: Period
    previous_period: Period
    ancestors: list[Unit]
    cards: list[Card]
    series_periods: list[Period]  # the cards' series, oldest first
    plans: list[PlanProgress]
    ranking: list[index.IndexResult]  # key: the child Unit
    ranking_indicators: list[Indicator]  # those the index scores the children on
    completeness: list[entry_selectors.ReportRow]
    laggards: list[progress.Laggard]
    figures: list[Figure]  # the first FIGURE_ROWS approved figures under the unit
    figures_total: int  # all of them (the page links to their download)
    predecessors: list[UnitChange]  # when the period is before the unit existed
    successors: list[Unit]  # when the unit no longer exists

    @property
    def from_predecessors(self) -> bool:
        return bool(self.predecessors)

    @property
    def ranking_min_coverage(self) -> int:
        """The share of a pillar's indicators a child needs figures for to be scored (%)."""
        return round(index.MIN_COVERAGE * 100)

    @property
    def completeness_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.completeness:
            counts[row.status] = counts.get(row.status, 0) + 1
        return counts


def default_period(unit: Unit, today: datetime.date) -> Period:
    """The latest quarter (or longer period) with an approved figure under the unit — or
    under the units it was formed from, whose figures it reads before it existed (the 2025
    Quảng Trị opens on its old provinces' latest); else the current quarter, or the unit's
    last one if it no longer exists."""
    formed_from = list(unit_predecessors(unit=unit).filter(level=unit.level))
    under = subtree_q([unit, *formed_from], "unit__")
    latest = (
        Figure.objects.filter(under, status=Figure.Status.APPROVED)
        .aggregate(end=Max("period_end"))
        .get("end")
    )
    if latest is not None:
        figure = (
            Figure.objects.filter(under, status=Figure.Status.APPROVED, period_end=latest)
            .order_by("period_start")
            .values_list("period", flat=True)
            .first()
        )
        return parse_period(figure)
    day = min(today, unit.valid_to) if unit.valid_to else today
    return period_of(PeriodKind.QUARTER, day)


def dashboard_build(unit: Unit, period: Period, *, today: datetime.date) -> Dashboard:
    """Everything the unit's dashboard shows."""
    previous = period_previous(period)
    indicators = _indicators(KEY_INDICATORS, period)
    on = analytics.structure_date(unit, period)
    children = list(Unit.objects.in_force(on).filter(parent=unit).order_by("code"))
    plans = plans_for(unit, period)
    plan_rows = [PlanProgress(p, progress.plan_progress(p, period, unit)) for p in plans]
    laggards = [
        lag for p in plan_rows for lag in progress.plan_laggards(p.plan, period, unit, rows=p.rows)
    ]

    now = analytics.rollup_indicators(indicators, [unit], period)
    sources = [c.predecessor for c in readiness.predecessors(unit, period)] or [unit]
    present = _data_present(sources, period)
    tiers = {
        scope: analytics.rollup_indicators(
            [i for i in indicators if i.pk in present.indicators], [unit], period, scope
        )
        for scope in TIER_SCOPES[unit.level]
        if present.may_fill(scope)
    }
    # The series: the periods before, then the period's own values (read above); the cards'
    # change is read from the one before it.
    periods = series_periods(period)
    earlier = analytics.rollup_series(indicators, unit, periods[:-1])
    series = {i.code: [*earlier[i.code], now[i.code][0]] for i in indicators}
    targets = headline_targets(
        unit, period, indicators, plan_rows, {i.code: now[i.code][0] for i in indicators}
    )
    cards = [
        Card(
            indicator=i,
            value=now[i.code][0],
            previous=series[i.code][-2] if len(periods) > 1 else None,
            tiers=[
                tiers[s][i.code][0]
                for s in tiers
                if i.code in tiers[s] and tiers[s][i.code][0].has_value
            ],
            target=targets.get(i.code),
            series=series[i.code],
        )
        for i in indicators
    ]
    scored = (
        readiness.index_input(level=children[0].level, period=period, plans=plans)
        if children
        else readiness.IndexInput([], [])
    )
    # The figures panel's counts come with `present` when both read the unit's own subtree.
    figures, figures_total = _figures(unit, period, present.counts if sources == [unit] else None)
    ranking = rank_units(children, scored, period, previous, sources=sources)
    return Dashboard(
        unit=unit,
        period=period,
        previous_period=previous,
        ancestors=_ancestors(unit),
        cards=cards,
        series_periods=periods,
        plans=plan_rows,
        ranking=ranking,
        ranking_indicators=scored.indicators,
        completeness=entry_selectors.completeness(unit, period, today),
        laggards=laggards,
        figures=figures,
        figures_total=figures_total,
        predecessors=readiness.predecessors(unit, period),
        successors=_successors(unit, today),
    )


def series_periods(period: Period, length: int = SERIES_LENGTH) -> list[Period]:
    """`length` periods of the period's kind ending with it (fewer at the calendar's start)."""
    periods = [period]
    while len(periods) < length:
        try:
            periods.insert(0, period_previous(periods[0]))
        except PeriodError:
            break
    return periods


def headline_targets(
    unit: Unit,
    period: Period,
    indicators: list[Indicator],
    plan_rows: list[PlanProgress],
    values: dict[str, analytics.RolledValue],
) -> dict[str, progress.TargetProgress]:
    """For each headline indicator, the target that reads on the unit itself in the period's
    year, with its progress (plans/progress.py): of the unit's plans (already assessed) or of
    a national document in force that year (a province under Resolution 17/NQ-CP), the
    nearest deadline not before the period; on a tie, the unit's own plan. One query for the
    national documents' targets; each one chosen is assessed on the unit's value already
    read (`values`: {code: value in the period}), its baseline read alone."""
    candidates: dict[str, list[tuple]] = {}
    for plan in plan_rows:
        for row in plan.rows:
            if row.scope == "self" and row.target.due_end(period.end) >= period.start:
                candidates.setdefault(row.target.indicator.code, []).append(
                    (row.target.due_end(period.end), 0, row.target, row)
                )
    national = (
        Target.objects.filter(
            plan__issuing_unit__isnull=True,
            plan__year_from__lte=period.end.year,
            plan__year_to__gte=period.start.year,
            indicator__in=indicators,
        )
        .filter(Q(plan__issued_on__isnull=True) | Q(plan__issued_on__lte=period.end))
        .select_related("plan", "indicator")
        .order_by("plan__code", "position", "pk")
    )
    for target in national:
        due = target.due_end(period.end)
        if progress.engine_scope(target.scope, unit.level) == "self" and due >= period.start:
            candidates.setdefault(target.indicator.code, []).append((due, 1, target, None))
    chosen = {}
    for code, found in candidates.items():
        _due, _national, target, row = min(found, key=lambda c: (c[0], c[1]))
        if row is None:
            row = progress.target_progress(
                target, plan=target.plan, subject=unit, period=period, value=values[code]
            )
        if row is not None:
            chosen[code] = row
    return chosen


def rank_units(
    units: list[Unit],
    scored: readiness.IndexInput,
    period: Period,
    previous: Period,
    *,
    sources: list[Unit] | None = None,
) -> list[index.IndexResult]:
    """The units ranked by the readiness index (reports/readiness.py, the API's method), with
    their rank in the previous period on the same indicators; every unit is listed, those
    without an index last. `sources`: where the units' figures of those periods sit (older
    units, across the 2025 reorganisation)."""
    if not units:
        return []
    weights = readiness.pillar_weights()
    # Districts and provinces are read from the live aggregates, whatever the indicators
    # (an indicator nobody reported has no value there): only the units computed from the
    # figures (communes) are worth narrowing to the indicators reported. The narrowing
    # costs a province a DISTINCT over two quarters of its figures (20 ms).
    reported = None
    if any(u.level not in aggregate_table.STORED_LEVELS for u in units):
        reported = readiness.reported_indicators(sources or units, [period, previous])
    keys = {u.pk: u for u in units}
    scores = readiness.readiness_scores_each(
        units, scored, [period, previous], weights=weights, reported=reported
    )
    now, before = scores[period.id], scores[previous.id]
    # The unranked after the ranked: first those with some figures (too few for an index),
    # then those with none (not reported), each in code order (a stable sort).
    return sorted(
        index.ranked(now, before, keys),
        key=lambda r: (r.rank is None, r.rank or 0, r.rank is None and not r.coverage),
    )


@dataclass
class _Present:
    """What kinds of figures exist under a unit in a period, to skip the scopes that cannot
    have a value."""

    indicators: set[int]
    scopes: set[str]
    levels: set[str]  # below the unit, of units with their own ("self") figures
    agencies: bool  # whether any agency has figures of its own
    counts: dict[int, int]  # figures of exactly the period, by indicator (the figures panel)

    def may_fill(self, scope: str) -> bool:
        if scope in self.scopes:
            return True
        if scope in ("communes", "districts"):
            return scope[:-1] in self.levels
        return self.agencies


def _figures(
    unit: Unit, period: Period, counts: dict[int, int] | None = None
) -> tuple[list[Figure], int]:
    """The first FIGURE_ROWS approved figures under the unit for the period (by indicator,
    then unit code), and how many. Counted per indicator first (one GROUP BY, or `counts`
    as _data_present read them), so that the database sorts only the figures of the first
    indicators, never the whole subtree's (a province has 20,000 a quarter: sorting them
    all took 0.23 s)."""
    figures = Figure.objects.filter(
        subtree_q(unit, "unit__"),
        of_period_q(period),
        status=Figure.Status.APPROVED,
    )
    if counts is None:
        counts = dict(
            figures.order_by()
            .values_list("indicator_id")
            .annotate(n=Count("id"))
            .values_list("indicator_id", "n")
        )
    # Indicators in the page's order until they hold enough figures, and every other one of
    # the last one's position (equal positions are ordered by unit code among themselves).
    first, enough, last = [], 0, None
    for indicator_id, position in (
        Indicator.objects.filter(pk__in=counts)
        .order_by("position", "pk")
        .values_list("pk", "position")
    ):
        if enough >= FIGURE_ROWS and position != last:
            break
        first.append(indicator_id)
        enough += counts[indicator_id]
        last = position
    shown = list(
        figures.filter(indicator_id__in=first)
        .order_by("indicator__position", "unit__code", "scope")
        .select_related("unit", "agency", "indicator")[:FIGURE_ROWS]
    )
    return _related_shared(shown), sum(counts.values())


def _related_shared(figures: list[Figure]) -> list[Figure]:
    """The figures, each unit, agency and indicator they name one instance among them (a
    join gives every row copies of its own). A dashboard is kept pickled
    (reports/dashboard_cache.py), and pickle writes a shared instance once: a district's
    hundred figures took 117 KB with their copies, 34 KB without, of a 200 KB dashboard
    read back on every request for it (benchmarks/RESULTS.md, session 21)."""
    seen: dict[tuple[str, int], object] = {}
    for f in figures:
        f.unit = seen.setdefault(("unit", f.unit_id), f.unit)
        f.indicator = seen.setdefault(("indicator", f.indicator_id), f.indicator)
        if f.agency_id is not None:
            f.agency = seen.setdefault(("agency", f.agency_id), f.agency)
    return figures


def _data_present(units: list[Unit], period: Period) -> _Present:
    """One GROUP BY of the units' approved figures within the period, by indicator, scope and
    whether an agency's, counting the figures of exactly the period on the way (the figures
    panel's counts); then, for each level below the units, whether any unit of that level
    has a figure of its own (one probe by those units' ids). Joined to units and agencies
    and grouped by their level and kind, the one query took a province 24 ms against 16."""
    level_of = dict(Unit.objects.filter(subtree_q(units)).values_list("id", "level"))
    figures = Figure.objects.filter(
        within_q(period.start, period.end),
        unit_id__in=list(level_of),
        status=Figure.Status.APPROVED,
    ).order_by()
    rows = (
        figures.annotate(by_agency=ExpressionWrapper(Q(agency__isnull=False), BooleanField()))
        .values_list("indicator_id", "scope", "by_agency")
        .annotate(n=Count("id", filter=of_period_q(period)))
    )
    present = _Present(set(), set(), set(), False, {})
    for indicator_id, scope, by_agency, n in rows:
        if n:
            present.counts[indicator_id] = present.counts.get(indicator_id, 0) + n
        present.indicators.add(indicator_id)
        present.scopes.add(scope)
        if scope == rollup.SELF and by_agency:
            present.agencies = True
    if not present.indicators:
        return present
    above = {u.level for u in units}
    # A probe unit by unit, each by figure_unit_period_idx, stopping at the first found. As
    # one EXISTS over the figures of hundreds of ids, PostgreSQL guessed a few dozen rows
    # match and scanned the table for the first: 6 ms while one happened to lie near the
    # start of it, a second when none did (a province's communes, 2025Q2, while reports were
    # being reopened).
    own = figures.filter(unit_id=OuterRef("pk"), scope=rollup.SELF, agency__isnull=True)
    for level in (Unit.Level.DISTRICT, Unit.Level.COMMUNE):
        ids = [pk for pk, found in level_of.items() if found == level]
        if (
            level not in above
            and ids
            and Unit.objects.filter(pk__in=ids).filter(Exists(own)).exists()
        ):
            present.levels.add(level)
    return present


def headline_indicators(period: Period) -> list[Indicator]:
    """The headline indicators valid in the period, in KEY_INDICATORS' order (the public
    pages show the same)."""
    return _indicators(KEY_INDICATORS, period)


def _indicators(codes, period: Period) -> list[Indicator]:
    found = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found and indicator_valid_in(found[c], period)]


def _ancestors(unit: Unit) -> list[Unit]:
    ids = [i for i in (unit.province_id, unit.district_id) if i is not None]
    found = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    return [found[i] for i in ids if i in found]


def _successors(unit: Unit, today: datetime.date) -> list[Unit]:
    """What became of a unit that no longer exists."""
    if not unit.ended_before(today):
        return []
    return list(
        Unit.objects.filter(changes_in__predecessor=unit)
        .select_related("parent")
        .order_by("level", "code")
    )
