"""The stored rows of the districts a change did not touch, as a province's walk takes them
(analytics.evaluate_periods' `known`), kept in the process while they are current
(docs/decisions/0041).

An approval recomputes its district and the province above it; the province's other
districts enter its walk by their stored rows (some 9,000 for a quarter, its half-year and
its year), and reading them was a sixth of the approval. Each district's rows of a period
are kept here once read, with the district's marks as they were before the read
(aggregate_table.mark: every write or delete of a unit's rows, whoever makes it, gives it a
new mark in the same transaction), and used again only while its marks are the same: one
small query, then only the districts whose rows changed since are read. On PostgreSQL only
(on SQLite a rolled-back transaction's ids are given again, so a mark could repeat).
"""

import threading
from collections import OrderedDict

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection
from django.db.models import F, FloatField, Q
from django.db.models.functions import Cast

from indicators import aggregate_table, analytics, copy_text, rollup
from indicators.models import Aggregate
from units.models import Unit

# A known node's fields as read for a walk: the numbers as floats from the database (no
# Decimal made per cell). Its figure and coverage level are not read (None): a known node
# enters its parent by its numbers, coverage and origin (rollup._member_arrays), and is
# never among the nodes asked for.
_NUMBERS = analytics.NUMBER_FIELDS
_UNREAD = ("coverage_level", "figure_id", "figure_period", "source")
_READ = [name for name in aggregate_table.NODE_FIELDS if name not in _UNREAD]
_READ_AS = [f"{name}_float" if name in _NUMBERS else name for name in _READ]
# A district's rows of a period as the walk takes them (`is_answer` as `answer`).
_COLUMNS = [
    "unit_id",
    "indicator_id",
    "node_scope",
    *("answer" if c == "is_answer" else c for c in _READ),
]

# (database, district id, period id, indicator ids) → (the district's marks, its rows): the
# rows of districts' periods read, the last used last. About 20 KB each (51 indicators, two
# scopes; measured, each string counted apiece): a province's 30 districts for a quarter, its
# half-year and year are 90, so a process keeps a dozen provinces' in some 20 MB.
_KEPT: OrderedDict[tuple, tuple] = OrderedDict()
KEPT_MAX = 1024
_KEPT_LOCK = threading.Lock()  # (gunicorn's threads share a process)


def untouched_districts(
    indicators: list, provinces: list, touched: list, periods: list
) -> dict[str, pd.DataFrame]:
    """The districts of these provinces that a change did not touch, with their stored rows,
    by period: what analytics.evaluate_periods takes as `known` instead of reading their
    subtrees' figures (a province of 30 districts: one district's communes read, not 579).

    Only a district in force since before the period began, with a row for every indicator
    and kept scope, none of them from predecessors, is taken: its row is then its node in
    the province's walk, which build_aggregates and verify_aggregates compute whole. Any
    other is read from the figures, as before. Each period's frame holds its districts in
    the order of their ids, each district's rows by scope, then indicator: the districts'
    nodes are added up in it."""
    if not provinces or not periods:
        return {}
    touched_ids = {u.pk for u in touched}
    scopes = aggregate_table.STORED_SCOPES[Unit.Level.DISTRICT]
    # The districts in force on each period's structure date (one query per date: a
    # quarter, its half-year and its year share one).
    districts_on: dict = {}
    districts = {}
    for period in periods:
        on = analytics.structure_date(provinces[0], period)
        if on not in districts_on:
            districts_on[on] = list(
                Unit.objects.in_force(on)
                .filter(parent__in=provinces, level=Unit.Level.DISTRICT)
                .values_list("pk", "parent_id", "valid_from")
            )
        districts[period.id] = {
            pk: parent
            for pk, parent, starts in districts_on[on]
            if pk not in touched_ids and (starts is None or starts <= period.start)
        }
    rows = _rows_of(
        [(pk, period_id) for period_id, ids in districts.items() for pk in sorted(ids)],
        indicators,
        scopes,
    )
    complete = len(indicators) * len(scopes)
    found = {}
    for period_id, ids in districts.items():
        kept = [(pk, rows[(pk, period_id)]) for pk in sorted(ids)]
        kept = [(pk, part) for pk, part in kept if part is not None and len(part[0]) == complete]
        if kept:  # (a period with no complete district has no frame)
            found[period_id] = _frame(kept, districts[period_id])
    return found


def _frame(parts: list[tuple[int, list]], parents: dict[int, int]) -> pd.DataFrame:
    """The districts' rows one after another, as the walk takes them."""
    columns = {name: _joined([part[n] for _, part in parts]) for n, name in enumerate(_COLUMNS)}
    parent_id = np.concatenate(
        [np.full(len(part[0]), parents[pk], dtype="int64") for pk, part in parts]
    )
    return pd.DataFrame(columns).assign(
        parent_id=parent_id, level=Unit.Level.DISTRICT, **dict.fromkeys(_UNREAD)
    )


