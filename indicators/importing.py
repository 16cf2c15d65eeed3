"""Reading figure files as people really fill them: CSV (UTF-8, with or without a byte-order
mark, or Windows-1258) or XLSX, Vietnamese headers and number formats, the usual spellings
of periods. Pure: no database. What a row means is checked later, by indicators.validation
through indicators.writes.bulk, like every other way figures come in.

The file's content says what it is, never its name (egov_portal/upload_files.py). XLSX
cells are read as the file last saved them, never evaluated, and within the bounds of
egov_portal/spreadsheets.py; a file is refused past IMPORT_MAX_ROWS rows of figures, whatever
it is. The apostrophe an export puts before a text that would run as a formula is taken off
again (egov_portal/spreadsheet_cells.py).
"""

import csv
import datetime
import functools
import io
import itertools
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov_portal.spreadsheet_cells import restored
from egov_portal.spreadsheets import (
    FORMULA_WITHOUT_VALUE_CELL,
    HEADER_ROWS,
    ImportFileError,
    max_rows,
    too_many_rows,
    xlsx_rows,
)
from egov_portal.text import excerpt, nfc
from egov_portal.upload_files import check_size, file_kind
from indicators.periods import PeriodError, parse_period
from indicators.services import FigureInput, RowError
from indicators.validation import (
    PLAIN_NUMBER,
    THOUSANDS_DOT,
    approximate_flag,
    number_text_check,
    yes_no_word,
)
from indicators.validation import parse_number as validation_parse_number
from units.names import fold

COLUMNS = (
    "unit_code",
    "on",
    "agency",
    "indicator",
    "period",
    "scope",
    "value",
    "numerator",
    "denominator",
    "approximate",
    "source",
    "source_on",
    "note",
)
REQUIRED = ("unit_code", "indicator", "period")
# Columns templates and exports carry for the reader's sake; an import ignores them quietly.
INFO_COLUMNS = (
    "unit_name",
    "indicator_name",
    "definition",
    "value_type",
    "previous_value",
    "previous_period",
    "target",
    "status",
)
# Headers as officials write them (folded: lower case, no tone marks) → the column.
ALIASES = {
    "ma don vi": "unit_code",
    "ma dvhc": "unit_code",
    "unit": "unit_code",
    "ngay": "on",
    "unit_on": "on",
    "co quan": "agency",
    "ma chi tieu": "indicator",
    "chi tieu": "indicator",
    "ky": "period",
    "ky bao cao": "period",
    "pham vi": "scope",
    "gia tri": "value",
    "ty le": "value",
    "tu so": "numerator",
    "mau so": "denominator",
    "gan dung": "approximate",
    "so gan dung": "approximate",
    "khoang": "approximate",
    "nguon": "source",
    "ngay cua nguon": "source_on",
    "ghi chu": "note",
}


@dataclass
class ReadFile:
    inputs: list[FigureInput]
    errors: list[RowError] = field(default_factory=list)  # rows that could not be read
    notices: list[str] = field(default_factory=list)  # e.g. columns ignored
    sheet: str = ""


def read_figures(data: bytes) -> ReadFile:
    """The figures of a CSV or XLSX file (told apart by content, not by name)."""
    check_size(len(data))
    if not data.strip():
        raise ImportFileError(_("Tệp trống."))
    if file_kind(data) == "xlsx":
        sheet, rows = _xlsx_rows(data)
    else:
        sheet, rows = "", _csv_rows(data)
    try:
        return _figures_from_rows(rows, sheet, limit=max_rows())
    except csv.Error as exc:  # read row by row: a broken line shows up here
        raise ImportFileError(_("Không đọc được tệp CSV: %(error)s") % {"error": exc}) from None


