"""How a period, a value and a report's status read on a page: written once, as tags.

They were one-line templates included wherever a value is shown; a dashboard includes them
some six hundred times (its trend tables), and an `{% include %}` costs about 50 µs where a
tag costs a tenth of it (benchmarks/RESULTS.md, issue 17).
"""

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from indicators.models import Figure
from indicators.templatetags.sources import source_citation

register = template.Library()

PERCENT_TYPES = ("ratio", "boolean")
_DASH = mark_safe('<span class="text-body-secondary">—</span>')

# A report's status: its badge's colour and label (the workflow's statuses, and "not entered").
_STATUS_BADGES = {
    "draft": ("text-bg-secondary", gettext_noop("Nháp")),
    "submitted": ("text-bg-primary", gettext_noop("Đã gửi")),
    "approved": ("text-bg-success", gettext_noop("Đã duyệt")),
    "returned": ("text-bg-warning", gettext_noop("Trả lại")),
}
_NOT_ENTERED = ("text-bg-light border", gettext_noop("Chưa nhập"))
_SCOPE_LABELS = dict(Figure.Scope.choices)  # lazy labels, read in the page's language


@register.simple_tag
def period_label(period) -> str:
    """The period's name in the page's language ("Quý 2 năm 2025", "Q2 2025")."""
    if period is None or period == "":
        return ""
    return period.label_en if get_language() == "en" else period.label_vi


@register.simple_tag
def report_status(status) -> SafeString:
    """A report's (or figure's) status as a badge."""
    colour, label = _STATUS_BADGES.get(status, _NOT_ENTERED)
    return format_html('<span class="badge {}">{}</span>', colour, _(label))


def _approximately(approximate: bool) -> str:
    if not approximate:
        return ""
    return format_html(
        '<span class="approximate" title="{}">{}</span> ', _("Nguồn ghi số gần đúng"), _("khoảng")
    )


def _number(value, value_type: str) -> str:
    if value_type in PERCENT_TYPES:
        return f"{floatformat(value, 1)}%"
    return floatformat(value, "-2g")


@register.simple_tag
def rolled_value(v, indicator) -> SafeString:
    """A rolled-up value (analytics.RolledValue, or anything with value, is_approximate and
    is_answer): "—" when there is none, Có / Không for an answer, a percentage for a ratio."""
    value = getattr(v, "value", None)
    if value is None:
        return _DASH
    prefix = _approximately(v.is_approximate)
    if v.is_answer:
        text = _("Có") if value else _("Không")
    else:
        text = _number(value, getattr(indicator, "value_type", ""))
    return format_html("{}{}", prefix, text)


@register.simple_tag
def figure_value(f) -> SafeString:
    """A figure's value: Có / Không for a unit's own yes-or-no answer, else as a number."""
    prefix = _approximately(f.is_approximate)
    value_type = f.indicator.value_type
    if value_type == "boolean" and f.scope == "self":
        text = _("Có") if f.value else _("Không")
    else:
        text = _number(f.value, value_type)
    return format_html("{}{}", prefix, text)


@register.simple_tag
def entered_figure(figure, indicator) -> SafeString:
    """A figure as its unit entered it: Có / Không, a percentage with its fraction, a number."""
    if figure is None:
        return _DASH
    kind = indicator.value_type
    if kind == "boolean":
        return format_html("{}", _("Có") if figure.value else _("Không"))
    if kind == "ratio":
        fraction = ""
        if figure.denominator is not None:
            fraction = format_html(
                ' <span class="text-body-secondary text-nowrap">({}/{})</span>',
                floatformat(figure.numerator, "-4g"),
                floatformat(figure.denominator, "-4g"),
            )
        return format_html("{}%{}", floatformat(figure.value, "-2"), fraction)
    return format_html("{}{}", floatformat(figure.value, "-4g"), " đ" if kind == "amount" else "")


def _scope_label(scope: str) -> str:
    """What get_scope_display gives, without its price (90 µs a call: it flattens and hashes
    the field's choices every time, a hundred times a dashboard)."""
    return str(_SCOPE_LABELS.get(scope, scope))


@register.simple_tag
def figure_cells(f) -> SafeString:
    """A figure's cells after a table's first column: who, scope, value, fraction, source."""
    agency = format_html('<div class="small">{}</div>', f.agency.name) if f.agency else ""
    if f.denominator:
        fraction = format_html(
            "{}/{}", floatformat(f.numerator, "-2g"), floatformat(f.denominator, "-2g")
        )
    else:
        fraction = "—"
    return format_html(
        '\n<td>{} <span class="unit-code">{}</span>{}</td>\n<td>{}</td>\n'
        '<td class="text-end text-nowrap">{}</td>\n<td class="text-end text-nowrap">{}</td>\n'
        '<td class="small">{}</td>\n',
        f.unit.name,
        f.unit.code,
        agency,
        _scope_label(f.scope),
        figure_value(f),
        fraction,
        source_citation(f.source, f.source_on),
    )
