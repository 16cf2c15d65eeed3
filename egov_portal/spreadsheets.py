"""Spreadsheets read within fixed bounds, whatever the file says about itself.

An XLSX is a ZIP of XML parts, and openpyxl, even in read-only mode, keeps some of what it
parses: every shared string, the styles as a tree, one emptied element per row read so far
(with a dictionary for each row that has a height or a style), and whatever it does not
expect in a sheet. A workbook of a few kilobytes can declare a sheet of a million rows by
16,384 columns, hold a million real rows in 0.5 MB, or unpack to millions of tiny XML
elements; a worker reading it grows until it is killed (issue 16, item 2).

So before openpyxl opens a workbook, `xlsx_scan` streams every XML part through expat, which
builds nothing, counting what openpyxl would keep, and refuses the file as soon as a count
passes its bound: rows with a value, rows at all, columns used or declared, elements in a
row, shared strings and their characters, elements anywhere else. Only then is one sheet read
(`xlsx_rows`), streamed, blank rows skipped as they come. The bounds follow IMPORT_MAX_ROWS
and IMPORT_MAX_COLUMNS; docs/decisions/0011-import-limits.md says why they are what they are.
"""

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.parsers import expat

import openpyxl
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, range_boundaries


class ImportFileError(ValueError):
    """The whole file cannot be read: empty, too big, wrong columns, not CSV or XLSX."""


class TooManyRows(ImportFileError):
    """The file has (or declares) more rows of figures than an import takes."""


# Rows a sheet may have besides its figures: the header and the titles templates put above it
# (indicators.importing looks for the header among them).
HEADER_ROWS = 20
# Rows without a value that a sheet may hold besides (Excel keeps a row whose cells were
# emptied but kept their format, or height): openpyxl keeps about 500 bytes of such a row.
EMPTY_ROWS = 20_000
# Excel's last row: a row numbered beyond it is no spreadsheet's, and openpyxl would make up
# every empty row before it.
LAST_ROW = 1_048_576
# XML elements in one row, for each column allowed: a cell is <c>, <v> or <f>, <is><t>…
ELEMENTS_PER_COLUMN = 8
# Shared strings (and their characters) for each row a sheet may have: a row's note and
# source may be text of their own; codes and names repeat.
STRINGS_PER_ROW = 2
STRING_CHARACTERS_PER_ROW = 100
# Characters of one cell's text: Excel's own limit (openpyxl holds a row's cells whole).
CELL_CHARACTERS = 32_767
# Characters of a part outside cells' text and shared strings: the whitespace between
# elements, mostly (a few per element); openpyxl keeps it as it parses.
OTHER_CHARACTERS = 5_000_000
# XML elements in one shared string (a run of rich text is its text and its format).
STRING_ELEMENTS = 1_000
# Elements of one part outside rows and shared strings (styles, merged cells, columns…):
# openpyxl keeps them all, up to 800 bytes each for a cell format (40 MB at the bound).
PART_ELEMENTS = 50_000
# Cells with a formula but no value saved (each is an error of its row): a file with more was
# written by a program that does not compute, and has to be opened and saved in Excel.
FORMULAS_WITHOUT_VALUE = 1_000

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW, _CELL, _VALUE, _FORMULA = f"{MAIN} row", f"{MAIN} c", f"{MAIN} v", f"{MAIN} f"
_TEXT, _STRING, _DIMENSION = f"{MAIN} t", f"{MAIN} si", f"{MAIN} dimension"

