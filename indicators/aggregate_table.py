"""The table of rolled-up values (indicators.Aggregate): which rows it holds, reading and
writing them. What goes into it is decided by indicators/aggregates.py; what a value is, by
indicators/analytics.py and indicators/rollup.py (docs/decisions/0015-live-aggregates.md).

Rows are kept for districts and provinces (of both structures), the units whose value is
combined from many: a commune's value is its own figure, read from the figures at once.
"""

import contextlib
import contextvars
import decimal
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import NamedTuple

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q

from indicators import copy_text, rollup, versions
from indicators.models import Aggregate, AggregateMark, DataVersion
from units.models import UnitChange

# The scopes a row is kept for, by the unit's level: what rollup.node_scope makes of any
# unit scope asked (a district asked for "districts" is its "self" node).
STORED_SCOPES = {
    level: tuple(s for s in rollup.SCOPES_OF_LEVEL[level] if s not in rollup.AGENCY_SCOPES)
    for level in ("district", "province")
}
STORED_LEVELS = tuple(STORED_SCOPES)
# What a row says of its node (rollup.NODE_COLUMNS; `answer` is stored as is_answer).
NODE_FIELDS = (
    "value",
    "numerator",
    "denominator",
    "is_answer",
    "origin",
    "covered",
    "expected",
    "coverage_level",
    "figure_id",
    "figure_period",
    "source",
    "percent_only",
)
VALUE_FIELDS = (*NODE_FIELDS, "is_partial", "via_predecessors")
KEY_FIELDS = ("unit", "period", "scope", "indicator")
BATCH = 2000

# Set while the engine computes what the table should hold (aggregates.py): every roll-up
# inside is computed from the figures, none read from the table.
_engine_only: contextvars.ContextVar[bool] = contextvars.ContextVar("engine_only", default=False)


@contextlib.contextmanager
def engine_only():
    token = _engine_only.set(True)
    try:
        yield
    finally:
        _engine_only.reset(token)


def readable() -> bool:
    """Whether roll-ups may be read from the table (not while it is being computed)."""
    return not _engine_only.get()


def stored_scope(level: str, scope: str) -> str | None:
    """The scope a unit of `level` asked for `scope` is kept under, or None (not kept)."""
    node = rollup.node_scope(level, scope) if level in rollup._DEPTH else scope
    return node if node in STORED_SCOPES.get(level, ()) else None


def read(indicator_ids: Sequence[int], units: Sequence, period_id: str, scope: str) -> dict:
    """The rows of `units` for these indicators, period and scope (one query, by key):
    {(unit id, indicator id): {field: value}}, the predecessors of a row that came from them
    as `predecessors` (one more query, only then)."""
    found = read_periods(indicator_ids, units, [period_id], scope)
    return {(unit_id, indicator_id): row for (unit_id, _p, indicator_id), row in found.items()}


def read_periods(
    indicator_ids: Sequence[int], units: Sequence, period_ids: Sequence[str], scope: str
) -> dict:
    """`read` for several periods at once (a dashboard's sparklines, one query):
    {(unit id, period id, indicator id): {field: value}}."""
    which = _rows_of(units, scope)
    if which is None or not indicator_ids or not period_ids:
        return {}
    found = {}
    for row in Aggregate.objects.filter(
        which, period__in=list(period_ids), indicator_id__in=list(indicator_ids)
    ).values("unit_id", "period", "indicator_id", *VALUE_FIELDS):
        found[(row.pop("unit_id"), row.pop("period"), row.pop("indicator_id"))] = row
    formed = {key[0] for key, row in found.items() if row["via_predecessors"]}
    if formed:
        edges: dict[int, list] = {}
        for edge in (
            UnitChange.objects.filter(successor_id__in=formed)
            .filter(predecessor__level=F("successor__level"))
            .select_related("predecessor")
            .order_by("successor_id", "predecessor__code")
        ):
            edges.setdefault(edge.successor_id, []).append(edge.predecessor)
        for key, row in found.items():
            if row["via_predecessors"]:
                row["predecessors"] = tuple(edges.get(key[0], ()))
    return found


class Row(NamedTuple):
    """A row to write, in the table's column order (the key first): cheaper to make by the
    thousand than model instances, which only SQLite's bulk_create needs."""

    unit_id: int
    period: str
    scope: str
    indicator_id: int
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    is_answer: bool
    origin: str
    covered: int
    expected: int
    coverage_level: str
    figure_id: int | None
    figure_period: str
    source: str
    percent_only: int
    is_partial: bool
    via_predecessors: bool


