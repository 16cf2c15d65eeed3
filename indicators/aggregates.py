"""Live aggregates: the rolled-up values of districts and provinces (indicators.Aggregate),
kept current by the write path and read by every roll-up (docs/decisions/0015).

A change of approved figures names its keys (unit, indicator, period) through
`figures_changed`; the rows they touch are recomputed by the engine
(`analytics._rollup_indicators`, over `indicators/rollup.py`'s rules) in the writer's own
transaction, so a reader sees figures and aggregates of one commit, never one without the
other. What one figure touches: its unit (if a district or province), the district and
province above it, the units formed from any of these in 2025 (and the province above
those), for its period and every longer period containing it. Inside `atomic()` the keys
are gathered and recomputed once, just before the commit; outside it, at once.

Two writers touching the same district or province take its lock (PostgreSQL advisory
locks, in ascending unit order, after every figure and report lock): the second computes
only once the first has committed, and sees its figures.
"""

import contextlib
import contextvars
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.db.models.signals import post_delete, post_save, pre_save

from indicators import aggregate_table, analytics, known_rows, versions
from indicators.models import Aggregate, Figure, Indicator, Submission
from indicators.periods import containing, parse_period
from units.models import Agency, Unit, UnitChange

# What the roll-ups read of an indicator: a change to one of them recomputes its rows.
ROLLUP_FIELDS = ("value_type", "unit_rollup", "time_rollup")
_LOCK_CLASS = 17017  # the first key of the advisory locks on aggregates (of a unit)
_UNIT_SCOPES = aggregate_table.STORED_SCOPES["province"]


class Changes:
    """What changed figures name, as recomputing them needs it: the units, and the
    indicators of each period (an import's 100,000 keys held as tuples until its commit
    weighed 10 MB)."""

    def __init__(self):
        self.units: set[int] = set()
        self.indicators_of: dict[str, set[int]] = {}

    def add(self, keys: Iterable[tuple[int, int, str]]) -> None:
        units, indicators_of = self.units, self.indicators_of
        for unit, indicator_id, period_id in keys:
            units.add(unit)
            of_period = indicators_of.get(period_id)
            if of_period is None:
                of_period = indicators_of[period_id] = set()
            of_period.add(indicator_id)

    def __bool__(self) -> bool:
        return bool(self.units)


# The changes gathered by atomic(), recomputed before it commits; None outside one.
_pending: contextvars.ContextVar[Changes | None] = contextvars.ContextVar("pending", default=None)
# The reports, (unit id, period id), made, deleted or moved to another status inside atomic():
# their provinces' reports versions move on after the data versions of the keys' units, once,
# last, before it commits.
_reported: contextvars.ContextVar[set | None] = contextvars.ContextVar("reported", default=None)


@contextlib.contextmanager
def atomic():
    """A durable transaction (an entry point of the write path) whose figure changes are
    recomputed into the aggregates once, last, before it commits. Also a decorator."""
    with transaction.atomic(durable=True), gathered():
        yield


@contextlib.contextmanager
def gathered():
    """Gather the figure changes made inside and recompute them once, at the end (inside
    another gathered(), at the end of that one). Call it inside a transaction."""
    if _pending.get() is not None:
        yield
        return
    token, reported_token = _pending.set(Changes()), _reported.set(set())
    try:
        yield
        changes, reported = _pending.get(), _reported.get()
    finally:
        _pending.reset(token)
        _reported.reset(reported_token)
    _settle(changes, reported)


def figures_changed(keys: Iterable[tuple[int, int, str]]) -> None:
    """Approved figures of these (unit id, indicator id, period id) were written or deleted
    (or were approved before the change)."""
    pending = _pending.get()
    changes = Changes() if pending is None else pending
    changes.add(keys)
    if pending is None and changes:
        _settle(changes, set())


