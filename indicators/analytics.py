"""The roll-up engine: the value of an indicator for any unit, scope and period.

This module reads the database (a constant number of queries, whatever the number of
units); `indicators/rollup.py` applies the rules. docs/decisions/0004-rollup.md says why
the rules are what they are.
"""

import contextlib
import contextvars
import dataclasses
import datetime
import decimal
import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

import numpy as np
import pandas as pd
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, F, FloatField, OuterRef, Q, Window
from django.db.models.functions import Cast, Coalesce, RowNumber
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from indicators import aggregate_table, rollup
from indicators.models import Figure, Indicator
from indicators.periods import Period, PeriodKind, parse_period, periods_within
from indicators.selectors import of_period_q, within_q
from units.models import Agency, Unit, UnitChange, in_force_q
from units.selectors import structure_known, subtree_q

# Only figures a reviewer has signed off count, unless the caller says otherwise.
APPROVED_ONLY = (Figure.Status.APPROVED,)
COVERAGE_THRESHOLD = rollup.COVERAGE_THRESHOLD
COVERAGE_BASIS = {
    rollup.REPORTED: "unit_report",
    rollup.COMPUTED: "members",
    rollup.PREDECESSORS: "predecessors",
}


@dataclass(frozen=True)
class RolledValue:
    """An indicator's value for a unit, period and scope, with where it came from."""

    unit: Unit | None  # None: the whole country (combine_values)
    indicator: Indicator
    period: Period
    scope: str
    # Decimals to the 4 decimals shown, read from the table or the figures as they are
    # (a value the engine computed is rounded from its float: aggregate_table.shown).
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    # reported: the unit's own figure; computed: combined from the units or agencies below;
    # predecessors: combined from the units it was formed from; none: nothing to show.
    origin: str
    covered: int
    expected: int
    # What `covered` and `expected` count: commune, district, province or agency.
    coverage_level: str
    figure_id: int | None = None
    figure_period: str | None = None
    source: str = ""
    # A predecessor that went only in part into this unit contributed all its figures.
    is_partial: bool = False
    # A unit's own yes/no answer: value is 1 or 0, not a percentage.
    is_answer: bool = False
    # Members with only a percentage, left out of a ratio of sums computed from the others.
    percent_only: int = 0
    predecessors: tuple[Unit, ...] = field(default=())
    # The figure it is was given as approximate ("khoảng 90%"): with_approximate() says.
    is_approximate: bool = False

    @property
    def has_value(self) -> bool:
        return self.value is not None

    @property
    def coverage_basis(self) -> str:
        """What the value stands on: the unit's own report, its members', its
        predecessors', or nothing."""
        return COVERAGE_BASIS.get(self.origin, "none")

    @property
    def low_coverage(self) -> bool:
        """A value combined from too few of the members it should cover to stand for the
        unit (below COVERAGE_THRESHOLD, or members unknown): shown greyed with its coverage,
        never as the unit's figure (docs/decisions/0017)."""
        if self.value is None:
            return False
        return bool(
            rollup.low_coverage(self.origin, self.covered, self.expected, self.percent_only)
        )

    @property
    def percent_or_value(self) -> Decimal | None:
        """The value on the scale targets use: a yes/no answer as 100 (yes) or 0 (no)."""
        if self.value is None:
            return None
        return self.value * 100 if self.is_answer else self.value


def rollup_value(
    indicator: Indicator,
    unit: Unit,
    period: Period,
    scope: str = rollup.SELF,
    *,
    statuses: Sequence[str] = APPROVED_ONLY,
) -> RolledValue:
    """The value of `indicator` for `unit`, `period` and `scope`."""
    return rollup_units(indicator, [unit], period, scope, statuses=statuses)[0]


def rollup_children(
    indicator: Indicator,
    unit: Unit,
    period: Period,
    scope: str = rollup.SELF,
    *,
    statuses: Sequence[str] = APPROVED_ONLY,
) -> list[RolledValue]:
    """The value for each child of `unit` (as the tree stood at the end of `period`); none
    for a period after the unit ended (its children are not counted once gone)."""
    if unit.valid_to is not None and unit.valid_to < period.start:
        return []
    on = structure_date(unit, period)
    children = list(Unit.objects.in_force(on).filter(parent=unit).order_by("code"))
    return rollup_units(indicator, children, period, scope, statuses=statuses)


def rollup_provinces(
    indicator: Indicator,
    period: Period,
    scope: str = rollup.SELF,
    *,
    on: datetime.date | None = None,
    statuses: Sequence[str] = APPROVED_ONLY,
) -> list[RolledValue]:
    """The whole country by province: the provinces in force on `on` (default: the end of
    `period`; pass a later date to see old figures through today's provinces)."""
    provinces = list(
        Unit.objects.in_force(on or period.end).filter(level=Unit.Level.PROVINCE).order_by("code")
    )
    return rollup_units(indicator, provinces, period, scope, statuses=statuses)


def rollup_units(
    indicator: Indicator,
    units: Sequence[Unit],
    period: Period,
    scope: str = rollup.SELF,
    *,
    statuses: Sequence[str] = APPROVED_ONLY,
) -> list[RolledValue]:
    """The value for each of `units`, in their order.

    A unit in force during the period is evaluated from its own subtree; a unit formed
    after the period (a 2025 commune asked about 2024) from the units it was formed from.
    """
    return rollup_indicators([indicator], units, period, scope, statuses=statuses)[indicator.code]


def rollup_indicators(
    indicators: Sequence[Indicator],
    units: Sequence[Unit],
    period: Period,
    scope: str = rollup.SELF,
    *,
    statuses: Sequence[str] = APPROVED_ONLY,
) -> dict[str, list[RolledValue]]:
    """Several indicators for the same units, period and scope: {code: values in unit order}.

    Districts and provinces are read from the live aggregates (indicators/aggregates.py
    keeps them current with every approved figure), in one query; the other units (a
    commune: its own figure) and any value the table does not hold are computed here from
    the figures, all the indicators at once (a handful of queries per structure date).
    Figures not yet approved are never in the table: `statuses` other than approved only
    are always computed.
    """
    indicators = list(indicators)
    if tuple(statuses) != APPROVED_ONLY or not aggregate_table.readable():
        return _rollup_indicators(indicators, units, period, scope, statuses=statuses)
    found = aggregate_table.read([i.pk for i in indicators], units, period.id, scope)
    missing = [u for u in units if any((u.pk, i.pk) not in found for i in indicators)]
    computed = _rollup_indicators(indicators, missing, period, scope) if missing else {}
    result = {}
    for indicator in indicators:
        from_engine = dict(
            zip((u.pk for u in missing), computed.get(indicator.code, ()), strict=True)
        )
        values = []
        for unit in units:
            row = found.get((unit.pk, indicator.pk))
            if row is None:
                values.append(from_engine[unit.pk])
            else:
                values.append(_stored_value(unit, indicator, period, scope, row))
        result[indicator.code] = values
    return result


def rollup_series(
    indicators: Sequence[Indicator],
    unit: Unit,
    periods: Sequence[Period],
    scope: str = rollup.SELF,
) -> dict[str, list[RolledValue]]:
    """Several indicators for one unit over several periods (a dashboard's sparklines and
    trend): {code: values in period order}, of approved figures.

    The live aggregates of every period are read in one query. A value the table does not
    hold (it keeps rows only where figures are) is computed by the engine only when an
    approved figure of its indicator lies in the period under the unit (or the units it was
    formed from: one query says which); else it has no value, without asking. So a
    district's or province's series costs a few queries however many indicators and periods,
    and a commune's one engine call per period it reported in.
    """
    indicators = list(indicators)
    periods = list(periods)
    if not indicators or not periods:
        return {i.code: [] for i in indicators}
    found = {}
    if aggregate_table.readable():
        found = aggregate_table.read_periods(
            [i.pk for i in indicators], [unit], [p.id for p in periods], scope
        )
    lacking = {
        (p.id, i.pk) for p in periods for i in indicators if (unit.pk, p.id, i.pk) not in found
    }
    reported = _periods_reported(indicators, unit, periods) & lacking if lacking else set()
    computed = {}
    for period in periods:
        asked = [i for i in indicators if (period.id, i.pk) in reported]
        if asked:
            computed[period.id] = _rollup_indicators(asked, [unit], period, scope)
    result = {}
    for indicator in indicators:
        values = []
        for period in periods:
            row = found.get((unit.pk, period.id, indicator.pk))
            if row is not None:
                values.append(_stored_value(unit, indicator, period, scope, row))
            elif (period.id, indicator.pk) in reported:
                values.append(computed[period.id][indicator.code][0])
            else:
                values.append(_rolled_value(unit, indicator, period, scope, _nothing(unit)))
        result[indicator.code] = values
    return result


def _periods_reported(
    indicators: list[Indicator], unit: Unit, periods: list[Period]
) -> set[tuple[str, int]]:
    """(period id, indicator id) of each period holding an approved figure of the indicator
    under the unit, or under the units it was formed from (one query, and one for those):
    the others have no value to compute."""
    sources = [unit]
    if unit.formed_after(min(p.start for p in periods)):
        sources += [
            change.predecessor
            for change in UnitChange.objects.filter(
                successor=unit, predecessor__level=unit.level
            ).select_related("predecessor")
        ]
    spans = set(
        Figure.objects.filter(
            subtree_q(sources, "unit__"),
            within_q(min(p.start for p in periods), max(p.end for p in periods)),
            indicator__in=indicators,
            status=Figure.Status.APPROVED,
        )
        .order_by()
        .values_list("indicator_id", "period_start", "period_end")
        .distinct()
    )
    return {
        (p.id, indicator_id)
        for p in periods
        for indicator_id, start, end in spans
        if p.start <= start and end <= p.end
    }