def _joined(arrays: list):
    """Arrays of one column end to end, of their own type (numpy's, or pandas' strings)."""
    if isinstance(arrays[0], np.ndarray):
        return np.concatenate(arrays)
    return type(arrays[0])._concat_same_type(arrays)


def _rows_of(pairs: list[tuple[int, str]], indicators: list, scopes) -> dict[tuple, list | None]:
    """{(district id, period id): its stored rows of the period (a list of column arrays,
    _COLUMNS, by scope then indicator), None for none}: those kept and still current, the
    others read (one query) and kept."""
    if not pairs:
        return {}
    indicator_ids = tuple(i.pk for i in indicators)
    database = aggregate_table.database_key()
    keeping = connection.vendor == "postgresql" and settings.KNOWN_ROWS_KEPT
    stood = _marks({pk for pk, _ in pairs}) if keeping else {}
    found: dict[tuple, list | None] = {}
    wanted = []
    with _KEPT_LOCK:
        for pk, period_id in pairs:
            key = (database, pk, period_id, indicator_ids)
            kept = _KEPT.get(key)
            if kept is not None and pk in stood and kept[0] == stood[pk]:
                _KEPT.move_to_end(key)
                found[(pk, period_id)] = kept[1]
            else:
                wanted.append((pk, period_id))
    if not wanted:
        return found
    read = _read(wanted, indicator_ids, scopes)
    found.update(read)
    if keeping:
        with _KEPT_LOCK:
            for (pk, period_id), rows in read.items():
                if pk in stood:  # (a district never marked is read each time)
                    _KEPT[(database, pk, period_id, indicator_ids)] = (stood[pk], rows)
            while len(_KEPT) > KEPT_MAX:
                _KEPT.popitem(last=False)
    return found


def _read(pairs: list[tuple[int, str]], indicator_ids: tuple, scopes) -> dict[tuple, list | None]:
    """The stored rows of these districts' periods, by (district id, period id): one query,
    read by COPY (copy_text.copy_frame), put in order by district, period, scope and
    indicator on arrays (PostgreSQL's sort took 12 of the read's 20 ms)."""
    by_period: dict[str, list[int]] = {}
    for pk, period_id in pairs:
        by_period.setdefault(period_id, []).append(pk)
    wanted = Q(pk__in=[])
    for period_id, ids in by_period.items():
        wanted |= Q(period=period_id, unit_id__in=ids)
    every = copy_text.copy_frame(
        # (On the connection the marks were read on, whatever a router says.)
        Aggregate.objects.using(connection.alias)
        .filter(wanted, scope__in=scopes, via_predecessors=False)
        .annotate(
            # The indicators as a condition on each row the key's range gives, not as part
            # of the key searched (F + 0: not the indexed column): one search of the index
            # per district, period and scope, not one per indicator too (17 → 6 ms).
            indicator_plus_0=F("indicator_id") + 0,
            **{f"{name}_float": Cast(name, FloatField()) for name in _NUMBERS},
        )
        .filter(indicator_plus_0__in=list(indicator_ids))
        .order_by()
        .values_list("period", "unit_id", "indicator_id", "scope", *_READ_AS),
        ["period", "unit_id", "indicator_id", "node_scope", *_READ],
        floats=_NUMBERS,
        booleans=["is_answer"],
        texts=["period", "node_scope", "origin"],
    )
    found: dict[tuple, list | None] = dict.fromkeys(pairs)
    if every.empty:
        return found
    every = every.rename(columns={"is_answer": "answer"})
    unit_ids = every["unit_id"].to_numpy(dtype="int64")
    period_code, period_ids = pd.factorize(every["period"])
    scope_order = pd.factorize(every["node_scope"], sort=True)[0]
    order = np.lexsort((every["indicator_id"].to_numpy(), scope_order, period_code, unit_ids))
    keys = rollup.in_slot(unit_ids[order], period_code[order])
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(order)]
    arrays = [
        every[name].to_numpy() if every[name].dtype.kind in "biuf" else every[name].array
        for name in _COLUMNS
    ]
    arrays = [
        array[order] if isinstance(array, np.ndarray) else array.take(order) for array in arrays
    ]
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        pk = int(unit_ids[order[start]])
        period_id = period_ids[period_code[order[start]]]
        # (Copies: a slice would keep the whole read alive as long as one district's is kept.)
        found[(pk, period_id)] = [array[start:end].copy() for array in arrays]
    return found


def _marks(unit_ids: set[int]) -> dict[int, tuple]:
    """{unit id: (the reference data's number, the ids of its marks)} for the marked units
    among these (aggregate_table.marks)."""
    reference, ids = aggregate_table.marks(unit_ids)
    return {unit_id: (reference, marks) for unit_id, marks in ids.items()}


def forget() -> None:
    """Drop every district's rows kept (a test that rebuilt the database)."""
    with _KEPT_LOCK:
        _KEPT.clear()
