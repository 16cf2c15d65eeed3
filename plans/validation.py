"""The rules a target must meet, in one place: the loader, the forms, the admin and the API."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator
from indicators.periods import Period
from indicators.rollup import SCOPES_OF_LEVEL
from indicators.validation import HUNDRED, indicator_valid_in, period_check, to_decimal
from plans.models import Target
from units.models import Unit

RANGE_NEEDS_MAX = _("Mục tiêu «trong khoảng» cần cả cận dưới và cận trên.")
MAX_ONLY_FOR_RANGE = _("Chỉ mục tiêu «trong khoảng» mới có cận trên.")
RANGE_REVERSED = _("Cận dưới (%(low)s) lớn hơn cận trên (%(high)s).")
TARGET_PERCENT = _("Mục tiêu là tỷ lệ: phải từ 0 đến 100 (đang là %(value)s).")
TARGET_NEGATIVE = _("Giá trị mục tiêu không được âm.")
INDICATOR_NOT_VALID_BY = _("Chỉ tiêu %(code)s không còn áp dụng vào kỳ hạn %(period)s.")
SCOPE_NATIONAL_ONLY = _("Phạm vi «các tỉnh» chỉ dùng cho văn bản của Trung ương.")
SCOPE_NOT_NATIONAL = _(
    "Văn bản của Trung ương đặt mục tiêu cho một cấp, không cho «bản thân đơn vị»."
)
SCOPE_NOT_FOR_ISSUER = _("Phạm vi «%(scope)s» không dùng được cho %(unit)s.")
EVERY_UNIT_NEEDS_TIER = _("«Từng đơn vị» cần một phạm vi có nhiều đơn vị (các xã, các huyện…).")
BASELINE_NEEDS_PERIOD = _("Giá trị cơ sở cần kỳ cơ sở.")
BASELINE_AFTER_DEADLINE = _("Kỳ cơ sở %(baseline)s nằm sau thời hạn %(deadline)s.")


@dataclass(frozen=True)
class CheckedTarget:
    value: Decimal
    value_max: Decimal | None
    deadline: Period | None  # None: the document gives none (due from its issue)
    baseline_value: Decimal | None
    baseline_period: Period | None

    def deadline_fields(self) -> tuple[str, datetime.date, datetime.date]:
        """Target.deadline, deadline_start and deadline_end (NO_DEADLINE when none)."""
        if self.deadline is None:
            return "", NO_DEADLINE, NO_DEADLINE
        return self.deadline.id, self.deadline.start, self.deadline.end


# A target whose document gives no deadline ("require agencies to sign every document they
# send", with no date): stored with an empty deadline, sorted after every dated one, and
# assessed as due in every period from the document's issue (plans/progress.py).
NO_DEADLINE = datetime.date(9999, 12, 31)


def is_percentage(indicator: Indicator) -> bool:
    """Targets on ratios and on yes/no indicators are percentages (yes/no: the share of units
    answering yes; for one unit, 100 means yes)."""
    return indicator.value_type in (Indicator.ValueType.RATIO, Indicator.ValueType.BOOLEAN)


def target_check(
    *,
    indicator: Indicator,
    issuing_unit: Unit | None,
    scope: str,
    mode: str,
    comparator: str,
    value,
    value_max=None,
    deadline: str,
    baseline_value=None,
    baseline_period: str = "",
) -> CheckedTarget:
    """Checks one target; raises ValidationError with a message per field."""
    errors: dict[str, str] = {}
    period = None
    if deadline.strip():
        try:
            period = period_check(deadline)
        except ValidationError as exc:
            errors["deadline"] = exc.message_dict["period"][0]
    if period is not None and not indicator_valid_in(indicator, period):
        errors["indicator"] = INDICATOR_NOT_VALID_BY % {"code": indicator.code, "period": period.id}

    if issuing_unit is None:
        if scope == Target.Scope.SELF:
            errors["scope"] = SCOPE_NOT_NATIONAL
    elif scope == Target.Scope.PROVINCES:
        errors["scope"] = SCOPE_NATIONAL_ONLY
    elif scope not in SCOPES_OF_LEVEL[issuing_unit.level]:
        errors["scope"] = SCOPE_NOT_FOR_ISSUER % {"scope": scope, "unit": issuing_unit.name}
    if mode == Target.Mode.EVERY_UNIT and scope == Target.Scope.SELF:
        errors["mode"] = EVERY_UNIT_NEEDS_TIER

    low = high = None
    try:
        low = to_decimal(value, "value")
        high = to_decimal(value_max, "value_max")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if low is None and "value" not in errors:
        errors["value"] = _("Thiếu giá trị mục tiêu.")
    if comparator == Target.Comparator.BETWEEN:
        if high is None and "value_max" not in errors:
            errors["value_max"] = RANGE_NEEDS_MAX
        elif low is not None and high is not None and low > high:
            errors["value_max"] = RANGE_REVERSED % {"low": low, "high": high}
    elif high is not None:
        errors["value_max"] = MAX_ONLY_FOR_RANGE
    for field, number in (("value", low), ("value_max", high)):
        if number is None or field in errors:
            continue
        if is_percentage(indicator) and not 0 <= number <= HUNDRED:
            errors[field] = TARGET_PERCENT % {"value": number}
        elif number < 0:
            errors[field] = TARGET_NEGATIVE

    base_value = base_period = None
    try:
        base_value = to_decimal(baseline_value, "baseline_value")
    except ValidationError as exc:
        errors["baseline_value"] = exc.message_dict["baseline_value"][0]
    if baseline_period:
        try:
            base_period = period_check(baseline_period)
        except ValidationError as exc:
            errors["baseline_period"] = exc.message_dict["period"][0]
    if base_value is not None and base_period is None and "baseline_period" not in errors:
        errors["baseline_period"] = BASELINE_NEEDS_PERIOD
    if base_value is not None and is_percentage(indicator) and not 0 <= base_value <= HUNDRED:
        errors["baseline_value"] = TARGET_PERCENT % {"value": base_value}
    if base_period is not None and period is not None and base_period.start > period.end:
        errors["baseline_period"] = BASELINE_AFTER_DEADLINE % {
            "baseline": base_period.id,
            "deadline": period.id,
        }
    if errors:
        raise ValidationError(errors)
    return CheckedTarget(
        value=low,
        value_max=high if comparator == Target.Comparator.BETWEEN else None,
        deadline=period,
        baseline_value=base_value,
        baseline_period=base_period,
    )
