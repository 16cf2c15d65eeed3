"""Importing many figures at once (files, the bulk API, officials' templates), with an
import summary like DHIS2's: created, updated, unchanged, rejected, and why.

Rows are checked with indicators.validation (through figures_check) and accounts.policy;
nothing is stored unless every row is good, unless the caller asks for the good rows only.
An approved figure is never overwritten by an import: the row is reported instead.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts import policy
from entry.models import Submission
from indicators import copy_write
from indicators.cache import approved_written
from indicators.models import Figure
from indicators.services import CheckedRow, FigureInput, RowError, rows_check

Status = Figure.Status
_FIELDS = ("value", "numerator", "denominator", "source", "source_on", "note", "status")
BATCH = 2000


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    stored: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "dry_run": self.dry_run,
            "stored": self.stored,
            "errors": [
                {"row": e.row, "field": e.field, "message": str(e.message)} for e in self.errors
            ],
        }


IMPORT_CONFLICT = gettext_lazy(
    "Trong lúc nhập, một lượt nhập khác vừa lưu một số số liệu của tệp này; chưa có gì được "
    "lưu. Hãy gửi lại tệp."
)


class ImportConflict(Exception):
    """Another import stored some of the same figures while this one was being stored."""


def _unique_violation(exc: IntegrityError) -> bool:
    """A clash on figure_unit_uniq / figure_agency_uniq (PostgreSQL's 23505, SQLite's words)."""
    return getattr(exc.__cause__, "pgcode", None) == "23505" or "UNIQUE constraint" in str(exc)


def _key(figure: Figure) -> tuple:
    return (figure.unit_id, figure.agency_id, figure.indicator_id, figure.period, figure.scope)


def figures_import(
    inputs: list[FigureInput],
    *,
    user,
    dry_run: bool = False,
    valid_only: bool = False,
    status: str | None = None,
    read_errors: list[RowError] = (),
) -> ImportSummary:
    """Check every row, then store them all (or, with valid_only, the good ones).

    Staff choose the status of what they import (default: draft); an official's figures
    take their report's status and may only be their own unit's (or agency's), scope "self",
    in a report that is not submitted or approved. `read_errors` are the rows the file
    reader could not read; they count as rejected.
    """
    summary = ImportSummary(rows=len(inputs) + len(read_errors), dry_run=dry_run)
    errors = list(read_errors)
    figures, check_errors = rows_check(inputs)
    errors += check_errors

    staff = policy.is_administrator(user) or bool(user and user.is_staff)
    seen: dict[tuple, int] = {}
    good = []
    keys: dict[int, tuple] = {}
    for figure in figures:
        row = figure.row
        key = keys[id(figure)] = _key(figure)
        if key in seen:
            errors.append(
                RowError(row, "period", _("Trùng với dòng %(row)s của tệp.") % {"row": seen[key]})
            )
            continue
        seen[key] = row
        if not staff:
            if not policy.can_enter(user, figure.unit, figure.agency):
                errors.append(
                    RowError(row, "unit_code", _("Bạn không được nhập số liệu cho đơn vị này."))
                )
                continue
            if figure.scope != Figure.Scope.SELF:
                errors.append(
                    RowError(row, "scope", _("Cán bộ nhập liệu chỉ nhập số liệu của đơn vị mình."))
                )
                continue
        good.append(figure)

    with transaction.atomic():
        existing = _existing(good, {keys[id(f)] for f in good})
        reports = {} if staff else _reports(good, lock=not dry_run)
        to_create, to_update = [], []
        for figure in good:
            row = figure.row
            current = existing.get(keys[id(figure)])
            if current is not None and not _differs(current, figure):
                summary.unchanged += 1  # the same value again (a file sent twice)
                continue
            if current is not None and current.status == Status.APPROVED:
                errors.append(
                    RowError(row, "value", _("Số liệu đã được duyệt: không ghi đè khi nhập tệp."))
                )
                continue
            if staff:
                figure.status = status or Status.DRAFT
            else:
                report = reports.get((figure.unit_id, figure.agency_id, figure.period))
                if report is not None and not report.is_editable:
                    errors.append(
                        RowError(
                            row,
                            "period",
                            _("Báo cáo kỳ này đang ở trạng thái «%(status)s»: không sửa được.")
                            % {"status": report.get_status_display()},
                        )
                    )
                    continue
                figure.status = report.status if report is not None else Status.DRAFT
            if current is None:
                figure.entered_by_id = user.pk if user and user.is_authenticated else None
                to_create.append(figure)
            elif any(getattr(current, f) != getattr(figure, f) for f in _FIELDS):
                for f in _FIELDS:
                    setattr(current, f, getattr(figure, f))
                current.updated_at = timezone.now()
                to_update.append(current)
            else:  # only the status would move: an import does not change a status
                summary.unchanged += 1
        errors.sort(key=lambda e: (e.row or 0, e.field))
        summary.errors = errors
        summary.rejected = len({e.row for e in errors})
        summary.created, summary.updated = len(to_create), len(to_update)
        if dry_run or (errors and not valid_only):
            if errors and not valid_only:
                summary.created = summary.updated = summary.unchanged = 0
            return summary
        history_user = user if user and user.is_authenticated else None
        try:
            with transaction.atomic():
                if to_create and copy_write.usable(len(to_create)):
                    copy_write.copy_create(
                        to_create, history_user_id=history_user.pk if history_user else None
                    )
                elif to_create:
                    bulk_create_with_history(
                        [row.figure() for row in to_create],
                        Figure,
                        batch_size=BATCH,
                        default_user=history_user,
                    )
                if to_update and copy_write.usable(len(to_update)):
                    copy_write.copy_update(
                        to_update, history_user_id=history_user.pk if history_user else None
                    )
                elif to_update:
                    bulk_update_with_history(
                        to_update,
                        Figure,
                        [*_FIELDS, "updated_at"],
                        batch_size=BATCH,
                        default_user=history_user,
                    )
        except IntegrityError as exc:
            if not _unique_violation(exc):
                raise
            # Another import stored one of these figures after they were looked up: nothing
            # of this one is kept (the savepoint is gone), and sending it again will work.
            raise ImportConflict(IMPORT_CONFLICT) from None
        approved_written([*to_create, *to_update])
        if not staff and (to_create or to_update):
            _touch_reports(to_create + to_update, reports)
        summary.stored = True
    return summary


def _differs(current: Figure, wanted: Figure) -> bool:
    """Whether storing `wanted` would change what `current` says (its status aside)."""
    return any(getattr(current, f) != getattr(wanted, f) for f in _FIELDS if f != "status")


def _existing(figures: list[CheckedRow], wanted: set[tuple]) -> dict[tuple, Figure]:
    """The figures already stored for these keys, in a few queries (not one per row)."""
    if not figures:
        return {}
    found = Figure.objects.filter(
        indicator_id__in={f.indicator_id for f in figures},
        period__in={f.period for f in figures},
    )
    units = {f.unit_id for f in figures}
    if len(units) <= 500:
        found = found.filter(unit_id__in=units)
    # (A file of thousands of units reads its indicators' figures of those periods through
    # figure_rollup_idx rather than sending thousands of ids.)
    return {_key(f): f for f in found.select_for_update() if _key(f) in wanted}


def _reports(figures: list[CheckedRow], *, lock: bool) -> dict[tuple, Submission]:
    keys = {(f.unit_id, f.agency_id, f.period) for f in figures}
    if not keys:
        return {}
    reports = Submission.objects.filter(
        unit_id__in={k[0] for k in keys}, period__in={k[2] for k in keys}
    )
    if lock:
        reports = reports.select_for_update()
    return {(r.unit_id, r.agency_id, r.period): r for r in reports}


def _touch_reports(figures: list, reports: dict[tuple, Submission]) -> None:
    """An official's import goes into their report for each period (created as a draft
    where there is none), whose version moves on so an open form is told."""
    for unit_id, agency_id, period in {(f.unit_id, f.agency_id, f.period) for f in figures}:
        report = reports.get((unit_id, agency_id, period))
        if report is None:
            sample = next(
                f
                for f in figures
                if (f.unit_id, f.agency_id, f.period) == (unit_id, agency_id, period)
            )
            Submission.objects.create(
                unit_id=unit_id,
                agency_id=agency_id,
                period=period,
                period_start=sample.period_start,
                period_end=sample.period_end,
                version=1,
            )
        else:
            report.version += 1
            report.save(update_fields=["version", "updated_at"])
