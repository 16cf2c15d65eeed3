"""Creating many figures fast on PostgreSQL: COPY into a temporary table, then one INSERT …
RETURNING that writes the figures and their first history records together.

The same rows as bulk_create_with_history would write (figures and their "+" history
records), at COPY speed; the import path uses it for large batches on PostgreSQL and the
ORM elsewhere (SQLite).
"""

import csv
import io

from django.db import connection
from django.utils import timezone

from indicators.cache import approved_written
from indicators.models import Figure

COLUMNS = (
    "unit_id",
    "agency_id",
    "indicator_id",
    "period",
    "period_start",
    "period_end",
    "scope",
    "numerator",
    "denominator",
    "value",
    "status",
    "source",
    "source_on",
    "note",
    "entered_by_id",
)
# Set once for all rows in the INSERT, not written per row.
STAMPS = ("entered_at", "updated_at")
# The history table keeps every column but updated_at (HistoricalRecords excluded_fields).
HISTORY_COLUMNS = (*COLUMNS, "entered_at")


def usable(count: int) -> bool:
    return connection.vendor == "postgresql" and count >= 1000


def copy_create(figures: list[Figure], *, history_user_id: int | None) -> int:
    """Insert `figures` (unsaved) and their history; returns how many were created."""
    now = timezone.now()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for f in figures:
        writer.writerow(
            [
                f.unit_id,
                _null(f.agency_id),
                f.indicator_id,
                f.period,
                f.period_start,
                f.period_end,
                f.scope,
                _null(f.numerator),
                _null(f.denominator),
                f.value,
                f.status,
                f.source,
                _null(f.source_on),
                f.note,
                _null(f.entered_by_id),
            ]
        )
    buffer.seek(0)
    figure_table = Figure._meta.db_table
    history_table = Figure.history.model._meta.db_table
    columns = ", ".join(COLUMNS)
    stamped = ", ".join((*COLUMNS, *STAMPS))
    history = ", ".join(HISTORY_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE figure_copy (LIKE {figure_table} INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        cursor.execute(
            "ALTER TABLE figure_copy DROP COLUMN id, DROP COLUMN entered_at, DROP COLUMN updated_at"
        )
        cursor.cursor.copy_expert(
            f"COPY figure_copy ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
        )
        cursor.execute(
            f"""
            WITH created AS (
                INSERT INTO {figure_table} ({stamped})
                SELECT {columns}, %s, %s FROM figure_copy
                RETURNING id, {history}
            )
            INSERT INTO {history_table}
                (id, {history}, history_date, history_change_reason, history_type,
                 history_user_id)
            SELECT id, {history}, %s, NULL, '+', %s FROM created
            """,  # noqa: S608 - table and column names are constants of this module
            [now, now, now, history_user_id],
        )
        created = cursor.rowcount
        cursor.execute("DROP TABLE figure_copy")
    approved_written(figures)  # raw SQL sends no signals
    return created


def _null(value):
    return "\\N" if value is None else value
