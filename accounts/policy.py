"""Who may do what: the one place the portal's permission rules are written.

Roles (accounts.Membership):
- data entry: enters and submits the figures of their own unit, or their own agency;
- reviewer: approves or returns the reports of the units directly below their unit and of
  their unit's agencies, and reopens them;
- steering committee: reads everything in their unit's subtree, edits nothing;
- administrator (or a Django superuser): everything — enter, review, read any unit — plus
  users and reference data.
Everyone with a membership reads the reports of their unit's subtree; nobody reads another
unit's reports or unapproved figures. Approved figures, units, indicators and plans are open
data: every dashboard is open to every signed-in user
(docs/decisions/0006-roles-and-entry.md). What is refused is refused with a 403 that says why
and what to do (templates/403.html), never with a 404 that pretends a unit does not exist.

Every page and API endpoint asks these functions; none decides on its own.
"""

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext_lazy

from accounts.models import Membership
from units.models import Agency, Unit
from units.selectors import subtree_q

if TYPE_CHECKING:  # a report, for the annotations only: reports sit in a layer above
    from indicators.models import Submission


def membership(user) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def is_administrator(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    member = membership(user)
    return member is not None and member.is_administrator


def unit_subtree_q(user, prefix: str = "") -> Q:
    """Units (through `prefix`, e.g. "unit__") whose reports the user may read: their unit
    and below. Everything for an administrator; nothing for a user without a membership."""
    if is_administrator(user):
        return Q()
    member = membership(user)
    if member is None:
        return Q(pk__in=[])
    return subtree_q(member.unit_id, prefix)


def figure_visibility_q(user, prefix: str = "") -> Q:
    """Figures a user may read: approved ones (open data) for everyone; drafts, submissions
    and returned ones only in the user's own subtree."""
    approved = Q(**{f"{prefix}status": "approved"})
    if is_administrator(user):
        return Q()
    if membership(user) is None:
        return approved
    return approved | unit_subtree_q(user, prefix=f"{prefix}unit__")


def can_view_unit(user, unit: Unit) -> bool:
    """Read the unit's reports, its unapproved figures and its completeness: members of the
    unit or of a unit above it (administrators: any)."""
    if is_administrator(user):
        return True
    member = membership(user)
    if member is None:
        return False
    return member.unit_id in (unit.pk, unit.province_id, unit.district_id)


def can_view_dashboard(user, unit: Unit) -> bool:
    """Open a unit's dashboard, its indicator pages, and compare it: every signed-in user,
    for every unit. They show approved figures only (open data); what comes from reports
    (completeness) is shown only to those who may read the unit's reports (can_view_unit)."""
    return bool(user and user.is_authenticated)


NOT_YOUR_REPORTS = gettext_lazy(
    "Báo cáo, số liệu chưa duyệt và tình hình báo cáo của một đơn vị chỉ dành cho cán bộ của "
    "đơn vị đó và của đơn vị cấp trên. Số liệu đã duyệt của đơn vị này thì ai đăng nhập cũng "
    "xem được trên bảng điều khiển của đơn vị."
)


NO_UNIT = gettext_lazy(
    "Tài khoản của bạn chưa gắn với đơn vị nào. Hãy liên hệ quản trị hệ thống để được gắn "
    "với đơn vị của mình."
)
NOT_YOUR_IMPORT = gettext_lazy(
    "Lượt nhập này do người khác thực hiện: chỉ người nhập và quản trị viên xem được."
)
NOT_YOUR_UNIT = gettext_lazy("Bạn không được nhập số liệu cho đơn vị này.")
OWN_FIGURES_ONLY = gettext_lazy("Cán bộ nhập liệu chỉ nhập số liệu của chính đơn vị mình.")


def writes_any_figure(user) -> bool:
    """Administrators and staff (a data warehouse's account) write any figure through the
    API and imports: any unit, any scope, any status."""
    return is_administrator(user) or bool(user and user.is_staff)


def can_enter_scope(user, scope: str) -> bool:
    """Officials enter their own unit's figures (scope "self"), not a whole tier's."""
    return scope == "self" or writes_any_figure(user)


APPROVED_LOCKED = gettext_lazy(
    "Số liệu đã được duyệt và công bố: không sửa, không xóa được. Muốn sửa, người duyệt mở "
    "lại báo cáo (ghi rõ lý do), hoặc quản trị viên sửa."
)


def can_change_approved(user) -> bool:
    """Change or delete a figure once it is approved (published): administrators only, one
    figure at a time (the admin's form, the API), every change kept in its history. Everyone
    else goes through the review workflow: a reviewer reopens the report, with a reason.
    Files (the bulk API, the officials' import) never overwrite an approved figure, nor does
    the quarterly form (indicators.writes.rules: file_refusal, form_refusal)."""
    return is_administrator(user)


def can_enter(user, unit: Unit, agency: Agency | None = None) -> bool:
    """Enter and submit figures for this unit (or agency): only one's own (administrators:
    any)."""
    if agency is not None and agency.unit_id != unit.pk:
        return False
    if is_administrator(user):
        return True
    member = membership(user)
    if member is None or not member.is_data_entry:
        return False
    if agency is not None:
        return member.agency_id == agency.pk
    return member.agency_id is None and member.unit_id == unit.pk


def reporters_of(user) -> tuple[Unit | None, Agency | None]:
    """What the user reports for: their unit, or their agency (None, None: nothing)."""
    member = membership(user)
    if member is None or not member.is_data_entry:
        return None, None
    return (member.unit, member.agency) if member.agency_id else (member.unit, None)


def report_reporters_q(prefix: str = "") -> Q:
    """Memberships (through `prefix`, e.g. "membership__") of the people who report: active
    data-entry members. Those of an agency report for it, the others for their unit (as
    can_enter says); administrators may enter anything but report for nothing."""
    return Q(**{f"{prefix}is_data_entry": True, f"{prefix}user__is_active": True})


def reviewable_q(user) -> Q:
    """The reports a user may approve, return or reopen: those of the units directly below
    their unit, and of their unit's agencies."""
    if is_administrator(user):
        return Q()
    member = membership(user)
    if member is None or not member.is_reviewer:
        return Q(pk__in=[])
    unit = member.unit_id
    return Q(agency__isnull=True, unit__parent_id=unit) | Q(agency__unit_id=unit)


def can_review(user, submission: "Submission") -> bool:
    if is_administrator(user):
        return True
    member = membership(user)
    if member is None or not member.is_reviewer:
        return False
    if submission.agency_id is not None:
        return submission.agency.unit_id == member.unit_id
    return submission.unit.parent_id == member.unit_id


def can_view_submission(user, submission: "Submission") -> bool:
    """Its reporter, its reviewers, and anyone who reads the unit's subtree."""
    return (
        can_enter(user, submission.unit, submission.agency)
        or can_review(user, submission)
        or can_view_unit(user, submission.unit)
    )


def can_manage_reference_data(user) -> bool:
    """Units, indicators, plans, users: administrators only (staff pages and the admin)."""
    return is_administrator(user) or bool(user and user.is_authenticated and user.is_staff)


def can_manage_access_tokens(user) -> bool:
    """Personal access tokens (DHIS2's `ApiToken`): a token acts as its user, so issuing or
    revoking one is managing users — administrators only (the admin's token pages)."""
    return can_manage_reference_data(user)


def can_issue_own_access_token(user) -> bool:
    """A signed-in user makes tokens for their own scripts (DHIS2's POST /api/apiToken): a
    token can do what its user can, nothing more."""
    return bool(user and user.is_authenticated and user.is_active)


def can_revoke_access_token(user, token) -> bool:
    """Its own user revokes a token; administrators revoke any."""
    if user is None or not user.is_authenticated:
        return False
    return token.user_id == user.pk or can_manage_access_tokens(user)


def can_manage_validation_rules(user) -> bool:
    """Validation rules (quality.ValidationRule) are reference data: read by every signed-in
    user (their messages explain a refused submission), written by administrators."""
    return can_manage_reference_data(user)


def can_see_figure(user, figure) -> bool:
    """Read a figure: approved ones (open data) everyone; the others the unit's readers
    (figure_visibility_q, for one figure)."""
    if figure.status == "approved" or is_administrator(user):
        return True
    return can_view_unit(user, figure.unit)


def can_see_figure_history(user, figure) -> bool:
    """Read a figure's history: its earlier values (drafts among them) and who entered them:
    the unit's readers (can_view_unit), even where the figure itself, approved, is open."""
    return can_view_unit(user, figure.unit)


def can_comment(user, figure) -> bool:
    """Comment on a figure, and add evidence to it: any signed-in user who may see it."""
    return bool(user and user.is_authenticated) and can_see_figure(user, figure)


def can_follow_up(user, figure) -> bool:
    """Mark a figure for follow-up: its report's reviewers (as can_review), administrators."""
    if is_administrator(user):
        return True
    member = membership(user)
    if member is None or not member.is_reviewer:
        return False
    if figure.agency_id is not None:
        return figure.agency.unit_id == member.unit_id
    return figure.unit.parent_id == member.unit_id


def can_resolve_follow_up(user, figure) -> bool:
    """Resolve a follow-up (with a comment): its reviewers, and the official who reports
    the figure (who fixed it or explains it)."""
    return can_follow_up(user, figure) or can_enter(user, figure.unit, figure.agency)