def reports_changed(reports: Iterable[tuple[int, str]]) -> None:
    """Reports, (unit id, period id), were made or deleted, or changed status: the pages of
    their provinces showing who has reported in that period are built again
    (indicators/versions.py)."""
    reports = set(reports)
    pending = _reported.get()
    if pending is not None:
        pending |= reports
    else:  # (a report saved or deleted around the write path: the admin)
        versions.after_commit(lambda: versions.bump_reports(reports))


def _settle(changes: Changes, reported: set[tuple[int, str]]) -> None:
    """Recompute what the changes touch, then move the data versions of the provinces whose
    pages read them (those above the units touched), then the reports versions of the
    reports' own provinces and periods (a report's status is shown only in the units above
    it, on the pages of its period and the longer ones containing it)."""
    if changes:
        touched = touched_units(changes.units)
        refresh(changes, touched=touched)
        versions.bump_units(touched | changes.units)
    versions.bump_reports(reported)


def units_changed(unit_ids: Iterable[int]) -> None:
    """Units (their validity, parent, lineage or agencies) changed: recompute every row
    that reads them (a row the table does not hold is computed when read). Then the
    reference data version moves (a page built meanwhile is kept under the one before)."""
    touched = touched_units(unit_ids) if Aggregate.objects.exists() else set()
    if touched:
        periods = set(
            Aggregate.objects.filter(unit_id__in=touched)
            .values_list("period", flat=True)
            .distinct()
        )
        indicators = set(Indicator.objects.values_list("pk", flat=True))
        recompute(touched, {p: indicators for p in periods}, forget_others=True)
    versions.reference_changed()


def forget_units(unit_ids: Iterable[int]) -> int:
    """Delete the rows that read these units (theirs, their district's and province's, and
    those of the units formed from any of them): they are computed from the figures when
    read until a write or `build_aggregates` stores them again. Two queries, whatever the
    unit: what a signal sent for each of ten thousand deleted communes can afford."""
    ids = {pk for pk in unit_ids if pk is not None}
    if not ids:
        return 0
    ids |= set(
        UnitChange.objects.filter(predecessor_id__in=ids).values_list("successor_id", flat=True)
    )
    deleted, _ = Aggregate.objects.filter(unit_id__in=ids).delete()
    aggregate_table.mark(ids)
    return deleted


def follow_structure() -> None:
    """Forget the rows that read a unit, agency or lineage edge whenever one is saved or
    deleted through the ORM (the admin, a queryset's delete); recompute an indicator's rows
    when its rules (ROLLUP_FIELDS) change. Bulk loaders send no signals and call units_changed /
    indicator_changed themselves."""
    pre_save.connect(_unit_before, sender=Unit, dispatch_uid="aggregates-unit-before")
    pre_save.connect(
        _indicator_before, sender=Indicator, dispatch_uid="aggregates-indicator-before"
    )
    for model, handler in (
        (Unit, _unit_after),
        (Agency, _agency_after),
        (UnitChange, _edge_after),
        (Indicator, _indicator_after),
    ):
        post_save.connect(handler, sender=model, dispatch_uid=f"aggregates-save-{model}")
        post_delete.connect(handler, sender=model, dispatch_uid=f"aggregates-del-{model}")
    # A report made, deleted or moved to another status (not a draft's version moving on).
    post_save.connect(_report_saved, sender=Submission, dispatch_uid="aggregates-report-save")
    post_delete.connect(_report_deleted, sender=Submission, dispatch_uid="aggregates-report-del")
    versions.follow_reference()


# What a report's save may change without anything a page shows changing.
_REPORT_BOOKKEEPING = frozenset({"version", "updated_at"})


def _report_saved(sender, instance, created: bool, update_fields=None, **kwargs) -> None:
    if created or update_fields is None or not set(update_fields) <= _REPORT_BOOKKEEPING:
        reports_changed([(instance.unit_id, instance.period)])


def _report_deleted(sender, instance, **kwargs) -> None:
    reports_changed([(instance.unit_id, instance.period)])


def _tree_of(unit) -> set:
    return {unit.pk, unit.parent_id, unit.district_id, unit.province_id}