# The columns read_values gives.
READ_VALUES_COLUMNS = (
    "unit_id",
    "indicator_id",
    "value",
    "is_answer",
    "origin",
    "covered",
    "expected",
    "percent_only",
)


def read_values(indicator_ids: Sequence[int], units: Sequence, period_id: str, scope: str):
    """The values of `units` for these indicators, period and scope, as a frame (one query):
    unit_id, indicator_id, value (float, NaN for none), is_answer, and the coverage (origin,
    covered, expected, percent_only)."""
    columns = list(READ_VALUES_COLUMNS)
    which = _rows_of(units, scope)
    if which is None or not indicator_ids:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame.from_records(
        Aggregate.objects.filter(
            which, period=period_id, indicator_id__in=list(indicator_ids)
        ).values_list(*columns),
        columns=columns,
    )
    # (A frame computes in floats: rankings and percentages, never served as figures.)
    frame["value"] = np.array(shown_of_stored(frame["value"].tolist()), dtype=float)
    return frame


def _rows_of(units: Sequence, scope: str) -> Q | None:
    """Which rows hold `units` asked for `scope` (None: none of them is kept)."""
    by_scope: dict[str, list[int]] = {}
    for unit in units:
        kept = stored_scope(unit.level, scope)
        if kept is not None:
            by_scope.setdefault(kept, []).append(unit.pk)
    if not by_scope:
        return None
    which = Q()
    for kept, ids in by_scope.items():
        which |= Q(scope=kept, unit_id__in=ids)
    return which


def row_of(rolled) -> Row:
    """A row holding an analytics.RolledValue of a district or province."""
    return Row(
        rolled.unit.pk,
        rolled.period.id,
        stored_scope(rolled.unit.level, rolled.scope),
        rolled.indicator.pk,
        stored_number(rolled.value),
        stored_number(rolled.numerator),
        stored_number(rolled.denominator),
        rolled.is_answer,
        rolled.origin,
        rolled.covered,
        rolled.expected,
        rolled.coverage_level,
        rolled.figure_id,
        rolled.figure_period or "",
        rolled.source or "",
        rolled.percent_only,
        rolled.is_partial,
        bool(rolled.predecessors),
    )


def rows_of_nodes(nodes: pd.DataFrame, scope: str, levels: dict[int, str]) -> list[Row]:
    """The rows of a walk's nodes asked for `scope` (analytics.evaluate_periods: period_id,
    indicator_id, unit_id and rollup.NODE_COLUMNS), for the units whose level keeps that
    scope (`levels`: unit id → level): what row_of makes of each node's
    analytics._rolled_value, read column by column (a value object per node cost a second
    for a large import's 49,000)."""
    # (The units keeping the scope, by their ids: two Series.map over the nodes cost more.)
    keeping = [pk for pk, level in levels.items() if scope in STORED_SCOPES[level]]
    nodes = nodes[np.isin(nodes["unit_id"].to_numpy(), keeping)]
    columns = [
        nodes[name].tolist()
        for name in ("unit_id", "period_id", "indicator_id", *rollup.NODE_COLUMNS)
    ]
    kept_scope = {level: stored_scope(level, scope) for level in set(levels.values())}
    # stored_number of each float once: numbers repeat from node to node (counts, sums,
    # 100 and 0), and a large import's 49,000 rows hold 147,000 of them.
    made: dict[float, Decimal] = {}

    def number(value) -> Decimal | None:
        if missing(value):
            return None
        value = float(value)
        found = made.get(value)
        if found is None:
            found = stored_number(value)
            if value:  # (0.0 and -0.0 are one key; their reprs are not)
                made[value] = found
        return found

    return [
        Row(
            unit_id,
            period_id,
            kept_scope[levels[unit_id]],
            indicator_id,
            number(value),
            number(numerator),
            number(denominator),
            bool(answer),
            origin,
            int(covered or 0),
            int(expected or 0),
            str(coverage_level or levels[unit_id]),
            None if missing(figure_id) else int(figure_id),
            "" if missing(figure_period) else figure_period or "",
            source or "",
            0 if missing(percent_only) else int(percent_only),
            False,  # a walk's node is never partial, nor from predecessors
            False,
        )
        for (
            unit_id,
            period_id,
            indicator_id,
            value,
            numerator,
            denominator,
            answer,
            origin,
            covered,
            expected,
            coverage_level,
            figure_id,
            figure_period,
            source,
            percent_only,
        ) in zip(*columns, strict=True)
    ]


