"""Data versions (indicators.DataVersion, indicators.ReportsVersion): a number per province
that moves on whenever approved figures its pages show change, a number per province and
period that moves on whenever what its pages of that period show of who has reported
changes, and one for the reference data every page reads, so that a page's data built once
is served again until then, and never after (reports/dashboard_cache.py;
docs/decisions/0031).

In the writer's own transaction and as its last writes (aggregates.gathered):
- a province's number moves when approved figures change under it, or under a unit it reads
  in place of its own (a 2025 province before July 2025: aggregates.touched_units);
- then its reports number of a period moves when a report under it of that period, or of a
  period within it, is made, deleted, or changes status (a draft's figures and its version
  do not move it: what its pages show is read from approved figures and reports' statuses).
  A month's page follows its quarter's number (it shows who has reported in its quarter).
  A report of 2025Q3 leaves the pages of 2025Q2 as they were: the quarter being reported is
  not the one its committees read (a dashboard opens on the latest quarter with approved
  figures). A report saved around the write path (the admin) moves its numbers once its
  transaction commits (after_commit).
The reference number moves when units, agencies, lineage, indicators, plans, targets, budget
lines, deadlines, reporting requirements or pillar weights are saved or deleted through the
ORM (signals, connected by `follow_reference`: the move waits for the commit, see
`after_commit`), by the reference loaders (they call `reference_changed` at their end), and
when `build_aggregates` has rewritten the table.
"""

import time
from collections.abc import Callable, Iterable

from django.db import connection, connections, router, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from indicators.models import DataVersion, ReportsVersion
from indicators.periods import PeriodKind, containing, enclosing, parse_period
from units.models import Unit

REFERENCE = 0  # the area of the reference data
# A unit's area in SQL (the unit table as `u`): the province it is or lies in. A unit that is
# neither (none is) has no area; HAS_AREA takes Unit.Level.PROVINCE as its parameter.
AREA = "COALESCE(u.province_id, u.id)"
HAS_AREA = "(u.province_id IS NOT NULL OR u.level = %s)"

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
            f"SELECT DISTINCT {AREA} AS area, %s FROM {units} u "  # noqa: S608
            f"WHERE u.id IN ({marks}) AND {HAS_AREA} ORDER BY area",
            [time.time_ns() // 1000, *ids, Unit.Level.PROVINCE],
        )


def bump_reports(reports: Iterable[tuple[int, str]]) -> None:
    """The reports numbers move on for these reports, (unit id, period id): of the province
    each unit is or lies in, for the report's period and every longer one containing it (a
    year's page shows who has reported in each of its quarters). Found and written by one
    statement, rows locked in ascending order, after the provinces' numbers (bump_units)."""
    pairs = sorted({(unit, longer) for unit, period in reports for longer in containing(period)})
    if pairs:
        units = connection.ops.quote_name(Unit._meta.db_table)
        values = ", ".join(["(%s, %s)"] * len(pairs))
        _move(
            f"SELECT DISTINCT {AREA} AS area, asked.column2, %s "  # noqa: S608
            f"FROM {units} u, (VALUES {values}) asked WHERE u.id = asked.column1 "
            f"AND {HAS_AREA} ORDER BY area, asked.column2",
            [time.time_ns() // 1000, *(v for pair in pairs for v in pair), Unit.Level.PROVINCE],
            model=ReportsVersion,
            key="area, period",
        )


def _move(rows: str, params: list, *, model=DataVersion, key: str = "area") -> None:
    """Insert the rows `rows` gives (the `key` columns, then the number) into `model`'s table,
    or move each existing row's number on (`key`: the columns of its unique constraint)."""
    table = connection.ops.quote_name(model._meta.db_table)
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key}, number) {rows} "
            f"ON CONFLICT ({key}) DO UPDATE SET number = "
            f"{greatest}({table}.number + 1, excluded.number)",
            params,
        )


def reference_changed() -> None:
    bump([REFERENCE])


def read_page(area: int, period_id: str) -> tuple[int, int, int]:
    """What a page of the area and period is built at: the area's number, the reference
    number and the area's reports number of the period, or of its quarter for a month's
    page (which shows who has reported in its quarter: reports are quarterly); 0 for one
    never changed. One query, on the database the page's data is read from (the replica
    within replica_reads(): numbers read from the primary could be newer than the data the
    page is built from, and the stale page would be kept under them)."""
    period = parse_period(period_id)
    if period.kind.rank > PeriodKind.QUARTER.rank:
        period = enclosing(period, PeriodKind.QUARTER)
    database = connections[router.db_for_read(DataVersion)]
    numbers = database.ops.quote_name(DataVersion._meta.db_table)
    reports = database.ops.quote_name(ReportsVersion._meta.db_table)
    with database.cursor() as cursor:
        cursor.execute(
            f"SELECT area, number FROM {numbers} WHERE area IN (%s, %s) "  # noqa: S608
            f"UNION ALL SELECT -1, number FROM {reports} WHERE area = %s AND period = %s",
            [area, REFERENCE, area, period.id],
        )
        found = dict(cursor.fetchall())
    return found.get(area, 0), found.get(REFERENCE, 0), found.get(-1, 0)


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
