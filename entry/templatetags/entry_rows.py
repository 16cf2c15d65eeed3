"""The quarterly form's repeated pieces, written as tags: an input with its label, help and
errors; a figure's flags (a figure as entered is indicators' `entered_figure`).

They were one-line templates included on every indicator's row, about 400 `{% include %}`s
a page, each some 50 µs; a tag costs a tenth of that (benchmarks/RESULTS.md, issue 17). The
HTML is the templates' own, line breaks included.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def entry_input(field, measure="") -> SafeString:
    """A form field with its label, its unit of measure beside it, its help and errors."""
    label = format_html(
        '<label class="form-label small mb-1" for="{}">{}</label>', field.id_for_label, field.label
    )
    widget = field  # written as `{{ field }}` writes it (BoundField.__html__)
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
