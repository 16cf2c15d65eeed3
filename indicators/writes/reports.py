"""A report's state and version, kept by the write service: opened (locked, made as a draft
where there is none) before its figures are written, touched when they change, and moved
through review with its figures (docs/decisions/0006, 0012).

The review workflow (entry.services) adds its own checks to a step (what is missing, the
validation rules, evidence) and what follows it (notifications); who may take a step, from
which status, and what the step writes are here.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Figure, Submission, Transition
from indicators.periods import Period
from indicators.reports import report_figures
from indicators.services import FigureLocked
from indicators.writes import rules, store
from units.models import Agency, Unit

Status = Figure.Status


class ReportLocked(FigureLocked):
    """The report is submitted or approved: nobody edits it until it is returned."""


class WorkflowError(Exception):
    """A step the report's status does not allow, or one missing its reason."""


# action → (the statuses it starts from, where it leads, whether a reason is required)
ACTIONS = {
    "submit": ({Status.DRAFT, Status.RETURNED}, Status.SUBMITTED, False),
    "approve": ({Status.SUBMITTED}, Status.APPROVED, False),
    "return": ({Status.SUBMITTED}, Status.RETURNED, True),
    "reopen": ({Status.APPROVED}, Status.RETURNED, True),
}
ACTION_LABELS = {
    "submit": gettext_lazy("gửi"),
    "approve": gettext_lazy("duyệt"),
    "return": gettext_lazy("trả lại"),
    "reopen": gettext_lazy("mở lại"),
}
NOT_ALLOWED = gettext_lazy("Bạn không có quyền thực hiện thao tác này với báo cáo.")
REASON_REQUIRED = gettext_lazy("Cần ghi lý do.")
REPORT_MOVED_ON = gettext_lazy(
    "Báo cáo đã thay đổi sau khi bạn mở trang (được gửi lại hoặc đã có người xử lý): hãy xem lại."
)


def report_open(*, unit: Unit, agency: Agency | None, period: Period, user=None) -> Submission:
    """The report a unit's (or agency's) figures of `period` go into, locked (made as a
    draft where there is none): ReportLocked while it is submitted or approved. Locked
    before its figures, as every writer does (docs/decisions/0012).

    With `user`, first that they enter this unit's (or agency's) figures and that the unit
    existed during the period (PermissionDenied)."""
    if user is not None:
        rules.may_enter(user, unit, agency)
        rules.in_force(unit, period)
    report, _created = rules.reports_locked(Submission.objects.all()).get_or_create(
        unit=unit,
        agency=agency,
        period=period.id,
        defaults={"period_start": period.start, "period_end": period.end},
    )
    refused = rules.report_refusal(report)
    if refused:
        raise ReportLocked(refused)
    return report


def steps_open(user, report: Submission) -> list[str]:
    """The review steps `user` may take on the report as it stands."""
    return [
        action
        for action, (sources, _target, _reason) in ACTIONS.items()
        if report.status in sources and rules.step_allowed(user, report, action)
    ]


def report_touch(report: Submission) -> None:
    """The report's figures changed: its version moves on, so that a form opened before
    is told instead of overwriting them silently."""
    report.version += 1
    report.save(update_fields=["version", "updated_at"])


def report_save(
    report: Submission,
    *,
    create: list[Figure] = (),
    update: list[Figure] = (),
    delete: list[Figure] = (),
    by,
) -> None:
    """A report's figures written (opened by report_open, its figures locked): the report's
    version moves on if anything was written."""
    store.figures_store(create=create, update=update, delete=delete, by=by)
    if create or update or delete:
        report_touch(report)


def report_step(
    *,
    user,
    report: Submission,
    action: str,
    reason: str = "",
    expected_version: int | None = None,
    gates: Callable[[], None] | None = None,
) -> None:
    """One review step of a report the caller locked (rules.reports_locked): who may take it
    (its official submits, its reviewers approve, return and reopen: accounts.policy), from
    which status, with a reason where one is required, and only on the version the actor saw
    (WorkflowError or PermissionDenied otherwise); then `gates`, the workflow's own checks,
    which raise to refuse; then report_move."""
    if action not in ACTIONS:
        raise WorkflowError(_("Thao tác không hợp lệ."))
    sources, target, needs_reason = ACTIONS[action]
    if not rules.step_allowed(user, report, action):
        raise PermissionDenied(NOT_ALLOWED)
    if report.status not in sources:
        raise WorkflowError(
            _("Không thể %(action)s báo cáo đang ở trạng thái «%(status)s».")
            % {"action": ACTION_LABELS[action], "status": report.get_status_display()}
        )
    if expected_version is not None and report.version != expected_version:
        raise WorkflowError(REPORT_MOVED_ON)
    if needs_reason and not reason.strip():
        raise WorkflowError(REASON_REQUIRED)
    if gates is not None:
        gates()
    report_move(report, target, user=user, reason=reason.strip())


def report_move(report: Submission, target: str, *, user, reason: str = "") -> None:
    """Set the report's and its figures' status, and record the step.

    A figure approved before (a seed, a figure an administrator approved, last quarter's
    import) stays published while the report is submitted, returned and approved around
    it; only reopening an approved report takes its figures back, with the reason."""
    reopening = report.status == Status.APPROVED
    figures = [
        f
        for f in rules.figures_locked(report_figures(report))
        if reopening or f.status != Status.APPROVED
    ]
    for figure in figures:
        figure.status = target
    store.figures_store(update=figures, by=user, was_published=reopening)
    Transition.objects.create(
        submission=report,
        from_status=report.status,
        to_status=target,
        by=user,
        reason=reason,
    )
    report.status = target
    if target == Status.SUBMITTED:
        report.submitted_at = timezone.now()
    report.version += 1
    report.save(update_fields=["status", "submitted_at", "version", "updated_at"])
