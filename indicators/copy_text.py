"""COPY's text format (PostgreSQL): values as the lines COPY … FROM STDIN reads, and a
file-like object that makes them as the database reads it. Shared by the figures' writer
(indicators.writes.copy_write, the store's alone) and the live aggregates' (aggregate_table)."""

import functools
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