def missing(value) -> bool:
    """A node's number or text that is not there: None, or NaN where pandas put one."""
    if value is None or value is pd.NA:
        return True
    # NaN, of any kind (float, numpy's, Decimal's), is the one value unequal to itself.
    return bool(value != value)


def write(rows: Iterable[Row]) -> int:
    """Insert or overwrite rows by key, in key order, and mark their units (mark); returns
    how many. On PostgreSQL a row this process wrote last, unchanged since (its unit's
    marks as they were once that write committed), is not sent again (_last_written)."""
    rows = sorted(rows, key=lambda r: r[:4])
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        units = {row.unit_id for row in rows}
        # (In a transaction: the units' locks held, the marks made with the rows.)
        remembering = (
            settings.KNOWN_ROWS_KEPT
            and len(rows) <= REMEMBERED_ROWS_MAX
            and connection.in_atomic_block
        )
        stood = marks(units) if remembering else (0, {})
        last = _last_written(units, stood) if remembering else {}
        unchanged = {row[:4] for row in rows if last.get(row[:4]) == row[4:]} if last else set()
        sent = [row for row in rows if row[:4] not in unchanged] if unchanged else rows
        if sent:
            _upsert(sent)
        made, pruned = mark(units, only=True)
        if remembering:
            # A unit whose older marks included one not there when they were read: another
            # writer, without the units' locks (forget_units), deleted rows and committed
            # meanwhile. Its rows not sent are sent now, and it is not remembered.
            late = {u for u, ids in pruned.items() if not ids <= set(stood[1].get(u, ()))}
            behind = [row for row in rows if row.unit_id in late and row[:4] in unchanged]
            if behind:
                _upsert(behind)
            transaction.on_commit(lambda: _remember(rows, stood[0], made, late), robust=True)
    else:
        Aggregate.objects.bulk_create(
            [Aggregate(**row._asdict()) for row in rows],
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=list(KEY_FIELDS),
            update_fields=list(VALUE_FIELDS),
        )
    return len(rows)


# Rows a batch of write_batches (an approval writes about 1,200, in one).
WRITE_BATCH = 20_000


def write_batches(parts: Iterable[list[Row]], size: int | None = None) -> int:
    """write() of the rows `parts` give, a batch at a time once `size` rows (WRITE_BATCH) are
    gathered, so that a large import's rows (some 90,000) are not all held at once. The
    caller (aggregates.recompute) holds the units' locks in its transaction: no other writer
    writes their rows meanwhile, so the batches need no order among them. Returns how many
    rows were written."""
    size = size or WRITE_BATCH
    batch: list[Row] = []
    written = 0
    for part in parts:
        batch.extend(part)
        if len(batch) >= size:
            written += write(batch)
            batch = []
    return written + write(batch)


def _upsert(rows: list[Row]) -> None:
    """COPY into a temporary table (copy_text.scratch_table), then one INSERT … ON CONFLICT
    DO UPDATE from it, in key order. A row written again unchanged is left as it is (no new
    version of it). Measured against psycopg2's execute_values (a statement of every row's
    literals, which the database parses): 38 → 17 ms for an approval's 1,224 rows, 1.5 →
    0.55 s for an import's 45,000; Django's bulk_create spends 0.1 ms compiling each row."""
    table = Aggregate._meta.db_table
    columns = ", ".join(Row._fields)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in VALUE_FIELDS)
    old = ", ".join(f"{table}.{c}" for c in VALUE_FIELDS)
    new = ", ".join(f"EXCLUDED.{c}" for c in VALUE_FIELDS)
    # In a transaction of its own if there is none (a loader's units_changed): in autocommit
    # the temporary table would be emptied as soon as it is filled. Inside one, no savepoint.
    with (
        transaction.atomic(savepoint=False),
        connection.cursor() as cursor,
        connection.wrap_database_errors,
    ):
        scratch = copy_text.scratch_table(
            cursor, "aggregate_in", Aggregate, columns, rows=len(rows)
        )
        cursor.cursor.copy_expert(
            f"COPY {scratch} ({columns}) FROM STDIN",
            copy_text.LineStream(map(_copy_line, rows)),
            size=copy_text.COPY_CHUNK,
        )
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {scratch}"  # noqa: S608
            f" ORDER BY {_KEY_COLUMNS}"
            f" ON CONFLICT ({_KEY_COLUMNS}) DO UPDATE SET {updates}"
            f" WHERE ({old}) IS DISTINCT FROM ({new})"
        )


_KEY_COLUMNS = "unit_id, period, scope, indicator_id"


