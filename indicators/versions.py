"""Data versions (indicators.DataVersion): a number per province that moves on whenever
something its pages show changes, and one for the reference data every page reads, so that
a page's data built once is served again until then, and never after
(reports/dashboard_cache.py; docs/decisions/0031).

A province's number moves, in the writer's own transaction and as its last write
(aggregates.gathered), when:
- approved figures change under it, or under a unit it reads in place of its own (a 2025
  province before July 2025: aggregates.touched_units);
- a report under it is made, deleted, or changes status (a draft's figures and its version
  do not move it: what its pages show is read from approved figures and reports' statuses).
The reference number moves when units, agencies, lineage, indicators, plans, targets, budget
lines, deadlines, reporting requirements or pillar weights are saved or deleted through the
ORM (signals, connected by `follow_reference`: the move waits for the commit, see
`after_commit`), by the reference loaders (they call `reference_changed` at their end), and
when `build_aggregates` has rewritten the table.
"""

import time
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from indicators.models import DataVersion
from units.models import Unit

REFERENCE = 0  # the area of the reference data

# What every page may read besides figures and reports, by "app_label.ModelName" (the apps
# above indicators are not imported here).
REFERENCE_MODELS = (
    "units.Unit",
    "units.Agency",
    "units.UnitChange",
    "indicators.Indicator",
    "plans.Plan",
    "plans.Target",
    "plans.BudgetLine",
    "entry.ReportingDeadline",
    "entry.ReportingRequirement",
    "reports.PillarWeight",
)


def bump(areas: Iterable[int]) -> None:
    """The areas' numbers move on (each row locked in ascending order, as every writer takes
    them, after its other locks). A number is the time of the change in microseconds, or one
    more than the last if that is later: a database restored from a backup never gives again
    a number its pages were kept under before."""
    areas = sorted(set(areas))
    if areas:
        now = time.time_ns() // 1000
        rows = ", ".join(["(%s, %s)"] * len(areas))
        _move(f"VALUES {rows}", [value for area in areas for value in (area, now)])


def bump_units(unit_ids: Iterable[int]) -> None:
    """bump() for the provinces these units are or lie in, found by the statement itself."""
    ids = sorted(set(unit_ids))
    if ids:
        units = connection.ops.quote_name(Unit._meta.db_table)
        marks = ", ".join(["%s"] * len(ids))
        _move(
            f"SELECT DISTINCT COALESCE(province_id, id) AS area, %s FROM {units} "  # noqa: S608
            f"WHERE id IN ({marks}) AND (province_id IS NOT NULL OR level = %s) ORDER BY area",
            [time.time_ns() // 1000, *ids, Unit.Level.PROVINCE],
        )


def _move(rows: str, params: list) -> None:
    """Insert the (area, number) rows `rows` gives, or move each existing area's number on."""
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (area, number) {rows} "
            f"ON CONFLICT (area) DO UPDATE SET number = "
            f"{greatest}({table}.number + 1, excluded.number)",
            params,
        )


def reference_changed() -> None:
    bump([REFERENCE])


def read(areas: Iterable[int]) -> tuple[int, ...]:
    """The areas' numbers, in the order given (0 for an area never changed). One query."""
    areas = list(areas)
    found = dict(DataVersion.objects.filter(area__in=areas).values_list("area", "number"))
    return tuple(found.get(area, 0) for area in areas)


def follow_reference() -> None:
    """Move the reference number whenever a reference row is saved or deleted through the
    ORM (the admin, a factory, a queryset's delete)."""
    for label in REFERENCE_MODELS:
        post_save.connect(_reference_after, sender=label, dispatch_uid=f"versions-save-{label}")
        post_delete.connect(_reference_after, sender=label, dispatch_uid=f"versions-del-{label}")
    m2m_changed.connect(
        _reference_m2m, sender="plans.Plan_implements", dispatch_uid="versions-plan-implements"
    )


def after_commit(move: Callable[[], None]) -> None:
    """Run `move` once the transaction commits (at once outside one). For the moves made
    around the write path (a signal's): inside a transaction they would lock a version row
    in the middle of it, in no set order among the other rows it locks, and two such
    transactions could deadlock. Until the commit's move, a reader may still be served a
    page kept under the versions before, as if it had read a moment earlier."""
    if connection.in_atomic_block:
        transaction.on_commit(move, robust=True)
    else:
        move()


def _reference_after(sender, **kwargs) -> None:
    after_commit(reference_changed)


def _reference_m2m(sender, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        after_commit(reference_changed)