def _unit_before(sender, instance, **kwargs) -> None:
    # Where the unit hung before the save: those ancestors' rows change too.
    instance._aggregates_before = {
        pk
        for row in Unit.objects.filter(pk=instance.pk).values_list(
            "parent_id", "district_id", "province_id"
        )
        for pk in row
    }


def _unit_after(sender, instance, **kwargs) -> None:
    forget_units(_tree_of(instance) | getattr(instance, "_aggregates_before", set()))


def _agency_after(sender, instance, **kwargs) -> None:
    unit = Unit.objects.filter(pk=instance.unit_id).first()
    if unit is not None:
        forget_units(_tree_of(unit))


def _edge_after(sender, instance, **kwargs) -> None:
    units = Unit.objects.filter(pk__in=[instance.predecessor_id, instance.successor_id])
    forget_units({pk for unit in units for pk in _tree_of(unit)})


def _indicator_before(sender, instance, **kwargs) -> None:
    instance._aggregates_before = (
        Indicator.objects.filter(pk=instance.pk).values_list(*ROLLUP_FIELDS).first()
    )


def _indicator_after(sender, instance, **kwargs) -> None:
    # Saved with the same rules (a name, a definition): no row changes.
    saved = "created" in kwargs
    rules = tuple(getattr(instance, f) for f in ROLLUP_FIELDS)
    if saved and getattr(instance, "_aggregates_before", None) in (None, rules):
        return
    indicator_changed(instance.pk)


def indicator_changed(indicator_id: int) -> None:
    """An indicator's rules changed: recompute its rows, every period the table holds."""
    periods = set(
        Aggregate.objects.filter(indicator_id=indicator_id)
        .values_list("period", flat=True)
        .distinct()
    )
    if not Indicator.objects.filter(pk=indicator_id).exists():
        gone = Aggregate.objects.filter(indicator_id=indicator_id)
        aggregate_table.mark(gone.values_list("unit_id", flat=True).distinct())
        gone.delete()
    elif periods:
        units = stored_units()
        recompute(units, {p: {indicator_id} for p in periods}, forget_others=True)


def refresh(changes: Changes, *, touched: set[int] | None = None) -> int:
    """Recompute every row the changes touch (`touched`: touched_units of their units, when
    the caller has it); returns how many rows were written."""
    by_period: dict[str, set[int]] = {}
    for period_id, indicator_ids in changes.indicators_of.items():  # a period at a time
        for period in containing(period_id):
            by_period.setdefault(period, set()).update(indicator_ids)
    if touched is None:
        touched = touched_units(changes.units)
    return recompute(touched, by_period)


def touched_units(unit_ids: Iterable[int]) -> set[int]:
    """The districts and provinces whose rows read the figures of `unit_ids`: the units
    themselves, the district and province above them, and, again, of the units formed from
    any of these (a 2025 province from 2024 provinces, a 2025 commune from 2024 communes).
    The other units a 2025 province was formed from are not touched: their rows are read as
    they stand (and, where one is missing, the 2025 province is computed from the figures)."""
    seen: set[int] = set()
    frontier = set(unit_ids)
    while frontier:
        found = set()
        for row in Unit.objects.filter(pk__in=frontier).values_list(
            "id", "district_id", "province_id"
        ):
            found.update(pk for pk in row if pk is not None)
        found |= set(
            UnitChange.objects.filter(predecessor_id__in=found | frontier).values_list(
                "successor_id", flat=True
            )
        )
        seen |= frontier
        frontier = found - seen
    return set(
        Unit.objects.filter(pk__in=seen, level__in=aggregate_table.STORED_LEVELS).values_list(
            "id", flat=True
        )
    )


def stored_units() -> set[int]:
    return set(
        Unit.objects.filter(level__in=aggregate_table.STORED_LEVELS).values_list("id", flat=True)
    )