def mark(
    unit_ids: Iterable[int], *, only: bool = False
) -> tuple[dict[int, int], dict[int, set[int]]]:
    """Mark these units (AggregateMark): their rows were written or deleted in this
    transaction. Returns {unit id: its new mark's id} and, with `only`, {unit id: the ids
    of its earlier marks, deleted} (so that a unit keeps a mark or two: write() does, under
    the units' locks; a mark made meanwhile by a writer without them and not yet committed
    is not seen, and stays). On PostgreSQL only: the marks serve the rows a process keeps
    (known_rows, _last_written), which on SQLite, whose ids a rolled-back transaction gives
    again, it does not keep."""
    if connection.vendor != "postgresql":
        return {}, {}  # (before unit_ids is read: it may be a query)
    ids = sorted(set(unit_ids))
    if not ids:
        return {}, {}
    table = AggregateMark._meta.db_table
    insert = f"INSERT INTO {table} (unit_id) SELECT unnest(%s::bigint[]) RETURNING id, unit_id"
    made: dict[int, int] = {}
    pruned: dict[int, set[int]] = {}
    with connection.cursor() as cursor:
        if only:
            cursor.execute(
                f"WITH made AS ({insert}), gone AS ("  # noqa: S608
                f"DELETE FROM {table} old USING made"
                f" WHERE old.unit_id = made.unit_id AND old.id < made.id"
                f" RETURNING old.id, old.unit_id)"
                f" SELECT true, id, unit_id FROM made"
                f" UNION ALL SELECT false, id, unit_id FROM gone",
                [ids],
            )
        else:
            cursor.execute(
                f"WITH made AS ({insert}) SELECT true, id, unit_id FROM made",  # noqa: S608
                [ids],
            )
        for new, pk, unit_id in cursor.fetchall():
            if new:
                made[unit_id] = pk
            else:
                pruned.setdefault(unit_id, set()).add(pk)
    return made, pruned


def marks(unit_ids: Iterable[int]) -> tuple[int, dict[int, tuple[int, ...]]]:
    """The reference data's number, and {unit id: the ids of its marks} for the marked
    units among these. A unit's marks change whenever its rows may have: a mark's id is
    never given again, and a write that deletes a unit's older marks adds a newer one in
    the same transaction (mark), so rows written or deleted since a moment show, once
    committed, as an id not there then. Every unit's rows are taken as changed when the
    reference data is loaded or changed (a database emptied and loaded again gives its ids,
    and its marks' ids, again: its reference number, a time, is new). One query, on
    PostgreSQL (docs/decisions/0041)."""
    table = connection.ops.quote_name(AggregateMark._meta.db_table)
    numbers = connection.ops.quote_name(DataVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT unit_id, array_agg(id ORDER BY id) FROM {table}"  # noqa: S608
            f" WHERE unit_id = ANY(%s) GROUP BY unit_id"
            f" UNION ALL SELECT -1, ARRAY[number] FROM {numbers} WHERE area = %s",
            [sorted(set(unit_ids)), versions.REFERENCE],
        )
        found = cursor.fetchall()
    reference = next((ids[0] for unit_id, ids in found if unit_id == -1), 0)
    return reference, {unit_id: tuple(ids) for unit_id, ids in found if unit_id != -1}


# The rows this process wrote last of each unit, by a write of a few rows (an approval's, not
# an import's), and the unit's marks as that write left them: {(database, unit id):
# ((reference number, mark ids), {row key: its VALUE_FIELDS})}. An approval sends 1,368
# rows, of which some 430 change: the others cost the upsert a probe and a lock each. A
# unit's rows of one write each (a province's for an approval: 460, some 600 bytes a row),
# 64 units at most: some 20 MB.
_WRITTEN: OrderedDict[tuple, tuple] = OrderedDict()
REMEMBERED_ROWS_MAX = 5000
REMEMBERED_UNITS_MAX = 64
_WRITTEN_LOCK = threading.Lock()  # (gunicorn's threads share a process)


def database_key() -> tuple:
    """The database a process's kept rows are of (its alias and where it is)."""
    where = connection.settings_dict
    return (connection.alias, where["NAME"], where["HOST"], where["PORT"])


def _last_written(units: set[int], stood: tuple) -> dict[tuple, tuple]:
    """{row key: its values} of the rows this process wrote last of these units, for the
    units whose marks are still those that write left (`stood`: marks()): the table holds
    those values still."""
    reference, ids = stood
    database = database_key()
    found: dict[tuple, tuple] = {}
    with _WRITTEN_LOCK:
        for unit in units:
            written = _WRITTEN.get((database, unit))
            if written is not None and unit in ids and written[0] == (reference, ids[unit]):
                found.update(written[1])
    return found


