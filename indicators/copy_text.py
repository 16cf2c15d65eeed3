"""COPY's text format (PostgreSQL): values as the lines COPY … FROM STDIN reads, and a
file-like object that makes them as the database reads it; and rows read back by COPY …
TO STDOUT into a frame (copy_frame). Shared by the figures' writer
(indicators.writes.copy_write, the store's alone) and the live aggregates' (aggregate_table)."""

import functools
import hashlib
import io
from collections.abc import Iterable, Iterator, Sequence

import pandas as pd
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections

NULL = "\\N"
COPY_CHUNK = 64 * 1024  # characters handed to the database at a time


class LineStream:
    """A file for COPY to read: the lines are made as it reads them."""

    def __init__(self, lines: Iterator[str]):
        self._lines = lines

    def read(self, size: int = -1) -> str:
        parts, length = [], 0
        for line in self._lines:
            parts.append(line)
            length += len(line)
            if 0 <= size <= length:
                break
        return "".join(parts)  # "" once every line is read: the end of the file


def copy_line(values: Iterable) -> str:
    """Values (text, numbers, booleans, None) as one line of COPY's text format."""
    return "\t".join(text(v) for v in values) + "\n"


def nullable(value) -> str:
    return NULL if value is None else str(value)


def text(value) -> str:
    """Any value as COPY's text format reads it."""
    return escape(value) if isinstance(value, str) else nullable(value)


@functools.lru_cache(maxsize=4096)  # sources and notes repeat: each escaped once
def escape(value: str) -> str:
    """A text value as COPY's text format reads it: backslash, tab and line ends escaped."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def scratch_table(cursor, name: str, model, columns: str, *, rows: int) -> str:
    """A temporary table of `model`'s `columns` (no rows) to COPY about `rows` rows into,
    made once per connection and kept, emptied at each commit (ON COMMIT DELETE ROWS) and
    here before each use; returns its name. Made and dropped at every write, it cost an
    approval about 4 ms and added rows to the system catalogs each time (decision 0039).
    The name carries a digest of the columns and their types: a connection made before a
    migration changed them makes another rather than COPY into an outdated one. Emptied by
    DELETE for a few rows (0.04 ms); by TRUNCATE (0.3 ms) before a large batch, so that a
    transaction writing many (build_aggregates' batches of 20,000) never reads through the
    dead rows of the ones before."""
    source = model._meta.db_table
    types = {f.column: f.db_type(connection) for f in model._meta.concrete_fields}
    shape = ", ".join(f"{c} {types[c]}" for c in (c.strip() for c in columns.split(",")))
    digest = hashlib.blake2s(f"{source}({shape})".encode(), digest_size=4).hexdigest()
    table = f"{name}_{digest}"
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {table} ON COMMIT DELETE ROWS AS "  # noqa: S608
        f"SELECT {columns} FROM {source} WITH NO DATA"
    )
    # (Our own names, not values.)
    cursor.execute(f"TRUNCATE {table}" if rows >= LARGE_BATCH else f"DELETE FROM {table}")  # noqa: S608
    return table


LARGE_BATCH = 2000


def copy_frame(
    rows,
    columns: Sequence[str],
    *,
    floats: Sequence[str] = (),
    booleans: Sequence[str] = (),
    texts: Sequence[str] = (),
) -> pd.DataFrame:
    """The rows of a values_list queryset as a frame, `columns` naming its fields. On
    PostgreSQL they are read by COPY (…) TO STDOUT as CSV and parsed by pandas in C: for an
    approval's 10,000 stored rows of districts, 16 fields each, psycopg2 made 160,000
    Python objects (about 35 ms) where reading them took 10 (decision 0039). The floats
    are parsed exactly (pandas 3's parser: the same floats psycopg2 makes); `booleans`
    read from t and f; `texts` kept as strings (a period "2025" is not a number), empty
    ones too; a NULL only in `floats` (NaN); the other columns are integers. On SQLite,
    pandas reads the queryset as it is."""
    database = connections[rows.db]
    if database.vendor != "postgresql":
        frame = pd.DataFrame.from_records(rows, columns=list(columns))
        return frame.astype({name: float for name in floats})
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # nothing asked for (an empty list of units)
        return pd.DataFrame(columns=list(columns))
    buffer = io.StringIO()
    with database.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode()
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", buffer)
    if not buffer.tell():
        return pd.DataFrame(columns=list(columns))
    buffer.seek(0)
    return pd.read_csv(
        buffer,
        names=list(columns),
        header=None,
        keep_default_na=False,
        na_values={name: [""] for name in floats},
        dtype={**{name: float for name in floats}, **{name: str for name in texts}},
        converters={name: _BOOLEAN.__getitem__ for name in booleans},
    )


_BOOLEAN = {"t": True, "f": False}