def recompute(
    unit_ids: Iterable[int], by_period: dict[str, set[int]], *, forget_others: bool = False
) -> int:
    """Compute the rows of these units for each period's indicators, every kept scope, with
    the engine, and write them (under the units' locks). `forget_others`: first delete the
    rows of these units, periods and indicators (a unit no longer in force keeps none)."""
    unit_ids = set(unit_ids)
    if not unit_ids or not by_period:
        return 0
    if not forget_others:
        unit_ids |= _lacking_predecessors(unit_ids, by_period)
    unit_ids = sorted(unit_ids)
    # The locks, the rows forgotten and every batch written in one transaction (a loader's
    # units_changed runs outside one: its locks would be released at once).
    with transaction.atomic(savepoint=False):
        _lock(unit_ids)
        units = list(Unit.objects.filter(pk__in=unit_ids).order_by("pk"))
        indicators = Indicator.objects.in_bulk({pk for ids in by_period.values() for pk in ids})
        if forget_others:
            for period_id, wanted in by_period.items():
                Aggregate.objects.filter(
                    unit_id__in=unit_ids, period=period_id, indicator_id__in=wanted
                ).delete()
            aggregate_table.mark(unit_ids)
        periods = [parse_period(p) for p in sorted(by_period)]
        wanted = [indicators[pk] for pk in sorted(indicators)]
        if not wanted:
            return 0
        # The units in force since before a period began: every period at once; with them, in
        # the same writes, the units formed after a period ended or during it without figures
        # of their own, combined from the rows of the units they were formed from (those just
        # computed taken as they were made, not read back). Then, period by period, those
        # formed during it with figures of their own, which may read the units they were
        # formed from (written just before). (every_row is consumed whole by write_batches.)
        later, edges, left = _formed_later(units, periods)
        wanted_predecessors = {pk for mine in edges.values() for pk, _, _ in mine}
        made: dict[tuple, tuple] = {}

        def every_row() -> Iterator[list]:
            for rows in _settled(wanted, units, periods):
                made.update(
                    ((row.unit_id, row.indicator_id, row.period, row.scope), row[4:])
                    for row in rows
                    if row.unit_id in wanted_predecessors
                )
                yield rows
            rows, combined = _from_predecessor_rows(wanted, later, edges, made)
            left.difference_update(combined)
            yield rows

        written = aggregate_table.write_batches(every_row())
        for period in periods:
            formed = [u for u in units if (u.pk, period.id) in left]
            if formed:
                written += aggregate_table.write(computed(wanted, formed, period, reading=True))
        return written


def _lacking_predecessors(unit_ids: set[int], by_period: dict[str, set[int]]) -> set[int]:
    """The units a 2025 unit among these was formed from, for a period that ended before it
    was formed, that have no rows for it yet (a period nobody had reported in): computed
    here with the others, in the same walk, so that the 2025 unit is combined from their
    rows — rather than each computed by the engine, alone, when the 2025 unit reads it."""
    ends = {period_id: parse_period(period_id).end for period_id in by_period}
    wanted: dict[tuple[int, str], int] = {}
    for formed, predecessor, level in (
        UnitChange.objects.filter(
            successor_id__in=unit_ids,
            predecessor__level=F("successor__level"),
            predecessor__level__in=aggregate_table.STORED_LEVELS,
        )
        .exclude(predecessor_id__in=unit_ids)
        .values_list("successor__valid_from", "predecessor_id", "predecessor__level")
    ):
        for period_id, indicator_ids in by_period.items():
            if formed is not None and ends[period_id] < formed:
                scopes = len(aggregate_table.STORED_SCOPES[level])
                wanted[(predecessor, period_id)] = len(indicator_ids) * scopes
    if not wanted:
        return set()
    held = {
        (unit_id, period_id): n
        for unit_id, period_id, n in Aggregate.objects.filter(
            unit_id__in={unit for unit, _ in wanted},
            period__in=list(by_period),
            indicator_id__in={i for ids in by_period.values() for i in ids},
        )
        .order_by()
        .values_list("unit_id", "period")
        .annotate(n=Count("*"))
    }
    return {unit for (unit, period_id), n in wanted.items() if held.get((unit, period_id), 0) < n}


