"""The quarterly form's repeated pieces, written as tags: a row's inputs (with their labels,
help and errors), a figure's flags (a figure as entered is indicators' `entered_figure`).

They were templates included on every indicator's row, about 400 `{% include %}`s a page,
then Django forms drawn by a tag; the inputs are now written here, as Django's forms wrote
them, character for character (docs/decisions/0032; tests/test_entry_inputs.py compares
the two). The HTML is the templates' own, line breaks included.
"""

from html import escape

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from entry.forms import YES_NO_CHOICES, EntryInputs

register = template.Library()

# Each input's attributes before its class, as Django's widgets held them.
_ATTRS = {
    "numerator": ' inputmode="decimal" autocomplete="off" maxlength="40"',
    "denominator": ' inputmode="decimal" autocomplete="off" maxlength="40"',
    "value": ' inputmode="decimal" autocomplete="off" maxlength="40"',
    "note": ' maxlength="2000"',
    "source": ' maxlength="255"',
}


def _labels(inputs: EntryInputs) -> dict[str, str]:
    return {
        "numerator": _("Tử số"),
        "denominator": _("Mẫu số"),
        "value": _("hoặc tỷ lệ (%)") if inputs.is_ratio else _("Giá trị"),
        "note": _("Ghi chú"),
        "source": _("Nguồn số liệu"),
    }


def _input(inputs: EntryInputs, code: str, name: str, label: str, measure="", help_text=""):
    """One input with its label, its unit of measure beside it, its help and errors."""
    html_id = f"id_{code}-{name}"
    shown = inputs.shown(name)
    errors = inputs.errors.get(name)
    if errors:
        state = (
            f' class="{{}} is-invalid" aria-describedby="{code}-name {html_id}_error"'
            ' aria-invalid="true"'
        )
    else:
        state = f' class="{{}}" aria-describedby="{code}-name"'
    if name == "value" and inputs.is_boolean:
        options = "".join(
            f'\n  <option value="{value}"{" selected" if value == shown else ""}>'
            f"{escape(str(text))}</option>\n"
            for value, text in YES_NO_CHOICES
        )
        widget = (
            f'<select name="{code}-value"{state.format("form-select")} id="{html_id}">'
            f"{options}\n</select>"
        )
    else:
        value = f' value="{escape(shown)}"' if shown else ""
        widget = (
            f'<input type="text" name="{code}-{name}"{value}{_ATTRS[name]}'
            f'{state.format("form-control")} id="{html_id}">'
        )
    if measure:
        widget = (
            f'<div class="input-group">{widget}<span class="input-group-text entry-measure">'
            f"{escape(measure)}</span></div>"
        )
    help_html = f'<div class="form-text">{escape(help_text)}</div>' if help_text else ""
    error_html = ""
    if errors:
        messages = "".join(f"<div>{escape(message)}</div>" for message in errors)
        error_html = f'<div class="invalid-feedback d-block" id="{html_id}_error">{messages}</div>'
    return (
        f'<label class="form-label small mb-1" for="{html_id}">{escape(label)}</label>\n'
        f"{widget}\n{help_html}\n{error_html}\n"
    )


@register.simple_tag
def entry_inputs(row) -> SafeString:
    """A row's inputs (row.form, entry.forms.EntryInputs): the numbers, the note and the
    source, and the fingerprint of the figure the form showed."""
    inputs: EntryInputs = row.form
    code = escape(inputs.indicator.code)
    labels = _labels(inputs)
    parts = ["\n        "]
    parts += [
        f'<div class="alert alert-danger py-1 small mb-2">{escape(e)}</div>'
        for e in inputs.row_errors
    ]
    parts.append('\n        <div class="row g-2 align-items-start">\n        ')
    if inputs.is_ratio:
        shown = ""
        if row.figure:
            shown = f"{floatformat(row.figure.value, '-2')}%"
        parts += [
            '\n          <div class="col-6 col-md-4">',
            _input(inputs, code, "numerator", labels["numerator"]),
            '</div>\n          <div class="col-6 col-md-4">',
            _input(inputs, code, "denominator", labels["denominator"]),
            '</div>\n          <div class="col-8 col-md-4">',
            _input(
                inputs,
                code,
                "value",
                labels["value"],
                "%",
                _("Chỉ khi không có tử số, mẫu số."),
            ),
            '</div>\n          <div class="col-4 col-md-12">\n'
            f'            <span class="form-label small mb-1 d-block" id="{code}-percent-label">'
            f"{escape(_('Tỷ lệ'))}</span>\n"
            '            <output class="ratio-output form-control-plaintext fw-semibold py-0"'
            f' data-ratio-output for="id_{code}-numerator id_{code}-denominator"'
            f' aria-labelledby="{code}-percent-label" aria-live="polite">{shown}</output>\n'
            "          </div>\n        ",
        ]
    else:
        parts += [
            '\n          <div class="col-12">',
            _input(inputs, code, "value", labels["value"], inputs.measure),
            "</div>\n        ",
        ]
    extra_open = (
        inputs.shown("note")
        or inputs.shown("source")
        or inputs.errors.get("note")
        or inputs.errors.get("source")
    )
    opened = inputs.shown("opened")
    opened_value = f' value="{escape(opened)}"' if opened else ""
    parts += [
        '\n        </div>\n        <details class="small mt-2 entry-extra"',
        " open" if extra_open else "",
        f">\n          <summary>{escape(_('Ghi chú, nguồn số liệu'))}</summary>\n",
        '          <div class="row g-2 mt-1">\n            <div class="col-sm-6">',
        _input(inputs, code, "note", labels["note"]),
        '</div>\n            <div class="col-sm-6">',
        _input(inputs, code, "source", labels["source"]),
        "</div>\n          </div>\n        </details>\n        ",
        f'<input type="hidden" name="{code}-opened"{opened_value} class="form-control"'
        f' id="id_{code}-opened">\n      ',
    ]
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


def _flag_label(flag) -> str:
    if flag.flag == "outlier":
        return _("Bất thường")
    return _("Vi phạm quy tắc") if flag.severity == "error" else _("Cảnh báo")


@register.simple_tag
def entry_flags(flags) -> SafeString:
    """A figure's flags (quality.flags.Flag), in the box the form's script fills as one types."""
    return format_html(
        '<div class="entry-flags" data-flags>{}</div>\n',
        format_html_join(
            "",
            '<div class="alert {} py-1 px-2 small mb-1 mt-1 entry-flag" data-flag="{}">'
            '<span class="fw-semibold">{}:</span> {}</div>',
            (
                (
                    "alert-danger" if flag.severity == "error" else "alert-warning",
                    flag.flag,
                    _flag_label(flag),
                    flag.message,
                )
                for flag in flags
            ),
        ),
    )