BROKEN_XLSX = gettext_lazy("Tệp XLSX bị hỏng, không mở được.")
CANNOT_READ_XLSX = gettext_lazy("Không đọc được tệp XLSX: %(error)s")
TOO_MANY_ROWS = gettext_lazy(
    "Tệp có hơn %(limit)s dòng số liệu, quá giới hạn của một lần nhập: chia thành nhiều tệp, "
    "mỗi tệp tối đa %(limit)s dòng."
)
DECLARED_TOO_BIG = gettext_lazy(
    "Bảng tính khai báo vùng dữ liệu %(range)s (%(rows)s dòng, %(columns)s cột), quá giới hạn "
    "%(limit)s dòng số liệu và %(column_limit)s cột: xóa các dòng, cột thừa rồi lưu lại."
)
COLUMN_TOO_FAR = gettext_lazy(
    "Bảng tính có dữ liệu ở cột %(column)s, quá giới hạn %(limit)s cột: xóa các cột thừa rồi "
    "lưu lại."
)
ROW_TOO_FAR = gettext_lazy(
    "Bảng tính có dòng số %(row)s, quá dòng cuối cùng Excel cho phép (%(limit)s)."
)
TOO_MANY_EMPTY_ROWS = gettext_lazy(
    "Bảng tính có hơn %(limit)s dòng trống còn giữ định dạng: xóa các dòng thừa rồi lưu lại."
)
TOO_COMPLEX = gettext_lazy(
    "Phần %(part)s của tệp XLSX quá lớn hoặc có cấu trúc bất thường (%(what)s), không đọc "
    "tiếp: mở tệp bằng Excel và lưu lại."
)
WHAT_ROW = gettext_lazy("hơn %(limit)s phần tử XML trong một dòng")
WHAT_STRING = gettext_lazy("hơn %(limit)s phần tử XML trong một chuỗi")
WHAT_STRINGS = gettext_lazy("hơn %(limit)s chuỗi dùng chung")
WHAT_CHARACTERS = gettext_lazy("hơn %(limit)s ký tự trong các chuỗi dùng chung")
WHAT_ELEMENTS = gettext_lazy("hơn %(limit)s phần tử XML")
WHAT_CELL_CHARACTERS = gettext_lazy("một ô có hơn %(limit)s ký tự")
WHAT_OTHER_CHARACTERS = gettext_lazy("hơn %(limit)s ký tự ngoài các ô")
WHAT_DOCTYPE = gettext_lazy("khai báo DOCTYPE, điều Excel không bao giờ ghi")
TOO_MANY_FORMULAS = gettext_lazy(
    "Tệp có hơn %(limit)s ô công thức không lưu giá trị tính sẵn: mở tệp bằng Excel và lưu lại."
)


def max_rows() -> int:
    """Rows of figures one import takes (IMPORT_MAX_ROWS)."""
    return int(getattr(settings, "IMPORT_MAX_ROWS", 100_000))


def max_columns() -> int:
    """Columns a sheet may use (IMPORT_MAX_COLUMNS)."""
    return int(getattr(settings, "IMPORT_MAX_COLUMNS", 100))


def _n(number: int) -> str:
    return number_format(number, force_grouping=True)


def too_many_rows(limit: int) -> TooManyRows:
    return TooManyRows(str(TOO_MANY_ROWS) % {"limit": _n(limit)})


@dataclass
class XlsxScan:
    """What the scan of a workbook found: the most rows with a value in any sheet, and each
    sheet part's cells that hold a formula without a saved value, as (row, column)."""

    rows: int = 0
    formulas: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    formulas_found: int = 0


def xlsx_scan(data: bytes) -> XlsxScan:
    """Stream every XML part of a workbook, in constant memory, through the bounds above;
    raises TooManyRows or ImportFileError for the first bound passed."""
    scan = XlsxScan()
    limits = _Limits.now()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                with archive.open(member) as source:
                    _Part(member.filename, limits, scan).read(source)
    except ImportFileError:
        raise
    except Exception:  # not XML, a bad cell reference, a bad CRC, an encrypted part…
        raise ImportFileError(str(BROKEN_XLSX)) from None
    return scan


@dataclass(frozen=True)
class _Limits:
    rows: int  # rows of figures
    columns: int

    @classmethod
    def now(cls) -> "_Limits":
        return cls(rows=max_rows(), columns=max_columns())

    @property
    def sheet_rows(self) -> int:
        return self.rows + HEADER_ROWS