def _formed_later(units: list, periods: list) -> tuple[list, dict, set]:
    """The units to combine from the rows of the units they were formed from (those formed
    after a period ended — a 2025 province for 2024 — or during it with no figure of their
    own in it: the same province for 2025, before its communes report;
    analytics._rollup_indicators reads them so too), as (unit, period) pairs in (pk,
    period) order; the lineage edges of each, {successor id: [(predecessor id, level,
    is_partial)]} in the predecessors' code order; and the (unit id, period id) of every
    unit formed after a period began (the engine computes those not combined)."""
    left = {(u.pk, p.id) for p in periods for u in units if u.formed_after(p.start)}
    empty = {
        p.id: analytics.formed_without_figures(units, p, analytics.APPROVED_ONLY) for p in periods
    }
    later = sorted(
        ((u, p) for p in periods for u in units if u.formed_after(p.end) or u.pk in empty[p.id]),
        key=lambda pair: (pair[0].pk, pair[1].id),
    )
    edges: dict[int, list[tuple]] = {}
    if later:
        for successor_id, *edge in (
            UnitChange.objects.filter(successor__in={u.pk for u, _ in later})
            .filter(predecessor__level=F("successor__level"))
            .order_by("successor_id", "predecessor__code")
            .values_list("successor_id", "predecessor_id", "predecessor__level", "is_partial")
        ):
            edges.setdefault(successor_id, []).append(edge)
    return later, edges, left


