"""A report's state and version, kept by the write service: opened (locked, made as a draft
where there is none) before its figures are written, touched when they change, and moved
through review with its figures (docs/decisions/0006, 0012).

The review workflow (entry.services) adds its own checks to a step (what is missing, the
validation rules, evidence) and what follows it (notifications); who may take a step, from
which status, and what the step writes are here.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Figure, Indicator, Submission, Transition
from indicators.periods import Period
from indicators.reports import report_figures
from indicators.services import FigureLocked
from indicators.validation import figure_value_check
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
    may_submit = rules.step_allowed(user, report, "submit")
    may_review = rules.step_allowed(user, report, "approve")
    return [
        action
        for action, (sources, _target, _reason) in ACTIONS.items()
        if report.status in sources and (may_submit if action == "submit" else may_review)
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


@dataclass
class ValuesSaved:
    """What report_values_save did: figures written and cleared, each code's errors (field
    → messages), and the codes left without a figure, in the indicators' order."""

    saved: int = 0
    cleared: int = 0
    errors: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def report_values_save(
    report: Submission,
    *,
    user,
    period: Period,
    indicators: dict[str, Indicator],
    current: dict[str, Figure],
    values: dict,
) -> ValuesSaved:
    """A report's values as a form typed them (by indicator code: value, numerator,
    denominator, note, source as strings, and `is_blank`), written into the report that
    report_open opened, its figures (`current`, by code) locked: a valid value creates or
    changes its figure, with the report's status; a blank one clears it; an invalid one is
    reported (indicators.validation) and the others are still saved. A published figure is
    left as it is, whoever saves (rules.form_refusal: a change typed over it is refused).
    Indicators not among `values` (not on the form sent) are left as they are."""
    result = ValuesSaved()
    to_create, to_update, to_clear = [], [], []
    for code, indicator in indicators.items():
        figure = current.get(code)
        if code not in values:  # not on the form that was sent: left as it is
            if figure is None:
                result.missing.append(code)
            continue
        given = values[code]
        # Approved figures are published: the form shows them and leaves them as they are,
        # whoever saves it; they change by reopening the report, or one at a time by an
        # administrator (the admin, the API): docs/decisions/0012.
        published = rules.is_published(figure)
        if given.is_blank:
            if published:
                continue  # shown, not sent: it stays as it is
            result.missing.append(code)
            if figure is not None:
                to_clear.append(figure)
            continue
        try:
            checked = figure_value_check(
                indicator=indicator,
                scope=Figure.Scope.SELF,
                value=given.value,
                numerator=given.numerator,
                denominator=given.denominator,
            )
        except ValidationError as exc:
            result.errors[code] = exc.message_dict
            continue
        wanted = {
            "value": checked.value,
            "numerator": checked.numerator,
            "denominator": checked.denominator,
            "note": given.note.strip(),
            "source": given.source.strip()[:255],
            "status": report.status,
        }
        if published:
            changes = any(getattr(figure, k) != v for k, v in wanted.items() if k != "status")
            refused = rules.form_refusal(figure, changes=changes)
            if refused:
                result.errors[code] = {"value": [refused]}
            continue
        if figure is None:
            to_create.append(
                Figure(
                    unit_id=report.unit_id,
                    agency_id=report.agency_id,
                    indicator=indicator,
                    period=period.id,
                    period_start=period.start,
                    period_end=period.end,
                    scope=Figure.Scope.SELF,
                    entered_by=user,
                    **wanted,
                )
            )
        elif any(getattr(figure, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(figure, k, v)
            to_update.append(figure)
    # Only a save that wrote something moves the report's version (makes open forms stale).
    report_save(report, create=to_create, update=to_update, delete=to_clear, by=user)
    result.saved = len(to_create) + len(to_update)
    result.cleared = len(to_clear)
    return result


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