def percent_values_each(
    indicators: Sequence[Indicator],
    units: Sequence[Unit],
    periods: Sequence[Period],
    *,
    sufficient_only: bool = False,
) -> dict[str, pd.DataFrame]:
    """percent_values of scope "self" for each period, {period id: frame}. Communes in force
    when every period began (a district's, ranked this quarter and the one before) are read
    for all the periods at once; any other units a period at a time."""
    indicators, units = list(indicators), list(units)
    if indicators and units and all(_is_leaf(u, p) for u in units for p in periods):
        # The table holds no commune (aggregate_table.STORED_LEVELS): percent_values would
        # read them all from their figures, as here.
        return _leaf_percent_values(indicators, units, periods)
    return {
        p.id: percent_values(indicators, units, p, sufficient_only=sufficient_only) for p in periods
    }


def percent_values(
    indicators: Sequence[Indicator],
    units: Sequence[Unit],
    period: Period,
    scope: str = rollup.SELF,
    *,
    sufficient_only: bool = False,
) -> pd.DataFrame:
    """Each unit's value of each approved indicator on the scale targets use
    (RolledValue.percent_or_value: a yes/no answer as 100 or 0), as a frame: a row per unit
    id, a column per indicator code. What rankings compare: the live aggregates read as one
    frame (no value built row by row), the units they do not hold computed.
    `sufficient_only`: a value covering too few of its members (RolledValue.low_coverage)
    is left out, as if missing (the readiness index)."""
    indicators = list(indicators)
    codes = {i.pk: i.code for i in indicators}
    frame = pd.DataFrame(
        np.nan, index=pd.Index([u.pk for u in units]), columns=list(codes.values()), dtype=float
    )
    if not units or not indicators:
        return frame
    if aggregate_table.readable():
        stored = aggregate_table.read_values(list(codes), units, period.id, scope)
    else:
        stored = pd.DataFrame(columns=list(aggregate_table.READ_VALUES_COLUMNS))
    held = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    if not stored.empty:
        scaled = stored["value"].where(~stored["is_answer"].astype(bool), stored["value"] * 100)
        if sufficient_only:
            low = rollup.low_coverage(
                stored["origin"], stored["covered"], stored["expected"], stored["percent_only"]
            )
            scaled = scaled.where(~low)
        # Each row into its cell (a row per unit, indicator and scope: no cell twice), on
        # arrays: two pivots and their reindexing cost a province's ranking 6 ms.
        row = frame.index.get_indexer(stored["unit_id"].to_numpy())
        column = frame.columns.get_indexer(stored["indicator_id"].map(codes).to_numpy())
        values = np.full(frame.shape, np.nan)
        values[row, column] = scaled.to_numpy(dtype=float)
        cells = np.zeros(frame.shape, dtype=bool)
        cells[row, column] = True
        frame = pd.DataFrame(values, index=frame.index, columns=frame.columns)
        held = pd.DataFrame(cells, index=frame.index, columns=frame.columns)
    # The values the table does not hold, computed as rollup_indicators does; communes in
    # force when the period began are their own figures (rollup.leaf_values: no tree walk,
    # no value built one by one — a district's ranking, twice per dashboard).
    complete = held.all(axis=1).to_numpy()
    missing = [u for u, done in zip(units, complete, strict=True) if not done]
    leaves = [u for u in missing if scope == rollup.SELF and _is_leaf(u, period)]
    if leaves:
        values = _leaf_percent_values(indicators, leaves, [period])[period.id]
        kept = held.loc[values.index, values.columns]
        frame.loc[values.index, values.columns] = frame.loc[values.index, values.columns].where(
            kept, values
        )
        done = {u.pk for u in leaves}
        missing = [u for u in missing if u.pk not in done]
    if missing:
        computed = _rollup_indicators(indicators, missing, period, scope)
        ids = [u.pk for u in missing]
        for indicator in indicators:
            mine = np.array(
                [
                    None if sufficient_only and v.low_coverage else v.percent_or_value
                    for v in computed[indicator.code]
                ],
                dtype=float,
            )
            lacking = ~held.loc[ids, indicator.code].to_numpy(dtype=bool)
            frame.loc[
                [pk for pk, lack in zip(ids, lacking, strict=True) if lack], indicator.code
            ] = mine[lacking]
    return frame.astype(float)


def _is_leaf(unit: Unit, period: Period) -> bool:
    """A commune in force when the period began: its value of scope "self" is its own
    figure (_leaf_percent_values), with no tree to walk."""
    return (
        unit.level == _COMMUNE
        and not unit.formed_after(period.start)
        and not unit.ended_before(period.start)
    )


def _leaf_percent_values(
    indicators: list[Indicator], communes: list[Unit], periods: Sequence[Period]
) -> dict[str, pd.DataFrame]:
    """percent_values of communes in force when each period began, {period id: frame}: the
    figure the rule over time keeps for each (the read the engine makes), picked by
    rollup.leaf_values, rounded as shown, a yes/no answer as 100 or 0. Every period read
    and picked at once, a slot per period and indicator."""
    slots = {
        (period.id, i.pk): n
        for n, (period, i) in enumerate(
            ((period, i) for period in periods for i in indicators), start=1
        )
    }
    rule_of = {i.pk: _rule(i) for i in indicators}
    rules = rollup.Rules({n: rule_of[pk] for (_, pk), n in slots.items()})
    rows = _own_rows(indicators, communes, periods, APPROVED_ONLY)
    slot = pd.Series(
        [slots.get(key, 0) for key in zip(rows["asked"], rows["indicator_id"], strict=True)],
        index=rows.index,
        dtype="int64",
    )
    rows = rows[slot > 0].assign(unit_id=rows["unit_id"].astype("int64") + slot * rollup.SLOT)
    keys = pd.Index(
        [n * rollup.SLOT + u.pk for n in slots.values() for u in communes], dtype="int64"
    )
    found = rollup.leaf_values(rows, keys, rules)
    value = aggregate_table.shown_floats(found["value"].to_numpy(dtype=float))
    value = np.where(found["answer"].to_numpy(dtype=bool), value * 100, value)
    # `keys` run slot by slot, each slot's communes in order: a row of this grid per slot.
    grid = value.reshape(len(slots), len(communes))
    row_of = {n: row for row, n in enumerate(slots.values())}
    index = pd.Index([u.pk for u in communes], dtype="int64", name="unit_id")
    columns = pd.Index([i.code for i in indicators], name="code")
    return {
        period.id: pd.DataFrame(
            grid[[row_of[slots[(period.id, i.pk)]] for i in indicators]].T,
            index=index,
            columns=columns,
        )
        for period in periods
    }


def _stored_value(unit: Unit, indicator: Indicator, period: Period, scope: str, row: dict):
    """A row of the live aggregates (aggregate_table.read) as the engine's value."""
    row = {**row, "answer": row["is_answer"], "figure_period": row["figure_period"] or None}
    return _rolled_value(unit, indicator, period, scope, row)


def _rollup_indicators(
    indicators: Sequence[Indicator],
    units: Sequence[Unit],
    period: Period,
    scope: str = rollup.SELF,
    *,
    statuses: Sequence[str] = APPROVED_ONLY,
) -> dict[str, list[RolledValue]]:
    indicators = list(indicators)
    frames: dict[str, dict[int, dict]] = {i.code: {} for i in indicators}
    by_date: dict[datetime.date, list[Unit]] = {}
    later: list[Unit] = []
    # A unit formed during the period whose subtree holds no figure of it has nothing of
    # its own (no value, every indicator from its predecessors below): not evaluated.
    empty = formed_without_figures(units, period, statuses)
    for unit in units:
        if unit.formed_after(period.end) or unit.pk in empty:
            later.append(unit)
        elif unit.ended_before(period.start):
            for code in frames:
                frames[code][unit.pk] = _nothing(unit)
        else:
            by_date.setdefault(structure_date(unit, period), []).append(unit)
    # Units formed during the period with figures of their own, but none for an indicator:
    # that indicator from their predecessors.
    fallback: dict[str, list[Unit]] = {}
    for on, tops in by_date.items():
        nodes = _evaluate(indicators, tops, period, scope, on, statuses)
        for indicator in indicators:
            rows = nodes[indicator.code]
            for unit in tops:
                row = rows[unit.pk]
                if row["origin"] == rollup.NO_DATA and _formed_during(unit, period):
                    fallback.setdefault(indicator.code, []).append(unit)
                else:
                    frames[indicator.code][unit.pk] = row
    needing = {u.pk: u for u in later} | {u.pk: u for us in fallback.values() for u in us}
    if needing:
        found = _from_predecessors(indicators, list(needing.values()), period, scope, statuses)
        for indicator in indicators:
            for unit in [*later, *fallback.get(indicator.code, [])]:
                frames[indicator.code][unit.pk] = found[indicator.code][unit.pk]
    return {
        i.code: [_rolled_value(u, i, period, scope, frames[i.code][u.pk]) for u in units]
        for i in indicators
    }


def formed_without_figures(units: list[Unit], period: Period, statuses: Sequence[str]) -> set[int]:
    """The ids of the units among these formed during the period (not after it) with no
    figure of it at or below them: taken from their predecessors, as a unit formed after
    the period is, by the engine and by the live aggregates alike."""
    formed = [u for u in units if _formed_during(u, period) and not u.formed_after(period.end)]
    if not formed:
        return set()
    return {u.pk for u in formed} - _holding_figures(formed, period, statuses)


