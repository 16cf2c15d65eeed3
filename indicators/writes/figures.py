"""Figures written one at a time or as a set all or nothing, by the write service: the API's
save and delete of one figure (and a DHIS2 delete of several), staff's sets of rows, and the
reference data's figures. Each takes its locks and asks indicators.writes.rules before it
hands what it decided to indicators.writes.store (docs/decisions/0012).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from indicators import aggregates
from indicators.models import (
    FIGURE_WRITABLE,
    Figure,
    Indicator,
    Submission,
    figure_differs,
    figure_key,
)
from indicators.periods import parse_period
from indicators.services import (
    FigureInput,
    FigureLocked,
    FigureRowsError,
    FigureWriteSummary,
    figures_check,
)
from indicators.validation import approximate_keep
from indicators.writes import rules, store
from indicators.writes.reports import ReportLocked, report_open, report_touch
from units.models import Unit

Status = Figure.Status


@aggregates.atomic()
def figures_save_many(
    *,
    inputs: list[FigureInput],
    by=None,
    status: str = Figure.Status.DRAFT,
    reference_files: bool = False,
) -> FigureWriteSummary:
    """Creates or updates figures all-or-nothing; raises FigureRowsError listing every bad row.

    Saving the same rows twice changes nothing the second time. `reference_files`: the
    rows are the reference data's (load_reference_data), which is the truth for the figures
    it holds, approved ones included.
    """
    return figures_write(inputs=inputs, by=by, status=status, reference_files=reference_files)


@transaction.atomic
def reference_figures_load(*, inputs: list[FigureInput]) -> FigureWriteSummary:
    """The reference data's figures (fixtures/figures/seeds.csv), approved, and the figures an
    earlier version of that file held and this one no longer does retired: a seed read
    again under another indicator or scope (Chợ Đồn's 90% is the district tier's, not the
    district's) must not leave its old reading behind. Retired: the figures taken from the
    same articles (their source starts with the article's file name), not in the file,
    entered by nobody and never written by a person since (those are theirs, as
    figures_write keeps them; a person's figure stays theirs even once their account is
    deleted, since it was entered by someone)."""
    summary = figures_write(inputs=inputs, status=Figure.Status.APPROVED, reference_files=True)
    articles = {item.source.split(" — ")[0].strip() for item in inputs if item.source.strip()}
    if not articles:
        return summary
    same_articles = Q()
    for article in articles:
        same_articles |= Q(source__startswith=article)
    stale = list(
        rules.figures_locked(
            Figure.objects.filter(same_articles, entered_by__isnull=True).exclude(
                pk__in=summary.figure_ids
            )
        )
    )
    people = _changed_by_people(stale)
    retired = [f for f in stale if f.pk not in people]
    store.figures_store(delete=retired, was_published=True)
    summary.retired = len(retired)
    return summary


def figures_write(
    *,
    inputs: list[FigureInput],
    by=None,
    status: str = Figure.Status.DRAFT,
    reference_files: bool = False,
) -> FigureWriteSummary:
    """figures_save_many's work, inside a transaction the caller holds (the API's save)."""
    figures, errors = figures_check(inputs)
    if errors:
        raise FigureRowsError(errors)
    return _checked_write(figures, by=by, status=status, reference_files=reference_files)


def _checked_write(
    figures: list[Figure], *, by, status: str, reference_files: bool = False
) -> FigureWriteSummary:
    """figures_write's work on rows figures_check passed (unsaved figures)."""
    may_change_approved = reference_files or rules.may_change_published(by)
    summary = FigureWriteSummary()
    # Lock the rows we may overwrite, so a concurrent save cannot slip in between; by id, the
    # order every writer locks figures in (after the report: docs/decisions/0012).
    existing = {
        figure_key(f): f
        for f in rules.figures_locked(
            Figure.objects.filter(
                unit_id__in={f.unit_id for f in figures},
                indicator_id__in={f.indicator_id for f in figures},
                period__in={f.period for f in figures},
            )
        )
    }
    # The reference files hold the seeds as the articles give them, and are loaded again at
    # every deployment; a seed a person has changed since (an administrator's correction, a
    # report reopened) is theirs now, and stays as they left it.
    kept = _changed_by_people(existing.values()) if reference_files else set()
    created: list[Figure] = []
    updated: dict[int, Figure] = {}
    was_published = False
    stored: list[Figure] = []  # each input's figure, in the order of the inputs
    for figure in figures:
        figure.status = status
        current = existing.get(figure_key(figure))
        approximate_keep(figure, current)
        if current is None:
            figure.entered_by = by
            created.append(figure)
            summary.created += 1
            current = existing[figure_key(figure)] = figure
        elif current.pk in kept:
            summary.unchanged += 1
        elif any(getattr(current, f) != getattr(figure, f) for f in FIGURE_WRITABLE):
            if current.status == Figure.Status.APPROVED and not may_change_approved:
                if figure_differs(current, figure):
                    raise FigureLocked(rules.published_message())
                # The same figure sent again: it stays published, whatever status came.
                summary.unchanged += 1
                stored.append(current)
                continue
            was_published |= current.status == Figure.Status.APPROVED
            for f in FIGURE_WRITABLE:
                setattr(current, f, getattr(figure, f))
            if current.pk is not None:  # (not one made by an earlier row of these)
                updated[current.pk] = current
            summary.updated += 1
        else:
            summary.unchanged += 1
        stored.append(current)
    store.figures_store(
        create=created, update=list(updated.values()), by=by, was_published=was_published
    )
    summary.figure_ids = [f.pk for f in stored]
    return summary


def _changed_by_people(figures) -> set[int]:
    """The figures among `figures` that a person has written (a history record with a user),
    in one query."""
    ids = [f.pk for f in figures if f.pk is not None]
    if not ids:
        return set()
    return set(
        Figure.history.filter(id__in=ids, history_user_id__isnull=False)
        .values_list("id", flat=True)
        .distinct()
    )


@aggregates.atomic()
def figure_api_save(*, user, item: FigureInput, status: str | None = None) -> tuple:
    """One figure sent through the API by an official: their own unit or agency only, into
    their report for that period while it is a draft or returned. Returns (summary, figure id).
    Staff (administrators) write any figure, with any status, as before."""
    return _api_save(user, item, status)


@aggregates.atomic()
def figure_api_update(*, user, figure: Figure, item: FigureInput, status: str) -> tuple:
    """A stored figure changed through the API (PATCH): as figure_api_save, and a status
    named that would take back a published figure is a change too (FigureLocked), even
    with the same value."""
    refused = rules.status_change_refusal(user, figure.status, status)
    if refused:
        raise FigureLocked(refused)
    return _api_save(user, item, status)


def _api_save(user, item: FigureInput, status: str | None) -> tuple:
    if rules.writes_any(user):
        summary = figures_write(inputs=[item], by=user, status=status or Status.DRAFT)
        return summary, summary.figure_ids[0]
    figures, errors = figures_check([item])
    if errors:
        raise FigureRowsError(errors)
    figure = figures[0]
    rules.official_may_write(user, figure)
    period = parse_period(figure.period)
    submission = report_open(unit=figure.unit, agency=figure.agency, period=period)
    summary = _checked_write(figures, by=user, status=submission.status)
    if summary.created or summary.updated:  # the same figure sent again leaves open forms be
        report_touch(submission)
    return summary, summary.figure_ids[0]


@aggregates.atomic()
def figure_api_delete(*, user, figure: Figure) -> None:
    """One figure deleted through the API: staff delete any figure (an approved one only if
    they are an administrator); an official deletes their own unit's or agency's, scope
    "self", while its report is a draft or returned. The report is locked, then the figure
    (docs/decisions/0012), and both are checked again under the locks."""
    _figures_delete(user, [figure])


@aggregates.atomic()
def figures_api_delete(*, user, figures: list[Figure]) -> int:
    """Several figures deleted as figure_api_delete deletes one, all or none (a DHIS2
    import with importStrategy=DELETE): returns how many were deleted."""
    return _figures_delete(user, figures)


def _figures_delete(user, asked: list[Figure]) -> int:
    """Their reports locked, by id, then the figures, by id (the order every writer locks
    in), and each checked again under the locks."""
    staff = rules.writes_any(user)
    by_key = lambda f: (f.unit_id, f.agency_id or 0, f.period, f.pk)  # noqa: E731
    if not staff:
        for figure in sorted(asked, key=by_key):
            rules.official_may_write(user, figure)
    keys = Q(pk__in=[])
    for unit_id, agency_id, period in {(f.unit_id, f.agency_id, f.period) for f in asked}:
        keys |= Q(unit_id=unit_id, agency_id=agency_id, period=period)
    reports = {
        (r.unit_id, r.agency_id, r.period): r
        for r in rules.reports_locked(Submission.objects.filter(keys))
    }
    # (Those deleted meanwhile are not found: what was asked is done.)
    found = list(rules.figures_locked(Figure.objects.filter(pk__in=[f.pk for f in asked])))
    for figure in sorted(found, key=by_key):
        refused = rules.published_refusal(user, figure.status, changes=True)
        if refused:
            raise FigureLocked(refused)
        report = reports.get((figure.unit_id, figure.agency_id, figure.period))
        refused = None if staff else rules.report_refusal(report)
        if refused:
            raise ReportLocked(refused)
    store.figures_store(delete=found, by=user)
    touched = {
        reports[key]
        for key in {
            (f.unit_id, f.agency_id, f.period) for f in found if f.scope == Figure.Scope.SELF
        }
        if key in reports
    }
    for report in sorted(touched, key=lambda r: r.pk):
        report_touch(report)
    return len(found)


def stored_status(figure: Figure | None) -> str | None:
    """What is stored of a figure shown or sent (not what a form or a history page holds)."""
    if figure is None or figure.pk is None:
        return None
    return Figure.objects.filter(pk=figure.pk).values_list("status", flat=True).first()


def admin_form_refusal(user, figure: Figure, *, changes: bool) -> str | None:
    """Why the admin's form may not save `figure` (by what is stored: a history page's form
    holds an old version of it), or None."""
    return rules.published_refusal(user, stored_status(figure), changes=changes)


def published_for(user, figure: Figure | None) -> bool:
    """Whether `figure`, as stored, is published and closed to `user` (the admin shows it
    view-only: rules.published_refused)."""
    return rules.published_refused(user, stored_status(figure), changes=True)


@transaction.atomic  # (inside the admin's own transaction)
def figure_admin_save(*, user, figure: Figure, change: bool) -> None:
    """The admin's form: one figure checked by indicators.forms.FigureAdminForm, created or
    changed; a published one only by whoever may change it (PermissionDenied otherwise)."""
    stored = None
    if change:
        locked = rules.figures_locked(Figure.objects.filter(pk=figure.pk)).first()
        stored = locked.status if locked is not None else None
        refused = rules.published_refusal(user, stored, changes=True)
        if refused:  # (the admin shows it view-only: only a change made meanwhile gets here)
            raise PermissionDenied(refused)
    store.figures_store(
        create=() if change else [figure],
        update=[figure] if change else (),
        by=user,
        was_published=stored == Status.APPROVED,
    )


@transaction.atomic
def figures_admin_delete(*, user, figures) -> None:
    """The admin's delete (of one figure, or the changelist's "delete selected"): all of
    them or, if one is published and `user` may not delete published figures, none."""
    locked = list(rules.figures_locked(Figure.objects.filter(pk__in=[f.pk for f in figures])))
    for figure in locked:
        refused = rules.published_refusal(user, figure.status, changes=True)
        if refused:
            raise PermissionDenied(refused)
    store.figures_store(delete=locked, by=user)


def admin_import_lock(
    *, unit_codes: set[str], indicator_codes: set[str], periods: set[str]
) -> None:
    """The admin's import: the figures its file may overwrite, locked by id before any is
    read (inside the import's transaction), as every writer locks them: what its rows are
    compared with cannot change before it commits."""
    list(
        rules.figures_locked(
            Figure.objects.filter(
                unit_id__in=Unit.objects.filter(code__in=unit_codes).values("pk"),
                indicator_id__in=Indicator.objects.filter(code__in=indicator_codes).values("pk"),
                period__in=periods,
            )
        ).values_list("pk", flat=True)
    )


def admin_import_save(*, user, figure: Figure, stored: dict | None) -> None:
    """One row of the admin's import, checked by rules.admin_import_refusal, written."""
    store.figures_store(
        create=[figure] if stored is None else (),
        update=() if stored is None else [figure],
        by=user,
        was_published=bool(stored) and stored["status"] == Status.APPROVED,
    )
