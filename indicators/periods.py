"""DHIS2-style reporting periods: "2021", "2021S1", "2021Q3", "202107", and their calendar.

Standard library only, so importers, forms and reports can share it without loading Django.
"""

from __future__ import annotations

import calendar
import enum
import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime

__all__ = [
    "DEFAULT_PERIOD_KIND",
    "MAX_YEAR",
    "MIN_YEAR",
    "Period",
    "PeriodError",
    "PeriodKind",
    "enclosing",
    "parse_period",
    "period_next",
    "period_of",
    "period_previous",
    "periods_between",
    "periods_within",
]

# Outside this window a "year" is far more likely a typo (or a unit code) than a real period.
MIN_YEAR = 1990
MAX_YEAR = 2100


class PeriodError(ValueError):
    """A period id that cannot be read, or a period sum that makes no sense."""


class PeriodKind(enum.StrEnum):
    """How long a period lasts; `rank` orders the kinds from widest (0) to narrowest."""

    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"

    @property
    def rank(self) -> int:
        """0 for a year up to 3 for a month: a lower rank is a wider kind."""
        return _RANK[self]

    @property
    def months(self) -> int:
        """Length in months; each kind divides the year evenly, which is why periods nest."""
        return _MONTHS[self]

    @property
    def per_year(self) -> int:
        return 12 // self.months

    @property
    def label_vi(self) -> str:
        return _KIND_LABEL_VI[self]


_RANK = {PeriodKind.YEAR: 0, PeriodKind.HALF: 1, PeriodKind.QUARTER: 2, PeriodKind.MONTH: 3}
_MONTHS = {PeriodKind.YEAR: 12, PeriodKind.HALF: 6, PeriodKind.QUARTER: 3, PeriodKind.MONTH: 1}
_KIND_LABEL_VI = {
    PeriodKind.YEAR: "năm",
    PeriodKind.HALF: "6 tháng",
    PeriodKind.QUARTER: "quý",
    PeriodKind.MONTH: "tháng",
}

# Localities report quarterly unless an indicator says otherwise.
DEFAULT_PERIOD_KIND = PeriodKind.QUARTER