def _holding_figures(units: list[Unit], period: Period, statuses: Sequence[str]) -> set[int]:
    """The units among these with a figure inside the period at or below them (in any
    structure: a unit is below one of these by its stored ancestors, whatever its dates,
    so a figure never goes unseen). Two queries: the units below, then each probed for a
    figure by index (figure_unit_period_idx); asked again inside same_reads, answered once. A
    2025 province's year 2025 was read three times, once a scope, to find nothing of its
    own: 45 ms of an approval (decision 0039)."""
    ids = sorted(u.pk for u in units)
    figures = Figure.objects.filter(
        unit_id=OuterRef("pk"),
        status__in=statuses,
        period__in=_ids_within(period),
        period_start__gte=period.start,
        period_end__lte=period.end,
    )

    def holding() -> set[int]:
        # The units below by their ids (read first: the OR of the ancestors' columns, in the
        # same query as the probes, was a scan of every unit).
        under = Unit.objects.filter(subtree_q(ids)).values_list("id", flat=True)
        below = Unit.objects.filter(Exists(figures), pk__in=list(under)).order_by()
        asked = set(ids)
        return {
            top
            for row in below.values_list("id", "district_id", "province_id")
            for top in row
            if top in asked
        }

    return _once(("holding", tuple(ids), period.id, tuple(statuses)), holding)


def structure_date(unit: Unit, period: Period) -> datetime.date:
    """The day whose tree stands for the period: its last day within the unit's life."""
    on = period.end
    if unit.valid_to is not None:
        on = min(on, unit.valid_to)
    if unit.valid_from is not None:
        on = max(on, unit.valid_from)
    return on


def structure_note(unit: Unit, period: Period) -> str:
    """Empty when the tree the period is read through is known; else why it is not. (A
    unit formed after the period is read through its predecessors' tree of the time.)"""
    if structure_known(min(structure_date(unit, period), period.end)):
        return ""
    return str(STRUCTURE_UNKNOWN)


STRUCTURE_UNKNOWN = gettext_lazy(
    "Dữ liệu tham chiếu chỉ có cơ cấu đơn vị hành chính năm 2024 và từ 01/07/2025: kỳ trước "
    "năm 2024 được đọc theo cơ cấu năm 2024, nên số đơn vị trực thuộc và độ phủ có thể khác "
    "với thực tế lúc đó."
)


def _formed_during(unit: Unit, period: Period) -> bool:
    return unit.formed_after(period.start)


def _nothing(unit: Unit) -> dict:
    return {
        "value": np.nan,
        "numerator": np.nan,
        "denominator": np.nan,
        "origin": rollup.NO_DATA,
        "covered": 0,
        "expected": 0,
        "coverage_level": unit.level,
    }


def _evaluate(
    indicators: list[Indicator],
    tops: list[Unit],
    period: Period,
    scope: str,
    on: datetime.date,
    statuses: Sequence[str],
    *,
    also: Sequence[int] = (),
) -> dict[str, dict[int, dict]]:
    """Six queries whatever the size of the subtree and the number of indicators.

    The units above commune level (and the tops) are read as rows, with their own figures;
    the communes below them are added up by the database, GROUP BY indicator and parent
    (`_leaf_stats`), except for scope all_agencies, where their agencies count one by one.
    Then pandas evaluates each indicator's tree (rollup.evaluate_tree); the result is each
    indicator's rows of the tops, and of the units `also` inside their subtrees (districts
    of a province: the same walk evaluates them): {code: {unit id: row}}.
    """
    read = _subtree_read(indicators, tops, period, [scope], on, statuses)
    nodes = rollup.evaluate_tops(
        read.units,
        read.rows,
        scope=scope,
        rules={i.pk: _rule(i) for i in indicators},
        tops=[*(unit.pk for unit in tops), *also],
        agencies=read.agencies,
        leaf_stats=read.leaves,
    )
    return {i.code: nodes[i.pk] for i in indicators}


class Held(NamedTuple):
    """What the figures of some units inside a period hold (_periods_held_each)."""

    rolled: list[Indicator]  # the indicators whose rule over time has something to choose
    single: dict[int, str]  # those whose figures all lie in one shorter period: its id
    # Every (indicator id, period id) held, whatever the figure's status; None for a month
    # (not asked: a month's figures are read at the month itself).
    inside: frozenset[tuple[int, str]] | None = None


@dataclass
class _SubtreeRead:
    units: pd.DataFrame  # the tree walked: id, parent_id (rollup.NO_PARENT at a top), level
    rows: pd.DataFrame  # their chosen figures (_figure_rows, flows added up)
    agencies: pd.DataFrame | None  # for an agency scope
    leaves: pd.DataFrame | None  # the communes added up per parent (_leaf_stats)


def _subtree_read(
    indicators: list[Indicator],
    tops: list[Unit],
    period: Period,
    scopes: Sequence[str],
    on: datetime.date,
    statuses: Sequence[str],
    cut: Sequence[int] = (),
    *,
    tree: pd.DataFrame | None = None,
    held: Held | None = None,
) -> _SubtreeRead:
    """What evaluating the tops' subtrees for `scopes` reads: several unit scopes share it
    (one agency scope reads its agencies). The units `cut` (districts) are left out with
    everything under them: their nodes are known (evaluate_tree's `known`). `tree` and
    `held`, when the caller has them: _tree_read's tree (for the same tops, date and cut)
    and _periods_held's answer for its units."""
    top_ids = [unit.pk for unit in tops]
    if tree is None:
        tree = _tree_read(tops, on, cut)
    is_top = tree["id"].isin(top_ids)
    is_leaf = (tree["level"] == _COMMUNE) & ~is_top
    communes_as_rows = "all_agencies" in scopes
    units = (tree if communes_as_rows else tree[~is_leaf]).copy()
    units.loc[units["id"].isin(top_ids), "parent_id"] = rollup.NO_PARENT

    small = len(tree) <= ID_LIST_MAX
    ids = tree["id"].tolist() if small else None
    if held is None:
        held = _periods_held(indicators, period, ids)
    rolled, single = held.rolled, held.single
    figures = Figure.objects.filter(status__in=statuses).order_by()

    def parts_of(unit_ids: list[int] | None, members: Q = _EVERY_MEMBER) -> list[tuple]:
        # The rule over time's window runs over these units' figures alone (the communes'
        # for their sums, the others' for their rows): over the whole subtree, a province's
        # year read 74,000 communes' figures to keep the few of its districts (250 ms).
        return _in_period_parts(
            figures, indicators, rolled, period, statuses, unit_ids, members, single
        ) or [([], figures.none())]

    if small:
        inner_q = Q(unit_id__in=units["id"].tolist())
        tree_q = Q(unit_id__in=tree["id"].tolist())
        leaf_q = Q(unit_id__in=tree.loc[is_leaf, "id"].tolist())
    else:
        # Most of the country: its figures of the period are most of the period's figures,
        # so a list of thousands of ids would only cost its building (PostgreSQL reads the
        # period's figures either way); the units in force under the tops, by join.
        tree_q = in_force_q(on, "unit__") & subtree_q(top_ids, "unit__", by_join=True)
        leaf_q = tree_q & Q(unit__level=_COMMUNE) & ~Q(unit_id__in=top_ids)
        inner_q = tree_q
        if not communes_as_rows:  # as `units`: the communes are rows for all_agencies
            inner_q = tree_q & ~leaf_q
    agencies = None
    leaves = None
    agency_scopes = [s for s in scopes if s in rollup.AGENCY_SCOPES]
    if agency_scopes:
        agency_level, kinds = rollup.AGENCY_SCOPES[agency_scopes[0]]
        wanted = Agency.objects.filter(tree_q)
        if kinds is not None:
            wanted = wanted.filter(kind__in=kinds, unit__level=agency_level)
        agencies = pd.DataFrame.from_records(
            wanted.values_list("id", "unit_id", "kind"), columns=["id", "unit_id", "kind"]
        )
    else:
        leaves = tree[is_leaf]
        expected = leaves["parent_id"].astype("int64").value_counts().to_dict()
        leaves = _concat(
            [
                _leaf_stats(
                    expected,
                    part.filter(leaf_q, _COMMUNE_OWN),
                    group,
                    # A commune has one figure per period unless a flow adds up several.
                    several_per_commune=any(i in rolled and _is_flow(i) for i in group),
                )
                for group, part in parts_of(
                    tree.loc[is_leaf, "id"].tolist() if small else None, _COMMUNE_OWN
                )
            ]
        )
    inner_ids = units["id"].tolist() if small else None
    rows = _concat(
        [_figure_rows(part.filter(inner_q), scopes) for _group, part in parts_of(inner_ids)]
    )
    return _SubtreeRead(units, _flows_added_up(rows, indicators), agencies, leaves)


def _tree_read(tops: list[Unit], on: datetime.date, cut: Sequence[int] = ()) -> pd.DataFrame:
    """Every unit in force on `on` under the tops (the tops included), those `cut` left out
    with everything under them: id, parent_id (rollup.NO_PARENT for none, an int64 column
    rather than floats with NaN), level. It gives the ids whose figures are
    read (`unit_id IN (…)`, which PostgreSQL answers by index: figure_unit_period_idx)."""
    in_tree = Unit.objects.in_force(on).filter(subtree_q([unit.pk for unit in tops]))
    if cut:
        in_tree = in_tree.exclude(Q(pk__in=cut) | Q(parent_id__in=cut) | Q(district_id__in=cut))
    return pd.DataFrame.from_records(
        in_tree.values_list("id", Coalesce("parent_id", rollup.NO_PARENT), "level"),
        columns=["id", "parent_id", "level"],
    )