def read_records(records: list[dict]) -> ReadFile:
    """The figures of JSON objects (the bulk API), read with the same rules as a file's rows;
    rows are numbered from 1."""
    if len(records) > max_rows():
        raise too_many_rows(max_rows())
    result = ReadFile(inputs=[])
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            result.errors.append(RowError(number, "row", _("Mỗi dòng phải là một đối tượng JSON.")))
            continue
        cleaned = {_column(k): ("" if v is None else str(v)) for k, v in record.items()}
        item, problems = _input({k: v for k, v in cleaned.items() if k in COLUMNS}, number)
        if problems:
            result.errors.extend(problems)
        else:
            result.inputs.append(item)
    return result


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1258 decodes almost anything
        raise ImportFileError(_("Không đọc được tệp: không phải UTF-8 hay Windows-1258."))
    text = unicodedata.normalize("NFC", text)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    return enumerate(reader, start=1)  # row by row: a large file is never held as lists


def _xlsx_rows(data: bytes) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    """Cell values as the file last saved them; a formula with no saved value is an error."""
    sheet, rows = xlsx_rows(data)
    return sheet, ((number, _cell_texts(values)) for number, values in rows)


def _cell_texts(values: tuple) -> list[str]:
    end = len(values)
    while end and values[end - 1] is None:  # a row is read as wide as any sheet may be
        end -= 1
    return [_cell_text(value) for value in values[:end]]


_FORMULA_WITHOUT_VALUE = FORMULA_WITHOUT_VALUE_CELL
FORMULA_WITHOUT_VALUE = gettext_lazy(
    "Ô có công thức nhưng tệp không lưu giá trị tính sẵn: mở tệp bằng Excel và lưu lại."
)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value).strip()


def _figures_from_rows(rows, sheet: str, *, limit: int) -> ReadFile:
    """The figures of rows of text; raises ImportFileError for a file without the columns
    needed, and TooManyRows past `limit` rows of figures (read no further)."""
    rows = iter(rows)
    # The header is the first row with a known column (templates put titles above it), among
    # the first few: a file without one is not read to its end to say so.
    titles = next(
        (
            row
            for _n, row in itertools.islice(rows, HEADER_ROWS)
            if any(_column(c) in COLUMNS for c in row)
        ),
        None,
    )
    if titles is None:
        raise ImportFileError(
            _("Không thấy dòng tiêu đề: cần các cột %(columns)s.")
            % {"columns": ", ".join(REQUIRED)}
        )
    header = [_column(c) for c in titles]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFileError(_("Thiếu cột %(columns)s.") % {"columns": ", ".join(missing)})
    if "value" not in header and not {"numerator", "denominator"} <= set(header):
        raise ImportFileError(_("Cần cột value, hoặc cả numerator và denominator."))
    result = ReadFile(inputs=[], sheet=sheet)
    extra = [
        h
        for h in titles
        if h.strip() and _column(h) not in COLUMNS and _column(h) not in INFO_COLUMNS
    ]
    if extra:
        result.notices.append(
            _("Bỏ qua các cột không dùng: %(columns)s.") % {"columns": ", ".join(extra)}
        )
    kept = [(i, name) for i, name in enumerate(header) if name in COLUMNS]
    full = max(i for i, _name in kept) + 1
    read = 0
    for number, row in rows:  # those after the header
        # restored: a cell the portal's own export made inert (a source "'=…") reads as it
        # was stored, so that an export imports back unchanged.
        if len(row) >= full:
            record = {name: restored(row[i]) for i, name in kept}
        else:
            record = {name: (restored(row[i]) if i < len(row) else "") for i, name in kept}
        if not "".join(record.values()).strip():
            continue  # blank lines between blocks are common
        read += 1
        if read > limit:
            raise too_many_rows(limit)
        item, problems = _input(record, number)
        if problems:
            result.errors.extend(problems)
        else:
            result.inputs.append(item)
    if not result.inputs and not result.errors:
        raise ImportFileError(_("Tệp không có dòng số liệu nào."))
    return result


def _column(header) -> str:
    text = str(header or "").strip()
    if text in COLUMNS:
        return text
    folded = fold(text).strip()
    spaced = folded.replace("_", " ")
    return ALIASES.get(folded) or ALIASES.get(spaced) or spaced.replace(" ", "_")


