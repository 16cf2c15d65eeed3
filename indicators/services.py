"""Writes to the indicator catalogue; figures as files, forms and the API give them
(FigureInput), checked row by row with the one set of figure rules (rows_checked) before the
write service (indicators.writes) stores them."""

import csv
import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from indicators import aggregates, catalogue, versions
from indicators.models import (
    Figure,
    Indicator,
    pack_list,
)
from indicators.periods import Period
from indicators.validation import (
    AGENCY_UNKNOWN,
    INDICATOR_UNKNOWN,
    UNIT_UNKNOWN_ON,
    FigureValue,
    approximate_flag,
    figure_source_check,
    figure_target_check,
    figure_value_check,
    period_check,
)
from units.models import Agency, Unit
from units.reference_files import ReferenceFileError, parse_date

_INDICATOR_FIELDS = (
    "name",
    "name_en",
    "definition",
    "definition_en",
    "pillar",
    "value_type",
    "unit_rollup",
    "time_rollup",
    "direction",
    "levels",
    "agency_kinds",
    "valid_from",
    "valid_to",
    "position",
)


@dataclass
class WriteSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@transaction.atomic(durable=True)
def indicator_catalogue_load(*, path: Path) -> WriteSummary:
    """Creates or updates every indicator of the catalogue file; raises ReferenceFileError."""
    rows = catalogue.read_catalogue(path)
    existing = {i.code: i for i in Indicator.objects.all()}
    summary = WriteSummary()
    to_create, to_update, rules_changed = [], [], []
    for position, row in enumerate(rows, start=1):
        wanted = Indicator(
            code=row.code,
            name=row.name,
            name_en=row.name_en,
            definition=row.definition,
            definition_en=row.definition_en,
            pillar=row.pillar,
            value_type=row.value_type,
            unit_rollup=row.unit_rollup,
            time_rollup=row.time_rollup,
            direction=row.direction,
            levels=pack_list(row.levels),
            agency_kinds=pack_list(row.agency_kinds),
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            position=position,
        )
        current = existing.get(row.code)
        if current is None:
            to_create.append(wanted)
        elif any(getattr(current, f) != getattr(wanted, f) for f in _INDICATOR_FIELDS):
            if any(getattr(current, f) != getattr(wanted, f) for f in aggregates.ROLLUP_FIELDS):
                rules_changed.append(current.pk)
            for f in _INDICATOR_FIELDS:
                setattr(current, f, getattr(wanted, f))
            to_update.append(current)
        else:
            summary.unchanged += 1
    Indicator.objects.bulk_create(to_create)
    Indicator.objects.bulk_update(to_update, _INDICATOR_FIELDS)
    summary.created, summary.updated = len(to_create), len(to_update)
    for pk in rules_changed:  # bulk_update sends no signals
        aggregates.indicator_changed(pk)
    if to_create or to_update:
        versions.reference_changed()
    return summary


@dataclass(slots=True)
class FigureInput:
    """One figure as a file, form or API gives it: codes, not database ids."""

    # Not frozen: a frozen dataclass costs three times as much to make, and a file makes
    # a hundred thousand of them.

    unit_code: str
    unit_on: datetime.date | None
    indicator: str
    period: str
    scope: str = Figure.Scope.SELF
    agency: str = ""
    value: object = None
    numerator: object = None
    denominator: object = None
    approximate: bool | None = None  # None: as the stored figure says (new: not approximate)
    source: str = ""
    source_on: datetime.date | None = None
    note: str = ""
    row: int | None = None


@dataclass
class RowError:
    row: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"dòng {self.row}, " if self.row is not None else ""
        return f"{where}cột {self.field}: {self.message}"


class FigureLocked(Exception):
    """The write would change a published (approved) figure, or a report that is submitted
    or approved; nothing was written. The message says why and what to do."""