def _own_rows(
    indicators: list[Indicator],
    units: list[Unit],
    periods: Sequence[Period],
    statuses: Sequence[str],
) -> pd.DataFrame:
    """The rows _subtree_read gives for scope "self" of tops with no unit below them in
    force (communes in force when each period began, whatever their structure date): their
    own figures the rule over time keeps, a flow's added up, for each period, which
    `asked` names. No tree to read, no communes to add up, and the periods read together: one
    query for the periods held, one for the figures read at each period itself, one per
    other kind of rule (a district's ranking reads its communes so, this quarter and the
    one before)."""
    ids = [unit.pk for unit in units]
    held = _periods_held_each(indicators, periods, ids)
    figures = Figure.objects.filter(status__in=statuses).order_by()
    plain_q, frames = Q(pk__in=[]), []
    for period in periods:
        rolled, single = held[period.id].rolled, held[period.id].single
        other = {i.pk for i in rolled} | set(single)
        plain = [i for i in indicators if i.pk not in other]
        if plain:
            plain_q |= of_period_q(period) & Q(indicator__in=plain)
        parts = _in_period_parts(
            figures,
            [i for i in indicators if i.pk in other],
            rolled,
            period,
            statuses,
            ids,
            single=single,
        )
        for _group, part in parts:
            frames.append(_figure_rows(part.filter(unit_id__in=ids), [rollup.SELF]))
            frames[-1]["asked"] = period.id
    # The figures read at the period itself are of that period (of_period_q): it names them.
    plain_rows = _figure_rows(figures.filter(plain_q, unit_id__in=ids), [rollup.SELF])
    rows = _concat([plain_rows.assign(asked=plain_rows["figure_period"]), *frames])
    # A member's flow is added up within each period: its unit id moved, for the adding up,
    # into a range of its own for each period (as slots are, rollup.SLOT).
    span = rollup.SLOT * len(indicators)
    place = {p.id: n for n, p in enumerate(periods)}
    rows["unit_id"] = rows["unit_id"] + rows["asked"].map(place).astype("int64") * span
    rows = _flows_added_up(rows, indicators)
    which, unit_id = np.divmod(rows["unit_id"].to_numpy(dtype="int64"), span)
    return rows.assign(unit_id=unit_id, asked=np.array([p.id for p in periods])[which])


def _flows_added_up(rows: pd.DataFrame, indicators: list[Indicator]) -> pd.DataFrame:
    """The figure rows with each member's figures of a flow indicator added up
    (_flow_totals); the other indicators' rows as they are."""
    flows = {i.pk: i for i in indicators if i.time_rollup == Indicator.TimeRollup.FLOW}
    if not flows or rows.empty:
        return rows
    flowing = rows["indicator_id"].isin(flows)
    ratios = {pk for pk, i in flows.items() if i.value_type == Indicator.ValueType.RATIO}
    totals = _flow_totals(rows[flowing], ratios)
    return pd.concat([rows[~flowing], totals], ignore_index=True)


def evaluate_periods(
    indicators: list[Indicator],
    tops: list[Unit],
    periods: Sequence[Period],
    scopes: Sequence[str],
    *,
    also: Sequence[int] = (),
    known: dict[str, pd.DataFrame] | None = None,
) -> Iterator[tuple[str, pd.DataFrame]]:
    """What `_evaluate` gives for each period and unit scope, over approved figures, for
    tops sharing one validity and in force since before each period began (no predecessors
    to fall back on): (scope, nodes) for each scope, nodes a frame of period_id,
    indicator_id, unit_id and rollup.NODE_COLUMNS with a row per unit (`also` included),
    indicator and period — kept as a frame: made into a dict per node, a large import's
    49,000 nodes took a second.

    Everything is read at once, before the first scope is walked: a scope's walk reads
    nothing, and is made only when the caller asks for the next (a national import held
    every scope's nodes at once: 12 MB more at its peak, traced). So the caller may write between
    two scopes, outside any context this function was called in.

    One read per period (every scope at once; periods that would read the same, once:
    _same_read), then one tree walk per scope for every indicator and period together (a
    slot per indicator × period; a period whose read and known nodes are another's takes
    that one's nodes: _same_nodes): what keeping the live aggregates current costs is
    pandas' per-operation price, paid once per scope instead of once per period, scope and
    level (indicators/aggregates.py).

    `known`, by period id: nodes under the tops whose values are known (the districts a
    change did not touch, read from the live aggregates): a frame of unit_id, parent_id,
    level, indicator_id, node_scope and rollup.NODE_COLUMNS. Their subtrees are not read;
    they enter their parents as they are."""
    if not tops or not periods:
        return iter(())
    walks = _evaluate_periods(indicators, tops, periods, scopes, also, known or {})
    return ((scope, walks(scope)) for scope in scopes)


def _evaluate_periods(
    indicators, tops, periods, scopes, also, known
) -> Callable[[str], pd.DataFrame]:
    """Every read evaluate_periods makes; returns the walk of one scope over them."""
    top_ids = [unit.pk for unit in tops]
    slots: dict[tuple[str, int], int] = {}
    rules: dict[int, rollup.Rule] = {}
    units, rows, leaves, knowns = [], [], [], []
    # The periods that read the same tree (a quarter, its half-year and its year end on the
    # same day) read it once, and what their figures hold in one query (_periods_held_each).
    cuts = {
        p.id: [] if known.get(p.id) is None else known[p.id]["unit_id"].unique().tolist()
        for p in periods
    }
    same_tree: dict[tuple, list[Period]] = {}
    for period in periods:
        key = (structure_date(tops[0], period), tuple(sorted(cuts[period.id])))
        same_tree.setdefault(key, []).append(period)
    trees, held = {}, {}
    for (on, cut), group in same_tree.items():
        tree = _tree_read(tops, on, cut)
        ids = tree["id"].tolist() if len(tree) <= ID_LIST_MAX else None
        held.update(_periods_held_each(indicators, group, ids))
        trees.update((p.id, tree) for p in group)
    # The periods given slots, each with its read and known nodes. A period whose read and
    # known nodes are another's has its nodes (a year and its first half-year, each
    # district's rows the same, until a figure of the second half is entered): walked once,
    # under that period's slots, and named for both.
    slotted: list[tuple[str, _SubtreeRead, pd.DataFrame | None]] = []
    twin_of: dict[str, str] = {}
    for period in periods:
        given = known.get(period.id)
        read = _same_read(period.id, slotted, trees, cuts, held)
        if read is not None:
            twin = _same_nodes(read, given, slotted)
            if twin is not None:
                twin_of[period.id] = twin
                continue
        else:
            read = _subtree_read(
                indicators,
                tops,
                period,
                scopes,
                structure_date(tops[0], period),
                APPROVED_ONLY,
                cuts[period.id],
                tree=trees[period.id],
                held=held[period.id],
            )
        mine = {}
        for indicator in indicators:
            slot = mine[indicator.pk] = len(slots) + 1
            slots[(period.id, indicator.pk)] = slot
            rules[slot] = _rule(indicator)
        slot_of = _slot_lookup(mine)
        if given is not None:
            nodes, slot = _in_slots_of(given, slot_of)
            knowns.append(
                nodes.assign(
                    id=rollup.in_slot(nodes["unit_id"], slot),
                    parent_id=rollup.in_slot(nodes["parent_id"], slot),
                )
            )
        units.append(rollup.in_slots(read.units, list(mine.values()), ("id", "parent_id")))
        figures, slot = _in_slots_of(read.rows, slot_of)
        # (An agency's figure moves with its unit; its agency id stays: rollup.evaluate_tree.)
        rows.append(figures.assign(unit_id=rollup.in_slot(figures["unit_id"], slot)))
        leaf, slot = _in_slots_of(read.leaves, slot_of)
        leaves.append(leaf[rollup.STATS_COLUMNS].assign(key=rollup.in_slot(leaf["key"], slot)))
        slotted.append((period.id, read, given))
    all_units = pd.concat(units, ignore_index=True)
    all_rows = pd.concat(rows, ignore_index=True)
    all_leaves = pd.concat(leaves, ignore_index=True)
    wanted = [*top_ids, *also]
    keys = np.array(
        [slot * rollup.SLOT + unit_id for slot in slots.values() for unit_id in wanted],
        dtype="int64",
    )
    # Each slot's period and indicator (slots are numbered from 1).
    period_of = np.empty(len(slots) + 1, dtype=object)
    indicator_of = np.zeros(len(slots) + 1, dtype="int64")
    for (period_id, indicator_pk), n in slots.items():
        period_of[n], indicator_of[n] = period_id, indicator_pk
    all_known = pd.concat(knowns, ignore_index=True) if knowns else None

    if all_known is not None:
        # The known nodes' levels and node scopes as codes, made once: a scope's walk picks
        # its nodes by comparing integers (np.unique of an approval's 8,874 levels, text,
        # sorted them for each scope: 3.4 ms each, on a machine where the approval took 400).
        level_code, level_names = pd.factorize(all_known["level"].to_numpy())
        scope_code, scope_names = pd.factorize(all_known["node_scope"].to_numpy())
        scope_at = {name: n for n, name in enumerate(scope_names)}
    rule = rollup.Rules(rules)
    slot, unit_id = np.divmod(keys, rollup.SLOT)

    def walk(scope: str) -> pd.DataFrame:
        scope_known = None
        if all_known is not None:
            # Each known node of the scope its level asks for.
            asked = np.zeros(len(all_known), dtype=bool)
            for n, level in enumerate(level_names):
                scope_n = scope_at.get(rollup.node_scope(level, scope))
                if scope_n is not None:
                    asked |= (level_code == n) & (scope_code == scope_n)
            scope_known = all_known[asked].set_index("id")
        nodes = rollup.evaluate_tree(
            all_units,
            all_rows,
            scope=scope,
            rule=rule,
            leaf_stats=all_leaves,
            known=scope_known,
        )
        found = nodes.loc[keys]  # every wanted node (a KeyError if one were missing)
        found = found.reset_index(drop=True).assign(
            period_id=period_of[slot], indicator_id=indicator_of[slot], unit_id=unit_id
        )
        twins = [
            found[found["period_id"] == twin].assign(period_id=period_id)
            for period_id, twin in twin_of.items()
        ]
        return pd.concat([found, *twins], ignore_index=True) if twins else found

    return walk


