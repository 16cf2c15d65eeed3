"""The rules a figure must meet, in one place: forms, imports, the API and the loader call this.

Works on already-fetched objects (no queries), so it can check thousands of rows at once.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from egov_portal.text import excerpt
from indicators.models import Figure, Indicator
from indicators.periods import Period, PeriodError, parse_period
from units.models import Agency, Unit
from units.names import fold

HUNDRED = Decimal(100)

INDICATOR_UNKNOWN = _("Không có chỉ tiêu mã «%(code)s».")
UNIT_UNKNOWN_ON = _("Không có đơn vị mã «%(code)s» vào ngày %(day)s.")
AGENCY_UNKNOWN = _("%(unit)s không có cơ quan «%(name)s».")
PERIOD_INVALID = _("Kỳ «%(period)s» không hợp lệ (ví dụ: 2021, 2021S1, 2021Q3, 202107).")
INDICATOR_NOT_VALID = _("Chỉ tiêu %(code)s không áp dụng trong kỳ %(period)s.")
INDICATOR_NOT_FOR_UNIT = _("Chỉ tiêu %(code)s không áp dụng cho %(what)s.")
UNIT_NOT_IN_FORCE = _("%(unit)s không tồn tại trong kỳ %(period)s.")
SCOPE_NOT_FOR_UNIT = _("Phạm vi «%(scope)s» không dùng được cho %(unit)s.")
VALUE_MISSING = _("Thiếu giá trị.")
VALUE_NOT_NUMBER = _("«%(value)s» không phải là số.")
PERCENT_OUT_OF_RANGE = _("Tỷ lệ phải từ 0 đến 100 (đang là %(value)s).")
NUMERATOR_WITHOUT_DENOMINATOR = _("Cần nhập cả tử số và mẫu số.")
DENOMINATOR_NOT_POSITIVE = _("Mẫu số phải lớn hơn 0.")
DENOMINATOR_ROUNDS_TO_ZERO = _(
    "Mẫu số %(den)s làm tròn đến %(places)s chữ số thập phân thành 0: mẫu số phải lớn hơn 0."
)
NUMERATOR_NEGATIVE = _("Tử số không được âm.")
NUMERATOR_OVER_DENOMINATOR = _("Tử số (%(num)s) lớn hơn mẫu số (%(den)s).")
RATIO_DISAGREES = _("Tỷ lệ %(value)s không khớp với %(num)s/%(den)s.")
YES_NO_ONLY = _("Chỉ tiêu có/không chỉ nhận giá trị có (1) hoặc không (0).")
NO_FRACTION_FOR_YES_NO = _("Chỉ tiêu có/không của một đơn vị không có tử số, mẫu số.")
NEGATIVE = _("Giá trị không được âm.")
WHOLE_NUMBER = _("Số lượng phải là số nguyên.")
AGENCY_NOT_OF_UNIT = _("Cơ quan này không thuộc đơn vị đã chọn.")
NOT_A_RATIO = _("Chỉ tiêu %(code)s không phải tỷ lệ: không nhập tử số, mẫu số.")
VALUE_TOO_LARGE = _("«%(value)s» quá lớn: tối đa 16 chữ số trước dấu thập phân.")
VALUE_TOO_LONG = _("«%(value)s» dài quá %(limit)s ký tự: không phải một số.")
VALUE_TOO_PRECISE = _(
    "«%(value)s» có quá nhiều chữ số sau dấu thập phân: số liệu lưu %(places)s chữ số."
)
SOURCE_TOO_LONG = _("Nguồn dài %(length)s ký tự, quá 255 ký tự cho phép.")

# What Figure's number columns hold (max_digits=20, decimal_places=4): under 10^16 once
# rounded to 4 places. PostgreSQL refuses a larger number with the whole write ("numeric
# field overflow"), so it is refused here, row by row, with a message.
NUMBER_PLACES = Figure._meta.get_field("value").decimal_places
INTEGER_DIGITS = Figure._meta.get_field("value").max_digits - NUMBER_PLACES
VALUE_LIMIT = Decimal(10) ** INTEGER_DIGITS - Decimal("0.00005")
STORED_PLACE = Decimal(1).scaleb(-NUMBER_PLACES)  # 0.0001
# Longer than any number a person or a spreadsheet writes (16 digits, 4 places, thousands
# separators, or a float's 17 digits and exponent): refused before it is read, so neither a
# message nor parse_number's cache ever holds a megabyte of digits. No number written out
# within it has more decimal places either: only an exponent (1e-50000000) gets there.
NUMBER_MAX_LENGTH = 64
SOURCE_MAX_LENGTH = Figure._meta.get_field("source").max_length

# A tier scope makes sense only above that tier; and the indicator must apply to it.
_SCOPE_FOR_LEVEL = {
    Figure.Scope.SELF: {"province", "district", "commune"},
    Figure.Scope.DEPARTMENTS: {"province"},
    Figure.Scope.DISTRICTS: {"province"},
    Figure.Scope.DISTRICT_OFFICES: {"province", "district"},
    Figure.Scope.COMMUNES: {"province", "district"},
    Figure.Scope.ALL_AGENCIES: {"province", "district", "commune"},
}


@dataclass(frozen=True)
class FigureValue:
    """A checked value: the percentage, yes (1)/no (0), count or amount, and the fraction."""

    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None


def number_text_check(text: str) -> None:
    """Refuses (ValueError) text too long to be a number, before anything reads it."""
    if len(text) > NUMBER_MAX_LENGTH:
        raise ValueError(VALUE_TOO_LONG % {"value": excerpt(text), "limit": NUMBER_MAX_LENGTH})


def number_check(number: Decimal, raw) -> Decimal:
    """`number` if the figure columns can hold it; else ValueError with the message, which
    shows the start of `raw`. Looks at the exponent and the digits only: Decimal keeps
    1e50000000 as 1 and an exponent, and any arithmetic on it (abs, quantize, format)
    overflows or writes out fifty million digits."""
    if not number.is_finite():
        raise ValueError(VALUE_NOT_NUMBER % {"value": excerpt(raw)})
    if not number:
        return Decimal(0)  # 0e50000000 is 0 too, whatever its exponent says
    if number.adjusted() >= INTEGER_DIGITS or abs(number) >= VALUE_LIMIT:
        raise ValueError(VALUE_TOO_LARGE % {"value": excerpt(raw)})
    if number.as_tuple().exponent < -NUMBER_MAX_LENGTH:
        raise ValueError(VALUE_TOO_PRECISE % {"value": excerpt(raw), "places": NUMBER_PLACES})
    return number


# Vietnamese writes 150.000.000 and 45,5 (docs/decisions/0018). A dot followed by groups of
# exactly three digits, the first group 1-3 digits not starting with 0, is a thousands
# separator: "1.234" is 1234, "0.125" and "12.5" are decimals. A comma alone is always the
# decimal separator ("1,234" is 1.234); with both, the last one is the decimal separator.
THOUSANDS_DOT = re.compile(r"^[-+]?[1-9]\d{0,2}(\.\d{3})+$")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
# Yes/no as imports write it, folded (no tone marks, lower case): "Có", "không", "x".
YES_WORDS = frozenset({"co", "x", "yes", "true", "dung"})
NO_WORDS = frozenset({"khong", "no", "false", "sai"})


def number_plain(text: str) -> str:
    """A number typed the Vietnamese (or the English) way as Decimal understands it:
    "150.000.000" → "150000000", "1.234,5" → "1234.5", "45,5" → "45.5", "85%" → "85"."""
    if PLAIN_NUMBER.fullmatch(text) and not THOUSANDS_DOT.match(text):
        return text  # the common case, as machines write it
    cleaned = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").rstrip("%")
    if "," in cleaned and "." in cleaned:
        if cleaned.rfind(",") > cleaned.rfind("."):  # 1.234,5
            return cleaned.replace(".", "").replace(",", ".")
        return cleaned.replace(",", "")  # 1,234.5
    if "," in cleaned:
        return cleaned.replace(",", ".")
    if THOUSANDS_DOT.match(cleaned):
        return cleaned.replace(".", "")
    return cleaned


def yes_no_word(raw) -> Decimal | None:
    """1 for "Có" (co, x, yes, true), 0 for "Không" (khong, no, false), in any case and with
    or without tone marks; None for anything else."""
    if not isinstance(raw, str):
        return None
    word = fold(raw).strip()
    if word in YES_WORDS:
        return Decimal(1)
    if word in NO_WORDS:
        return Decimal(0)
    return None


def parse_number(raw) -> Decimal | None:
    """THE reading of a number, for the form, the officials' files, the admin's import and the
    API: "150.000.000", "45,5", "1.234,5", "45.5", "1234", "85%" (None when empty). Numbers
    that are not text (JSON, a spreadsheet's cells) are taken as they are. Raises ValueError
    with the message for text that is not a number or that the figure columns cannot hold,
    by its size, before it is written out."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return Decimal(int(raw))
    if isinstance(raw, Decimal):
        return number_check(raw, raw)
    if isinstance(raw, int | float):
        if isinstance(raw, float) and raw != raw:  # NaN
            raise ValueError(VALUE_NOT_NUMBER % {"value": excerpt(str(raw))})
        try:
            return number_check(Decimal(str(raw)), raw)
        except InvalidOperation:
            raise ValueError(VALUE_NOT_NUMBER % {"value": excerpt(str(raw))}) from None
    text = str(raw).strip()
    number_text_check(text)
    if not text:
        return None
    try:
        number = Decimal(number_plain(text))
    except InvalidOperation:
        raise ValueError(VALUE_NOT_NUMBER % {"value": excerpt(text)}) from None
    return number_check(number, text)


def to_decimal(raw, field: str, *, yes_no: bool = False) -> Decimal | None:
    """parse_number, its message under `field` (ValidationError); with `yes_no`, "Có" and
    "Không" are 1 and 0."""
    if yes_no and (word := yes_no_word(raw)) is not None:
        return word
    try:
        return parse_number(raw)
    except ValueError as exc:
        raise ValidationError({field: str(exc)}) from None


def figure_source_check(source: str) -> None:
    """The source must fit its column (255 characters); raises ValidationError."""
    if len(source or "") > SOURCE_MAX_LENGTH:
        raise ValidationError({"source": SOURCE_TOO_LONG % {"length": len(source)}})


def period_check(text: str) -> Period:
    try:
        return parse_period(text)
    except PeriodError:
        raise ValidationError({"period": PERIOD_INVALID % {"period": text}}) from None


def _is_share(indicator: Indicator, scope: str) -> bool:
    """A ratio, or a yes/no indicator stated for a whole tier ("90% of communes have it")."""
    return indicator.value_type == Indicator.ValueType.RATIO or (
        indicator.value_type == Indicator.ValueType.BOOLEAN and scope != Figure.Scope.SELF
    )


def figure_value_check(
    *, indicator: Indicator, scope: str, value=None, numerator=None, denominator=None
) -> FigureValue:
    """Checks and normalises the numbers of one figure; raises ValidationError by field."""
    value = to_decimal(
        value,
        "value",
        yes_no=indicator.value_type == Indicator.ValueType.BOOLEAN and scope == Figure.Scope.SELF,
    )
    numerator = to_decimal(numerator, "numerator")
    denominator = to_decimal(denominator, "denominator")
    if _is_share(indicator, scope):
        if numerator is None and denominator is None:
            if value is None:
                raise ValidationError({"value": VALUE_MISSING})
            if not 0 <= value <= HUNDRED:
                raise ValidationError({"value": PERCENT_OUT_OF_RANGE % {"value": value}})
            return FigureValue(value=value, numerator=None, denominator=None)
        if numerator is None or denominator is None:
            field = "numerator" if numerator is None else "denominator"
            raise ValidationError({field: NUMERATOR_WITHOUT_DENOMINATOR})
        if denominator <= 0:
            raise ValidationError({"denominator": DENOMINATOR_NOT_POSITIVE})
        # The column keeps 4 places: 0.00002 would be stored as 0, which the database's
        # figure_denominator_positive refuses with the whole write. Rounded half to even,
        # the stricter of the databases' roundings (PostgreSQL keeps 0.00005 as 0.0001).
        if not denominator.quantize(STORED_PLACE, rounding=ROUND_HALF_EVEN):
            raise ValidationError(
                {
                    "denominator": DENOMINATOR_ROUNDS_TO_ZERO
                    % {"den": excerpt(denominator), "places": NUMBER_PLACES}
                }
            )
        if numerator < 0:
            raise ValidationError({"numerator": NUMERATOR_NEGATIVE})
        if numerator > denominator:
            raise ValidationError(
                {"numerator": NUMERATOR_OVER_DENOMINATOR % {"num": numerator, "den": denominator}}
            )
        percent = (numerator * HUNDRED / denominator).quantize(Decimal("0.0001"))
        # A percentage typed beside the fraction must be the same figure, give or take rounding.
        if value is not None and abs(value - percent) > Decimal("0.5"):
            raise ValidationError(
                {"value": RATIO_DISAGREES % {"value": value, "num": numerator, "den": denominator}}
            )
        return FigureValue(value=percent, numerator=numerator, denominator=denominator)
    if numerator is not None or denominator is not None:
        message = (
            NO_FRACTION_FOR_YES_NO
            if indicator.value_type == Indicator.ValueType.BOOLEAN
            else NOT_A_RATIO % {"code": indicator.code}
        )
        raise ValidationError({"numerator": message})
    if value is None:
        raise ValidationError({"value": VALUE_MISSING})
    if indicator.value_type == Indicator.ValueType.BOOLEAN:
        if value not in (0, 1):
            raise ValidationError({"value": YES_NO_ONLY})
        return FigureValue(value=value, numerator=None, denominator=None)
    if value < 0:
        raise ValidationError({"value": NEGATIVE})
    if indicator.value_type == Indicator.ValueType.COUNT and value != value.to_integral_value():
        raise ValidationError({"value": WHOLE_NUMBER})
    return FigureValue(value=value, numerator=None, denominator=None)


def indicator_valid_in(indicator: Indicator, period: Period) -> bool:
    """The indicator's validity overlaps the period (2022Q3 takes both SVC_ONLINE_L34 and
    SVC_ONLINE_PARTIAL: Decree 42/2022 took effect within it)."""
    return not (
        (indicator.valid_from and indicator.valid_from > period.end)
        or (indicator.valid_to and indicator.valid_to < period.start)
    )


def figure_target_check(
    *, indicator: Indicator, unit: Unit, agency: Agency | None, period: Period, scope: str
) -> None:
    """Checks that the indicator may be reported for this unit or agency, period and scope."""
    if not indicator_valid_in(indicator, period):
        raise ValidationError(
            {"indicator": INDICATOR_NOT_VALID % {"code": indicator.code, "period": period.id}}
        )
    if not unit.is_in_force_during(period.start, period.end):
        raise ValidationError(
            {"unit": UNIT_NOT_IN_FORCE % {"unit": unit.name, "period": period.id}}
        )
    if scope not in _SCOPE_FOR_LEVEL or (
        agency is None and unit.level not in _SCOPE_FOR_LEVEL[scope]
    ):
        raise ValidationError({"scope": SCOPE_NOT_FOR_UNIT % {"scope": scope, "unit": unit.name}})
    if agency is not None:
        if scope != Figure.Scope.SELF:
            raise ValidationError(
                {"scope": SCOPE_NOT_FOR_UNIT % {"scope": scope, "unit": agency.name}}
            )
        applies, what = agency.kind in indicator.agency_kind_list, agency.name
    elif scope == Figure.Scope.SELF:
        applies, what = unit.level in indicator.level_list, unit.name
    elif scope == Figure.Scope.COMMUNES:
        applies, what = "commune" in indicator.level_list, Figure.Scope.COMMUNES.label
    elif scope == Figure.Scope.DISTRICTS:
        applies, what = "district" in indicator.level_list, Figure.Scope.DISTRICTS.label
    elif scope == Figure.Scope.DEPARTMENTS:
        applies, what = "department" in indicator.agency_kind_list, Figure.Scope.DEPARTMENTS.label
    elif scope == Figure.Scope.DISTRICT_OFFICES:
        applies, what = "office" in indicator.agency_kind_list, Figure.Scope.DISTRICT_OFFICES.label
    else:
        applies, what = bool(indicator.agency_kind_list), Figure.Scope.ALL_AGENCIES.label
    if not applies:
        raise ValidationError(
            {"indicator": INDICATOR_NOT_FOR_UNIT % {"code": indicator.code, "what": what}}
        )


# How a file says a value is approximate ("khoảng 90%"), folded.
_YES = {"1", "x", "co", "yes", "true", "khoang", "gan dung"}
_NO = {"0", "khong", "no", "false"}
APPROXIMATE_UNCLEAR = _(
    "«%(value)s» không rõ: ghi 1 (hoặc «khoảng») nếu là số gần đúng, 0 nếu không; để trống "
    "thì giữ như cũ."
)


def approximate_flag(text) -> bool | None:
    """The approximate column: 1, x, "có" or "khoảng" for yes; 0 or "không" for no; empty
    for "as it is" (None: a figure sent again without the column keeps its flag). Raises
    ValueError with the message to show."""
    if text is None or isinstance(text, bool):
        return text
    if text == "":  # the column left empty, as in most rows of a file
        return None
    raw = fold(str(text)).strip()
    if not raw:
        return None
    if raw in _YES:
        return True
    if raw in _NO:
        return False
    raise ValueError(str(APPROXIMATE_UNCLEAR % {"value": str(text)[:40]}))


def approximate_keep(figure, current) -> None:
    """A figure that does not say whether it is approximate (None) keeps what the stored one
    says (a new one: not approximate)."""
    if figure.is_approximate is None:
        figure.is_approximate = current.is_approximate if current is not None else False
