"""Comments on figures and follow-ups: who said what about a figure, and which figures a
reviewer wants looked into until someone resolves them with a comment."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policy
from indicators.models import Figure
from indicators.writes import rules
from quality.models import Comment, FollowUp

MAX_TEXT = 2000
NOT_VISIBLE = gettext_lazy("Bạn không xem được số liệu này nên không bình luận được.")
NOT_REVIEWER = gettext_lazy(
    "Chỉ người duyệt báo cáo của số liệu này mới đánh dấu cần theo dõi được."
)
NOT_RESOLVER = gettext_lazy(
    "Chỉ người duyệt hoặc cán bộ nhập liệu của đơn vị mới đóng việc theo dõi được."
)


def key_of(figure: Figure) -> dict:
    return {
        "unit_id": figure.unit_id,
        "agency_id": figure.agency_id,
        "indicator_id": figure.indicator_id,
        "period": figure.period,
        "scope": figure.scope,
    }


def key_q(figure: Figure) -> Q:
    return Q(**key_of(figure))


def _text(text: str, field: str = "text") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: _("Cần ghi nội dung.")})
    if len(text) > MAX_TEXT:
        raise ValidationError({field: _("Nội dung dài quá %(n)s ký tự.") % {"n": MAX_TEXT}})
    return text


def comment_add(*, user, figure: Figure, text: str) -> Comment:
    if not policy.can_comment(user, figure):
        raise PermissionDenied(NOT_VISIBLE)
    return Comment.objects.create(figure=figure, author=user, text=_text(text), **key_of(figure))


def open_follow_up(figure: Figure) -> FollowUp | None:
    return FollowUp.objects.filter(key_q(figure), resolved_at__isnull=True).first()


@transaction.atomic
def follow_up_open(*, user, figure: Figure, reason: str) -> FollowUp:
    """Mark a figure for follow-up (once: an open one is returned as it is)."""
    if not policy.can_follow_up(user, figure):
        raise PermissionDenied(NOT_REVIEWER)
    reason = _text(reason, "reason")
    # The figure locked: two reviewers marking it at once make one follow-up.
    # (By id and without its report, as staff writers lock figures: docs/decisions/0012.)
    rules.figures_locked(Figure.objects.filter(pk=figure.pk)).first()
    found = open_follow_up(figure)
    if found is not None:
        return found
    follow_up = FollowUp.objects.create(
        figure=figure, opened_by=user, reason=reason, **key_of(figure)
    )
    Comment.objects.create(
        figure=figure,
        author=user,
        text=reason,
        kind=Comment.Kind.FOLLOW_UP,
        follow_up=follow_up,
        **key_of(figure),
    )
    return follow_up


@transaction.atomic
def follow_up_resolve(*, user, figure: Figure, text: str) -> FollowUp:
    """Close the figure's open follow-up with a comment saying what was done."""
    if not policy.can_resolve_follow_up(user, figure):
        raise PermissionDenied(NOT_RESOLVER)
    text = _text(text)
    follow_up = (
        FollowUp.objects.select_for_update().filter(key_q(figure), resolved_at__isnull=True).first()
    )
    if follow_up is None:
        raise ValidationError({"text": _("Số liệu này không có việc theo dõi nào đang mở.")})
    follow_up.resolved_by = user
    follow_up.resolved_at = timezone.now()
    follow_up.save(update_fields=["resolved_by", "resolved_at"])
    Comment.objects.create(
        figure=figure,
        author=user,
        text=text,
        kind=Comment.Kind.RESOLVED,
        follow_up=follow_up,
        **key_of(figure),
    )
    return follow_up


def comments_of(figure: Figure) -> list[Comment]:
    """Every comment on the figure's key, oldest first (those made before it was last
    deleted and entered again too)."""
    return list(Comment.objects.filter(key_q(figure)).select_related("author"))


@dataclass(frozen=True)
class OpenFollowUp:
    follow_up: FollowUp
    figure: Figure | None


def open_follow_ups(unit_ids: Sequence[int], period: str | None = None) -> list[OpenFollowUp]:
    """The open follow-ups of figures of these units (and period), oldest first: two
    queries."""
    found = FollowUp.objects.filter(unit_id__in=list(unit_ids), resolved_at__isnull=True)
    if period is not None:
        found = found.filter(period=period)
    found = list(
        found.select_related("unit", "agency", "indicator", "opened_by").order_by("opened_at")
    )
    figures = Figure.objects.in_bulk([f.figure_id for f in found if f.figure_id])
    return [OpenFollowUp(f, figures.get(f.figure_id)) for f in found]
