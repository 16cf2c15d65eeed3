"""The table of rolled-up values (indicators.Aggregate): which rows it holds, reading and
writing them. What goes into it is decided by indicators/aggregates.py; what a value is, by
indicators/analytics.py and indicators/rollup.py (docs/decisions/0015-live-aggregates.md).

Rows are kept for districts and provinces (of both structures), the units whose value is
combined from many: a commune's value is its own figure, read from the figures at once.
"""

import contextlib
import contextvars
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import connection
from django.db.models import F, Q
from psycopg2.extras import execute_values

from indicators import rollup
from indicators.models import Aggregate
from units.models import UnitChange

# The scopes a row is kept for, by the unit's level: what rollup.node_scope makes of any
# unit scope asked (a district asked for "districts" is its "self" node).
STORED_SCOPES = {
    "district": (rollup.SELF, "communes"),
    "province": (rollup.SELF, "communes", "districts"),
}
STORED_LEVELS = tuple(STORED_SCOPES)
VALUE_FIELDS = (
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
    "is_partial",
    "via_predecessors",
)
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
    by_scope: dict[str, list[int]] = {}
    for unit in units:
        kept = stored_scope(unit.level, scope)
        if kept is not None:
            by_scope.setdefault(kept, []).append(unit.pk)
    if not by_scope or not indicator_ids:
        return {}
    which = Q()
    for kept, ids in by_scope.items():
        which |= Q(scope=kept, unit_id__in=ids)
    found = {}
    for row in Aggregate.objects.filter(
        which, period=period_id, indicator_id__in=list(indicator_ids)
    ).values("unit_id", "indicator_id", *VALUE_FIELDS):
        found[(row.pop("unit_id"), row.pop("indicator_id"))] = row
    formed = {unit_id for (unit_id, _), row in found.items() if row["via_predecessors"]}
    if formed:
        edges: dict[int, list] = {}
        for edge in (
            UnitChange.objects.filter(successor_id__in=formed)
            .filter(predecessor__level=F("successor__level"))
            .select_related("predecessor")
            .order_by("successor_id", "predecessor__code")
        ):
            edges.setdefault(edge.successor_id, []).append(edge.predecessor)
        for (unit_id, _), row in found.items():
            if row["via_predecessors"]:
                row["predecessors"] = tuple(edges.get(unit_id, ()))
    return found


def row_of(rolled) -> Aggregate:
    """A row holding an analytics.RolledValue of a district or province."""
    return Aggregate(
        unit_id=rolled.unit.pk,
        indicator_id=rolled.indicator.pk,
        period=rolled.period.id,
        scope=stored_scope(rolled.unit.level, rolled.scope),
        value=_decimal(rolled.value),
        numerator=_decimal(rolled.numerator),
        denominator=_decimal(rolled.denominator),
        is_answer=rolled.is_answer,
        origin=rolled.origin,
        covered=rolled.covered,
        expected=rolled.expected,
        coverage_level=rolled.coverage_level,
        figure_id=rolled.figure_id,
        figure_period=rolled.figure_period or "",
        source=rolled.source or "",
        is_partial=rolled.is_partial,
        via_predecessors=bool(rolled.predecessors),
    )


def write(rows: Iterable[Aggregate]) -> int:
    """Insert or overwrite rows by key, in key order; returns how many."""
    rows = sorted(rows, key=lambda r: (r.unit_id, r.period, r.scope, r.indicator_id))
    if connection.vendor == "postgresql":
        _upsert(rows)
    else:
        Aggregate.objects.bulk_create(
            rows,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=list(KEY_FIELDS),
            update_fields=list(VALUE_FIELDS),
        )
    return len(rows)


_COLUMNS = ("unit_id", "period", "scope", "indicator_id", *VALUE_FIELDS)


def _upsert(rows: list[Aggregate]) -> None:
    """INSERT … ON CONFLICT DO UPDATE by psycopg2's execute_values: Django's bulk_create
    spends 0.1 ms compiling each row, a tenth of a second for a report's 1,800 rows."""
    if not rows:
        return
    table = Aggregate._meta.db_table
    columns = ", ".join(_COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in VALUE_FIELDS)
    values = [tuple(getattr(row, c) for c in _COLUMNS) for row in rows]
    with connection.cursor() as cursor:
        execute_values(
            cursor.cursor,
            f"INSERT INTO {table} ({columns}) VALUES %s"  # noqa: S608 - the model's own names
            f" ON CONFLICT (unit_id, period, scope, indicator_id) DO UPDATE SET {updates}",
            values,
            page_size=BATCH,
        )


def _decimal(value: float | None) -> Decimal | None:
    # The engine's values are already rounded to its 4 decimals (analytics._number).
    if value is None or math.isnan(value):
        return None
    return Decimal(repr(value))
