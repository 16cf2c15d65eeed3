"""Importing many figures at once (files, the bulk API, officials' templates), with an
import summary like DHIS2's: created, updated, unchanged, rejected, and why.

Rows are checked with indicators.validation (through rows_checked) and the write service's
rules (indicators.writes.rules); nothing is stored unless every row is good, unless the
caller asks for the good rows only.
An approved figure is never overwritten by an import: the row is reported instead.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators import aggregates
from indicators.models import FIGURE_WRITABLE, Figure, Submission, figure_differs, figure_key
from indicators.periods import PeriodError, parse_period
from indicators.services import (
    CheckedRow,
    FigureInput,
    FigureRefs,
    RowError,
    figure_refs,
    rows_checked,
)
from indicators.validation import approximate_keep
from indicators.writes import rules, store
from indicators.writes.reports import report_touch

Status = Figure.Status
# An import's summary lists its first errors (by row) and counts them all: every error of a
# 19 MB file of bad rows made a summary of 52 MB and a result page of 159 MB. An import job
# keeps the full list for download (entry.jobs.errors_file).
ERRORS_LISTED = 200


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
                {"row": e.row, "field": e.field, "message": str(e.message)}
                for e in self.errors[:ERRORS_LISTED]
            ],
            "errors_total": len(self.errors),
            "errors_truncated": len(self.errors) > ERRORS_LISTED,
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


class _Undo(Exception):
    """Raised inside the import's transaction to leave nothing of it behind."""