def _same_nodes(
    read: _SubtreeRead,
    given: pd.DataFrame | None,
    slotted: list[tuple[str, _SubtreeRead, pd.DataFrame | None]],
) -> str | None:
    """The period already given slots whose walk a period with this read and these known
    nodes would repeat: the same read (the same tree, units cut and figures: _same_read)
    and the same known nodes, row for row. The walk is the same function of them, slot by
    slot. None if there is none."""
    for period_id, other, other_given in slotted:
        if other is read and (
            given is other_given  # (both None)
            or (given is not None and other_given is not None and given.equals(other_given))
        ):
            return period_id
    return None


def _slot_lookup(slots: dict[int, int]) -> np.ndarray:
    """{indicator id: slot} as an array indexed by indicator id (0: no slot)."""
    lookup = np.zeros(max(slots, default=0) + 1, dtype="int64")
    lookup[list(slots)] = list(slots.values())
    return lookup


def _in_slots_of(frame: pd.DataFrame, lookup: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """The rows of `frame` whose indicator has a slot in `lookup` (_slot_lookup), and the
    slot of each: arrays, not a dict mapped over a Series (an approval does this nine
    times)."""
    ids = frame["indicator_id"].to_numpy(dtype="int64")
    slot = np.zeros(len(ids), dtype="int64")
    inside = ids < len(lookup)
    slot[inside] = lookup[ids[inside]]
    kept = slot > 0
    if kept.all():
        return frame, slot
    return frame[kept], slot[kept]


def _same_read(
    period_id: str, slotted: list[tuple], trees: dict, cuts: dict, held: dict
) -> _SubtreeRead | None:
    """A read made for another period that `period`'s would repeat: the same tree (its units
    the same, whatever its date), the same units cut, and the same figures inside both
    periods (a year and its first half-year until a figure of its second half is entered; a
    quarter and the half-year and year it opens). The rule over time then chooses among the
    same figures, and the read gives the same rows. None if there is none."""
    inside = held[period_id].inside
    if inside is None:  # a month: its figures are read at the month itself
        return None
    for other, read, _given in slotted:
        if (
            held[other].inside == inside
            and cuts[other] == cuts[period_id]
            and trees[other].equals(trees[period_id])
        ):
            return read
    return None


_COMMUNE = Unit.Level.COMMUNE
# A commune's figures that are its members' in a roll-up: its own, not its agencies'.
_COMMUNE_OWN = Q(scope=rollup.SELF, agency__isnull=True)
_EVERY_MEMBER = Q()
# A subtree of at most this many units is read by its ids (`unit_id IN (…)`, by index); a
# larger one, most of the country, by a join to the units in force (docs/decisions/0009).
ID_LIST_MAX = 3000


# A figure's (and an aggregate row's) numbers: what the engine reads as floats.
NUMBER_FIELDS = ("value", "numerator", "denominator")
_FIGURE_FIELDS = [
    "indicator_id",
    "unit_id",
    "agency_id",
    "agency__kind",
    "scope",
    "value",
    "numerator",
    "denominator",
    "id",
    "period",  # (its dates are not read: nothing after the query uses them)
    "source",
]


# The answers of the queries asked so far inside same_reads(), by their SQL and parameters.
_answers: contextvars.ContextVar[dict | None] = contextvars.ContextVar("answers", default=None)


@contextlib.contextmanager
def same_reads():
    """Inside, a query asked again is answered from its first answer: each scope's roll-up
    of a 2025 unit formed during a period asks some of the same questions
    (aggregates.computed). Only for reads that nothing inside can change (one roll-up's).
    evaluate_periods needs none: a period whose read would repeat another's is not read
    again (_same_read)."""
    token = _answers.set({})
    try:
        yield
    finally:
        _answers.reset(token)


def _once(key: tuple, compute):
    """compute(), or what it gave for the same `key` before, inside same_reads()."""
    answers = _answers.get()
    if answers is None:
        return compute()
    if key not in answers:
        answers[key] = compute()
    answer = answers[key]
    return answer.copy() if isinstance(answer, pd.DataFrame) else answer


def _asked_once(queryset, compute):
    """_once, keyed by the queryset's SQL and parameters."""
    if _answers.get() is None:
        return compute()
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return compute()
    return _once((sql, tuple(params)), compute)


def _figure_rows(figures, asked: Sequence[str]) -> pd.DataFrame:
    """The figures of the units read as rows, one per unit or agency, scope and period, for
    the scopes `asked`."""
    scopes = {rollup.SELF, *asked} | {
        rollup.node_scope(level, scope) for level in rollup.LEVELS_BOTTOM_UP for scope in asked
    }
    figures = figures.filter(scope__in=scopes)
    if not any(scope in rollup.AGENCY_SCOPES for scope in asked):
        # Agencies count only as their unit's People's Committee.
        figures = figures.filter(
            Q(agency__isnull=True) | Q(agency__kind=rollup.PEOPLES_COMMITTEE, scope=rollup.SELF)
        )
    return _figures_frame(figures)


def _figures_frame(figures) -> pd.DataFrame:
    """Chosen figures as a frame, numbers as floats (a flow's are added up by _flow_totals)."""
    # A unit's own figure has no agency: 0 (no agency's id) rather than NULL, which pandas
    # would read into a float column (docs/decisions/0037). On PostgreSQL the numbers come
    # as floats from the database, the engine's own type: the same floats float(Decimal)
    # makes (numeric to float8 rounds the decimal digits correctly), without a Decimal made
    # and converted per cell (a district's ranking reads 1,300 figures). Not on SQLite,
    # whose REAL would keep digits past the 15 Django reads a decimal to.
    as_float = connection.vendor == "postgresql"
    fields = [
        Coalesce(f, 0)
        if f == "agency_id"
        else Cast(f, FloatField())
        if as_float and f in NUMBER_FIELDS
        else f
        for f in _FIGURE_FIELDS
    ]
    rows = figures.values_list(*fields)
    return _asked_once(rows, lambda: _frame_of(rows))


def _frame_of(rows) -> pd.DataFrame:
    """Rows of _FIGURE_FIELDS (agency_id 0 for none, as _figures_frame reads them) as the
    engine's frame: ids as int64, agency_id nullable (Int64), numbers as floats (NaN for
    none), text as pandas infers it from the values (as from_records did). Made column by
    column with each type given: from_records, then a conversion per column, cost 1.3 ms a
    frame whatever its size, and an approval reads about eight."""
    rows = list(rows)
    if not rows:
        return _empty_frame_of()
    (indicator, unit, agency, kind, scope, value, numerator, denominator, pk, period, source) = zip(
        *rows, strict=True
    )
    agency = np.array(agency, dtype=np.int64)
    return pd.DataFrame(
        {
            "indicator_id": np.array(indicator, dtype=np.int64),
            "unit_id": np.array(unit, dtype=np.int64),
            "agency_id": pd.arrays.IntegerArray(agency, agency == 0),
            "agency_kind": list(kind),
            "scope": list(scope),
            # (None as NaN; a Decimal, read on SQLite, as float() makes it.)
            "value": np.array(value, dtype=float),
            "numerator": np.array(numerator, dtype=float),
            "denominator": np.array(denominator, dtype=float),
            "figure_id": np.array(pk, dtype=np.int64),
            "figure_period": list(period),
            "source": list(source),
        }
    )


def _empty_frame_of() -> pd.DataFrame:
    """_frame_of of no rows: its columns, with the types pandas gives an empty frame."""
    frame = pd.DataFrame.from_records([], columns=_FIGURE_FIELDS)
    frame = frame.rename(
        columns={"agency__kind": "agency_kind", "id": "figure_id", "period": "figure_period"}
    )
    for column in NUMBER_FIELDS:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    agency = frame["agency_id"]
    frame["agency_id"] = agency.astype("Int64").mask(agency == 0)
    return frame


def _leaf_stats(
    expected: dict[int, int],
    leaf_figures,
    indicators: list[Indicator],
    *,
    several_per_commune: bool,
) -> pd.DataFrame:
    """The communes' own figures added up per indicator and parent by the database: a frame
    of rollup.STATS_COLUMNS and indicator_id, one row per indicator and parent. One query;
    `expected` is the number of communes under each parent.

    Each commune is one member answering for itself: a yes/no answer counts as 1 of 1 or
    0 of 1. For a flow indicator a commune's figures inside the period add up as they are.
    """
    columns = ["indicator_id", "key", "n", "covered", "n_counted", "s_num", "s_den", "s_value"]
    if not expected:  # no commune under the tops (the tops are communes): nothing to read
        return pd.DataFrame(columns=[*rollup.STATS_COLUMNS, "indicator_id"], dtype=float)
    # Every indicator × parent (indicator by indicator, parents in `expected`'s order), with
    # zeros where no commune reported: placed in arrays (pandas costs per operation, and
    # this runs for every period of every change).
    parents = list(expected)
    indicator_ids = [i.pk for i in indicators]
    sums = np.zeros((len(indicator_ids) * len(parents), len(columns) - 2))
    found = _communes_added_up(leaf_figures, several_per_commune=several_per_commune)
    if found:
        where_indicator = {pk: n for n, pk in enumerate(indicator_ids)}
        where_parent = {pk: n for n, pk in enumerate(parents)}
        place = np.array(
            [
                where_indicator[row[0]] * len(parents) + where_parent[row[1]]
                if row[0] in where_indicator and row[1] in where_parent
                else -1
                for row in found
            ]
        )
        values = np.array([row[2:] for row in found], dtype=float)  # NULL sums: NaN
        kept = place >= 0
        sums[place[kept]] = np.nan_to_num(values[kept], nan=0.0)
    n, covered, n_counted, s_num, s_den, s_value = sums.T
    # For a yes/no indicator counted as a share of units, each answer is 1 (yes) or 0 (no)
    # out of 1.
    share_yes = np.repeat(
        [_rule(i).is_boolean and i.unit_rollup == rollup.SHARE_YES for i in indicators],
        len(parents),
    )
    n_counted = np.where(share_yes, n, n_counted)
    s_num = np.where(share_yes, s_value, s_num)
    s_den = np.where(share_yes, n, s_den)
    s_value = np.where(share_yes, s_value * 100, s_value)
    return pd.DataFrame(
        {
            "key": np.tile(np.array(parents, dtype="int64"), len(indicator_ids)),
            "n": n,
            "n_counted": n_counted,
            "s_num": s_num,
            "s_den": s_den,
            "s_value": s_value,
            "covered": covered,
            "expected": np.tile(
                np.array([expected[p] for p in parents], dtype="int64"), len(indicator_ids)
            ),
            "s_pct_nested": 0,
            # Each commune is one member: one without counts is one left out of a ratio of
            # sums.
            "s_pct_dropped": n - n_counted,
            "indicator_id": np.repeat(np.array(indicator_ids, dtype="int64"), len(parents)),
        }
    )


def _with_sub_period_figures(
    indicators: list[Indicator], period: Period, unit_ids: list[int] | None = None
) -> list[Indicator]:
    """The indicators with a figure in a shorter period inside `period` (one indexed query;
    none for a month), in the whole country or among `unit_ids`' figures: those whose rule
    over time has something to choose, and those held in one shorter period only
    (_periods_held).

    Asked for a subtree's units, the answer may be "none" where the country's is "some":
    then no member of the subtree has a figure inside the period but its own, and the rule
    over time keeps exactly the period's own figures for each of them — what the cheaper
    filter (_in_period) keeps too."""
    held = _periods_held(indicators, period, unit_ids)
    return [i for i in indicators if i in held.rolled or i.pk in held.single]


def _communes_added_up(leaf_figures, *, several_per_commune: bool) -> list[tuple]:
    """The communes' figures added up per indicator and parent unit: (indicator id, parent
    id, figures, communes, figures with both counts, Σ numerators and Σ denominators of
    those, Σ values). By the database, over the figures as a subquery — the rule over
    time's window among them (_latest), which an aggregate of Django's would put under the
    grouping. On SQLite a sum is read as Django reads one (15 significant digits)."""
    members = leaf_figures.order_by().values(
        m_indicator=F("indicator_id"),
        m_parent=F("unit__parent_id"),
        m_unit=F("unit_id"),
        m_num=F("numerator"),
        m_den=F("denominator"),
        m_value=F("value"),
    )
    try:
        inner, params = members.query.get_compiler(connection=connection).as_sql()
    except EmptyResultSet:  # none asked for (figures.none(), an empty list of units)
        return []
    counted = "m_num IS NOT NULL AND m_den IS NOT NULL"
    sql = (
        f"SELECT m_indicator, m_parent, COUNT(*),"  # noqa: S608 - no value in the text
        f" COUNT({'DISTINCT ' if several_per_commune else ''}m_unit),"
        f" COUNT(CASE WHEN {counted} THEN 1 END),"
        f" SUM(CASE WHEN {counted} THEN m_num END),"
        f" SUM(CASE WHEN {counted} THEN m_den END),"
        f" SUM(m_value)"
        f" FROM ({inner}) leaf GROUP BY m_indicator, m_parent"
    )

    def fetched() -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    found = _once((sql, tuple(params)), fetched)
    if connection.vendor == "sqlite":
        digits = decimal.Context(prec=15).create_decimal_from_float
        found = [
            (*row[:5], *(None if v is None else float(digits(v)) for v in row[5:])) for row in found
        ]
    return found


def _periods_held(indicators: list[Indicator], period: Period, unit_ids: list[int] | None) -> Held:
    """For the figures of `unit_ids` (None: every unit) inside `period`: the indicators
    whose rule over time has something to choose (figures in two periods or more, one of
    them shorter), and, of the others, those whose figures all lie in one shorter period,
    {indicator id: that period's id}. A member has one figure in a period at most (one per
    unit or agency, period and scope): there it is its latest, and a flow's total, read
    without the rule's window (a quarter's import, read again for its half-year and year).
    One query, its periods' end dates a range in figure_unit_period_idx (unit, period_end,
    indicator): without them a province's 580 units read 669,000 index entries (33 ms).
    None for a month."""
    return _periods_held_each(indicators, [period], unit_ids)[period.id]


def _periods_held_each(
    indicators: list[Indicator], periods: Sequence[Period], unit_ids: list[int] | None
) -> dict[str, Held]:
    """_periods_held of each period, {period id: Held}, in one query (a period's figures
    are told apart by their period's id, whose dates lie inside it)."""
    inner = {period.id: _inner_period_ids(period) for period in periods}
    asked = [p for p in periods if inner[p.id]]
    found: dict[str, Held] = {p.id: Held([], {}) for p in periods}
    if not asked:
        return found
    figures = Figure.objects.filter(
        indicator__in=indicators,
        period__in=sorted({pid for p in asked for pid in (p.id, *inner[p.id])}),
        period_end__range=(min(p.start for p in asked), max(p.end for p in asked)),
    )
    if unit_ids is not None:
        figures = figures.filter(unit_id__in=unit_ids)
    pairs = list(figures.order_by().values_list("indicator_id", "period").distinct())
    for period in asked:
        mine = {period.id, *inner[period.id]}
        inside = frozenset((pk, period_id) for pk, period_id in pairs if period_id in mine)
        held: dict[int, set[str]] = {}
        for indicator_id, period_id in inside:
            held.setdefault(indicator_id, set()).add(period_id)
        rolled = [i for i in indicators if len(held.get(i.pk, ())) > 1]
        single = {
            pk: next(iter(ids))
            for pk, ids in held.items()
            if len(ids) == 1 and period.id not in ids
        }
        found[period.id] = Held(rolled, single, inside)
    return found


def _in_period(figures, indicators, rolled, period: Period, statuses):
    """The figures each indicator's rule over time keeps: those of the period itself when
    no figure of the indicator lies in a shorter period inside it, else `_time_rule`'s. One
    query, for few figures (an agency's); a subtree's are read by _in_period_parts."""
    rolled_ids = {i.pk for i in rolled}
    keep = Q(indicator_id__in=[i.pk for i in indicators if i.pk not in rolled_ids])
    keep &= of_period_q(period)
    for flow in (False, True):
        group = [i.pk for i in rolled if _is_flow(i) == flow]
        if group:
            keep |= Q(indicator_id__in=group) & _time_rule(period, statuses, flow=flow)
    return figures.filter(period__in=_ids_within(period)).filter(keep)


def _in_period_parts(
    figures,
    indicators,
    rolled,
    period: Period,
    statuses,
    unit_ids: list[int] | None = None,
    members: Q = _EVERY_MEMBER,
    single: dict[int, str] | None = None,
) -> list[tuple]:
    """_in_period as (indicators, their figures) for each kind of rule: the indicators read
    at the period itself, those whose latest figure in it counts, and the flows added up.
    Each query is a plain conjunction, so PostgreSQL answers the rule over time's NOT EXISTS
    with an anti-join over the period's figures; under an OR it probes it once per figure
    (a year of the whole country: 1.9 million probes, more than 12 minutes, against 7 s).
    A unit's latest figure is picked by a window over the period's figures of `unit_ids`
    (a subtree; None: every unit), one sort, rather than an anti-join probing each figure
    (a province's year at full scale: 0.85 s). `members` narrows the window to some units'
    or agencies' scopes (a condition on the columns a member is told apart by, so each
    member's latest figure stays the same): the caller reads no other. `single`: the
    indicators whose figures all lie in one shorter period (_periods_held), read there."""
    single = single or {}
    rolled_ids = {i.pk for i in rolled}
    # Named by their ids as well as their dates: figure_rollup_idx (indicator, period,
    # scope) finds them by exact probes (no range scan of every period's figures).
    within = figures.filter(period__in=_ids_within(period))
    parts = []
    plain = [i for i in indicators if i.pk not in rolled_ids and i.pk not in single]
    if plain:
        parts.append((plain, figures.filter(of_period_q(period), indicator__in=plain)))
    for period_id in sorted(set(single.values())):
        group = [i for i in indicators if single.get(i.pk) == period_id]
        inner = parse_period(period_id)
        parts.append((group, figures.filter(of_period_q(inner), indicator__in=group)))
    latest = [i for i in rolled if not _is_flow(i)]
    if latest:
        candidates = within.filter(
            within_q(period.start, period.end), members, indicator__in=latest
        )
        if unit_ids is not None:
            candidates = candidates.filter(unit_id__in=unit_ids)
        parts.append((latest, _latest(candidates)))
    flows = [i for i in rolled if _is_flow(i)]
    if flows:
        rule = _time_rule(period, statuses, flow=True)
        parts.append((flows, within.filter(rule, indicator__in=flows)))
    return parts


def _latest(figures):
    """Each unit's or agency's latest figure among `figures` — on a tie of end dates, the
    wider: what _time_rule keeps, by a window (QUALIFY, as Django writes it). A condition
    added later on the columns a member is told apart by (its unit, agency, scope) narrows
    the window's figures, not the members' choice; the rows are read, or added up
    (_leaf_stats), straight from the window, not looked up again by id (a province's year
    at full scale, 74,000 figures: 370 → about 200 ms)."""
    member = ["indicator_id", "unit_id", Coalesce("agency_id", 0), "scope"]
    return figures.annotate(
        _place=Window(
            RowNumber(),
            partition_by=member,
            order_by=[F("period_end").desc(), F("period_start").asc()],
        )
    ).filter(_place=1)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames one after another, the empty ones left out (their columns' types unknown)."""
    full = [f for f in frames if not f.empty]
    return pd.concat(full, ignore_index=True) if full else frames[0]


def _is_flow(indicator: Indicator) -> bool:
    return indicator.time_rollup == Indicator.TimeRollup.FLOW


def _ids_within(period: Period) -> list[str]:
    """The period's id and those of every period inside it."""
    return [period.id, *_inner_period_ids(period)]


@functools.lru_cache(maxsize=256)
def _inner_period_ids(period: Period) -> tuple[str, ...]:
    """The ids of every period strictly inside `period` (a year: its halves, quarters and
    months) — 18 at most, so "are there any?" is one indexed lookup. Kept (an approval
    asks a dozen times, 3 ms)."""
    return tuple(
        inner.id
        for kind in PeriodKind
        if kind.rank > period.kind.rank
        for inner in periods_within(period, kind)
    )


def _time_rule(period: Period, statuses: Sequence[str], *, flow: bool) -> Q:
    """The figures inside `period` that the rule over time keeps: for status indicators, a
    unit's or agency's latest (on a tie of end dates, the wider); for flow indicators, all
    of them except a period a wider figure of the same unit already covers."""
    # Every period inside `period` named by its id too: figure_rollup_idx (indicator,
    # period, scope) then finds them by a few exact probes instead of a range scan of the
    # indicators' figures over every period.
    same_member = Figure.objects.filter(
        indicator_id=OuterRef("indicator_id"),
        status__in=statuses,
        unit_id=OuterRef("unit_id"),
        scope=OuterRef("scope"),
        period__in=_ids_within(period),
        period_start__gte=period.start,
        period_end__lte=period.end,
    )
    # The same unit's own figures, or the same agency's (NULL never equals NULL in SQL).
    same_member = (
        same_member.annotate(_agency=Coalesce("agency_id", 0))
        .filter(_agency=Coalesce(OuterRef("agency_id"), 0))
        .exclude(pk=OuterRef("pk"))
    )
    if flow:
        beaten = same_member.filter(
            period_start__lte=OuterRef("period_start"), period_end__gte=OuterRef("period_end")
        )
    else:
        beaten = same_member.filter(
            Q(period_end__gt=OuterRef("period_end"))
            | Q(period_end=OuterRef("period_end"), period_start__lt=OuterRef("period_start"))
        )
    return within_q(period.start, period.end) & ~Exists(beaten)


def _flow_totals(frame: pd.DataFrame, ratios: set[int]) -> pd.DataFrame:
    """Add up each unit's or agency's figures of flow indicators (all of them at once:
    `indicator_id` is a key); `ratios` are the ids of the ratio indicators among them."""
    if frame.empty:
        return frame
    keys = ["indicator_id", "unit_id", "agency_id", "agency_kind", "scope"]
    labels = _member_labels(frame, keys)
    if labels.max() + 1 < len(frame):  # some member has several figures
        return _flow_values(_added_up(frame, keys, labels), ratios)
    # One figure each (a quarter's figures): its own sums, as the grouping gives them,
    # made in one frame (pandas costs per operation: a dashboard reads this twice, an
    # approval a dozen times).
    value = frame["value"].to_numpy(dtype=float)
    numerator = frame["numerator"].to_numpy(dtype=float)
    denominator = frame["denominator"].to_numpy(dtype=float)
    totals = pd.DataFrame(
        {
            **{key: frame[key].array for key in keys},
            "value": np.nan_to_num(value, nan=0.0),
            "mean": value,
            "numerator": np.nan_to_num(numerator, nan=0.0),
            "denominator": np.nan_to_num(denominator, nan=0.0),
            "counted": ~np.isnan(numerator) & ~np.isnan(denominator),
            "parts": 1,
            "figure_id": frame["figure_id"].astype("Int64").array,  # nullable, as a sum's
            "figure_period": frame["figure_period"].to_numpy(),
            "source": frame["source"].to_numpy(),
        },
        index=frame.index,
    )
    return _flow_values(totals, ratios)


def _flow_values(totals: pd.DataFrame, ratios: set[int]) -> pd.DataFrame:
    """The ratio's value from its summed counts, on arrays (pandas costs per operation)."""
    is_ratio = np.isin(totals["indicator_id"].to_numpy(), list(ratios))
    numerator = totals["numerator"].to_numpy(dtype=float)
    denominator = totals["denominator"].to_numpy(dtype=float)
    counted = is_ratio & totals["counted"].to_numpy(dtype=bool) & (denominator > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = 100 * numerator / np.where(counted, denominator, np.nan)
    value = np.where(is_ratio, totals["mean"].to_numpy(dtype=float), totals["value"])
    totals["value"] = np.where(counted, ratio, value)
    totals["numerator"] = np.where(counted, numerator, np.nan)
    totals["denominator"] = np.where(counted, denominator, np.nan)
    return totals


def _added_up(frame: pd.DataFrame, keys: list[str], labels: np.ndarray) -> pd.DataFrame:
    """_flow_totals' sums per member, where some members have several figures: a row per
    member (`labels`, _member_labels), in the order members first appear, as
    groupby(keys, sort=False) gave them, with the same columns and types (for frames as
    _frame_of makes them). The sums and means are pandas' own, as they were (its
    compensated summation over each member's figures in their order), grouped by the
    labels; the rest is taken on arrays (a grouping by five columns, two of them text, its
    index put back as columns and its parts joined cost a rolled half-year's flows 8 ms
    for a few dozen rows; decisions 0039 and 0042)."""
    members = int(labels.max()) + 1
    parts = np.bincount(labels, minlength=members)
    first = np.unique(labels, return_index=True)[1]  # each member's first row
    numbers = pd.DataFrame(
        {c: frame[c].to_numpy(dtype=float) for c in ("value", "numerator", "denominator")}
    )
    grouped = numbers.groupby(labels, sort=False)
    sums = grouped.sum()
    counted = frame["numerator"].notna().to_numpy() & frame["denominator"].notna().to_numpy()
    totals = pd.DataFrame({key: _level_of(frame[key], first) for key in keys})
    totals["agency_id"] = totals["agency_id"].mask(totals["agency_id"] == -1)
    totals["agency_kind"] = totals["agency_kind"].replace("", None)
    totals["value"] = sums["value"].to_numpy()
    totals["mean"] = grouped["value"].mean().to_numpy()
    totals["numerator"] = sums["numerator"].to_numpy()
    totals["denominator"] = sums["denominator"].to_numpy()
    totals["counted"] = np.bincount(labels, weights=~counted, minlength=members) == 0
    totals["parts"] = parts.astype("int64")
    for column in ("figure_id", "figure_period", "source"):
        values = frame[column]
        # (first(): a member's first value that is not missing; none is missing as read.)
        totals[column] = (
            values.groupby(labels, sort=False).first().array
            if values.isna().any()
            else values.array.take(first)
        )
    totals["figure_id"] = totals["figure_id"].astype("Int64").mask(totals["parts"] > 1)
    # Where several figures add up, name all their periods, sorted and joined.
    periods = frame["figure_period"].tolist()
    names = totals["figure_period"].tolist()
    several: dict[int, list[str]] = {}
    for row in np.flatnonzero(parts[labels] > 1).tolist():
        several.setdefault(int(labels[row]), []).append(periods[row])
    for label, found in several.items():
        names[label] = ", ".join(sorted(found))
    totals["figure_period"] = names
    return totals


def _level_of(column: pd.Series, rows: np.ndarray) -> pd.Index:
    """The values of a key column at `rows` as the old grouping gave a key back (an Index of
    them, text inferred as text), a missing agency as -1 and a missing kind as "" (the
    grouping's fill, which _added_up then turns back into missing values)."""
    if column.name == "agency_id":
        column = column.fillna(-1)
    elif column.name == "agency_kind":
        column = column.fillna("")
    values = column.array
    if isinstance(values, pd.arrays.NumpyExtensionArray):
        return pd.Index(values.to_numpy()[rows])
    return pd.Index(values.take(rows))


def _member_labels(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """A label per row, the same for the rows of one member (equal `keys`, a missing value
    equal to another), numbered 0, 1, … in the order members first appear."""
    labels = np.zeros(len(frame), dtype=np.int64)
    for key in keys:
        codes, uniques = pd.factorize(frame[key].to_numpy(), use_na_sentinel=False)
        # (Numbered again at each key: the labels stay under the number of rows.)
        labels = pd.factorize(labels * len(uniques) + codes)[0]
    return labels.astype(np.int64)


_ADDED_UP = [
    "value",
    "mean",
    "numerator",
    "denominator",
    "counted",
    "parts",
    "figure_id",
    "figure_period",
    "source",
]


def _from_predecessors(
    indicators: list[Indicator],
    units: list[Unit],
    period: Period,
    scope: str,
    statuses: Sequence[str],
) -> dict[str, dict[int, dict]]:
    """Values of units formed after `period`, or during it with nothing of their own,
    combined from the units they were formed from (same level: a 2025 commune from 2024
    communes, a 2025 province from 2024 provinces); {code: {unit id: row}}."""
    edges = _once(
        ("edges", tuple(sorted(u.pk for u in units))),
        lambda: list(
            UnitChange.objects.filter(successor__in=units)
            .filter(predecessor__level=F("successor__level"))
            .select_related("predecessor")
            .order_by("successor_id", "predecessor__code")
        ),
    )
    by_successor: dict[int, list[UnitChange]] = {}
    for edge in edges:
        by_successor.setdefault(edge.successor_id, []).append(edge)
    predecessors = list({edge.predecessor_id: edge.predecessor for edge in edges}.values())
    all_values = rollup_indicators(indicators, predecessors, period, scope, statuses=statuses)
    pairs = pd.DataFrame(
        [(edge.successor_id, edge.predecessor_id) for edge in edges],
        columns=["successor_id", "predecessor_id"],
    )
    # Every indicator in one combine: each gets a slot, keys are slot × SLOT + successor.
    slots = {i.pk: n for n, i in enumerate(indicators, start=1)}
    rules = rollup.Rules({slots[i.pk]: _rule(i) for i in indicators})
    node = _values_frame([v for i in indicators for v in all_values[i.code]], scope)
    node.index = [
        slots[i.pk] * rollup.SLOT + v.unit.pk for i in indicators for v in all_values[i.code]
    ]
    combined = pd.DataFrame()
    if not pairs.empty:
        picked = np.concatenate(
            [slots[i.pk] * rollup.SLOT + pairs["predecessor_id"].to_numpy() for i in indicators]
        )
        keys = pd.Series(
            np.concatenate(
                [
                    slots[i.pk] * rollup.SLOT + pairs["successor_id"].to_numpy(dtype="int64")
                    for i in indicators
                ]
            )
        )
        combined = rollup.combine_predecessors(node.loc[picked], keys, rules)
    result: dict[str, dict[int, dict]] = {}
    found = combined.to_dict("index")  # (one call, not a lookup and a dict per row)
    for indicator in indicators:
        level_of = {v.unit.pk: v.coverage_level for v in all_values[indicator.code]}
        rows = {}
        for unit in units:
            mine = by_successor.get(unit.pk, [])
            key = slots[indicator.pk] * rollup.SLOT + unit.pk
            if mine and key in found:
                row = dict(found[key])
                has_value = not aggregate_table.missing(row["value"])
                row.update(
                    origin=rollup.PREDECESSORS if has_value else rollup.NO_DATA,
                    coverage_level=(
                        unit.level if row["by_units"] else level_of[mine[0].predecessor_id]
                    ),
                )
            else:
                row = _nothing(unit)
            row["is_partial"] = any(edge.is_partial for edge in mine)
            row["predecessors"] = tuple(edge.predecessor for edge in mine)
            rows[unit.pk] = row
        result[indicator.code] = rows
    return result


def _values_frame(values: Sequence[RolledValue], scope: str) -> pd.DataFrame:
    """Rolled values as engine nodes (rollup.NODE_COLUMNS), to combine them once more."""
    node = pd.DataFrame(
        {
            "value": [v.value for v in values],
            "numerator": [v.numerator for v in values],
            "denominator": [v.denominator for v in values],
            "answer": [v.is_answer for v in values],
            "origin": [v.origin for v in values],
            "node_scope": scope,
            "covered": [v.covered for v in values],
            "expected": [v.expected for v in values],
        },
        index=[v.unit.pk for v in values],
        dtype=object,
    )
    node[["value", "numerator", "denominator"]] = node[
        ["value", "numerator", "denominator"]
    ].astype(float)
    return node


def combine_values(indicator: Indicator, values: Sequence[RolledValue]) -> RolledValue | None:
    """Several units' values as one (the country from its provinces), by the indicator's rule
    over units; coverage adds up. None when there is nothing to combine."""
    if not values:
        return None
    rule = _rule(indicator)
    first = values[0]
    node = _values_frame(values, first.scope)
    # For the units as a whole, coverage counts the units; for a tier, the tier's members.
    count_one = first.scope == rollup.SELF
    members = rollup.as_members(node, pd.Series(0, index=node.index), rule, count_one=count_one)
    row = rollup.combine(members, rule.unit_rollup).loc[0].to_dict()
    row["origin"] = rollup.NO_DATA if aggregate_table.missing(row["value"]) else rollup.COMPUTED
    row["coverage_level"] = first.unit.level if count_one else first.coverage_level
    return _rolled_value(None, indicator, first.period, first.scope, row)


def _rule(indicator: Indicator) -> rollup.Rule:
    return rollup.Rule(indicator.unit_rollup, indicator.value_type == Indicator.ValueType.BOOLEAN)


def _rolled_value(
    unit: Unit | None,
    indicator: Indicator,
    period: Period,
    scope: str,
    row: dict,
) -> RolledValue:
    """A node's row as a value: Decimals to the 4 decimals shown (aggregate_table.shown)."""
    return RolledValue(
        unit=unit,
        indicator=indicator,
        period=period,
        scope=scope,
        value=aggregate_table.shown(row.get("value")),
        numerator=aggregate_table.shown(row.get("numerator")),
        denominator=aggregate_table.shown(row.get("denominator")),
        origin=row.get("origin", rollup.NO_DATA),
        covered=int(row.get("covered") or 0),
        expected=int(row.get("expected") or 0),
        coverage_level=str(row.get("coverage_level") or (unit.level if unit else "")),
        figure_id=None if aggregate_table.missing(row.get("figure_id")) else int(row["figure_id"]),
        figure_period=None
        if aggregate_table.missing(row.get("figure_period"))
        else row["figure_period"],
        source=row.get("source") or "",
        is_partial=bool(row.get("is_partial", False)),
        is_answer=bool(row.get("answer", False)),
        percent_only=0
        if aggregate_table.missing(row.get("percent_only"))
        else int(row["percent_only"]),
        predecessors=tuple(row.get("predecessors", ())),
    )


def with_approximate(values: Sequence[RolledValue]) -> list[RolledValue]:
    """`values`, those whose figure was given as approximate marked so (one query)."""
    ids = {v.figure_id for v in values if v.figure_id is not None}
    if not ids:
        return list(values)
    approximate = set(
        Figure.objects.filter(pk__in=ids, is_approximate=True).values_list("pk", flat=True)
    )
    return [
        dataclasses.replace(v, is_approximate=True) if v.figure_id in approximate else v
        for v in values
    ]


def coverage_text(rolled: RolledValue | None) -> str:
    """coverage_label where there is something to say (a unit's own figure, or members
    expected); "" otherwise — what pages, downloads and plan progress show."""
    if rolled is None or not (rolled.origin == rollup.REPORTED or rolled.expected):
        return ""
    return coverage_label(rolled)


def coverage_label(rolled: RolledValue) -> str:
    """ "18/20 xã": how many of the units (or agencies) the value should cover reported;
    "báo cáo của đơn vị" for the unit's own figure (it covers what it says it does)."""
    if rolled.origin == rollup.REPORTED:
        return str(_("báo cáo của đơn vị"))
    text = _members_label(rolled)
    if rolled.percent_only:
        text += ngettext(
            "; %(n)s chỉ có tỷ lệ %%, không tính vào giá trị",
            "; %(n)s chỉ có tỷ lệ %%, không tính vào giá trị",
            rolled.percent_only,
        ) % {"n": rolled.percent_only}
    return text


def _members_label(rolled: RolledValue) -> str:
    values = {"covered": rolled.covered, "expected": rolled.expected}
    n = rolled.expected
    match rolled.coverage_level:
        case "commune":
            text = ngettext("%(covered)s/%(expected)s xã", "%(covered)s/%(expected)s xã", n)
        case "district":
            text = ngettext("%(covered)s/%(expected)s huyện", "%(covered)s/%(expected)s huyện", n)
        case "province":
            text = ngettext("%(covered)s/%(expected)s tỉnh", "%(covered)s/%(expected)s tỉnh", n)
        case _:
            text = ngettext(
                "%(covered)s/%(expected)s cơ quan", "%(covered)s/%(expected)s cơ quan", n
            )
    return text % values


@dataclass(frozen=True)
class AgencyValue:
    agency: Agency
    value: Decimal | None
    figure_period: str | None
    is_answer: bool

    @property
    def percent_or_value(self) -> Decimal | None:
        if self.value is None:
            return None
        return self.value * 100 if self.is_answer else self.value


def agency_values(
    indicator: Indicator,
    agencies: Sequence[Agency],
    period: Period,
    *,
    statuses: Sequence[str] = APPROVED_ONLY,
) -> list[AgencyValue]:
    """Each agency's own figure for the period (the rule over time applied), in one query."""
    figures = Figure.objects.filter(
        indicator=indicator,
        status__in=statuses,
        agency__in=agencies,
        scope=rollup.SELF,
    ).order_by()
    figures = _in_period(
        figures, [indicator], _with_sub_period_figures([indicator], period), period, statuses
    )
    frame = _figures_frame(figures)
    if indicator.time_rollup == Indicator.TimeRollup.FLOW:
        ratio = indicator.value_type == Indicator.ValueType.RATIO
        frame = _flow_totals(frame, {indicator.pk} if ratio else set())
    totals = {
        int(agency_id): (value, figure_period)
        for agency_id, value, figure_period in frame[
            ["agency_id", "value", "figure_period"]
        ].itertuples(index=False)
    }
    boolean = indicator.value_type == Indicator.ValueType.BOOLEAN
    result = []
    for agency in agencies:
        value, figure_period = totals.get(agency.pk, (None, None))
        result.append(AgencyValue(agency, aggregate_table.shown(value), figure_period, boolean))
    return result
