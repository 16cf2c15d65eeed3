"""The quarterly form's inputs, written without Django's forms (entry.forms.EntryInputs and
the `entry_inputs` tag), read character for character as Django's forms drew them
(tests/entry_inputs_reference.py): whatever the indicator, the figure, what was sent and
what the service said, in Vietnamese and in English."""

from decimal import Decimal
from types import SimpleNamespace

from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from entry.forms import EntryInputs
from entry.templatetags.entry_rows import entry_inputs
from indicators.models import Figure, Indicator
from tests.entry_inputs_reference import ReferenceEntryForm, reference_html

# Text with what HTML escapes, spaces at the ends and Vietnamese; as long as an input takes
# (Django's form would add its own message past max_length; the service is what checks).
texts = st.text(alphabet=st.sampled_from(list("aZ09 ,.<>&\"'=ăễđ%\n")), max_size=12)
numbers = st.one_of(st.none(), st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False))
NAMES = {
    Indicator.ValueType.RATIO: "Tỷ lệ xã có mạng nội bộ",
    Indicator.ValueType.COUNT: "Số lượt truy cập cổng thông tin",
    Indicator.ValueType.AMOUNT: "Kinh phí cho ứng dụng công nghệ thông tin",
    Indicator.ValueType.BOOLEAN: "Có mạng nội bộ (LAN)",
}
INPUTS = ("value", "numerator", "denominator", "note", "source", "opened")


@st.composite
def rows(draw):
    kind = draw(st.sampled_from(list(NAMES)))
    indicator = Indicator(code=draw(st.sampled_from(["INF_LAN", "HR_IT_STAFF"])), name=NAMES[kind])
    indicator.value_type = kind
    figure = None
    if draw(st.booleans()):
        value = draw(numbers.filter(lambda n: n is not None))
        if kind == Indicator.ValueType.BOOLEAN:
            value = Decimal(draw(st.sampled_from([0, 1])))
        figure = Figure(
            value=value,
            numerator=draw(numbers) if kind == Indicator.ValueType.RATIO else None,
            denominator=draw(numbers) if kind == Indicator.ValueType.RATIO else None,
            note=draw(texts),
            source=draw(texts),
        )
    data = errors = None
    if draw(st.booleans()):  # after a POST: what was sent, and what the service said of it
        sent = st.sampled_from(["", "0", "1"]) if kind == Indicator.ValueType.BOOLEAN else texts
        data = {
            f"{indicator.code}-{name}": draw(sent if name == "value" else texts)
            for name in draw(st.sets(st.sampled_from(INPUTS)))
        }
        keys = ["note", "source", "other", "__all__"]
        # One key per input: Django's form marked an input invalid once per key.
        keys.append(draw(st.sampled_from(["value", "numerator", "denominator"])))
        if kind == Indicator.ValueType.RATIO:
            keys += ["value", "numerator", "denominator"]
        errors = {
            key: draw(st.lists(texts, min_size=1, max_size=2))
            for key in draw(st.sets(st.sampled_from(sorted(set(keys)))))
        }
    language = draw(st.sampled_from(["vi", "en"]))
    return indicator, figure, data, errors, language


@settings(max_examples=300, deadline=None)
@given(rows())
def test_the_inputs_read_as_djangos_forms_drew_them(example):
    indicator, figure, data, errors, language = example
    with translation.override(language):
        drawn = []
        for kind in (EntryInputs, ReferenceEntryForm):
            form = kind(data, indicator=indicator, figure=figure)
            if errors:
                form.add_errors(errors)
            row = SimpleNamespace(form=form, figure=figure, indicator=indicator)
            drawn.append(entry_inputs(row) if kind is EntryInputs else reference_html(row))
    assert drawn[0] == drawn[1]


def test_what_the_inputs_carry_is_what_was_typed():
    indicator = Indicator(code="INF_PC", name=NAMES[Indicator.ValueType.RATIO])
    indicator.value_type = Indicator.ValueType.RATIO
    sent = {"INF_PC-numerator": " 1.250\x00 ", "INF_PC-denominator": "Thu\u0323", "INF_PC-x": "9"}
    inputs = EntryInputs(sent, indicator=indicator, figure=None)
    value = inputs.entry_value()
    # NUL dropped, spaces trimmed, composed (NFC): what the service reads.
    assert (value.numerator, value.denominator, value.value) == ("1.250", "Thụ", "")
    count = Indicator(code="HR_IT_STAFF", name=NAMES[Indicator.ValueType.COUNT])
    count.value_type = Indicator.ValueType.COUNT
    # A count has no fraction: a numerator sent for it is not read.
    sent = {"HR_IT_STAFF-numerator": "3", "HR_IT_STAFF-value": "7"}
    value = EntryInputs(sent, indicator=count, figure=None).entry_value()
    assert (value.numerator, value.value) == ("", "7")
    # The service's message about a fraction goes under a count's only number.
    inputs = EntryInputs(sent, indicator=count, figure=None)
    inputs.add_errors({"numerator": ["Sai"], "period": ["Kỳ sai"]})
    assert inputs.errors == {"value": ["Sai"]}
    assert inputs.row_errors == ["Kỳ sai"]