class _Part:
    """One part of the archive, through expat: only what the bounds need is kept."""

    def __init__(self, name: str, limits: _Limits, scan: XlsxScan):
        self.name, self.limits, self.scan = name, limits, scan
        self.rows = self.row_elements = self.elements = 0
        self.strings = self.characters = 0
        self.cell_characters = self.other_characters = 0
        self.row = self.column = 0
        self.in_row = self.in_string = False
        self.row_has_value = False
        self.inner_elements = 0  # in the current row, or shared string
        self.cell_formula = self.cell_value = False
        self.in_text = False  # in a cell's <v>, or its inline <t>

    def read(self, source) -> None:
        head = source.read(1 << 16)
        # Only XML is parsed by openpyxl (images and other binary parts are copied, or
        # ignored): a part that does not start as XML does is left alone.
        if not head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00").startswith(b"<"):
            return
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = self.doctype
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters_read
        chunk = head
        while chunk:
            parser.Parse(chunk, False)
            chunk = source.read(1 << 16)
        parser.Parse(b"", True)

    def refuse(self, what, limit: int | None = None) -> ImportFileError:
        what = str(what) % {"limit": _n(limit)} if limit is not None else str(what)
        return ImportFileError(str(TOO_COMPLEX) % {"part": self.name, "what": what})

    def doctype(self, *_args) -> None:
        # A DOCTYPE is where entities are declared (the "billion laughs"); no part of a
        # workbook Excel saves has one.
        raise self.refuse(WHAT_DOCTYPE)

    def start(self, name: str, attributes: dict) -> None:
        if self.in_row:
            self.inner_elements += 1
            if self.inner_elements > self.limits.columns * ELEMENTS_PER_COLUMN:
                raise self.refuse(WHAT_ROW, self.limits.columns * ELEMENTS_PER_COLUMN)
            if name == _CELL:
                self.cell_start(attributes)
            elif name in (_VALUE, _TEXT):
                self.in_text = True
            elif name == _FORMULA:
                self.cell_formula = True
        elif self.in_string:
            self.inner_elements += 1  # runs of rich text, each with its format
            if self.inner_elements > STRING_ELEMENTS:
                raise self.refuse(WHAT_STRING, STRING_ELEMENTS)
        elif name == _ROW:
            self.row_start(attributes)
        elif name == _STRING:
            self.strings += 1
            limit = self.limits.sheet_rows * STRINGS_PER_ROW
            if self.strings > limit:
                raise self.refuse(WHAT_STRINGS, limit)
            self.in_string, self.inner_elements = True, 0
        else:
            self.elements += 1
            if self.elements > PART_ELEMENTS:
                raise self.refuse(WHAT_ELEMENTS, PART_ELEMENTS)
            if name == _DIMENSION:
                self.dimension(attributes.get("ref", ""))

    def end(self, name: str) -> None:
        self.in_text = False
        if name == _CELL and self.in_row:
            self.cell_end()
        elif name == _ROW and self.in_row:
            self.in_row = False
            if self.row_has_value:
                self.rows += 1
                self.scan.rows = max(self.scan.rows, self.rows)
                if self.rows > self.limits.sheet_rows:
                    raise too_many_rows(self.limits.rows)
        elif name == _STRING and self.in_string:
            self.in_string = False

    def characters_read(self, text: str) -> None:
        if self.in_string:
            self.characters += len(text)
            limit = self.limits.sheet_rows * STRING_CHARACTERS_PER_ROW
            if self.characters > limit:
                raise self.refuse(WHAT_CHARACTERS, limit)
        elif self.in_text:
            # openpyxl reads any text as a value, even spaces.
            self.cell_value = self.cell_value or bool(text)
            self.cell_characters += len(text)
            if self.cell_characters > CELL_CHARACTERS:
                raise self.refuse(WHAT_CELL_CHARACTERS, CELL_CHARACTERS)
        else:
            self.other_characters += len(text)
            if self.other_characters > OTHER_CHARACTERS:
                raise self.refuse(WHAT_OTHER_CHARACTERS, OTHER_CHARACTERS)

    def row_start(self, attributes: dict) -> None:
        # Numbered as openpyxl numbers them: "r" if given, else one more than the last.
        number = attributes.get("r")
        self.row = int(float(number)) if number is not None else self.row + 1
        if self.row > LAST_ROW:
            raise ImportFileError(str(ROW_TOO_FAR) % {"row": _n(self.row), "limit": _n(LAST_ROW)})
        self.row_elements += 1
        if self.row_elements > self.limits.sheet_rows + EMPTY_ROWS:
            raise ImportFileError(str(TOO_MANY_EMPTY_ROWS) % {"limit": _n(EMPTY_ROWS)})
        self.in_row, self.row_has_value = True, False
        self.inner_elements = self.column = 0

    def cell_start(self, attributes: dict) -> None:
        reference = attributes.get("r")
        if reference:
            self.column = column_index_from_string(coordinate_from_string(reference)[0])
        else:
            self.column += 1
        self.cell_formula = self.cell_value = False
        self.cell_characters = 0

    def cell_end(self) -> None:
        if not (self.cell_value or self.cell_formula):
            return
        self.row_has_value = True
        if self.column > self.limits.columns:
            raise ImportFileError(
                str(COLUMN_TOO_FAR)
                % {
                    "column": openpyxl.utils.get_column_letter(self.column),
                    "limit": _n(self.limits.columns),
                }
            )
        if self.cell_formula and not self.cell_value:
            self.scan.formulas.setdefault(self.name, set()).add((self.row, self.column))
            self.scan.formulas_found += 1
            if self.scan.formulas_found > FORMULAS_WITHOUT_VALUE:
                raise ImportFileError(
                    str(TOO_MANY_FORMULAS) % {"limit": _n(FORMULAS_WITHOUT_VALUE)}
                )

    def dimension(self, ref: str) -> None:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            return  # openpyxl says so when it opens the sheet
        rows = (max_row or 0) - (min_row or 1) + 1
        if (max_row or 0) > self.limits.sheet_rows or (max_col or 0) > self.limits.columns:
            raise TooManyRows(
                str(DECLARED_TOO_BIG)
                % {
                    "range": ref,
                    "rows": _n(rows),
                    "columns": _n((max_col or 0) - (min_col or 1) + 1),
                    "limit": _n(self.limits.rows),
                    "column_limit": _n(self.limits.columns),
                }
            )


