"""The quarterly form's rows as they were drawn up to session 18, by Django's forms and
templates: the reference entry/templatetags/entry_rows.py is compared against
(tests/test_entry_inputs.py). The form class, its tag and the templates are the former ones
(the form's initial values come from entry.forms.initial_values, the former `_initial`
moved unchanged); not used by the site.
"""

from django import forms, template
from django.template import Context, Engine
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

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
# templates/entry/entry_form.html's loop over a pillar's rows, and the row's include.
ROW_TEMPLATE = (
    "{% load i18n entry_rows figure_notes sources values entry_inputs_reference %}"
    "{% for row in rows %}"
    + '\n    <div class="entry-row row g-2 py-3{% if not forloop.first %} border-top{% endif %}" id="indicator-{{ row.indicator.code }}" data-code="{{ row.indicator.code }}"{% if row.form.is_ratio %} data-ratio{% endif %}{% if row.required %} data-required{% endif %}{% if row.figure %} data-filled{% endif %}>\n      <div class="col-lg-5">{% if row.required %}<span class="badge text-bg-danger-subtle text-danger-emphasis border border-danger-subtle mb-1 entry-required">{% translate "Bắt buộc" %}</span> {% endif %}{% include "entry/_indicator.html" %}</div>\n      <div class="col-lg-7">\n      {% if row.form %}{% with form=row.form %}\n        {% for error in form.non_field_errors %}<div class="alert alert-danger py-1 small mb-2">{{ error }}</div>{% endfor %}\n        <div class="row g-2 align-items-start">\n        {% if form.is_ratio %}\n          <div class="col-6 col-md-4">{% entry_input form.numerator %}</div>\n          <div class="col-6 col-md-4">{% entry_input form.denominator %}</div>\n          <div class="col-8 col-md-4">{% entry_input form.value "%" %}</div>\n          <div class="col-4 col-md-12">\n            <span class="form-label small mb-1 d-block" id="{{ row.indicator.code }}-percent-label">{% translate "Tỷ lệ" %}</span>\n            <output class="ratio-output form-control-plaintext fw-semibold py-0" data-ratio-output for="{{ form.numerator.id_for_label }} {{ form.denominator.id_for_label }}" aria-labelledby="{{ row.indicator.code }}-percent-label" aria-live="polite">{% if row.figure %}{{ row.figure.value|floatformat:"-2" }}%{% endif %}</output>\n          </div>\n        {% else %}\n          <div class="col-12">{% entry_input form.value form.measure %}</div>\n        {% endif %}\n        </div>\n        <details class="small mt-2 entry-extra"{% if form.note.value or form.source.value or form.note.errors or form.source.errors %} open{% endif %}>\n          <summary>{% translate "Ghi chú, nguồn số liệu" %}</summary>\n          <div class="row g-2 mt-1">\n            <div class="col-sm-6">{% entry_input form.note %}</div>\n            <div class="col-sm-6">{% entry_input form.source %}</div>\n          </div>\n        </details>\n        {{ form.opened }}\n      {% endwith %}\n        {% entry_flags row.flags %}\n        {% figure_notes row.figure row.notes %}\n      {% else %}\n        {% for error in row.errors %}<div class="alert alert-danger py-1 small mb-2" role="alert">{{ error }}</div>{% endfor %}\n        <div class="fs-5">{% entered_figure row.figure row.indicator %}{% if row.published %} <span class="badge text-bg-success fs-6 align-middle">{% translate "Đã duyệt" %}</span>{% endif %}</div>\n        {% if row.published %}<input type="hidden" name="{{ row.indicator.code }}-opened" value="{{ row.opened }}"><div class="small text-body-secondary">{% translate "Đã duyệt và công bố: muốn sửa, người duyệt mở lại báo cáo (ghi rõ lý do)." %}</div>{% endif %}\n        {% if row.figure.note %}<div class="small"><span class="text-body-secondary">{% translate "Ghi chú:" %}</span> {{ row.figure.note }}</div>{% endif %}\n        {% if row.figure.source %}<div class="small"><span class="text-body-secondary">{% translate "Nguồn:" %}</span> {{ row.figure.source|source_title }}</div>{% endif %}\n        {% entry_flags row.flags %}\n        {% figure_notes row.figure row.notes %}\n      {% endif %}\n      </div>\n    </div>\n    '  # noqa: E501
    + "{% endfor %}"
)
INDICATOR_TEMPLATE = '{% load i18n values %}<div class="mb-1"><code>{{ row.indicator.code }}</code> <span class="fw-semibold" id="{{ row.indicator.code }}-name">{{ row.indicator.localized_name }}</span></div>\n<details class="small mb-1"><summary>{% translate "Định nghĩa" %}</summary><p class="mb-0 text-body-secondary">{{ row.indicator.localized_definition|linebreaksbr }}</p></details>\n<div class="small text-body-secondary">{% blocktranslate with period=previous_period.id %}Kỳ trước ({{ period }}):{% endblocktranslate %} {% entered_figure row.previous row.indicator %}</div>\n{% if row.target %}<div class="small entry-target"><span class="badge text-bg-info">{% translate "Mục tiêu" %} {{ row.target_label }}</span> <span class="text-body-secondary">{{ row.target.plan.get_kind_display }} {{ row.target.plan.number|default:row.target.plan.code }}, {% if row.target.deadline %}{% blocktranslate with deadline=row.target.deadline %}hạn {{ deadline }}{% endblocktranslate %}{% else %}{% translate "không nêu thời hạn" %}{% endif %}</span></div>{% endif %}\n'  # noqa: E501
ENGINE = Engine(
    libraries={
        "i18n": "django.templatetags.i18n",
        "entry_rows": "entry.templatetags.entry_rows",
        "figure_notes": "quality.templatetags.figure_notes",
        "sources": "indicators.templatetags.sources",
        "values": "indicators.templatetags.values",
        "entry_inputs_reference": "tests.entry_inputs_reference",
    },
    loaders=[
        ("django.template.loaders.locmem.Loader", {"entry/_indicator.html": INDICATOR_TEMPLATE})
    ],
)
INPUTS = ENGINE.from_string(TEMPLATE)
ROWS = ENGINE.from_string(ROW_TEMPLATE)


def reference_html(row) -> str:
    """A row's inputs (row.form a ReferenceEntryForm) as the page drew them."""
    return INPUTS.render(Context({"row": row}))


def reference_rows(rows, previous_period, request) -> str:
    """Rows (their forms ReferenceEntryForms) as the page's loop drew them."""
    return ROWS.render(
        Context({"rows": rows, "previous_period": previous_period, "request": request})
    )