def _from_predecessor_rows(
    indicators: list, later: list, edges: dict, made: dict
) -> tuple[list, set]:
    """The rows of the units `later` (_formed_later) combined from the rows of the units
    they were formed from — analytics._from_predecessors' rule
    (rollup.combine_predecessors), for every period and scope at once. A predecessor's row
    is taken from `made`, {(unit id, indicator id, period id, scope): its VALUE_FIELDS},
    the rows this change has just computed and not yet written, else read from the table.
    Returns the rows, and the (unit id, period id) combined: a unit and period with any
    predecessor's row missing is left to the engine.

    The predecessors' rows are gathered in plain loops (an approval's 1,400): pandas'
    merges and sorts cost more per operation than the loops do (decision 0039)."""
    if not later:
        return [], set()
    by_pk = {i.pk: i for i in indicators}
    stored = {
        tuple(row[:4]): row[4:]
        for row in Aggregate.objects.filter(
            unit_id__in={pk for mine in edges.values() for pk, _, _ in mine},
            period__in={p.id for _, p in later},
            indicator_id__in=list(by_pk),
        ).values_list("unit_id", "indicator_id", "period", "scope", *aggregate_table.VALUE_FIELDS)
    }
    stored.update(made)
    # The members of each successor and period, in the successors' order (pk, period): a
    # successor and period with any predecessor's row missing is left to the engine.
    indicator_ids = sorted(by_pk)
    field = {name: n for n, name in enumerate(aggregate_table.VALUE_FIELDS)}
    keys_of, members = [], []
    wanted = []
    for unit, period in later:
        found = _predecessors_stored(unit, period, edges.get(unit.pk, []), indicator_ids, stored)
        if found is not None:
            wanted.append((unit, period))
            keys_of += [(unit.pk, slot) for slot, _, _ in found]
            members += [(scope, row) for _, scope, row in found]
    combined: dict[tuple, tuple] = {}
    if members:
        slots: dict[tuple, int] = {}
        for _, slot in keys_of:
            slots.setdefault(slot, len(slots) + 1)
        keys = pd.Series(
            np.array(
                [slots[slot] * analytics.rollup.SLOT + unit_id for unit_id, slot in keys_of],
                dtype="int64",
            )
        )
        rules = analytics.rollup.Rules(
            {n: analytics._rule(by_pk[indicator]) for (_, _, indicator), n in slots.items()}
        )
        column = {
            name: [row[field[name]] for _, row in members]
            for name in (*_NUMBERS, "is_answer", "origin", "covered", "expected", "coverage_level")
        }
        result = analytics.rollup.combine_predecessors(
            pd.DataFrame(
                {
                    **{name: _shown(column[name]) for name in _NUMBERS},
                    "answer": np.array(column["is_answer"], dtype=bool),
                    "origin": column["origin"],
                    "node_scope": [scope for scope, _ in members],
                    "covered": column["covered"],
                    "expected": column["expected"],
                }
            ),
            keys,
            rules,
        )
        # The coverage level of the first predecessor's row (in the edges' order): the
        # first of each key.
        first = pd.Series(column["coverage_level"], index=keys.to_numpy())
        first = first[~first.index.duplicated()].reindex(result.index)
        of_slot = {n: key for key, n in slots.items()}
        slot_of, unit_of = np.divmod(result.index.to_numpy(), analytics.rollup.SLOT)
        for n, unit_id, *row in zip(
            slot_of.tolist(),
            unit_of.tolist(),
            *(result[c].tolist() for c in ("value", "numerator", "denominator")),
            *(result[c].tolist() for c in ("covered", "expected", "percent_only", "by_units")),
            first.tolist(),
            strict=True,
        ):
            combined[(unit_id, *of_slot[n])] = row
    out = []
    for unit, period in wanted:
        mine = edges.get(unit.pk, [])
        partial = any(is_partial for _, _, is_partial in mine)
        for scope in aggregate_table.STORED_SCOPES[unit.level]:
            kept = aggregate_table.stored_scope(unit.level, scope)
            for indicator in indicators:
                row = combined.get((unit.pk, period.id, scope, indicator.pk)) if mine else None
                if row is None:  # no predecessor: nothing (analytics._nothing)
                    value = numerator = denominator = None
                    origin, covered, expected, level, percent_only = NO_DATA, 0, 0, "", 0
                else:
                    value, numerator, denominator = map(aggregate_table.stored_number, row[:3])
                    covered, expected, percent_only, by_units, first_level = row[3:]
                    origin = PREDECESSORS if value is not None else NO_DATA
                    level = unit.level if by_units else first_level
                    percent_only = 0 if missing(percent_only) else percent_only
                out.append(
                    aggregate_table.Row(
                        unit.pk,
                        period.id,
                        kept,
                        indicator.pk,
                        value,
                        numerator,
                        denominator,
                        False,  # is_answer: a combined share is never an answer
                        origin,
                        int(covered or 0),
                        int(expected or 0),
                        str(level or unit.level),
                        None,
                        "",
                        "",
                        int(percent_only),
                        partial,
                        bool(mine),
                    )
                )
    return out, {(u.pk, p.id) for u, p in wanted}


def _predecessors_stored(
    unit, period, mine: list[tuple], indicator_ids: list[int], stored: dict
) -> list[tuple] | None:
    """Each predecessor's stored row for the unit and period, by the unit's kept scope and
    indicator (in that order), then predecessor (in the edges' order `mine`): (slot, scope,
    row) each. None when one is missing: the engine computes what the table lacks."""
    found = []
    for scope in sorted(aggregate_table.STORED_SCOPES[unit.level]):
        kept = [aggregate_table.stored_scope(level, scope) for _, level, _ in mine]
        for indicator_id in indicator_ids:
            for (predecessor_id, _, _), predecessor_scope in zip(mine, kept, strict=True):
                row = stored.get((predecessor_id, indicator_id, period.id, predecessor_scope))
                if row is None:
                    return None
                found.append(((period.id, scope, indicator_id), scope, row))
    return found


NO_DATA, PREDECESSORS = analytics.rollup.NO_DATA, analytics.rollup.PREDECESSORS
missing = aggregate_table.missing


def _shown(column: list) -> np.ndarray:
    """Stored numbers as the engine reads them (aggregate_table.shown, as floats to combine
    in the engine), NaN for none."""
    return np.array(aggregate_table.shown_of_stored(column), dtype=float)


