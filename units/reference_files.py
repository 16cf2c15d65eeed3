"""Reading and checking the reference files of administrative units (pure: no database).

The files are the GSO lists in fixtures/units/ (see docs/decisions/0002-units-and-lineage.md).
Every problem is reported with the file and the row number as a spreadsheet shows it
(the header is row 1), and a file with any problem is rejected whole.
"""

import csv
import datetime
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

STRUCTURE_2024_VALID_TO = datetime.date(2025, 6, 30)
STRUCTURE_2025_VALID_FROM = datetime.date(2025, 7, 1)

LEVELS = ("province", "district", "commune")
CODE_LENGTH = {"province": 2, "district": 3, "commune": 5}
PARENT_LEVEL = {"province": None, "district": "province", "commune": "district"}

# The 2024 file says only "tỉnh"/"huyện"/"xã"; the name's prefix says what the law says.
_PREFIX_TYPES = {
    "province": [("thành phố", "thanh_pho_trung_uong"), ("tỉnh", "tinh")],
    "district": [
        ("huyện", "huyen"),
        ("quận", "quan"),
        ("thị xã", "thi_xa"),
        ("thành phố", "thanh_pho"),
    ],
    "commune": [
        ("xã", "xa"),
        ("phường", "phuong"),
        ("thị trấn", "thi_tran"),
        ("đặc khu", "dac_khu"),
    ],
}
_FILE_TYPES = {
    "tỉnh": "tinh",
    "thành phố trung ương": "thanh_pho_trung_uong",
    "xã": "xa",
    "phường": "phuong",
    "đặc khu": "dac_khu",
}


class ReferenceFileError(ValueError):
    """A reference file cannot be loaded; says which file and row, and why."""

    def __init__(self, path: Path, row: int | None, message: str):
        self.path = path
        self.row = row
        self.message = message
        where = f"{path.name}, dòng {row}" if row is not None else path.name
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    level: str
    division_type: str
    parent_code: str  # "" for a province
    note: str
    row: int


@dataclass(frozen=True)
class ProvinceMergerRow:
    new_code: str
    old_code: str
    row: int


def clean_name(text: str) -> str:
    """NFC, single spaces: "Xã  Đại Hải" → "Xã Đại Hải". The words themselves are kept."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def division_type_for(level: str, name: str, file_type: str) -> str | None:
    """The division type from the name's prefix, else from the file's own column."""
    lowered = name.lower()
    for prefix, division_type in _PREFIX_TYPES[level]:
        if lowered.startswith(prefix + " "):
            return division_type
    return _FILE_TYPES.get(file_type)


def official_name(level: str, division_type: str, name: str) -> str:
    """The 2025 file writes provinces bare ("Quảng Trị"); the law writes "Tỉnh Quảng Trị"."""
    if level == "province" and division_type == "tinh" and not name.lower().startswith("tỉnh "):
        return f"Tỉnh {name}"
    return name


def open_rows(path: Path, required: tuple[str, ...]):
    """Yields (row number, record) of a CSV file, after checking it has the `required` columns."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ReferenceFileError(path, None, f"không mở được tệp ({exc.strerror}).") from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = [column for column in required if column not in (reader.fieldnames or [])]
        if missing:
            raise ReferenceFileError(path, 1, f"thiếu cột {', '.join(missing)}.")
        try:
            # Row 1 is the header, so the first data row is row 2, as in a spreadsheet.
            yield from enumerate(reader, start=2)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ReferenceFileError(path, reader.line_num, f"không đọc được: {exc}") from exc


def read_units_file(path: Path) -> list[UnitRow]:
    """Reads and checks one structure's units; raises ReferenceFileError on the first problem."""
    rows: list[UnitRow] = []
    levels_by_code: dict[str, str] = {}
    for number, record in open_rows(
        path, ("level", "code", "name", "division_type", "parent_code")
    ):
        level = (record["level"] or "").strip()
        code = (record["code"] or "").strip()
        name = clean_name(record["name"] or "")
        parent_code = (record["parent_code"] or "").strip()
        if level not in LEVELS:
            raise ReferenceFileError(
                path, number, f"cột level: «{level}» không phải province, district hoặc commune."
            )
        if not re.fullmatch(rf"\d{{{CODE_LENGTH[level]}}}", code):
            raise ReferenceFileError(
                path, number, f"cột code: «{code}» phải gồm đúng {CODE_LENGTH[level]} chữ số."
            )
        if not name:
            raise ReferenceFileError(path, number, "cột name: thiếu tên đơn vị.")
        division_type = division_type_for(level, name, (record["division_type"] or "").strip())
        if division_type is None:
            raise ReferenceFileError(
                path, number, f"cột division_type: không xác định được loại đơn vị của «{name}»."
            )
        if code in levels_by_code:
            raise ReferenceFileError(
                path, number, f"cột code: mã {code} đã xuất hiện ở dòng trước."
            )
        levels_by_code[code] = level
        rows.append(
            UnitRow(
                code=code,
                name=official_name(level, division_type, name),
                level=level,
                division_type=division_type,
                parent_code=parent_code,
                note=clean_name(record.get("note") or ""),
                row=number,
            )
        )
    if not rows:
        raise ReferenceFileError(path, None, "tệp không có dòng dữ liệu nào.")
    _check_parents(path, rows, levels_by_code)
    return rows