FORMULA_WITHOUT_VALUE_CELL = "\x00formula"


def xlsx_rows(
    data: bytes, *, active: bool = False, formulas: bool = True
) -> tuple[str, Iterator[tuple[int, tuple]]]:
    """The title of the first sheet (or the active one) and its rows with a value, streamed:
    (row number, cell values as openpyxl reads them, up to IMPORT_MAX_COLUMNS). A cell with a
    formula but no saved value reads FORMULA_WITHOUT_VALUE_CELL (None unless `formulas`).
    The workbook is scanned first (xlsx_scan); raises ImportFileError (TooManyRows)."""
    scan = xlsx_scan(data)
    limits = _Limits.now()
    try:
        book = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
        sheet = book.active if active else book.worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(str(CANNOT_READ_XLSX) % {"error": exc}) from None
    # The cells the scan found with a formula and no value (openpyxl's data_only reading
    # gives them as empty), by row. The sheet's part is only named by this private attribute.
    missing: dict[int, list[int]] = {}
    if formulas:
        for row, column in scan.formulas.get(getattr(sheet, "_worksheet_path", ""), ()):
            missing.setdefault(row, []).append(column)
    return sheet.title, _rows(book, sheet, missing, limits)


def _rows(book, sheet, missing: dict[int, list[int]], limits: _Limits):
    # The dimension a sheet declares is not trusted either way: read as it comes, at most
    # IMPORT_MAX_COLUMNS wide (openpyxl would pad every row to the declared width).
    sheet.reset_dimensions()
    width = limits.columns
    read = 0
    try:
        cells = sheet.iter_rows(min_row=1, max_col=width, values_only=True)
        for number, values in enumerate(cells, start=1):
            if number in missing:
                values = list(values)
                for column in missing[number]:
                    if column <= width:
                        values[column - 1] = FORMULA_WITHOUT_VALUE_CELL
                values = tuple(values)
            elif values.count(None) == width:
                continue  # blank (openpyxl makes up the rows a sheet skips)
            read += 1
            if read > limits.sheet_rows:  # the scan counts the same rows: a second guard
                raise too_many_rows(limits.rows)
            yield number, values
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(str(CANNOT_READ_XLSX) % {"error": exc}) from None
    finally:
        book.close()