def _settled(indicators: list, units: list, periods: list) -> Iterator[list]:
    """The rows of the units in force from before each period began to at least its start,
    for every period: analytics.evaluate_periods per validity (one read per period, one
    walk per scope, each made once the one before is yielded), a province's districts taken
    from its walk (the same nodes as asked for alone: verify_aggregates and
    tests/test_aggregates.py compare them). Yields them a walk's scope at a time
    (aggregate_table.write_batches)."""
    by_validity: dict[tuple, list[Unit]] = {}
    for unit in units:
        by_validity.setdefault((unit.valid_from, unit.valid_to), []).append(unit)
    # Every district recomputed here, whatever its validity: a province never reads one of
    # them from the table (its row is not written yet).
    districts = [u for u in units if u.level == Unit.Level.DISTRICT]
    for (starts, ends), group in by_validity.items():
        span = [
            p
            for p in periods
            if (starts is None or starts <= p.start) and (ends is None or ends >= p.start)
        ]
        provinces = [u for u in group if u.level == Unit.Level.PROVINCE]
        ids = {u.pk for u in provinces}
        inner = [u for u in group if u.level == Unit.Level.DISTRICT and u.province_id in ids]
        alone = [u for u in group if u.level == Unit.Level.DISTRICT and u not in inner]
        for tops, also in ((provinces, inner), (alone, [])):
            # Read here, walked a scope at a time as the caller asks (not inside
            # engine_only: the caller writes meanwhile, in its own context).
            with aggregate_table.engine_only():
                walks = analytics.evaluate_periods(
                    indicators,
                    tops,
                    span,
                    _UNIT_SCOPES,
                    also=[u.pk for u in also],
                    known=known_rows.untouched_districts(indicators, tops, districts, span)
                    if tops is provinces
                    else None,
                )
            levels = {u.pk: u.level for u in [*tops, *also]}
            for scope, nodes in walks:
                rows = aggregate_table.rows_of_nodes(nodes, scope, levels)
                del nodes  # (not held while the next scope is walked)
                yield rows


# The numbers of a row, as the engine reads them (floats).
_NUMBERS = analytics.NUMBER_FIELDS


def computed(indicators: list, units: list, period, *, reading: bool = False) -> list[Aggregate]:
    """The rows of these districts and provinces for these indicators and period, every
    kept scope, as the engine computes them (`_rollup_indicators`, each level asked for
    alone: the engine cuts a unit asked for with its ancestor out of the ancestor's tree);
    with `reading`, the values of the units a 2025 unit was formed from are read from the
    table. A unit gone before the period began has no row (no query)."""
    rows = []
    # Reading (a 2025 unit formed during the period, in a change): each scope's roll-up asks
    # some of the same questions, answered once (nothing is written meanwhile). Not for a
    # recompute of many units (verify_aggregates): every answer would be held to the end.
    with (
        contextlib.nullcontext() if reading else aggregate_table.engine_only(),
        analytics.same_reads() if reading else contextlib.nullcontext(),
    ):
        for scope in _UNIT_SCOPES:
            for level in aggregate_table.STORED_LEVELS:
                tops = [
                    u
                    for u in units
                    if u.level == level
                    and scope in aggregate_table.STORED_SCOPES[level]
                    and not u.ended_before(period.start)
                ]
                if tops:
                    values = analytics._rollup_indicators(indicators, tops, period, scope)
                    rows.extend(aggregate_table.row_of(v) for vs in values.values() for v in vs)
    return rows


def build(
    *, periods: Iterable[str] | None = None, indicator_ids=None, unit_ids=None, out=None
) -> int:
    """Fill the table: every district and province (or those among, below, above and
    formed from `unit_ids`), for every period with approved figures and the longer periods
    containing them, and every period it holds already (or `periods`), each period in a
    transaction of its own. Returns the rows written."""
    if periods is None:
        periods = all_periods()
    wanted = set(indicator_ids or Indicator.objects.values_list("pk", flat=True))
    units = _units_of(unit_ids)
    written = 0
    for period_id in sorted(periods):
        with transaction.atomic():
            rows = recompute(units, {period_id: wanted}, forget_others=True)
        written += rows
        if out is not None:
            out(f"{period_id}: {rows} rows")
    # Every stored value may have changed: every page is built again.
    versions.reference_changed()
    return written


