"""The quarterly form's rows, written without Django's forms and templates (entry.forms.
EntryInputs and entry/templatetags/entry_rows.py), read character for character as Django's
forms and the former templates drew them (tests/entry_inputs_reference.py): whatever the
indicator, the figure, what was sent and what the service said, the target, the flags and
notes, editable or not, in Vietnamese and in English."""

import dataclasses
import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.template import Context
from django.test import RequestFactory
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from entry.forms import EntryInputs, EntryRow
from entry.templatetags.entry_rows import entry_row, inputs_html
from indicators.models import Figure, Indicator
from indicators.periods import parse_period
from plans.models import Plan, Target
from quality.checks import FigureNotes
from quality.flags import Flag
from tests.entry_inputs_reference import ReferenceEntryForm, reference_html, reference_rows

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
PREVIOUS = parse_period("2018Q2")


def indicator_of(kind, code="INF_LAN", name=None, definition="", name_en="") -> Indicator:
    indicator = Indicator(
        code=code, name=name or NAMES[kind], definition=definition, name_en=name_en
    )
    indicator.value_type = kind
    return indicator


@st.composite
def figures(draw, indicator: Indicator, pk: int) -> Figure:
    kind = indicator.value_type
    value = draw(numbers.filter(lambda n: n is not None))
    if kind == Indicator.ValueType.BOOLEAN:
        value = Decimal(draw(st.sampled_from([0, 1])))
    return Figure(
        pk=pk,
        indicator=indicator,
        value=value,
        numerator=draw(numbers) if kind == Indicator.ValueType.RATIO else None,
        denominator=draw(numbers) if kind == Indicator.ValueType.RATIO else None,
        note=draw(texts),
        source=draw(texts),
    )


@st.composite
def sent_and_said(draw, indicator: Indicator):
    """What a POST sent for the row, and what the service said of it (or nothing)."""
    if not draw(st.booleans()):
        return None, None
    boolean = indicator.value_type == Indicator.ValueType.BOOLEAN
    sent = st.sampled_from(["", "0", "1"]) if boolean else texts
    data = {
        f"{indicator.code}-{name}": draw(sent if name == "value" else texts)
        for name in draw(st.sets(st.sampled_from(INPUTS)))
    }
    keys = ["note", "source", "other", "__all__"]
    # One key per input: Django's form marked an input invalid once per key.
    keys.append(draw(st.sampled_from(["value", "numerator", "denominator"])))
    if indicator.value_type == Indicator.ValueType.RATIO:
        keys += ["value", "numerator", "denominator"]
    errors = {
        key: draw(st.lists(texts, min_size=1, max_size=2))
        for key in draw(st.sets(st.sampled_from(sorted(set(keys)))))
    }
    return data, errors


def forms_of(indicator, figure, data, errors) -> tuple:
    """The row's inputs, and the former Django form with the same data and messages."""
    drawn = []
    for kind in (EntryInputs, ReferenceEntryForm):
        form = kind(data, indicator=indicator, figure=figure)
        if errors:
            form.add_errors(errors)
        drawn.append(form)
    return tuple(drawn)


@st.composite
def inputs_examples(draw):
    kind = draw(st.sampled_from(list(NAMES)))
    indicator = indicator_of(kind, code=draw(st.sampled_from(["INF_LAN", "HR_IT_STAFF"])))
    figure = draw(st.none() | figures(indicator, 7))
    data, errors = draw(sent_and_said(indicator))
    return indicator, figure, data, errors, draw(st.sampled_from(["vi", "en"]))


@settings(max_examples=300, deadline=None)
@given(inputs_examples())
def test_the_inputs_read_as_djangos_forms_drew_them(example):
    indicator, figure, data, errors, language = example
    with translation.override(language):
        ours, theirs = forms_of(indicator, figure, data, errors)
        drawn = inputs_html(SimpleNamespace(figure=figure, indicator=indicator, form=ours))
        former = reference_html(SimpleNamespace(figure=figure, indicator=indicator, form=theirs))
    assert drawn == former