def _remember(rows: list[Row], reference: int, made: dict[int, int], late: set[int]) -> None:
    """Once the write committed: each unit's rows written, under the marks the write left
    (its new mark alone), but for the units `late` (write())."""
    database = database_key()
    by_unit: dict[int, dict] = {unit: {} for unit in made if unit not in late}
    for row in rows:
        if row.unit_id in by_unit:
            by_unit[row.unit_id][row[:4]] = row[4:]
    with _WRITTEN_LOCK:
        for unit, values in by_unit.items():
            _WRITTEN[(database, unit)] = ((reference, (made[unit],)), values)
            _WRITTEN.move_to_end((database, unit))
        while len(_WRITTEN) > REMEMBERED_UNITS_MAX:
            _WRITTEN.popitem(last=False)


def forget_written() -> None:
    """Drop every unit's rows remembered (tests)."""
    with _WRITTEN_LOCK:
        _WRITTEN.clear()


def _copy_line(row: Row) -> str:
    """copy_text.copy_line of a Row, its fields' types known: one format, not a test of
    each value's type (an approval's 1,247 rows: 3.5 ms to 2.7)."""
    escape, null = copy_text.escape, copy_text.NULL
    return (
        f"{row.unit_id}\t{escape(row.period)}\t{escape(row.scope)}\t{row.indicator_id}"
        f"\t{null if row.value is None else row.value}"
        f"\t{null if row.numerator is None else row.numerator}"
        f"\t{null if row.denominator is None else row.denominator}"
        f"\t{row.is_answer}\t{escape(row.origin)}\t{row.covered}\t{row.expected}"
        f"\t{escape(row.coverage_level)}\t{null if row.figure_id is None else row.figure_id}"
        f"\t{escape(row.figure_period)}\t{escape(row.source)}\t{row.percent_only}"
        f"\t{row.is_partial}\t{row.via_predecessors}\n"
    )


def stored_number(value: float | Decimal | None) -> Decimal | None:
    """To the table's 10 decimals: a district's value as computed (not the 4 decimals shown),
    because its province is combined from it (known_rows.untouched_districts). A float is
    read by its shortest repr, the digits Python prints for it."""
    if missing(value):
        return None
    # (A stored value has 10 decimals at most: quantizing it again changes nothing.)
    number = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    # (With the default 28 digits of precision, quantize fails from 10**18 on; the column
    # holds 34.)
    return number.quantize(_PLACES, context=_WIDE)


_PLACES = Decimal(1).scaleb(-Aggregate._meta.get_field("value").decimal_places)
_WIDE = decimal.Context(prec=60)


def shown(value) -> Decimal | None:
    """A value as it is shown and served: a Decimal to 4 decimals, rounded half to even (as
    round() did). A stored value is rounded as read; one the engine computed (a float) first
    to the table's 10 decimals, as stored_number keeps it, so that a value reads the same
    whether it came from the table or from the figures (docs/decisions/0037)."""
    if missing(value):
        return None
    return stored_number(value).quantize(_SHOWN, context=_WIDE)


SHOWN_DECIMALS = 4
_SHOWN = Decimal(1).scaleb(-SHOWN_DECIMALS)


def shown_of_stored(values: list) -> list[float]:
    """float(shown(v)) of each number read from the table, NaN for none: a stored Decimal
    has the table's 10 decimals already (stored_number would give it back as it is), so
    only the rounding to the 4 shown is left (a province's ranking reads 2,400 of them)."""
    found = []
    for value in values:
        if value is None:
            found.append(math.nan)
        elif isinstance(value, Decimal) and value.as_tuple().exponent == -_TABLE_DECIMALS:
            found.append(float(value.quantize(_SHOWN, context=_WIDE)))
        else:
            rounded = shown(value)
            found.append(math.nan if rounded is None else float(rounded))
    return found


def shown_floats(values: np.ndarray) -> np.ndarray:
    """float(shown(v)) of each float the engine computed, NaN for none, once per distinct
    value (told apart by their bits: -0.0 is not 0.0 here): communes' values repeat (0,
    100, 1), and a Decimal made and rounded per cell cost a district's ranking about 5 ms."""
    result = np.full(len(values), np.nan)
    present = ~np.isnan(values)
    distinct, where = np.unique(values[present].view(np.int64), return_inverse=True)
    rounded = [shown(v) for v in distinct.view(np.float64).tolist()]
    result[present] = np.array(rounded, dtype=float)[where]
    return result


_TABLE_DECIMALS = Aggregate._meta.get_field("value").decimal_places
