"""The rules every change of figures obeys, each written once: who may write which figure
(asking accounts.policy), what a published (approved) figure allows, when a report is
closed to writing, and the one order locks are taken in (docs/decisions/0012).

The write service's operations (indicators.writes.figures, .reports, .bulk) ask these and
nothing else; tests/test_write_paths.py fails if code outside indicators.writes asks
accounts.policy a writing rule or locks figures or reports itself.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policy
from indicators.models import FIGURE_WRITABLE, Figure, Submission

APPROVED = Figure.Status.APPROVED


def writes_any(user) -> bool:
    """Staff: they write any unit's figures, with the status they name, and hold no report."""
    return policy.writes_any_figure(user)


def may_change_published(user) -> bool:
    """Whether `user` may change or delete an approved figure one at a time (an
    administrator; docs/decisions/0012)."""
    return policy.can_change_approved(user)


def official_refusal(user, figure) -> tuple[str, str] | None:
    """Why an official may not write this figure, as (field, message), or None: their own
    unit's (or agency's) figures only, scope "self"."""
    if not policy.can_enter(user, figure.unit, figure.agency):
        return "unit_code", str(policy.NOT_YOUR_UNIT)
    if not policy.can_enter_scope(user, figure.scope):
        return "scope", str(policy.OWN_FIGURES_ONLY)
    return None


def official_may_write(user, figure) -> None:
    """official_refusal as PermissionDenied."""
    refused = official_refusal(user, figure)
    if refused is not None:
        raise PermissionDenied(refused[1])


def reporters_of(user):
    """The unit and agency whose figures an official enters (None, None for anyone else)."""
    return policy.reporters_of(user)


def may_enter(user, unit, agency) -> None:
    """PermissionDenied unless `user` enters this unit's (or agency's) figures."""
    if not policy.can_enter(user, unit, agency):
        raise PermissionDenied(policy.NOT_YOUR_UNIT)


def in_force(unit, period) -> None:
    """PermissionDenied unless the unit existed during the period (a report of a commune
    before it was formed, or after it was merged, takes no figures)."""
    if not unit.is_in_force_during(period.start, period.end):
        raise PermissionDenied(
            _("%(unit)s không tồn tại trong kỳ %(period)s.")
            % {"unit": unit.name, "period": period.id}
        )


def step_allowed(user, report: Submission, action: str) -> bool:
    """Who takes a review step: the report's official submits it; its reviewers approve,
    return and reopen it."""
    if action == "submit":
        return policy.can_enter(user, report.unit, report.agency)
    return policy.can_review(user, report)


def may_act(user, report: Submission) -> bool:
    """Whether `user` takes any step of this report (whatever its status now)."""
    return step_allowed(user, report, "submit") or step_allowed(user, report, "approve")


def is_published(figure) -> bool:
    return figure is not None and figure.status == APPROVED


def form_refusal(figure, *, changes: bool) -> str | None:
    """The quarterly form shows a published figure read-only and leaves it as it is, whoever
    saves it, administrators included (they change it one at a time, through the API or the
    admin): a change typed over it is refused."""
    return published_message() if is_published(figure) and changes else None


def published_refused(user, stored_status: str | None, *, changes: bool) -> bool:
    """Whether a change is refused because the stored figure is published: it is approved,
    the change would alter it, and `user` may not change published figures."""
    return stored_status == APPROVED and changes and not may_change_published(user)


def published_message() -> str:
    """What a refused change of a published figure is told (accounts.policy.APPROVED_LOCKED)."""
    return str(policy.APPROVED_LOCKED)


def published_refusal(user, stored_status: str | None, *, changes: bool) -> str | None:
    """published_refused's message, or None."""
    return published_message() if published_refused(user, stored_status, changes=changes) else None


# A file (the bulk API, the officials' import) never overwrites an approved figure,
# whoever sends it (docs/decisions/0012).
FILE_REFUSES_PUBLISHED = gettext_lazy("Số liệu đã được duyệt: không ghi đè khi nhập tệp.")


def file_refusal(stored_status: str | None) -> str | None:
    """Why a file's row may not change its stored figure, or None."""
    return str(FILE_REFUSES_PUBLISHED) if stored_status == APPROVED else None


def admin_import_refusal(user, stored: dict | None, figure) -> str | None:
    """Why a row of the admin's import may not write its figure over what is stored
    (`stored`: its FIGURE_WRITABLE columns before the row was read; None for a new figure),
    or None: a published figure changes there only for those who may change it."""
    if stored is None:
        return None
    changes = any(getattr(figure, f) != stored[f] for f in FIGURE_WRITABLE)
    return published_refusal(user, stored["status"], changes=changes)


def status_change_refusal(user, stored_status: str | None, wanted_status: str) -> str | None:
    """Naming another status for a published figure takes it back: a change too, even with
    the same value (the API's PATCH)."""
    return published_refusal(user, stored_status, changes=wanted_status != stored_status)


def report_locked_message(report: Submission) -> str:
    return _("Báo cáo đang ở trạng thái «%(status)s»: không sửa được.") % {
        "status": report.get_status_display()
    }


def report_refusal(report: Submission | None) -> str | None:
    """Why figures may not be written into this report (submitted or approved), or None."""
    if report is not None and not report.is_editable:
        return report_locked_message(report)
    return None


def figures_locked(figures: QuerySet[Figure]) -> QuerySet[Figure]:
    """`figures` locked by id: after their reports, the order every writer takes."""
    return figures.select_for_update(of=("self",)).order_by("pk")


def reports_locked(reports: QuerySet[Submission]) -> QuerySet[Submission]:
    """`reports` locked by id: before any of their figures."""
    return reports.select_for_update(of=("self",)).order_by("pk")