class FigureRowsError(Exception):
    """Some rows are invalid; nothing was written. `errors` lists each row, field and message."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:20]))


@dataclass
class FigureWriteSummary(WriteSummary):
    errors: list[RowError] = field(default_factory=list)
    # The saved (or unchanged) figures' ids, in the order of the inputs.
    figure_ids: list[int] = field(default_factory=list)
    retired: int = 0  # reference_figures_load: figures the file no longer holds


@dataclass
class FigureRefs:
    """The units, indicators and agencies a set of rows names, fetched once."""

    units: dict[str, list[Unit]]  # by code: every unit that has had it
    indicators: dict[str, Indicator]  # by code
    agencies: dict[tuple[int, str], Agency]  # by (unit id, name)


def figure_refs(inputs: list[FigureInput]) -> FigureRefs:
    """Fetches every unit, agency and indicator the rows name, in three queries."""
    units: dict[str, list[Unit]] = {}
    for unit in Unit.objects.filter(code__in={i.unit_code for i in inputs}):
        units.setdefault(unit.code, []).append(unit)
    indicators = {
        i.code: i for i in Indicator.objects.filter(code__in={i.indicator for i in inputs})
    }
    agencies = {
        (a.unit_id, a.name): a
        for a in Agency.objects.filter(name__in={i.agency for i in inputs if i.agency})
    }
    return FigureRefs(units, indicators, agencies)


@dataclass(slots=True)
class CheckedRow:
    """One row that passed the figure rules: what a Figure would hold, without building one
    (tens of thousands of model instances cost more than checking them)."""

    row: int | None
    unit: Unit
    agency: Agency | None
    indicator: Indicator
    period_obj: Period
    scope: str
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    is_approximate: bool | None
    source: str
    source_on: datetime.date | None
    note: str
    status: str = Figure.Status.DRAFT
    entered_by_id: int | None = None

    # .id, not .pk: read for every row of large imports, and .pk is a property lookup.
    @property
    def unit_id(self) -> int:
        return self.unit.id

    @property
    def agency_id(self) -> int | None:
        return self.agency.id if self.agency is not None else None

    @property
    def indicator_id(self) -> int:
        return self.indicator.id

    @property
    def period(self) -> str:
        return self.period_obj.id

    @property
    def period_start(self) -> datetime.date:
        return self.period_obj.start

    @property
    def period_end(self) -> datetime.date:
        return self.period_obj.end

    def figure(self) -> Figure:
        figure = Figure(
            unit_id=self.unit.pk,
            agency_id=self.agency_id,
            indicator_id=self.indicator.pk,
            period=self.period,
            period_start=self.period_start,
            period_end=self.period_end,
            scope=self.scope,
            value=self.value,
            numerator=self.numerator,
            denominator=self.denominator,
            is_approximate=self.is_approximate,
            source=self.source,
            source_on=self.source_on,
            note=self.note,
            status=self.status,
            entered_by_id=self.entered_by_id,
        )
        figure._state.fields_cache.update(
            unit=self.unit, agency=self.agency, indicator=self.indicator
        )
        figure._row = self.row  # where it came from, for import reports
        return figure


def rows_check(inputs: list[FigureInput]) -> tuple[list[CheckedRow], list[RowError]]:
    """Checks every row with the one set of figure rules; returns the good rows and the
    errors (row, field, message)."""
    rows, errors = [], []
    for row, problems in rows_checked(inputs, figure_refs(inputs)):
        if problems:
            errors.extend(problems)
        else:
            rows.append(row)
    return rows, errors


def rows_checked(
    inputs: list[FigureInput], refs: FigureRefs
) -> Iterator[tuple[CheckedRow | None, list[RowError]]]:
    """Each row checked with the one set of figure rules, as it comes: the row that passed,
    or its errors (row, field, message). A large import stores the first rows while the
    next are checked (indicators.writes.bulk)."""
    units, indicators, agencies = refs.units, refs.indicators, refs.agencies
    # A file repeats itself: the same unit code and date, the same indicator for the same
    # kind of unit, the same few values. What was checked once is not checked again.
    unit_on: dict[tuple, Unit | None] = {}
    target_ok: set[tuple] = set()
    values: dict[tuple, FigureValue | ValidationError] = {}
    for item in inputs:
        try:
            indicator = indicators.get(item.indicator)
            if indicator is None:
                raise ValidationError({"indicator": INDICATOR_UNKNOWN % {"code": item.indicator}})
            period = period_check(item.period)
            day = item.unit_on or period.end
            if (item.unit_code, day) not in unit_on:
                unit_on[item.unit_code, day] = next(
                    (u for u in units.get(item.unit_code, []) if u.is_in_force(day)), None
                )
            unit = unit_on[item.unit_code, day]
            if unit is None:
                raise ValidationError(
                    {
                        "unit_code": UNIT_UNKNOWN_ON
                        % {"code": item.unit_code, "day": f"{day:%d/%m/%Y}"}
                    }
                )
            agency = None
            if item.agency:
                agency = agencies.get((unit.pk, item.agency))
                if agency is None:
                    raise ValidationError(
                        {"agency": AGENCY_UNKNOWN % {"unit": unit.name, "name": item.agency}}
                    )
            # What figure_target_check looks at, when it passed: not worth checking again.
            target = (
                indicator.pk,
                unit.level,
                unit.valid_from,
                unit.valid_to,
                agency.kind if agency is not None else None,
                period.id,
                item.scope,
            )
            if target not in target_ok:
                figure_target_check(
                    indicator=indicator, unit=unit, agency=agency, period=period, scope=item.scope
                )
                target_ok.add(target)
            figure_source_check(item.source)
            numbers = (indicator.pk, item.scope, item.value, item.numerator, item.denominator)
            try:
                checked = values[numbers]
            except KeyError:
                checked = values[numbers] = _value_or_error(indicator, item)
            except TypeError:  # not a key (a JSON list, say): checked on its own
                checked = _value_or_error(indicator, item)
            if isinstance(checked, ValidationError):
                raise checked
        except ValidationError as exc:
            yield (
                None,
                [
                    RowError(row=item.row, field=name, message=m)
                    for name, messages in exc.message_dict.items()
                    for m in messages
                ],
            )
            continue
        yield (
            CheckedRow(
                row=item.row,
                unit=unit,
                agency=agency,
                indicator=indicator,
                period_obj=period,
                scope=item.scope,
                value=checked.value,
                numerator=checked.numerator,
                denominator=checked.denominator,
                is_approximate=item.approximate,
                source=item.source,
                source_on=item.source_on,
                note=item.note,
            ),
            [],
        )


def _value_or_error(indicator: Indicator, item: FigureInput) -> FigureValue | ValidationError:
    try:
        return figure_value_check(
            indicator=indicator,
            scope=item.scope,
            value=item.value,
            numerator=item.numerator,
            denominator=item.denominator,
        )
    except ValidationError as exc:
        return exc


def figures_check(inputs: list[FigureInput]) -> tuple[list[Figure], list[RowError]]:
    """Checks every row with the one set of figure rules; returns unsaved figures and errors."""
    rows, errors = rows_check(inputs)
    return [row.figure() for row in rows], errors


def _flag(path: Path, number: int, text) -> bool | None:
    try:
        return approximate_flag(text)
    except ValueError as exc:
        raise ReferenceFileError(path, number, f"cột approximate: {exc}") from None


def read_figures_file(path: Path) -> list[FigureInput]:
    """Reads a figures CSV (the seeds' format); raises ReferenceFileError on unreadable dates."""
    inputs = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, record in enumerate(csv.DictReader(handle), start=2):
            dates = {
                column: parse_date(path, number, column, record.get(column))
                for column in ("unit_on", "source_on")
            }
            inputs.append(
                FigureInput(
                    unit_code=(record.get("unit_code") or "").strip(),
                    unit_on=dates["unit_on"],
                    agency=(record.get("agency") or "").strip(),
                    indicator=(record.get("indicator") or "").strip(),
                    period=(record.get("period") or "").strip(),
                    scope=(record.get("scope") or "").strip() or Figure.Scope.SELF,
                    value=record.get("value"),
                    numerator=record.get("numerator"),
                    denominator=record.get("denominator"),
                    approximate=_flag(path, number, record.get("approximate")),
                    source=(record.get("source") or "").strip(),
                    source_on=dates["source_on"],
                    note=(record.get("note") or "").strip(),
                    row=number,
                )
            )
    return inputs