NUL_IN_TEXT = gettext_lazy("Ô có ký tự NUL (mã 0), không phải văn bản: xóa ký tự đó.")
NOT_TEXT = gettext_lazy("Ô có ký tự không phải văn bản (nửa cặp UTF-16): xóa ký tự đó.")
# A lone UTF-16 surrogate: JSON may carry one ("\ud800"), no text encoding can store it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _input(record: dict, row: int) -> tuple[FigureInput | None, list[RowError]]:
    """One row's figure, its text read as people write it; or what could not be read."""
    problems = []
    if _FORMULA_WITHOUT_VALUE in record.values():
        for column, value in record.items():
            if value == _FORMULA_WITHOUT_VALUE:
                problems.append(RowError(row, column, str(FORMULA_WITHOUT_VALUE)))
        return None, problems
    # A CSV has no NUL (file_kind refuses it), but a JSON string or an XLSX cell (_x0000_)
    # can, and PostgreSQL refuses it in text with the whole request. (The row's text looked
    # at once, then cell by cell only where it holds one: 100,000 rows a file.)
    joined = "".join(record.values())
    if "\x00" in joined or _SURROGATE.search(joined):
        for column, value in record.items():
            if "\x00" in value:
                problems.append(RowError(row, column, str(NUL_IN_TEXT)))
            elif _SURROGATE.search(value):
                problems.append(RowError(row, column, str(NOT_TEXT)))
        return None, problems
    # JSON and XLSX text as well as CSV's (read_figures normalises the whole file): an
    # agency name typed decomposed must find the agency stored composed.
    if not joined.isascii():
        record = {column: nfc(value) for column, value in record.items()}
    get = record.get
    try:
        period = normalise_period(get("period", ""))
    except ValueError as exc:
        problems.append(RowError(row, "period", str(exc)))
    numbers = {}
    for column in ("value", "numerator", "denominator"):
        try:
            numbers[column] = parse_number(get(column, ""))
        except ValueError as exc:
            problems.append(RowError(row, column, str(exc)))
    dates = {}
    for column in ("on", "source_on"):
        try:
            dates[column] = parse_day(get(column, ""))
        except ValueError as exc:
            problems.append(RowError(row, column, str(exc)))
    try:
        approximate = approximate_flag(get("approximate", ""))
    except ValueError as exc:
        problems.append(RowError(row, "approximate", str(exc)))
    if problems:
        return None, problems
    return (
        # The texts repeat from row to row (a commune's 49 indicators, the same period,
        # source and note): one string each, not one a row (17 MB of a 100,000-row import).
        FigureInput(
            unit_code=sys.intern(get("unit_code", "").strip()),
            unit_on=dates["on"],
            agency=sys.intern(get("agency", "").strip()),
            indicator=sys.intern(get("indicator", "").strip().upper()),
            period=sys.intern(period),
            scope=sys.intern(get("scope", "").strip() or "self"),
            value=numbers["value"],
            numerator=numbers["numerator"],
            denominator=numbers["denominator"],
            approximate=approximate,
            source=sys.intern(get("source", "").strip()),
            source_on=dates["source_on"],
            note=sys.intern(get("note", "").strip()),
            row=row,
        ),
        [],
    )


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_QUARTER_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-/ ]?\s*q([1-4])$"),  # 2021Q3, 2021-Q3, 2021 Q3
    re.compile(r"^q([1-4])\s*[-/ ]\s*(\d{4})$"),  # Q3/2021, Q3-2021, Q3 2021
    re.compile(
        r"^quy\s*([1-4]|i{1,3}|iv)\s*[-/ ]\s*(?:nam\s*)?(\d{4})$"
    ),  # Quý 3/2021, quý III/2021
)
_HALF_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-/ ]?\s*[sh]([12])$"),  # 2021S1, 2021-H1
    re.compile(r"^[sh]([12])\s*[-/ ]\s*(\d{4})$"),  # S1/2021, H2 2021
)
_MONTH_PATTERNS = (
    re.compile(r"^(\d{4})[-/](\d{1,2})$"),  # 2021-07, 2021/7
    re.compile(r"^(?:thang\s*)?(\d{1,2})[-/](\d{4})$"),  # 07/2021, tháng 7/2021
)


