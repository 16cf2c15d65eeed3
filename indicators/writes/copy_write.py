"""Writing many figures fast on PostgreSQL, by COPY, with their history.

copy_create: the new figures' ids taken from the sequence in one query, then one COPY into
the figures table, and their history ("+" records) copied from the rows stored, by one
INSERT … SELECT. copy_update: the changed
columns COPYed into a temporary table, then one UPDATE … FROM it whose RETURNING writes the
"~" history records. The same rows as simple-history's bulk_create_with_history and
bulk_update_with_history would write, at COPY speed; indicators.writes.store uses them for large
batches on PostgreSQL, and plainer statements elsewhere (SQLite, small files):
docs/decisions/0010. Only indicators.writes.store calls them: it tells the live aggregates.
"""

from collections.abc import Iterable, Iterator

from django.db import connection, transaction
from django.utils import timezone

from indicators.copy_text import COPY_CHUNK, LineStream, escape, nullable, scratch_table, text
from indicators.models import FIGURE_WRITABLE, Figure

# The columns both tables share, in the order each line carries them.
COLUMNS = (
    "id",
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
    "is_approximate",
    "status",
    "source",
    "source_on",
    "note",
    "entered_by_id",
    "entered_at",
)
# The figure's own last column; the history keeps every column but updated_at
# (HistoricalRecords excluded_fields) and adds its own.
FIGURE_COLUMNS = (*COLUMNS, "updated_at")
HISTORY_COLUMNS = (*COLUMNS, "history_date", "history_type", "history_user_id")


def usable(count: int, *, least: int = 1000) -> bool:
    return connection.vendor == "postgresql" and count >= least


# Changed figures go by COPY from this many: an approval's 51, with their history, took
# 11 ms less than an UPDATE statement per figure and simple_history's bulk_history_create
# (the COPY's fixed price, a temporary table emptied, filled and analysed, is about 2 ms).
UPDATE_BY_COPY = 20


def copy_create(figures: Iterable, *, count: int, history_user_id: int | None) -> list:
    """Insert the figures `figures` yields, at most `count` (unsaved Figures, or rows with
    the same attributes), and their history; returns those created.

    `figures` may be a generator that checks rows as it goes: the database stores what it
    has yielded while it makes the next, and an error it raises aborts the COPY."""
    now = timezone.now().isoformat()
    figure_table = Figure._meta.db_table
    history_table = Figure.history.model._meta.db_table
    created: list = []

    def kept(rows: Iterable) -> Iterator:
        for row in rows:
            created.append(row)
            yield row

    with connection.cursor() as cursor, connection.wrap_database_errors:
        # Ids for as many rows as may come; those not used are a gap in the sequence.
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [figure_table])
        sequence = cursor.fetchone()[0]
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
        )
        ids = [row[0] for row in cursor.fetchall()]
        # Each COPY reads its lines as they are made: the database stores the first rows
        # while the next are written, and the text of all rows is never held at once.
        figure_lines = (f"{line}\t{now}\n" for line in _lines(kept(figures), ids, now))
        cursor.cursor.copy_expert(
            f"COPY {figure_table} ({', '.join(FIGURE_COLUMNS)}) FROM STDIN",
            LineStream(figure_lines),
            size=COPY_CHUNK,
        )
        if created:
            # Their history from the rows just stored, by the database: the same columns, no
            # second text of every row made here and sent (a 100,000-row import: 0.45 s in
            # the database, where the second COPY took 0.62, and no text to make).
            shared = ", ".join(COLUMNS)
            stored = ids[: len(created)]
            if stored[-1] - stored[0] == len(stored) - 1:  # one run of the sequence
                which, params = "id BETWEEN %s AND %s", [stored[0], stored[-1]]
            else:  # another writer took ids meanwhile
                which, params = "id = ANY(%s)", [stored]
            cursor.execute(
                f"INSERT INTO {history_table} ({', '.join(HISTORY_COLUMNS)})"  # noqa: S608
                f" SELECT {shared}, %s, '+', %s FROM {figure_table}"
                f" WHERE {which} ORDER BY id",
                [now, history_user_id, *params],
            )
    return created


def _lines(figures: Iterable, ids: list[int], now: str) -> Iterator[str]:
    """Each figure's shared columns as one line of COPY's text format (without its end)."""
    return (
        "\t".join(
            (
                str(ids[n]),  # an IndexError if more figures come than ids were taken
                str(f.unit_id),
                nullable(f.agency_id),
                str(f.indicator_id),
                f.period,
                str(f.period_start),
                str(f.period_end),
                f.scope,
                nullable(f.numerator),
                nullable(f.denominator),
                str(f.value),
                "t" if f.is_approximate else "f",
                f.status,
                escape(f.source),
                nullable(f.source_on),
                escape(f.note),
                nullable(f.entered_by_id),
                now,
            )
        )
        for n, f in enumerate(figures)
    )


def copy_update(figures: list[Figure], *, history_user_id: int | None, now=None) -> int:
    """Store the FIGURE_WRITABLE columns of `figures` (stored figures, changed in memory) and
    their history, updated at `now` (default: now); returns how many were updated."""
    if not figures:
        return 0
    now = now or timezone.now()
    figure_table = Figure._meta.db_table
    history_table = Figure.history.model._meta.db_table
    lines = (
        "\t".join([str(f.pk), *(text(getattr(f, c)) for c in FIGURE_WRITABLE)]) + "\n"
        for f in figures
    )
    changes = ", ".join(f"{c} = u.{c}" for c in FIGURE_WRITABLE)
    history = ", ".join(COLUMNS)
    # In a transaction of its own if there is none: in autocommit the temporary table would
    # be emptied as soon as it is filled.
    with (
        transaction.atomic(savepoint=False),
        connection.cursor() as cursor,
        connection.wrap_database_errors,
    ):
        columns = ", ".join(FIGURE_WRITABLE)  # in the order of the lines
        scratch = scratch_table(
            cursor, "figure_update", Figure, f"id, {columns}", rows=len(figures)
        )
        cursor.cursor.copy_expert(
            f"COPY {scratch} (id, {columns}) FROM STDIN",
            LineStream(lines),
            size=COPY_CHUNK,
        )
        cursor.execute(f"ANALYZE {scratch}")  # its size, for the join's plan
        # The history as simple_history's bulk_history_create writes a change: its reason
        # empty (a creation's is NULL, as copy_create leaves it).
        cursor.execute(
            f"""
            WITH changed AS (
                UPDATE {figure_table} f SET {changes}, updated_at = %s
                FROM {scratch} u WHERE f.id = u.id
                RETURNING {", ".join(f"f.{c}" for c in COLUMNS)}
            )
            INSERT INTO {history_table} ({history}, history_date, history_type, history_user_id,
                history_change_reason)
            SELECT {history}, %s, '~', %s, '' FROM changed
            """,  # noqa: S608 - table and column names are constants of this module
            [now, now, history_user_id],
        )
        updated = cursor.rowcount
    return updated
