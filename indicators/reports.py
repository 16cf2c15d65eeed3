"""Reports: the figures of one unit (or agency) for one period, held together while they
are entered and reviewed (indicators.models.Submission), and the writes that must respect
them — the API's one-figure save and delete; the quarterly form and the review workflow
(entry.services) and imports (indicators.bulk) open, lock and touch reports through here.

A report is locked before its figures, as every writer does (docs/decisions/0012).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts import policy
from indicators import aggregates, store
from indicators.models import Figure, Submission
from indicators.periods import Period, parse_period
from indicators.services import (
    FigureInput,
    FigureLocked,
    FigureRowsError,
    figures_check,
    figures_write,
)
from units.models import Agency, Unit

Status = Figure.Status


class ReportLocked(FigureLocked):
    """The report is submitted or approved: nobody edits it until it is returned."""


def submission_get(unit: Unit, agency: Agency | None, period: Period) -> Submission | None:
    return Submission.objects.filter(unit=unit, agency=agency, period=period.id).first()


def report_figures(submission: Submission) -> QuerySet[Figure]:
    """The figures a report holds: its unit's (or agency's) own, for its period."""
    return Figure.objects.filter(
        unit_id=submission.unit_id,
        agency_id=submission.agency_id,
        period=submission.period,
        scope=Figure.Scope.SELF,
    )


def report_locked_message(report: Submission) -> str:
    return _("Báo cáo đang ở trạng thái «%(status)s»: không sửa được.") % {
        "status": report.get_status_display()
    }


def report_open(*, unit: Unit, agency: Agency | None, period: Period) -> Submission:
    """The report a unit's (or agency's) figures of `period` go into, locked (made as a
    draft where there is none): ReportLocked while it is submitted or approved. Locked
    before its figures, as every writer does (docs/decisions/0012)."""
    report, _created = Submission.objects.select_for_update().get_or_create(
        unit=unit,
        agency=agency,
        period=period.id,
        defaults={"period_start": period.start, "period_end": period.end},
    )
    if not report.is_editable:
        raise ReportLocked(report_locked_message(report))
    return report


def report_touch(report: Submission) -> None:
    """The report's figures changed: its version moves on, so that a form opened before
    is told instead of overwriting them silently."""
    report.version += 1
    report.save(update_fields=["version", "updated_at"])


@aggregates.atomic()
def figure_api_save(*, user, item: FigureInput, status: str | None = None) -> tuple:
    """One figure sent through the API by an official: their own unit or agency only, into
    their report for that period while it is a draft or returned. Returns (summary, figure id).
    Staff (administrators) write any figure, with any status, as before."""
    if policy.writes_any_figure(user):
        summary = figures_write(inputs=[item], by=user, status=status or Status.DRAFT)
        return summary, summary.figure_ids[0]
    figures, errors = figures_check([item])
    if errors:
        raise FigureRowsError(errors)
    figure = figures[0]
    _official_may_write(user, figure)
    period = parse_period(figure.period)
    submission = report_open(unit=figure.unit, agency=figure.agency, period=period)
    summary = figures_write(inputs=[item], by=user, status=submission.status)
    report_touch(submission)
    return summary, summary.figure_ids[0]


def _official_may_write(user, figure) -> None:
    """An official writes their own unit's (or agency's) own figures: PermissionDenied,
    saying which rule, otherwise."""
    if not policy.can_enter(user, figure.unit, figure.agency):
        raise PermissionDenied(policy.NOT_YOUR_UNIT)
    if not policy.can_enter_scope(user, figure.scope):
        raise PermissionDenied(policy.OWN_FIGURES_ONLY)


@aggregates.atomic()
def figure_api_delete(*, user, figure: Figure) -> None:
    """One figure deleted through the API: staff delete any figure (an approved one only if
    they are an administrator); an official deletes their own unit's or agency's, scope
    "self", while its report is a draft or returned. The report is locked, then the figure
    (docs/decisions/0012), and both are checked again under the locks."""
    _figure_delete(user, figure)


@aggregates.atomic()
def figures_api_delete(*, user, figures: list[Figure]) -> int:
    """Several figures deleted as figure_api_delete deletes one, all or none (a DHIS2
    import with importStrategy=DELETE): returns how many were deleted. Each is locked and
    checked in turn, in the order of their keys (the order every writer locks in)."""
    deleted = 0
    for figure in sorted(figures, key=lambda f: (f.unit_id, f.agency_id or 0, f.period, f.pk)):
        deleted += _figure_delete(user, figure)
    return deleted


def _figure_delete(user, figure: Figure) -> int:
    staff = policy.writes_any_figure(user)
    if not staff:
        _official_may_write(user, figure)
    report = (
        Submission.objects.select_for_update()
        .filter(unit_id=figure.unit_id, agency_id=figure.agency_id, period=figure.period)
        .first()
    )
    figure = Figure.objects.select_for_update().filter(pk=figure.pk).first()
    if figure is None:
        return 0  # deleted meanwhile: what was asked is done
    if figure.status == Status.APPROVED and not policy.can_change_approved(user):
        raise FigureLocked(policy.APPROVED_LOCKED)
    if not staff and report is not None and not report.is_editable:
        raise ReportLocked(report_locked_message(report))
    store.figures_store(delete=[figure], by=user)
    if report is not None and figure.scope == Figure.Scope.SELF:
        report_touch(report)
    return 1