@st.composite
def targets(draw, indicator: Indicator) -> Target:
    plan = Plan(
        code="kh-2342",
        kind=draw(st.sampled_from(list(Plan.Kind.values))),
        number=draw(st.sampled_from(["", "2342/KH-UBND", "<1>&"])),
    )
    deadline = draw(st.none() | st.dates(datetime.date(2018, 1, 1), datetime.date(2030, 12, 31)))
    return Target(plan=plan, indicator=indicator, value=Decimal(60), deadline=deadline)


@st.composite
def rows_examples(draw):
    """Two or three rows of a pillar: editable or not, with what a row may show."""
    pairs = []
    for n in range(draw(st.integers(2, 3))):
        kind = draw(st.sampled_from(list(NAMES)))
        indicator = indicator_of(
            kind,
            code=f"HR_X{n}",
            name=draw(st.one_of(st.just(NAMES[kind]), texts)),
            definition=draw(texts),
            name_en=draw(texts),
        )
        figure = draw(st.none() | figures(indicator, 10 + n))
        editable = draw(st.booleans())
        published = not editable and figure is not None and draw(st.booleans())
        target = draw(st.none() | targets(indicator))
        row = EntryRow(
            indicator=indicator,
            form=None,
            figure=figure,
            previous=draw(st.none() | figures(indicator, 20 + n)),
            target=target,
            target_label=draw(texts) if target else "",
            published=published,
            opened=draw(texts) if published else "",
            errors=[] if editable else draw(st.lists(texts, max_size=2)),
            required=draw(st.booleans()),
            flags=draw(
                st.lists(
                    st.builds(
                        Flag,
                        st.sampled_from(["outlier", "rule:R1"]),
                        texts,
                        st.sampled_from(["warning", "error"]),
                    ),
                    max_size=2,
                )
            ),
            notes=draw(
                st.none()
                | st.builds(
                    FigureNotes,
                    comments=st.integers(0, 1500),
                    follow_up=st.booleans(),
                    evidence=st.integers(0, 3),
                    evidence_required=st.booleans(),
                )
            ),
        )
        forms = (None, None)
        if editable:
            forms = forms_of(indicator, figure, *draw(sent_and_said(indicator)))
        pairs.append(forms)
        pairs[-1] = (
            dataclasses.replace(row, form=forms[0]),
            dataclasses.replace(row, form=forms[1]),
        )
    return pairs, draw(st.sampled_from(["vi", "en"]))


@settings(max_examples=150, deadline=None)
@given(rows_examples())
def test_the_rows_read_as_the_former_templates_drew_them(example):
    pairs, language = example
    request = RequestFactory().get("/entry/1/2018Q3/?next=<a>&b")
    context = Context({"request": request})
    with translation.override(language):
        ours = "".join(
            entry_row(context, row, n == 0, PREVIOUS) for n, (row, _) in enumerate(pairs)
        )
        theirs = reference_rows([reference for _, reference in pairs], PREVIOUS, request)
    assert ours == theirs


def test_what_the_inputs_carry_is_what_was_typed():
    indicator = indicator_of(Indicator.ValueType.RATIO, code="INF_PC")
    sent = {"INF_PC-numerator": " 1.250\x00 ", "INF_PC-denominator": "Thu\u0323", "INF_PC-x": "9"}
    inputs = EntryInputs(sent, indicator=indicator, figure=None)
    value = inputs.entry_value()
    # NUL dropped, spaces trimmed, composed (NFC): what the service reads.
    assert (value.numerator, value.denominator, value.value) == ("1.250", "Thụ", "")
    count = indicator_of(Indicator.ValueType.COUNT, code="HR_IT_STAFF")
    # A count has no fraction: a numerator sent for it is not read.
    sent = {"HR_IT_STAFF-numerator": "3", "HR_IT_STAFF-value": "7"}
    value = EntryInputs(sent, indicator=count, figure=None).entry_value()
    assert (value.numerator, value.value) == ("", "7")
    # The service's message about a fraction goes under a count's only number; any other
    # (even about the hidden "opened") on the row, where it is seen.
    inputs = EntryInputs(sent, indicator=count, figure=None)
    inputs.add_errors({"numerator": ["Sai"], "period": ["Kỳ sai"], "opened": ["Đã đổi"]})
    assert inputs.errors == {"value": ["Sai"]}
    assert inputs.row_errors == ["Kỳ sai", "Đã đổi"]