def _check_parents(path: Path, rows: list[UnitRow], levels_by_code: dict[str, str]) -> None:
    # In the two-tier file a commune's parent is a province; in the three-tier one, a district.
    two_tier = "district" not in levels_by_code.values()
    for row in rows:
        expected = PARENT_LEVEL[row.level]
        if row.level == "commune" and two_tier:
            expected = "province"
        if expected is None:
            if row.parent_code:
                raise ReferenceFileError(path, row.row, "cột parent_code: tỉnh không có cấp trên.")
            continue
        found = levels_by_code.get(row.parent_code)
        if found != expected:
            raise ReferenceFileError(
                path,
                row.row,
                f"cột parent_code: «{row.parent_code}» không phải mã một đơn vị cấp "
                f"{expected} trong tệp.",
            )


def parse_date(path: Path, row: int, column: str, raw: str | None) -> datetime.date | None:
    """An ISO date (YYYY-MM-DD), None when empty; raises ReferenceFileError naming the cell."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ReferenceFileError(
            path, row, f"cột {column}: «{text}» không phải ngày YYYY-MM-DD."
        ) from None


def read_province_mergers(path: Path) -> list[ProvinceMergerRow]:
    """Reads which old provinces formed each new one (Resolution 202/2025/QH15)."""
    rows = []
    seen_old: set[str] = set()
    for number, record in open_rows(path, ("new_code", "old_code")):
        new_code = (record["new_code"] or "").strip()
        old_code = (record["old_code"] or "").strip()
        for column, value in (("new_code", new_code), ("old_code", old_code)):
            if not re.fullmatch(r"\d{2}", value):
                raise ReferenceFileError(
                    path, number, f"cột {column}: «{value}» phải gồm đúng 2 chữ số."
                )
        if old_code in seen_old:
            raise ReferenceFileError(
                path, number, f"cột old_code: tỉnh {old_code} đã có ở dòng trước."
            )
        seen_old.add(old_code)
        rows.append(ProvinceMergerRow(new_code=new_code, old_code=old_code, row=number))
    return rows


_LEGAL_BASIS = re.compile(r"(\d+/\d{4}/QH\d+|\d+/NQ-UBTVQH\d+)")


def legal_basis_in(note: str) -> str:
    """The resolution number a note cites: "… Số: 1680/NQ-UBTVQH15; …" → "1680/NQ-UBTVQH15"."""
    match = _LEGAL_BASIS.search(note)
    return match.group(1) if match else ""


@dataclass(frozen=True)
class AgencyRow:
    unit_code: str
    unit_on: datetime.date
    kind: str
    name: str
    row: int


AGENCY_KINDS = ("peoples_committee", "department", "office", "public_service", "school", "other")


def read_agencies_file(path: Path) -> list[AgencyRow]:
    """Reads the agencies the seeds name: the unit (code and a day it was in force), kind, name."""
    rows = []
    for number, record in open_rows(path, ("unit_code", "unit_on", "kind", "name")):
        unit_code = (record["unit_code"] or "").strip()
        kind = (record["kind"] or "").strip()
        name = clean_name(record["name"] or "")
        if not re.fullmatch(r"\d{2}|\d{3}|\d{5}", unit_code):
            raise ReferenceFileError(
                path, number, f"cột unit_code: «{unit_code}» không phải mã GSO."
            )
        unit_on = parse_date(path, number, "unit_on", record["unit_on"])
        if unit_on is None:
            raise ReferenceFileError(path, number, "cột unit_on: thiếu ngày.")
        if kind not in AGENCY_KINDS:
            raise ReferenceFileError(
                path, number, f"cột kind: «{kind}» không thuộc {', '.join(AGENCY_KINDS)}."
            )
        if not name:
            raise ReferenceFileError(path, number, "cột name: thiếu tên cơ quan.")
        rows.append(
            AgencyRow(unit_code=unit_code, unit_on=unit_on, kind=kind, name=name, row=number)
        )
    return rows
