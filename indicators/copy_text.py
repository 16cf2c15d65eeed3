"""COPY's text format (PostgreSQL): values as the lines COPY … FROM STDIN reads, and a
file-like object that makes them as the database reads it. Shared by the figures' writer
(indicators.writes.copy_write, the store's alone) and the live aggregates' (aggregate_table)."""

import functools
import hashlib
from collections.abc import Iterable, Iterator

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


def scratch_table(cursor, name: str, source: str, columns: str) -> str:
    """A temporary table of `source`'s `columns` (no rows) to COPY into, made once per
    connection and kept, emptied at each commit (ON COMMIT DELETE ROWS) and here before
    each use; returns its name. Made and dropped at every write, it cost an approval about
    4 ms and added rows to the system catalogs each time (decision 0039). The name carries a
    digest of the columns: a connection made before a migration changed them makes another
    rather than COPY into an outdated one."""
    digest = hashlib.blake2s(f"{source}({columns})".encode(), digest_size=4).hexdigest()
    table = f"{name}_{digest}"
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {table} ON COMMIT DELETE ROWS AS "  # noqa: S608
        f"SELECT {columns} FROM {source} WITH NO DATA"
    )
    cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - our own names, not values
    return table