def all_periods() -> set[str]:
    """Every period the table holds, and every period with approved figures and the longer
    periods containing them."""
    periods = set(Aggregate.objects.values_list("period", flat=True).distinct())
    for period_id in (
        Figure.objects.filter(status=Figure.Status.APPROVED)
        .order_by()
        .values_list("period", flat=True)
        .distinct()
    ):
        periods.update(containing(period_id))
    return periods


def _lock(unit_ids: list[int]) -> None:
    """Take the units' aggregate locks, in ascending order, until the transaction ends."""
    if connection.vendor != "postgresql":
        return  # SQLite: one writer at a time anyway
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(%s, u))"
            " FROM (SELECT unnest(%s::int[]) AS u ORDER BY 1) ordered",
            [_LOCK_CLASS, unit_ids],
        )


def differences(
    *, unit_ids: Iterable[int] | None = None, periods=None, indicator_ids=None
) -> list[str]:
    """Every difference between the table and a recompute from the figures by the engine:
    a row too many, a field differing. One line each; none when the table is current. A row
    the table does not hold is no difference: it is computed when read.

    unit_ids: only the districts and provinces among these units, below them, above them
    and formed from them (default: all); periods: default every period the table holds or
    approved figures make; indicator_ids: default all."""
    units = _units_of(unit_ids)
    if periods is None:
        periods = all_periods()
    indicators = Indicator.objects.in_bulk(indicator_ids)
    all_units = list(Unit.objects.filter(pk__in=units).order_by("pk"))
    names = {u.pk: f"{u.code} ({u.name}, #{u.pk})" for u in all_units}
    out: list[str] = []
    for period_id in sorted(periods):
        period = parse_period(period_id)
        fresh = {
            (row.unit_id, row.indicator_id, row.scope): row
            for row in computed(list(indicators.values()), all_units, period)
        }
        stored = {
            (row.unit_id, row.indicator_id, row.scope): row
            for row in Aggregate.objects.filter(
                unit_id__in=units, period=period_id, indicator_id__in=list(indicators)
            )
        }
        for key in sorted(set(fresh) | set(stored)):
            unit_id, indicator_id, scope = key
            where = (
                f"{names.get(unit_id, unit_id)} {indicators[indicator_id].code} {period_id} {scope}"
            )
            mine, theirs = stored.get(key), fresh.get(key)
            if mine is None:
                continue  # not stored: read from the figures, as computed here
            if theirs is None:
                out.append(f"{where}: dòng thừa ({mine.value}, {mine.origin})")
                continue
            for name in aggregate_table.VALUE_FIELDS:
                a, b = getattr(mine, name), getattr(theirs, name)
                if name in ("value", "numerator", "denominator"):
                    # Kept to 10 decimals, read to the 4 shown (aggregate_table.shown), as
                    # the engine gives them: the same Decimal.
                    same = aggregate_table.shown(a) == aggregate_table.shown(b)
                else:
                    same = a == b
                if not same:
                    out.append(f"{where}: {name} lưu {a!r}, tính lại {b!r}")
    return out


def _units_of(unit_ids: Iterable[int] | None) -> set[int]:
    """Every district and province, or those among, below, above and formed from these."""
    if unit_ids is None:
        return stored_units()
    return touched_units(unit_ids) | _below(unit_ids)


def _below(unit_ids: Iterable[int]) -> set[int]:
    """The districts and provinces below these units, and the units themselves."""
    ids = set(unit_ids)
    return set(
        Unit.objects.filter(level__in=aggregate_table.STORED_LEVELS)
        .filter(
            Q(pk__in=ids) | Q(parent_id__in=ids) | Q(district_id__in=ids) | Q(province_id__in=ids)
        )
        .values_list("id", flat=True)
    )
