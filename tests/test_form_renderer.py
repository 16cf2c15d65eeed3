"""The forms' renderer writes inputs and selects as Django's templates do, character for
character (egov_portal/form_renderer.py)."""

from pathlib import Path

import django
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from egov_portal import form_renderer
from egov_portal.form_renderer import FormRenderer
from indicators.models import Indicator
from tests.entry_inputs_reference import ReferenceEntryForm

DJANGO = DjangoTemplates()
OURS = FormRenderer()
WIDGETS = Path(django.__file__).parent / "forms" / "templates" / "django" / "forms" / "widgets"

# Text with what HTML escapes, spaces at the ends and Vietnamese.
texts = st.text(alphabet=st.sampled_from(list("aZ0 <>&\"'=ăễđ\n")), max_size=8)
attr_values = st.one_of(
    texts,
    st.booleans(),
    st.none(),
    st.integers(-1000, 100000),
    texts.map(mark_safe),
)
attrs = st.dictionaries(
    st.sampled_from(["class", "id", "required", "min", "data-x", "a&b"]), attr_values
)
values = st.one_of(st.none(), texts, st.integers(-5, 5000), texts.map(mark_safe))
input_widgets = st.sampled_from(
    [
        forms.TextInput,
        forms.NumberInput,
        forms.HiddenInput,
        forms.EmailInput,
        forms.URLInput,
        forms.PasswordInput,
        forms.CheckboxInput,
        forms.DateInput,
    ]
)


def both(widget: forms.Widget, name: str, value, extra: dict | None = None) -> tuple[str, str]:
    return (
        widget.render(name, value, attrs=extra, renderer=OURS),
        widget.render(name, value, attrs=extra, renderer=DJANGO),
    )


def test_the_templates_copied_are_still_djangos():
    for template in form_renderer.INPUT_TEMPLATES - {form_renderer.INPUT_TEMPLATE}:
        text = (WIDGETS / Path(template).name).read_text()
        assert text.strip() == '{% include "django/forms/widgets/input.html" %}', template
    assert (WIDGETS / "input.html").read_text().strip() == (
        '<input type="{{ widget.type }}" name="{{ widget.name }}"'
        "{% if widget.value != None %} value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
        '{% include "django/forms/widgets/attrs.html" %}>'
    )
    assert (WIDGETS / "select_option.html").read_text() == (
        "<option value=\"{{ widget.value|stringformat:'s' }}\""
        '{% include "django/forms/widgets/attrs.html" %}>{{ widget.label }}</option>\n'
    )


@given(widget=input_widgets, name=texts, value=values, widget_attrs=attrs, extra=attrs)
def test_inputs_as_djangos(widget, name, value, widget_attrs, extra):
    ours, djangos = both(widget(attrs=widget_attrs), name, value, extra)
    assert ours == djangos


@given(
    choices=st.lists(st.tuples(st.one_of(texts, st.integers(0, 9)), texts), max_size=4),
    groups=st.lists(
        st.tuples(texts, st.lists(st.tuples(texts, texts), min_size=1, max_size=3)), max_size=2
    ),
    value=st.one_of(st.none(), texts, st.lists(texts, max_size=2)),
    widget_attrs=attrs,
    multiple=st.booleans(),
)
def test_selects_as_djangos(choices, groups, value, widget_attrs, multiple):
    widget_class = forms.SelectMultiple if multiple else forms.Select
    widget = widget_class(attrs=widget_attrs, choices=[*choices, *groups])
    ours, djangos = both(widget, "pick", value)
    assert ours == djangos


def test_a_label_that_is_not_text_goes_to_the_templates():
    # The template localises a number ("1.000" in Vietnamese); Python's str would not.
    widget = forms.Select(choices=[("a", 1000), ("b", gettext_lazy("Có"))])
    assert form_renderer._select(widget.get_context("x", "a", None)["widget"]) is None
    ours, djangos = both(widget, "x", "a")
    assert ours == djangos


def test_the_site_uses_it_and_the_former_quarterly_form_reads_the_same(db):
    # The quarterly form's inputs are written without forms now (tests/test_entry_inputs.py);
    # its former form, a Django form with inputs and selects, is a fair sample still.
    assert settings.FORM_RENDERER == "egov_portal.form_renderer.FormRenderer"
    kinds = list(Indicator.objects.values_list("value_type", flat=True).distinct())
    assert {"ratio", "boolean"} <= set(kinds)
    for kind in kinds:
        indicator = Indicator.objects.filter(value_type=kind).first()
        pages = []
        for renderer in (None, DJANGO):
            form = ReferenceEntryForm(
                {f"{indicator.code}-value": "<1>"}, indicator=indicator, figure=None
            )
            form.add_errors({"value": ["Sai"]})
            if renderer is None:
                assert isinstance(form.renderer, FormRenderer)
            else:
                form.renderer = renderer
            pages.append([str(field) for field in form])
        assert pages[0] == pages[1], kind