@dataclass
class _Outcome:
    """What deciding row by row found besides the figures to create."""

    errors: list[RowError]
    to_update: list[Figure] = field(default_factory=list)
    unchanged: int = 0


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

    On PostgreSQL a large file's new figures are stored by COPY as the rows are checked:
    the database writes the first while Python checks the next (docs/decisions/0010). A bad
    row found on the way undoes everything (unless valid_only), as if nothing had started.
    """
    summary = ImportSummary(rows=len(inputs) + len(read_errors), dry_run=dry_run)
    outcome = _Outcome(errors=list(read_errors))
    staff = rules.writes_any(user)
    refs = figure_refs(inputs)
    try:
        with transaction.atomic(), aggregates.gathered():
            keys = _lookup_keys(inputs, refs)
            if not staff:
                # An official writes their own unit's figures only: the others' are neither
                # read nor locked (a file naming every commune must not lock the country).
                own, _agency = rules.reporters_of(user)
                keys = ({own.pk} & keys[0] if own else set(), keys[1], keys[2])
            # The official's reports before any figure, each by id: the order every writer
            # locks in (docs/decisions/0012), so an import and a form save or an approval
            # on the same figures wait for each other instead of deadlocking.
            reports, made = ({}, set()) if staff else _reports(keys, user=user, lock=not dry_run)
            existing = _existing(keys, lock=not dry_run)
            creations = _decide(
                inputs,
                refs,
                user=user,
                staff=staff,
                status=status,
                existing=existing,
                reports=reports,
                outcome=outcome,
                keep_going=valid_only or dry_run,
            )
            if dry_run:
                to_create = list(creations)
            elif store.streams(len(inputs)):
                to_create = store.figures_copy_create(creations, count=len(inputs), by=user)
            else:
                to_create = list(creations)
                store.figures_store(create=[row.figure() for row in to_create], by=user)
            errors = sorted(outcome.errors, key=lambda e: (e.row or 0, e.field))
            summary.errors = errors
            summary.rejected = len({e.row for e in errors})
            summary.created, summary.updated = len(to_create), len(outcome.to_update)
            summary.unchanged = outcome.unchanged
            if errors and not valid_only:
                summary.created = summary.updated = summary.unchanged = 0
                raise _Undo
            if dry_run:
                raise _Undo
            store.figures_store(update=outcome.to_update, by=user)
            if not staff:
                _touch_reports(to_create + outcome.to_update, reports, made=made)
    except _Undo:
        return summary
    except IntegrityError as exc:
        if not _unique_violation(exc):
            raise
        # Another import stored one of these figures after they were looked up: nothing
        # of this one is kept, and sending it again will work.
        raise ImportConflict(IMPORT_CONFLICT) from None
    summary.stored = True
    return summary


def _decide(
    inputs: list[FigureInput],
    refs: FigureRefs,
    *,
    user,
    staff: bool,
    status: str | None,
    existing: dict[tuple, Figure],
    reports: dict[tuple, Submission],
    outcome: _Outcome,
    keep_going: bool,
) -> Iterator[CheckedRow]:
    """Each row checked and decided, in the file's order: yields the figures to create;
    counts the unchanged, collects the figures to update and every error in `outcome`.
    Unless `keep_going`, nothing more is yielded after the first error (nothing will be
    stored), but every row is still checked so that all errors are reported."""
    entered_by_id = user.pk if user and user.is_authenticated else None
    seen: dict[tuple, int] = {}
    errors = outcome.errors
    for figure, problems in rows_checked(inputs, refs):
        if problems:
            errors.extend(problems)
            continue
        row = figure.row
        key = figure_key(figure)
        if key in seen:
            errors.append(
                RowError(row, "period", _("Trùng với dòng %(row)s của tệp.") % {"row": seen[key]})
            )
            continue
        seen[key] = row
        report = None
        if not staff:
            refused = rules.official_refusal(user, figure)
            if refused is not None:
                errors.append(RowError(row, *refused))
                continue
            report = reports.get((figure.unit_id, figure.agency_id, figure.period))
        current = existing.get(key)
        approximate_keep(figure, current)
        if current is not None and not figure_differs(current, figure):
            outcome.unchanged += 1  # the same value again (a file sent twice)
            continue
        refused = rules.file_refusal(current.status if current is not None else None)
        if refused:
            errors.append(RowError(row, "value", refused))
            continue
        refused = rules.report_refusal(report)
        if refused:
            errors.append(RowError(row, "period", refused))
            continue
        if staff:
            figure.status = status or Status.DRAFT
        else:
            figure.status = report.status if report is not None else Status.DRAFT
        if current is None:
            figure.entered_by_id = entered_by_id
            if keep_going or not errors:
                yield figure
        elif any(getattr(current, f) != getattr(figure, f) for f in FIGURE_WRITABLE):
            for f in FIGURE_WRITABLE:
                setattr(current, f, getattr(figure, f))
            outcome.to_update.append(current)
        else:  # only the status would move: an import does not change a status
            outcome.unchanged += 1


def _lookup_keys(inputs: list[FigureInput], refs: FigureRefs) -> tuple[set, set, set]:
    """The unit, indicator and period ids the rows may mean (before they are checked)."""
    units = {u.pk for code in {i.unit_code for i in inputs} for u in refs.units.get(code, ())}
    indicators = {i.pk for i in refs.indicators.values()}
    periods = set()
    for text in {i.period for i in inputs}:
        try:
            periods.add(parse_period(text).id)
        except PeriodError:
            continue  # the row will say so
    return units, indicators, periods


def _existing(keys: tuple[set, set, set], *, lock: bool) -> dict[tuple, Figure]:
    """The figures already stored that the rows may overwrite, locked, in one query (not
    one per row); looked up before the rows are checked, so by what they may mean
    (`_lookup_keys`)."""
    units, indicators, periods = keys
    if not (units and indicators and periods):
        return {}
    found = Figure.objects.filter(indicator_id__in=indicators, period__in=periods)
    if len(units) <= 500:
        found = found.filter(unit_id__in=units)
    # (A file of thousands of units reads its indicators' figures of those periods through
    # figure_rollup_idx rather than sending thousands of ids.)
    if lock:  # (a dry run stores nothing: it holds no lock either)
        found = rules.figures_locked(found)
    return {figure_key(f): f for f in found}


def _reports(
    keys: tuple[set, set, set], *, user, lock: bool
) -> tuple[dict[tuple, Submission], set[tuple]]:
    """The official's own reports for the file's periods, by (unit, agency, period) (rows of
    any other unit are refused before a report is asked for), and the keys of those made
    for this import. When `lock`, the missing ones are made (as drafts) and all are locked,
    by id, before any figure: a report made at the end, after the figures, would wait for a
    form that holds it while the form waits for those figures. _touch_reports removes the
    made ones that no row went into."""
    units, _indicators, periods = keys
    unit, agency = rules.reporters_of(user)
    if unit is None or unit.pk not in units or not periods:
        return {}, set()
    made = _reports_make(unit, agency, periods) if lock else set()
    reports = Submission.objects.filter(unit=unit, agency=agency, period__in=periods)
    if lock:
        reports = rules.reports_locked(reports)
    return {(r.unit_id, r.agency_id, r.period): r for r in reports}, made


def _reports_make(unit, agency, periods: set[str]) -> set[tuple]:
    """The unit's (or agency's) reports for `periods` that do not exist yet, made as drafts
    in one statement; their keys. (A form making one of them at the same moment: each is
    then made or found one by one.)"""
    have = set(
        Submission.objects.filter(unit=unit, agency=agency, period__in=periods).values_list(
            "period", flat=True
        )
    )
    new = []
    for period in sorted(periods - have):
        p = parse_period(period)
        new.append(
            Submission(
                unit=unit, agency=agency, period=p.id, period_start=p.start, period_end=p.end
            )
        )
    try:
        with transaction.atomic():
            Submission.objects.bulk_create(new)
        made = new
        if new:  # (bulk_create sends no signal: see aggregates.follow_structure)
            aggregates.reports_changed([(unit.pk, report.period) for report in new])
    except IntegrityError:
        made = []
        for report in new:
            _found, created = Submission.objects.get_or_create(
                unit=unit,
                agency=agency,
                period=report.period,
                defaults={"period_start": report.period_start, "period_end": report.period_end},
            )
            if created:
                made.append(report)
    return {(unit.pk, agency.pk if agency else None, r.period) for r in made}


def _touch_reports(figures: list, reports: dict[tuple, Submission], *, made: set[tuple]) -> None:
    """An official's import goes into their report for each period (made by _reports),
    whose version moves on so an open form is told; reports made for the import that no
    row went into are removed again."""
    touched = {(f.unit_id, f.agency_id, f.period) for f in figures}
    for key in touched:
        report = reports.get(key)
        if report is None:  # (not asked for: a membership whose agency is another unit's)
            sample = next(f for f in figures if (f.unit_id, f.agency_id, f.period) == key)
            Submission.objects.create(
                unit_id=key[0],
                agency_id=key[1],
                period=key[2],
                period_start=sample.period_start,
                period_end=sample.period_end,
                version=1,
            )
            continue
        report_touch(report)
    unused = [reports[key].pk for key in made - touched if key in reports]
    if unused:
        Submission.objects.filter(pk__in=unused).delete()
