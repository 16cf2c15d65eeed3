"""The quarterly form's repeated pieces, written as tags: an indicator's row (what it is,
last period's figure, its target, its inputs or its figure), a figure's flags (a figure as
entered is indicators' `entered_figure`).

They were templates included on every indicator's row, about 400 `{% include %}`s a page,
then Django forms drawn by a tag; the rows are now written here, the inputs as Django's
forms wrote them, character for character (docs/decisions/0032; tests/test_entry_inputs.py
compares them with the former forms and templates). The HTML is the templates' own, line
breaks included. As in templates, values are escaped and translations (`{% translate %}`'s)
are not; each translation is a `_()` call of its own, outside any f-string, where
makemessages (xgettext) finds it.
"""

from html import escape

from django import template
from django.template.defaultfilters import floatformat, linebreaksbr
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from entry.forms import YES_NO_CHOICES, EntryInputs
from indicators.templatetags.sources import source_title
from indicators.templatetags.values import entered_figure
from quality.templatetags.figure_notes import figure_notes

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


def _input(
    inputs: EntryInputs, code: str, name: str, label: str, measure: str = "", help_text: str = ""
) -> str:
    """One input with its label, its unit of measure beside it, its help and errors."""
    html_id = f"id_{code}-{name}"
    shown = inputs.shown(name)
    errors = inputs.errors.get(name)
    select = name == "value" and inputs.is_boolean
    css = "form-select" if select else "form-control"
    if errors:
        state = (
            f' class="{css} is-invalid" aria-describedby="{code}-name {html_id}_error"'
            ' aria-invalid="true"'
        )
    else:
        state = f' class="{css}" aria-describedby="{code}-name"'
    if select:
        options = "".join(
            f'\n  <option value="{value}"{" selected" if value == shown else ""}>'
            f"{escape(str(text))}</option>\n"
            for value, text in YES_NO_CHOICES
        )
        widget = f'<select name="{code}-value"{state} id="{html_id}">{options}\n</select>'
    else:
        value = f' value="{escape(shown)}"' if shown else ""
        widget = (
            f'<input type="text" name="{code}-{name}"{value}{_ATTRS[name]}{state} id="{html_id}">'
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


def inputs_html(row) -> str:
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
        only_without = _("Chỉ khi không có tử số, mẫu số.")
        rate = _("Tỷ lệ")
        parts += [
            '\n          <div class="col-6 col-md-4">',
            _input(inputs, code, "numerator", labels["numerator"]),
            '</div>\n          <div class="col-6 col-md-4">',
            _input(inputs, code, "denominator", labels["denominator"]),
            '</div>\n          <div class="col-8 col-md-4">',
            _input(inputs, code, "value", labels["value"], "%", only_without),
            '</div>\n          <div class="col-4 col-md-12">\n'
            f'            <span class="form-label small mb-1 d-block" id="{code}-percent-label">'
            f"{rate}</span>\n"
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
    extra = _("Ghi chú, nguồn số liệu")
    parts += [
        '\n        </div>\n        <details class="small mt-2 entry-extra"',
        " open" if extra_open else "",
        f">\n          <summary>{extra}</summary>\n",
        '          <div class="row g-2 mt-1">\n            <div class="col-sm-6">',
        _input(inputs, code, "note", labels["note"]),
        '</div>\n            <div class="col-sm-6">',
        _input(inputs, code, "source", labels["source"]),
        "</div>\n          </div>\n        </details>\n        ",
        f'<input type="hidden" name="{code}-opened"{opened_value} class="form-control"'
        f' id="id_{code}-opened">\n      ',
    ]
    return "".join(parts)


@register.simple_tag(takes_context=True)
def entry_row(context, row, first: bool, previous_period) -> SafeString:
    """An indicator's row of the form (entry.forms.EntryRow): what the indicator is, its
    figure last period and its target; its inputs, or its figure where it is not editable;
    its flags and notes."""
    indicator = row.indicator
    code = escape(indicator.code)
    figure = row.figure
    parts = [
        '\n    <div class="entry-row row g-2 py-3',
        "" if first else " border-top",
        f'" id="indicator-{code}" data-code="{code}"',
        " data-ratio" if row.form is not None and row.form.is_ratio else "",
        " data-required" if row.required else "",
        " data-filled" if figure else "",
        '>\n      <div class="col-lg-5">',
    ]
    if row.required:
        required = _("Bắt buộc")
        parts.append(
            '<span class="badge text-bg-danger-subtle text-danger-emphasis border '
            f'border-danger-subtle mb-1 entry-required">{required}</span> '
        )
    parts += [
        _about(row, code, previous_period),
        '</div>\n      <div class="col-lg-7">\n      ',
    ]
    if row.form is not None:
        parts.append(inputs_html(row))
    else:
        parts.append("\n        ")
        parts += [
            f'<div class="alert alert-danger py-1 small mb-2" role="alert">{escape(str(e))}</div>'
            for e in row.errors
        ]
        parts += ['\n        <div class="fs-5">', entered_figure(figure, indicator)]
        if row.published:
            approved = _("Đã duyệt")
            parts.append(
                f' <span class="badge text-bg-success fs-6 align-middle">{approved}</span>'
            )
        parts.append("</div>\n        ")
        if row.published:
            how = _("Đã duyệt và công bố: muốn sửa, người duyệt mở lại báo cáo (ghi rõ lý do).")
            parts.append(
                f'<input type="hidden" name="{code}-opened" value="{escape(str(row.opened))}">'
                f'<div class="small text-body-secondary">{how}</div>'
            )
        parts.append("\n        ")
        if figure and figure.note:
            parts.append(_labelled(_("Ghi chú:"), figure.note))
        parts.append("\n        ")
        if figure and figure.source:
            parts.append(_labelled(_("Nguồn:"), source_title(figure.source)))
    parts += [
        "\n        ",
        entry_flags(row.flags),
        "\n        ",
        figure_notes(context, figure, row.notes),
        "\n      \n      </div>\n    </div>\n    ",
    ]
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


def _labelled(label: str, text: str) -> str:
    """A line of a figure shown as entered: its label (a translation), then its text."""
    return (
        f'<div class="small"><span class="text-body-secondary">{label}</span> {escape(text)}</div>'
    )


def _about(row, code: str, previous_period) -> str:
    """What the indicator is, its figure last period, and its target."""
    indicator = row.indicator
    definition = _("Định nghĩa")
    before = _("Kỳ trước (%(period)s):") % {"period": escape(str(previous_period.id))}
    about = (
        f'<div class="mb-1"><code>{code}</code> <span class="fw-semibold" id="{code}-name">'
        f"{escape(str(indicator.localized_name))}</span></div>\n"
        f'<details class="small mb-1"><summary>{definition}</summary>'
        '<p class="mb-0 text-body-secondary">'
        f"{linebreaksbr(indicator.localized_definition, autoescape=True)}</p></details>\n"
        f'<div class="small text-body-secondary">{before} '
        f"{entered_figure(row.previous, indicator)}</div>\n"
    )
    target = row.target
    if target:
        plan = target.plan
        if target.deadline:
            due = _("hạn %(deadline)s") % {"deadline": escape(localize(target.deadline))}
        else:
            due = _("không nêu thời hạn")
        aim = _("Mục tiêu")
        about += (
            '<div class="small entry-target"><span class="badge text-bg-info">'
            f"{aim} {escape(str(row.target_label))}</span> "
            f'<span class="text-body-secondary">{escape(str(plan.get_kind_display()))} '
            f"{escape(str(plan.number or plan.code))}, {due}</span></div>"
        )
    return about + "\n"


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