# Longer than any spelling of a period ("tháng 07 năm 2021"): not kept in the cache below.
PERIOD_MAX_LENGTH = 40
PERIOD_UNCLEAR = gettext_lazy(
    "Kỳ «%(period)s» không rõ: viết như 2021Q3, Q3/2021, Quý 3/2021, 07/2021 hoặc 2021."
)


def normalise_period(text: str) -> str:
    """A period id from the common spellings: "2021Q3", "Q3/2021", "2021-Q3", "Quý 3/2021",
    "quý III/2021", "S1/2021", "07/2021", "2021-07", "2021". Ambiguous or unknown spellings
    are refused with the accepted forms."""
    raw = str(text or "").strip()
    if len(raw) > PERIOD_MAX_LENGTH:
        raise ValueError(str(PERIOD_UNCLEAR) % {"period": excerpt(raw)})
    return _normalise_period(raw)


@functools.lru_cache(maxsize=512)
def _normalise_period(raw: str) -> str:
    folded = fold(raw).replace(".", "").strip()
    candidate = None
    if re.fullmatch(r"\d{4}(q[1-4]|s[12]|\d{2})?", folded):
        candidate = folded.upper()
    for pattern in _QUARTER_PATTERNS:
        match = pattern.match(folded)
        if match:
            a, b = match.groups()
            year, quarter = (a, b) if len(a) == 4 else (b, a)
            quarter = str(_ROMAN.get(quarter, quarter))
            candidate = f"{year}Q{quarter}"
    for pattern in _HALF_PATTERNS:
        match = pattern.match(folded)
        if match:
            a, b = match.groups()
            year, half = (a, b) if len(a) == 4 else (b, a)
            candidate = f"{year}S{half}"
    for pattern in _MONTH_PATTERNS:
        match = pattern.match(folded)
        if match:
            a, b = match.groups()
            year, month = (a, b) if len(a) == 4 else (b, a)
            if 1 <= int(month) <= 12:
                candidate = f"{year}{int(month):02d}"
    if candidate is None:
        raise ValueError(str(PERIOD_UNCLEAR) % {"period": raw})
    try:
        return parse_period(candidate).id
    except PeriodError:
        raise ValueError(_("Kỳ «%(period)s» không hợp lệ.") % {"period": raw}) from None


def parse_number(text) -> str:
    """A number as Vietnamese sheets write it, as a plain decimal string ("" when empty):
    "12,5" → 12.5; "1.234" → 1234; "1.234,5" → 1234.5; "1,234.5" → 1234.5; "85%" → 85;
    read by indicators.validation.parse_number, the one reading of numbers. A yes/no word
    ("Có", "không") is kept as it is, for the indicator's check (yes/no indicators take it).
    Raises ValueError for text that is not a number, or one the figure columns cannot hold
    (too long, too large, too many places): by its size, before it is written out."""
    raw = str(text or "").strip()
    number_text_check(raw)  # before the cache, which would keep a long text
    return _parse_number(raw)


@functools.lru_cache(maxsize=4096)  # a sheet repeats its few values
def _parse_number(raw: str) -> str:
    if yes_no_word(raw) is not None:
        return raw
    if PLAIN_NUMBER.fullmatch(raw) and not THOUSANDS_DOT.match(raw):
        return raw  # the common case, as machines write it: checked with the figure
    number = validation_parse_number(raw)
    # format() writes the number out: parse_number checked its size first.
    return "" if number is None else format(number, "f")


@functools.lru_cache(maxsize=512)
def parse_day(text):
    """A date written 2021-07-31 or 31/07/2021 (None when empty)."""
    raw = str(text or "").strip()[:10]
    if not raw:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ValueError(
        _("«%(value)s» không phải ngày (31/07/2021 hoặc 2021-07-31).") % {"value": raw}
    )
