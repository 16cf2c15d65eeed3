"""The quarterly form's inputs as they were drawn by Django's forms, up to session 18: the
reference entry/templatetags/entry_rows.py's `entry_inputs` is compared against
(tests/test_entry_inputs.py). Kept as it was, apart from the names; not used by the site.
"""

from django import forms, template
from django.template import Context, Engine
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from egov_portal.text import nfc
from entry.forms import YES_NO_CHOICES, initial_values, measure_label
from indicators.models import Figure, Indicator
from plans.forms import BootstrapMixin

register = template.Library()


def _number_input(label):
    return forms.CharField(
        label=label,
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class ReferenceEntryForm(BootstrapMixin, forms.Form):
    """What an official types for one indicator; prefixed with the indicator's code."""

    value = _number_input(_("Giá trị"))
    numerator = _number_input(_("Tử số"))
    denominator = _number_input(_("Mẫu số"))
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=2000)
    source = forms.CharField(label=_("Nguồn số liệu"), required=False, max_length=255)
    opened = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *, indicator: Indicator, figure: Figure | None):
        self.indicator = indicator
        self.measure = measure_label(indicator)
        super().__init__(data, prefix=indicator.code, initial=initial_values(indicator, figure))
        kind = indicator.value_type
        if kind == Indicator.ValueType.RATIO:
            self.fields["value"].label = _("hoặc tỷ lệ (%)")
            self.fields["value"].help_text = _("Chỉ khi không có tử số, mẫu số.")
        else:
            del self.fields["numerator"]
            del self.fields["denominator"]
        if kind == Indicator.ValueType.BOOLEAN:
            self.fields["value"] = forms.ChoiceField(
                label=_("Giá trị"),
                required=False,
                choices=YES_NO_CHOICES,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
        for field in self.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs["aria-describedby"] = f"{indicator.code}-name"

    @property
    def is_ratio(self) -> bool:
        return "denominator" in self.fields

    def raw(self, name: str) -> str:
        if self.is_bound:
            return nfc(self.data.get(self.add_prefix(name)) or "").replace("\x00", "").strip()
        return str(self.initial.get(name) or "")

    def add_errors(self, errors: dict[str, list[str]]) -> None:
        self.is_valid()  # so that add_error has cleaned_data to work on
        for name, messages in errors.items():
            field = name if name in self.fields else None
            if field is None and name in ("numerator", "denominator"):
                field = "value"
            self.add_error(field, messages)
            if field is not None:
                widget = self.fields[field].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
                error_id = f"{self[field].auto_id}_error"
                widget.attrs["aria-describedby"] = f"{self.indicator.code}-name {error_id}"


@register.simple_tag
def entry_input(field, measure="") -> SafeString:
    label = format_html(
        '<label class="form-label small mb-1" for="{}">{}</label>', field.id_for_label, field.label
    )
    widget = field
    if measure:
        widget = format_html(
            '<div class="input-group">{}<span class="input-group-text entry-measure">{}</span>'
            "</div>",
            widget,
            measure,
        )
    help_text = (
        format_html('<div class="form-text">{}</div>', field.help_text) if field.help_text else ""
    )
    errors = ""
    if field.errors:
        errors = format_html(
            '<div class="invalid-feedback d-block" id="{}_error">{}</div>',
            field.auto_id,
            format_html_join("", "<div>{}</div>", ((e,) for e in field.errors)),
        )
    return format_html("{}\n{}\n{}\n{}\n", label, widget, help_text, errors)


# templates/entry/entry_form.html's inputs, between {% with form=row.form %} and {% endwith %}.
TEMPLATE = '{% load i18n entry_inputs_reference %}{% with form=row.form %}\n        {% for error in form.non_field_errors %}<div class="alert alert-danger py-1 small mb-2">{{ error }}</div>{% endfor %}\n        <div class="row g-2 align-items-start">\n        {% if form.is_ratio %}\n          <div class="col-6 col-md-4">{% entry_input form.numerator %}</div>\n          <div class="col-6 col-md-4">{% entry_input form.denominator %}</div>\n          <div class="col-8 col-md-4">{% entry_input form.value "%" %}</div>\n          <div class="col-4 col-md-12">\n            <span class="form-label small mb-1 d-block" id="{{ row.indicator.code }}-percent-label">{% translate "Tỷ lệ" %}</span>\n            <output class="ratio-output form-control-plaintext fw-semibold py-0" data-ratio-output for="{{ form.numerator.id_for_label }} {{ form.denominator.id_for_label }}" aria-labelledby="{{ row.indicator.code }}-percent-label" aria-live="polite">{% if row.figure %}{{ row.figure.value|floatformat:"-2" }}%{% endif %}</output>\n          </div>\n        {% else %}\n          <div class="col-12">{% entry_input form.value form.measure %}</div>\n        {% endif %}\n        </div>\n        <details class="small mt-2 entry-extra"{% if form.note.value or form.source.value or form.note.errors or form.source.errors %} open{% endif %}>\n          <summary>{% translate "Ghi chú, nguồn số liệu" %}</summary>\n          <div class="row g-2 mt-1">\n            <div class="col-sm-6">{% entry_input form.note %}</div>\n            <div class="col-sm-6">{% entry_input form.source %}</div>\n          </div>\n        </details>\n        {{ form.opened }}\n      {% endwith %}'  # noqa: E501
ENGINE = Engine(
    libraries={
        "i18n": "django.templatetags.i18n",
        "entry_inputs_reference": "tests.entry_inputs_reference",
    }
)


def reference_html(row) -> str:
    """A row's inputs (row.form a ReferenceEntryForm) as the page drew them."""
    return ENGINE.from_string(TEMPLATE).render(Context({"row": row}))
