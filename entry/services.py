"""Entering a quarter's figures and moving the report through review.

Both go through the write service (indicators.writes): it asks accounts.policy, opens and
locks the report and its figures in the one order, writes them with their history and
keeps the report's state and version, and checks and writes the values a form typed
(report_values_save). The form adds what is its own: a save refused when the report changed
since the form was opened, and what a submission needs (required indicators, validation
rules, evidence). A form's save is one transaction: all of it or, on a conflict, none.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policy
from entry.requirements import required_codes
from indicators import aggregates
from indicators.models import Figure, Indicator, Submission
from indicators.periods import Period, parse_period
from indicators.reports import report_figures
from indicators.validation import indicator_valid_in
from indicators.writes import rules
from indicators.writes.reports import (
    ACTION_LABELS,
    ACTIONS,
    REASON_REQUIRED,
    WorkflowError,
    report_move,
    report_open,
    report_step,
    report_values_save,
)
from notifications.services import notifications_for_step
from quality.evidence import missing_evidence
from quality.rules import Violation, report_violations
from units.models import Agency, Unit

Status = Figure.Status


class EntryConflict(Exception):
    """Someone saved the report after this form was opened; nothing was written."""

    def __init__(self, changed: dict[str, "Figure | None"]):
        self.changed = changed  # indicator code → its figure now (None: now empty)
        super().__init__(", ".join(changed))


@dataclass
class EntryValue:
    """What an official typed for one indicator (strings, as forms give them)."""

    value: str = ""
    numerator: str = ""
    denominator: str = ""
    note: str = ""
    source: str = ""

    @property
    def is_blank(self) -> bool:
        return not (self.value.strip() or self.numerator.strip() or self.denominator.strip())


@dataclass
class EntryResult:
    submission: Submission
    saved: int = 0
    cleared: int = 0
    errors: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # Every applicable indicator left empty, in the form's order; of them, when submitting,
    # those required (entry.requirements): only these stop a submission.
    missing: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    # When submitting: the validation rules the report breaks (quality.rules). An error
    # stops the submission; a warning stops it until the official explains it (`comment`).
    rule_errors: list[Violation] = field(default_factory=list)
    rule_warnings: list[Violation] = field(default_factory=list)
    submitted: bool = False

    @property
    def needs_comment(self) -> bool:
        return bool(self.rule_warnings) and not self.rule_errors and not self.submitted


def applicable_indicators(unit: Unit, agency: Agency | None, period: Period) -> list[Indicator]:
    """What this unit (by level) or agency (by kind) reports in this period, by pillar."""
    token = f",{agency.kind}," if agency is not None else f",{unit.level},"
    field_name = "agency_kinds" if agency is not None else "levels"
    indicators = Indicator.objects.filter(**{f"{field_name}__contains": token}).order_by(
        "pillar", "position", "code"
    )
    return [i for i in indicators if indicator_valid_in(i, period)]


def fingerprint(figure: Figure | None) -> str:
    """What a figure looked like, to tell whether it changed since a form was opened."""
    if figure is None:
        return ""
    parts = (figure.value, figure.numerator, figure.denominator)
    return "|".join("" if p is None else f"{Decimal(p).normalize():f}" for p in parts)


@aggregates.atomic()
def entry_save(
    *,
    user,
    unit: Unit,
    agency: Agency | None,
    period: Period,
    values: dict[str, EntryValue],
    version: int,
    opened: dict[str, str] | None = None,
    submit: bool = False,
    comment: str = "",
) -> EntryResult:
    """Save a report's values as a draft (valid ones saved, invalid ones reported), and
    submit it if asked, every value is valid and every required indicator has one
    (entry.requirements: the others are optional), and it breaks no validation rule of
    severity error nor, unless `comment` explains them, of severity warning (the comment is
    kept as the submission's reason).

    `version` is the report's version when the form was opened; if someone saved since,
    EntryConflict lists what changed (against `opened`, the fingerprints the form showed)
    and nothing is written.
    """
    submission = report_open(user=user, unit=unit, agency=agency, period=period)
    indicators = {i.code: i for i in applicable_indicators(unit, agency, period)}
    # Locked after the report, by id: the order every writer locks in (docs/decisions/0012).
    current = {
        f.indicator.code: f
        for f in rules.figures_locked(report_figures(submission).select_related("indicator"))
    }
    # What the form showed against what is stored, whatever the version: a writer that does
    # not move it (staff through the API or a file, the admin) must not be overwritten, nor
    # its new figures cleared, by a form opened before.
    seen = opened or {}
    stale = submission.version != version
    changed = {
        code: current.get(code)
        for code in indicators
        if (stale or code in seen) and fingerprint(current.get(code)) != seen.get(code, "")
    }
    if submission.version != version or changed:
        raise EntryConflict(changed)

    result = EntryResult(submission=submission)
    saved = report_values_save(
        submission, user=user, period=period, indicators=indicators, current=current, values=values
    )
    result.saved, result.cleared = saved.saved, saved.cleared
    result.errors, result.missing = saved.errors, saved.missing
    if submit and result.missing:  # asked only when it matters: a draft's save costs nothing
        required = required_codes(unit, agency, period, list(indicators.values()))
        result.missing_required = [code for code in result.missing if code in required]
    if submit and not result.errors and not result.missing_required:
        broken = report_violations(submission)
        result.rule_errors = [v for v in broken if v.is_error]
        result.rule_warnings = [v for v in broken if not v.is_error]
        if not result.rule_errors and (not result.rule_warnings or comment.strip()):
            report_move(submission, Status.SUBMITTED, user=user, reason=comment.strip())
            result.submitted = True
    return result


@aggregates.atomic()
def submission_act(
    *,
    user,
    submission: Submission,
    action: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Submission:
    """Approve, return or reopen a report (reviewers), or submit it (its official) — every
    step recorded with who, when, from, to and why. Raises PermissionDenied or WorkflowError
    (also when `expected_version` is given and the report moved on since)."""
    submission = rules.reports_locked(Submission.objects.filter(pk=submission.pk)).get()
    return _step(
        user=user,
        submission=submission,
        action=action,
        reason=reason,
        expected_version=expected_version,
    )


def _step(
    *, user, submission: Submission, action: str, reason: str, expected_version: int | None
) -> Submission:
    """One report's step, the report locked by the caller: what submission_act and
    submissions_act both do to each report, so that anything a step does (its checks, its
    record, what happens on commit) is written once, here. Who may take it, from which
    status and what it writes are the write service's (indicators.writes.report_step); the
    workflow adds what a submission and an approval need."""

    def gates() -> None:
        if action == "submit":
            missing = missing_required(submission)
            if missing:
                raise MissingRequired(missing_by_pillar(missing))
            broken = report_violations(submission)
            if any(v.is_error for v in broken) or (broken and not reason.strip()):
                raise RulesBroken(broken)
        if action == "approve":
            lacking = missing_evidence(submission)
            if lacking:
                raise EvidenceMissing(lacking)

    report_step(
        user=user,
        report=submission,
        action=action,
        reason=reason,
        expected_version=expected_version,
        gates=gates,
    )
    if action in NOTIFIED:
        # After the commit: word of a step that was rolled back would be false, and a
        # notification or mail that fails (robust) does not undo the step.
        transaction.on_commit(
            partial(
                notifications_for_step,
                submission=submission,
                kind=NOTIFIED[action],
                reason=reason.strip(),
            ),
            robust=True,
        )
    return submission


NOTHING_CHOSEN = gettext_lazy("Chưa chọn báo cáo nào.")
NOTHING_DONE = gettext_lazy(
    "Chưa thực hiện thao tác nào: báo cáo «%(report)s» không %(action)s được — %(why)s"
)
NO_SUCH_REPORT = gettext_lazy("số %(id)s")
# What a reviewer does to many reports at once, from the inbox.
BULK_ACTIONS = ("approve", "return")


class BulkRefused(WorkflowError):
    """One of the reports chosen could not be acted on: nothing was done to any of them."""

    def __init__(self, message: str, submission_id: int):
        self.submission_id = submission_id
        super().__init__(message)


@aggregates.atomic()
def submissions_act(
    *, user, versions: dict[int, int | None], action: str, reason: str = ""
) -> list[Submission]:
    """Approve or return several reports (id → the version the reviewer saw, or None), each
    through the same step as submission_act, in one transaction: all of them or none.
    Raises WorkflowError (BulkRefused naming the first report refused, and why)."""
    if action not in BULK_ACTIONS:
        raise WorkflowError(_("Thao tác không hợp lệ."))
    if not versions:
        raise WorkflowError(NOTHING_CHOSEN)
    if ACTIONS[action][2] and not reason.strip():
        raise WorkflowError(REASON_REQUIRED)
    # Every report locked first, by id (the order every writer locks reports in), then each
    # one's figures in report_move: a writer holding one report waits instead of deadlocking.
    locked = {
        s.pk: s
        for s in rules.reports_locked(
            Submission.objects.filter(pk__in=list(versions)).select_related("unit", "agency")
        )
    }
    done = []
    for pk in sorted(versions):
        submission = locked.get(pk)
        try:
            if submission is None:
                raise WorkflowError(_("Không có báo cáo này."))
            done.append(
                _step(
                    user=user,
                    submission=submission,
                    action=action,
                    reason=reason,
                    expected_version=versions[pk],
                )
            )
        except (WorkflowError, PermissionDenied) as exc:
            raise BulkRefused(
                NOTHING_DONE
                % {
                    "report": _report_label(user, submission, pk),
                    "action": ACTION_LABELS[action],
                    "why": str(exc),
                },
                pk,
            ) from exc
    return done


def _report_label(user, submission: Submission | None, pk: int) -> str:
    """A report as a refusal names it: its unit (or agency) and period, to those who may see
    it; its number only, to anyone else."""
    if submission is not None and policy.can_view_submission(user, submission):
        return f"{submission.reporter.name} — {submission.period}"
    return str(NO_SUCH_REPORT % {"id": pk})


# Steps the report's reporters are told of (notifications.models.Notification.Kind).
NOTIFIED = {"approve": "approved", "return": "returned", "reopen": "returned"}


def missing_indicators(submission: Submission) -> list[str]:
    """The required indicators (entry.requirements) the report has no figure for, sorted."""
    return sorted(i.code for i in missing_required(submission))


def missing_required(submission: Submission) -> list[Indicator]:
    """missing_indicators, as indicators in the form's order."""
    period = parse_period(submission.period)
    unit, agency = submission.unit, submission.agency
    applicable = applicable_indicators(unit, agency, period)
    wanted = required_codes(unit, agency, period, applicable)
    have = set(report_figures(submission).values_list("indicator__code", flat=True))
    return [i for i in applicable if i.code in wanted and i.code not in have]


@dataclass
class MissingGroup:
    """A pillar's missing required indicators, for a refusal listing them."""

    pillar: str
    label: str
    indicators: list[Indicator]


def missing_by_pillar(indicators: list[Indicator]) -> list[MissingGroup]:
    """Missing indicators under their pillars, in the form's order (no query)."""
    ordered = sorted(indicators, key=lambda i: (i.position, i.code))
    return [
        MissingGroup(pillar.value, str(pillar.label), members)
        for pillar in Indicator.Pillar
        if (members := [i for i in ordered if i.pillar == pillar.value])
    ]


class MissingRequired(WorkflowError):
    """A submission refused for its missing required indicators, grouped by pillar; its
    text says so in one line, the page lists them (groups)."""

    def __init__(self, groups: list[MissingGroup]):
        self.groups = groups
        n = sum(len(g.indicators) for g in groups)
        listed = "; ".join(f"{g.label}: {', '.join(i.code for i in g.indicators)}" for g in groups)
        super().__init__(
            _("Chưa gửi được: còn thiếu %(n)s chỉ tiêu bắt buộc — %(list)s.")
            % {"n": n, "list": listed}
        )


class EvidenceMissing(WorkflowError):
    """An approval refused: figures of indicators that require evidence have none."""

    def __init__(self, indicators: list[Indicator]):
        self.indicators = indicators
        super().__init__(
            _("Chưa duyệt được: %(n)s chỉ tiêu cần minh chứng nhưng chưa có — %(list)s.")
            % {
                "n": len(indicators),
                "list": "; ".join(f"{i.code} ({i.localized_name})" for i in indicators),
            }
        )


class RulesBroken(WorkflowError):
    """A submission refused for the validation rules its figures break: any of severity
    error, or warnings nobody explained."""

    def __init__(self, violations: list[Violation]):
        self.violations = violations
        errors = [v for v in violations if v.is_error]
        listed = "; ".join(v.message for v in errors or violations)
        if errors:
            text = _("Chưa gửi được: số liệu vi phạm %(n)s quy tắc kiểm tra — %(list)s") % {
                "n": len(errors),
                "list": listed,
            }
        else:
            text = _(
                "Chưa gửi được: số liệu có %(n)s cảnh báo cần giải trình — %(list)s "
                "Hãy ghi giải trình rồi gửi lại."
            ) % {"n": len(violations), "list": listed}
        super().__init__(text)


def review_inbox(user) -> QuerySet[Submission]:
    """Reports waiting for this reviewer: submitted by the level directly below."""
    return (
        Submission.objects.filter(policy.reviewable_q(user), status=Status.SUBMITTED)
        .select_related("unit", "agency")
        .order_by("submitted_at")
    )


def reviewed_by(user) -> QuerySet[Submission]:
    """Every report this reviewer may act on, whatever its status (for reopening)."""
    return (
        Submission.objects.filter(policy.reviewable_q(user))
        .exclude(status=Status.DRAFT)
        .select_related("unit", "agency")
        .order_by("-period_start", "unit__code")
    )
