"""The figure rules (indicators.validation): one message per field, no database needed."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from indicators import validation
from indicators.models import Indicator
from indicators.periods import parse_period
from units.models import Agency, Unit


def indicator(value_type="ratio", levels=",province,district,commune,", kinds="", **extra):
    rollup = {"ratio": "ratio_of_sums", "boolean": "share_yes"}.get(value_type, "sum")
    return Indicator(
        code="TEST",
        value_type=value_type,
        unit_rollup=rollup,
        levels=levels,
        agency_kinds=kinds,
        **extra,
    )


def messages(exc: ValidationError) -> dict[str, list[str]]:
    return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"value": "70"}, (Decimal(70), None, None)),
        ({"value": "12,5"}, (Decimal("12.5"), None, None)),
        ({"numerator": 18, "denominator": 29}, (Decimal("62.0690"), Decimal(18), Decimal(29))),
        ({"numerator": 18, "denominator": 29, "value": "62,1"}, (Decimal("62.0690"), 18, 29)),
        ({"numerator": 0, "denominator": 5}, (Decimal(0), 0, 5)),
    ],
)
def test_ratio_values_are_normalised(kwargs, expected):
    checked = validation.figure_value_check(indicator=indicator(), scope="self", **kwargs)
    assert (checked.value, checked.numerator, checked.denominator) == expected


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"value": "101"}, "value", "Tỷ lệ phải từ 0 đến 100 (đang là 101)."),
        ({"value": "-1"}, "value", "Tỷ lệ phải từ 0 đến 100 (đang là -1)."),
        ({"value": "abc"}, "value", "«abc» không phải là số."),
        ({}, "value", "Thiếu giá trị."),
        ({"numerator": 5}, "denominator", "Cần nhập cả tử số và mẫu số."),
        ({"numerator": 5, "denominator": 0}, "denominator", "Mẫu số phải lớn hơn 0."),
        ({"numerator": 30, "denominator": 29}, "numerator", "Tử số (30) lớn hơn mẫu số (29)."),
        (
            {"numerator": 18, "denominator": 29, "value": 90},
            "value",
            "Tỷ lệ 90 không khớp với 18/29.",
        ),
    ],
)
def test_ratio_rejections_name_the_field(kwargs, field, message):
    with pytest.raises(ValidationError) as caught:
        validation.figure_value_check(indicator=indicator(), scope="self", **kwargs)
    assert messages(caught.value) == {field: [message]}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1e50000000", "«1e50000000» quá lớn: tối đa 16 chữ số trước dấu thập phân."),
        ("-1E+999999999", "«-1E+999999999» quá lớn: tối đa 16 chữ số trước dấu thập phân."),
        (Decimal("1e50000000"), "«1E+50000000» quá lớn: tối đa 16 chữ số trước dấu thập phân."),
        ("1e16", "«1e16» quá lớn: tối đa 16 chữ số trước dấu thập phân."),
        (
            "1e-50000000",
            "«1e-50000000» có quá nhiều chữ số sau dấu thập phân: số liệu lưu 4 chữ số.",
        ),
        ("9" * 100_000, f"«{'9' * 40}…» dài quá 64 ký tự: không phải một số."),
        ("x" * 60, f"«{'x' * 40}…» không phải là số."),
    ],
)
def test_a_number_the_columns_cannot_hold_is_refused_by_its_size_alone(raw, message):
    # Before: decimal.Overflow (a 500) for the first three, the whole value in the message.
    with pytest.raises(ValidationError) as caught:
        validation.figure_value_check(indicator=indicator("amount"), scope="self", value=raw)
    assert messages(caught.value) == {"value": [message]}


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("0e50000000", Decimal(0)),
        ("-0e-50000000", Decimal(0)),
        ("9999999999999999.9999", Decimal("9999999999999999.9999")),
        ("1e-60", Decimal("1e-60")),  # stored as 0, like 0.00001
    ],
)
def test_a_number_within_the_columns_is_read_whatever_its_exponent(raw, number):
    read = validation.to_decimal(raw, "value")
    assert read == number
    assert len(format(read, "f")) < 80


@pytest.mark.parametrize("denominator", ["0.00002", "0.00005", "1e-9"])
def test_a_denominator_the_column_rounds_to_zero_is_refused(denominator):
    with pytest.raises(ValidationError) as caught:
        validation.figure_value_check(
            indicator=indicator(), scope="self", numerator="0", denominator=denominator
        )
    [message] = messages(caught.value)["denominator"]
    assert message.endswith("làm tròn đến 4 chữ số thập phân thành 0: mẫu số phải lớn hơn 0.")


def test_a_denominator_the_column_keeps_above_zero_is_taken():
    checked = validation.figure_value_check(
        indicator=indicator(), scope="self", numerator="0.00003", denominator="0.00006"
    )
    assert (checked.value, checked.denominator) == (Decimal(50), Decimal("0.00006"))


def test_yes_no_takes_only_yes_or_no_for_one_unit():
    yes_no = indicator("boolean")
    assert validation.figure_value_check(indicator=yes_no, scope="self", value=1).value == 1
    with pytest.raises(ValidationError) as caught:
        validation.figure_value_check(indicator=yes_no, scope="self", value=2)
    assert messages(caught.value) == {"value": [str(validation.YES_NO_ONLY)]}
    with pytest.raises(ValidationError):
        validation.figure_value_check(indicator=yes_no, scope="self", numerator=1, denominator=2)


def test_yes_no_for_a_tier_is_a_share_of_units():
    checked = validation.figure_value_check(
        indicator=indicator("boolean"), scope="districts", numerator=13, denominator=15
    )
    assert checked.value == Decimal("86.6667")


def test_counts_are_whole_and_not_negative():
    count = indicator("count")
    assert validation.figure_value_check(indicator=count, scope="self", value="12").value == 12
    with pytest.raises(ValidationError, match="số nguyên"):
        validation.figure_value_check(indicator=count, scope="self", value="12,5")
    with pytest.raises(ValidationError, match="không được âm"):
        validation.figure_value_check(indicator=count, scope="self", value="-3")


OLD_DISTRICT = Unit(
    code="464", name="Huyện Vĩnh Linh", level="district", valid_to=datetime.date(2025, 6, 30)
)
NEW_COMMUNE = Unit(
    code="19363", name="Xã Vĩnh Linh", level="commune", valid_from=datetime.date(2025, 7, 1)
)


def target_error(**kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        validation.figure_target_check(**kwargs)
    return messages(caught.value)


def test_indicator_must_be_valid_in_the_period():
    l34 = indicator(valid_to=datetime.date(2022, 6, 30))
    validation.figure_target_check(
        indicator=l34, unit=OLD_DISTRICT, agency=None, period=parse_period("2022Q2"), scope="self"
    )
    errors = target_error(
        indicator=l34, unit=OLD_DISTRICT, agency=None, period=parse_period("2022Q3"), scope="self"
    )
    assert errors == {"indicator": ["Chỉ tiêu TEST không áp dụng trong kỳ 2022Q3."]}


def test_unit_must_exist_in_the_period():
    errors = target_error(
        indicator=indicator(),
        unit=OLD_DISTRICT,
        agency=None,
        period=parse_period("2025Q3"),
        scope="self",
    )
    assert errors == {"unit": ["Huyện Vĩnh Linh không tồn tại trong kỳ 2025Q3."]}


def test_indicator_must_apply_to_the_level_or_agency_kind():
    province_only = indicator(levels=",province,")
    errors = target_error(
        indicator=province_only,
        unit=NEW_COMMUNE,
        agency=None,
        period=parse_period("2026Q1"),
        scope="self",
    )
    assert errors == {"indicator": ["Chỉ tiêu TEST không áp dụng cho Xã Vĩnh Linh."]}
    office = Agency(unit=OLD_DISTRICT, kind="office", name="Văn phòng HĐND và UBND huyện")
    validation.figure_target_check(
        indicator=indicator(kinds=",office,"),
        unit=OLD_DISTRICT,
        agency=office,
        period=parse_period("2020Q4"),
        scope="self",
    )


def test_a_commune_has_no_communes_scope():
    errors = target_error(
        indicator=indicator(),
        unit=NEW_COMMUNE,
        agency=None,
        period=parse_period("2026Q1"),
        scope="communes",
    )
    assert list(errors) == ["scope"]


def test_a_bad_period_is_named():
    with pytest.raises(ValidationError) as caught:
        validation.period_check("2021Q5")
    assert list(messages(caught.value)) == ["period"]
