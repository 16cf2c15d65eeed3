"""Reading and checking the indicator catalogue file (pure: no database)."""

import datetime
from dataclasses import dataclass
from pathlib import Path

from units.reference_files import (
    AGENCY_KINDS,
    LEVELS,
    ReferenceFileError,
    open_rows,
    parse_date,
)

COLUMNS = (
    "code",
    "pillar",
    "value_type",
    "unit_rollup",
    "time_rollup",
    "direction",
    "applies_to_levels",
    "applies_to_agency_kinds",
    "valid_from",
    "valid_to",
    "name_vi",
    "name_en",
    "definition_vi",
    "definition_en",
)
PILLARS = (
    "infrastructure",
    "human_resources",
    "internal_apps",
    "public_services",
    "information",
    "security",
)
VALUE_TYPES = ("ratio", "count", "boolean", "amount")
UNIT_ROLLUPS = ("ratio_of_sums", "share_yes", "sum", "mean")
TIME_ROLLUPS = ("status", "flow")
DIRECTIONS = ("higher", "lower")
# Which roll-ups over units make sense for which kind of value.
ROLLUPS_FOR_TYPE = {
    "ratio": {"ratio_of_sums", "mean"},
    "boolean": {"share_yes"},
    "count": {"sum", "mean"},
    "amount": {"sum", "mean"},
}


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    pillar: str
    value_type: str
    unit_rollup: str
    time_rollup: str
    direction: str
    levels: tuple[str, ...]
    agency_kinds: tuple[str, ...]
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    name: str
    name_en: str
    definition: str
    definition_en: str
    row: int


def _choice(path: Path, row: int, column: str, value: str, allowed) -> str:
    if value not in allowed:
        raise ReferenceFileError(
            path, row, f"cột {column}: «{value}» không thuộc {', '.join(allowed)}."
        )
    return value


def _items(path: Path, row: int, column: str, value: str, allowed) -> tuple[str, ...]:
    items = tuple(item.strip() for item in value.split(";") if item.strip())
    for item in items:
        _choice(path, row, column, item, allowed)
    return items


def read_catalogue(path: Path) -> list[IndicatorRow]:
    """Reads and checks every indicator; raises ReferenceFileError naming the row and column."""
    rows: list[IndicatorRow] = []
    seen: set[str] = set()
    for number, record in open_rows(path, COLUMNS):
        value = {c: (record[c] or "").strip() for c in COLUMNS}
        code = value["code"]
        if not code or not code.replace("_", "").isalnum() or code.upper() != code:
            raise ReferenceFileError(path, number, f"cột code: «{code}» phải viết HOA_GẠCH_DƯỚI.")
        if code in seen:
            raise ReferenceFileError(path, number, f"cột code: {code} đã xuất hiện ở dòng trước.")
        seen.add(code)
        value_type = _choice(path, number, "value_type", value["value_type"], VALUE_TYPES)
        unit_rollup = _choice(path, number, "unit_rollup", value["unit_rollup"], UNIT_ROLLUPS)
        if unit_rollup not in ROLLUPS_FOR_TYPE[value_type]:
            raise ReferenceFileError(
                path,
                number,
                f"cột unit_rollup: «{unit_rollup}» không dùng cho kiểu {value_type}.",
            )
        levels = _items(path, number, "applies_to_levels", value["applies_to_levels"], LEVELS)
        kinds = _items(
            path,
            number,
            "applies_to_agency_kinds",
            value["applies_to_agency_kinds"],
            AGENCY_KINDS,
        )
        if not levels and not kinds:
            raise ReferenceFileError(
                path, number, "chỉ tiêu không áp dụng cho cấp hay cơ quan nào."
            )
        valid_from = parse_date(path, number, "valid_from", value["valid_from"])
        valid_to = parse_date(path, number, "valid_to", value["valid_to"])
        if valid_from and valid_to and valid_from > valid_to:
            raise ReferenceFileError(path, number, "cột valid_to: trước valid_from.")
        for column in ("name_vi", "name_en", "definition_vi", "definition_en"):
            if not value[column]:
                raise ReferenceFileError(path, number, f"cột {column}: để trống.")
        rows.append(
            IndicatorRow(
                code=code,
                pillar=_choice(path, number, "pillar", value["pillar"], PILLARS),
                value_type=value_type,
                unit_rollup=unit_rollup,
                time_rollup=_choice(
                    path, number, "time_rollup", value["time_rollup"], TIME_ROLLUPS
                ),
                direction=_choice(path, number, "direction", value["direction"], DIRECTIONS),
                levels=levels,
                agency_kinds=kinds,
                valid_from=valid_from,
                valid_to=valid_to,
                name=value["name_vi"],
                name_en=value["name_en"],
                definition=value["definition_vi"],
                definition_en=value["definition_en"],
                row=number,
            )
        )
    return rows
