"""Progress towards a target judged as Open SDG does: the growth observed since the base year
against the growth the target needs (docs/decisions/0026-progress-status.md).

Open SDG's method (Statistics Canada's, after Eurostat's): the compound annual growth rate
observed from the base value to the latest one, CAGR = (y_now / y_base) ** (1 / years) − 1,
is compared with the rate that reaches the target on time from the base value; their
ratio R, signed by the desired direction, falls in one of four bands. Pure: no database.
"""

import datetime
import enum
import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

# Open SDG's replacement for a base or target value of zero (an exponential model has no
# growth from or to zero).
ZERO = 0.001
ON_TRACK_FROM = 0.95  # R ≥ 95 %: on track
ACCELERATE_FROM = 0.60  # 60 % ≤ R < 95 %: progress made, acceleration needed
DAYS_A_YEAR = 365.25


class GrowthStatus(enum.StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    NEEDS_ACCELERATION = "needs_acceleration"
    OFF_TRACK = "off_track"  # Open SDG's "limited progress": 0 ≤ R < 60 %
    DETERIORATING = "deteriorating"  # R < 0: moving away from the target
    NOT_ACHIEVED = "not_achieved"  # a yes/no target not met (no growth to measure)
    UNABLE = "unable"  # not enough data to judge

    @property
    def label(self) -> str:
        return str(GROWTH_LABELS[self])

    @property
    def colour(self) -> str:
        """A Bootstrap colour, always shown with the label (never colour alone)."""
        return GROWTH_COLOURS[self]


GROWTH_LABELS = {
    GrowthStatus.ACHIEVED: _("Đã đạt mục tiêu"),
    GrowthStatus.ON_TRACK: _("Đúng hướng"),
    GrowthStatus.NEEDS_ACCELERATION: _("Cần đẩy nhanh"),
    GrowthStatus.OFF_TRACK: _("Chệch hướng"),
    GrowthStatus.DETERIORATING: _("Đi xuống"),
    GrowthStatus.NOT_ACHIEVED: _("Chưa đạt"),
    GrowthStatus.UNABLE: _("Chưa đủ số liệu để đánh giá"),
}
GROWTH_COLOURS = {
    GrowthStatus.ACHIEVED: "success",
    GrowthStatus.ON_TRACK: "success",
    GrowthStatus.NEEDS_ACCELERATION: "warning",
    GrowthStatus.OFF_TRACK: "danger",
    GrowthStatus.DETERIORATING: "danger",
    GrowthStatus.NOT_ACHIEVED: "danger",
    GrowthStatus.UNABLE: "secondary",
}


@dataclass(frozen=True)
class Growth:
    status: GrowthStatus
    observed: float | None = None  # CAGR from the base value to the latest, a year
    required: float | None = None  # CAGR from the base value that meets the target on time
    ratio: float | None = None  # R: observed over required, signed by the desired direction


def growth_status(
    *,
    value: Decimal | float | None,
    value_on: datetime.date,
    base: Decimal | float | None,
    base_on: datetime.date | None,
    goal: float,
    goal_on: datetime.date,
    higher_is_better: bool,
    met: bool,
    yes_no: bool = False,
) -> Growth:
    """The status of a value against a target `goal` due on `goal_on`, from the `base` value
    of `base_on` (the end of the base period; `value_on`: the end of the period assessed).

    - `met` (the plan's comparison, plans.progress.assess): achieved, whatever the trend;
    - a yes/no target not met: not achieved (Open SDG's binary indicators);
    - no value, no base, a base no earlier than the value, a negative value, or a target
      due no later than the base: unable to assess (Open SDG needs two points, all of one
      sign);
    - otherwise R = d·CAGR_observed / |CAGR_required| (d = +1 when higher is better, −1
      when lower): on track from 95 %, needs acceleration from 60 %, off track from 0,
      deteriorating below. A base or goal of zero counts as 0.001, as Open SDG does.
    """
    # Computed in floats: the values given are figures, Decimals as read.
    value = None if value is None else float(value)
    base = None if base is None else float(base)
    if value is not None and met:
        return Growth(GrowthStatus.ACHIEVED)
    if yes_no:
        return Growth(GrowthStatus.NOT_ACHIEVED if value is not None else GrowthStatus.UNABLE)
    if value is None or base is None or base_on is None or value_on <= base_on:
        return Growth(GrowthStatus.UNABLE)
    if value < 0 or base < 0 or goal < 0 or goal_on <= base_on:
        return Growth(GrowthStatus.UNABLE)
    start = base or ZERO
    observed = _cagr(start, value, _years(base_on, value_on))
    required = _cagr(start, goal or ZERO, _years(base_on, goal_on))
    direction = 1 if higher_is_better else -1
    if required == 0:  # the base sat on the goal: any move the wrong way is a fall
        ratio = math.inf if direction * observed >= 0 else -math.inf
    else:
        ratio = direction * observed / abs(required)
    if ratio >= ON_TRACK_FROM:
        status = GrowthStatus.ON_TRACK
    elif ratio >= ACCELERATE_FROM:
        status = GrowthStatus.NEEDS_ACCELERATION
    elif ratio >= 0:
        status = GrowthStatus.OFF_TRACK
    else:
        status = GrowthStatus.DETERIORATING
    finite = ratio if math.isfinite(ratio) else None
    return Growth(status, observed, required, finite)


def _years(start: datetime.date, end: datetime.date) -> float:
    return (end - start).days / DAYS_A_YEAR


def _cagr(start: float, end: float, years: float) -> float:
    if end == 0:
        return -1.0  # everything lost
    return (end / start) ** (1 / years) - 1