# English names fixed here: calendar.month_name follows the process locale.
_MONTH_NAMES_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period from `start` to `end`, both inclusive; build it with parse_period.

    Sorting is chronological by start; periods starting the same day put the wider first
    (2021, 2021S1, 2021Q1, 202101), so a total precedes its parts.
    """

    start: date
    end: date = field(compare=False)
    kind: PeriodKind = field(compare=False)
    id: str = field(compare=False)
    # start and kind already fix a period; comparing on the kind's rank instead of on `end`
    # is what puts the wider of two periods starting together first.
    _rank: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        kind = PeriodKind(self.kind)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "_rank", kind.rank)
        # Equality looks only at start and rank, so an inconsistent period must never exist.
        start = self.start
        if (
            isinstance(start, datetime)
            or not isinstance(start, date)
            or start.day != 1
            or (start.month - 1) % kind.months
        ):
            raise PeriodError(f"Ngày {start} không phải ngày đầu của một kỳ {kind.label_vi}.")
        _check_year(start.year)
        expected_id = _period_id(kind, start.year, _index_in_year(kind, start))
        if self.end != _end_of(kind, start) or self.id != expected_id:
            raise PeriodError(
                f"Kỳ {self.id!r} ({self.start} – {self.end}) không khớp với kỳ {expected_id}."
            )

    def __str__(self) -> str:
        return self.id

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def index(self) -> int:
        """Position within the year: 1 for a year, 1–2 halves, 1–4 quarters, 1–12 months."""
        return _index_in_year(self.kind, self.start)

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def contains_date(self, d: date) -> bool:
        # A datetime will not compare with a date, and a timestamp belongs to its calendar day.
        if isinstance(d, datetime):
            d = d.date()
        return self.start <= d <= self.end

    @property
    def label_vi(self) -> str:
        if self.kind is PeriodKind.YEAR:
            return f"Năm {self.year}"
        if self.kind is PeriodKind.HALF:
            return f"6 tháng {'đầu' if self.index == 1 else 'cuối'} năm {self.year}"
        if self.kind is PeriodKind.QUARTER:
            return f"Quý {self.index}/{self.year}"
        return f"Tháng {self.index}/{self.year}"

    @property
    def label_en(self) -> str:
        if self.kind is PeriodKind.YEAR:
            return str(self.year)
        if self.kind is PeriodKind.HALF:
            return f"H{self.index} {self.year}"
        if self.kind is PeriodKind.QUARTER:
            return f"Q{self.index} {self.year}"
        return f"{_MONTH_NAMES_EN[self.index - 1]} {self.year}"


# ASCII only: Unicode digits and case folding would let "２０２１" or "2021ſ1" through.
_PERIOD_ID = re.compile(r"([0-9]{4})(?:([SQ])([0-9])|([0-9]{2}))?", re.IGNORECASE | re.ASCII)


@functools.lru_cache(maxsize=1024)
def parse_period(text: str) -> Period:
    """Read a period id such as "2021", "2021S1", "2021q3" or "202107" (whitespace ignored)."""
    if not isinstance(text, str):
        raise PeriodError(_not_an_id(text))
    cleaned = text.strip()
    match = _PERIOD_ID.fullmatch(cleaned)
    if match is None:
        raise PeriodError(_not_an_id(cleaned))
    year_text, letter, digit, month_text = match.groups()
    if letter is not None:
        kind = PeriodKind.HALF if letter.upper() == "S" else PeriodKind.QUARTER
        index = int(digit)
    elif month_text is not None:
        kind, index = PeriodKind.MONTH, int(month_text)
    else:
        kind, index = PeriodKind.YEAR, 1
    if not 1 <= index <= kind.per_year:
        raise PeriodError(_not_an_id(cleaned))
    year = int(year_text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f'"{cleaned}": năm {year} nằm ngoài khoảng hỗ trợ {MIN_YEAR}–{MAX_YEAR}.')
    return _make(kind, year, index)


def period_of(kind: PeriodKind, d: date) -> Period:
    """The period of `kind` containing `d`: a figure stated as of a date belongs to the period
    it was reported in (period_of(QUARTER, date(2021, 7, 31)) is 2021Q3).
    """
    kind = PeriodKind(kind)
    return _make(kind, d.year, _index_in_year(kind, d))


def periods_within(period: Period, kind: PeriodKind) -> list[Period]:
    """The periods of `kind` inside `period`, chronological; [] if `kind` is wider."""
    kind = PeriodKind(kind)
    if kind.rank < period.kind.rank:
        return []
    return periods_between(period_of(kind, period.start), period_of(kind, period.end))


def periods_between(first: Period, last: Period) -> list[Period]:
    """Every period of their common kind from `first` to `last`, both included."""
    if first.kind is not last.kind:
        raise PeriodError(
            f"Không thể liệt kê từ {first} đến {last}: hai kỳ khác loại "
            f"({first.kind.label_vi} và {last.kind.label_vi})."
        )
    if first > last:
        raise PeriodError(f"Kỳ đầu {first} nằm sau kỳ cuối {last}.")
    kind = first.kind
    return [_from_ordinal(kind, n) for n in range(_ordinal(first), _ordinal(last) + 1)]


def period_previous(period: Period) -> Period:
    """The period of the same kind just before (2021Q1 → 2020Q4)."""
    return _from_ordinal(period.kind, _ordinal(period) - 1)


def period_next(period: Period) -> Period:
    """The period of the same kind just after (202112 → 202201)."""
    return _from_ordinal(period.kind, _ordinal(period) + 1)


def enclosing(period: Period, kind: PeriodKind) -> Period:
    """The period of `kind`, as wide or wider, that contains `period` (2021Q3 → 2021S2)."""
    kind = PeriodKind(kind)
    if kind.rank > period.kind.rank:
        raise PeriodError(
            f"Không có kỳ {kind.label_vi} nào chứa {period}: "
            f"{kind.label_vi} hẹp hơn {period.kind.label_vi}."
        )
    return period_of(kind, period.start)


def containing(period_id: str) -> list[str]:
    """The period, then every longer one containing it, widest first (2024Q3: 2024Q3, 2024,
    2024S2)."""
    period = parse_period(period_id)
    return [period_id] + [
        enclosing(period, kind).id for kind in PeriodKind if kind.rank < period.kind.rank
    ]


def _not_an_id(text: object) -> str:
    return f'"{text}" không phải mã kỳ hợp lệ (ví dụ: 2021, 2021S1, 2021Q3, 202107).'


def _check_year(year: int) -> None:
    # Neighbours and period_of obey the same window as parsing, so every id round-trips.
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"Năm {year} nằm ngoài khoảng hỗ trợ {MIN_YEAR}–{MAX_YEAR}.")


def _index_in_year(kind: PeriodKind, d: date) -> int:
    return (d.month - 1) // kind.months + 1


def _end_of(kind: PeriodKind, start: date) -> date:
    last_month = start.month + kind.months - 1
    return date(start.year, last_month, calendar.monthrange(start.year, last_month)[1])


def _period_id(kind: PeriodKind, year: int, index: int) -> str:
    if kind is PeriodKind.YEAR:
        return str(year)
    if kind is PeriodKind.HALF:
        return f"{year}S{index}"
    if kind is PeriodKind.QUARTER:
        return f"{year}Q{index}"
    return f"{year}{index:02d}"


def _make(kind: PeriodKind, year: int, index: int) -> Period:
    _check_year(year)
    start = date(year, (index - 1) * kind.months + 1, 1)
    return Period(start, _end_of(kind, start), kind, _period_id(kind, year, index))


# Counting periods of one kind from year 0 turns neighbours and ranges into integer steps.
def _ordinal(period: Period) -> int:
    return period.year * period.kind.per_year + period.index - 1


def _from_ordinal(kind: PeriodKind, n: int) -> Period:
    year, offset = divmod(n, kind.per_year)
    return _make(kind, year, offset + 1)
