"""One reading of numbers (indicators.validation.parse_number) for the form, the officials'
files, the admin's import and the API; the form shows them back the Vietnamese way."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from entry.forms import measure_label, number_text
from indicators import validation
from indicators.importing import parse_number as import_number
from indicators.models import Indicator


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("150.000.000", Decimal("150000000")),
        ("45,5", Decimal("45.5")),
        ("1.234,5", Decimal("1234.5")),
        ("45.5", Decimal("45.5")),
        ("1234", Decimal("1234")),
        ("1.234", Decimal("1234")),  # a dot and exactly three digits: thousands
        ("1,234", Decimal("1.234")),  # a comma alone: the decimal separator
        ("0.125", Decimal("0.125")),
        ("1,234.5", Decimal("1234.5")),
        ("150 000 000", Decimal("150000000")),
        ("85%", Decimal("85")),
        ("", None),
    ],
)
def test_one_reading_for_form_and_files(text, number):
    assert validation.parse_number(text) == number
    assert validation.to_decimal(text, "value") == number
    assert import_number(text) == ("" if number is None else format(number, "f"))


def test_numbers_that_are_not_text_are_taken_as_they_are():
    # A JSON 1.234 is one point two three four, not a thousand.
    assert validation.parse_number(1.234) == Decimal("1.234")
    assert validation.parse_number(150000000) == Decimal(150000000)


@pytest.mark.parametrize("text", ["1.234.5", "mười", "1,2,3x"])
def test_not_a_number_is_refused_with_its_text(text):
    with pytest.raises(ValidationError, match="không phải là số"):
        validation.to_decimal(text, "value")


def vietnamese(number: Decimal) -> str:
    with translation.override("vi"):
        return number_text(number)


@given(
    st.decimals(
        min_value=Decimal("-9999999999999999"),
        max_value=Decimal("9999999999999999"),
        places=4,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_a_number_written_the_vietnamese_way_reads_back_the_same(number):
    assert validation.parse_number(vietnamese(number)) == number
    with translation.override("en"):
        assert validation.parse_number(number_text(number)) == number


def test_the_form_shows_numbers_the_vietnamese_way():
    assert vietnamese(Decimal("45.5000")) == "45,5"
    assert vietnamese(Decimal("150000000.0000")) == "150.000.000"
    assert vietnamese(Decimal("1234.5")) == "1.234,5"
    assert vietnamese(Decimal("999")) == "999"
    with translation.override("en"):
        assert number_text(Decimal("45.5000")) == "45.5"
        assert number_text(Decimal("1.957")) == "1.9570"


@pytest.mark.parametrize(
    ("word", "value"),
    [("Có", 1), ("có", 1), ("CO", 1), ("x", 1), ("Không", 0), ("khong", 0), ("KHÔNG", 0)],
)
def test_yes_and_no_in_words_for_a_yes_no_indicator(word, value):
    yes_no = Indicator(code="WEB_PORTAL", value_type=Indicator.ValueType.BOOLEAN)
    checked = validation.figure_value_check(indicator=yes_no, scope="self", value=word)
    assert checked.value == value
    assert import_number(word) == word  # kept for the indicator's check


def test_yes_in_words_is_not_a_number_for_a_count():
    count = Indicator(code="HR_IT_STAFF", value_type=Indicator.ValueType.COUNT)
    with pytest.raises(ValidationError, match="không phải là số"):
        validation.figure_value_check(indicator=count, scope="self", value="Có")


@pytest.mark.parametrize(
    ("value_type", "name", "measure"),
    [
        ("ratio", "Tỷ lệ", "%"),
        ("amount", "Kinh phí", "đồng"),
        ("count", "Số cán bộ chuyên trách", "người"),
        ("boolean", "Có cổng", ""),
    ],
)
def test_the_unit_beside_the_input(value_type, name, measure):
    with translation.override("vi"):
        assert measure_label(Indicator(value_type=value_type, name=name)) == measure
