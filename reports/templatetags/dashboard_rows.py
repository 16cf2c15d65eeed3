"""A dashboard's two long tables written by Python, one tag each, not template loops: its
figures (each indicator's address reversed once, where the loop reversed one a row, 57 µs
each) and its ranking (docs/decisions/0028)."""

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from indicators.templatetags.values import figure_cells

register = template.Library()

_UNRANKED = mark_safe(' class="ranking-unranked"')


@register.simple_tag
def figure_rows(figures, unit, period) -> SafeString:
    """The table of figures, a row each: the indicator (a link to its page for `unit` and
    `period`) and its figure_cells."""
    addresses: dict[str, str] = {}
    rows = []
    for f in figures:
        code = f.indicator.code
        if code not in addresses:
            addresses[code] = reverse("reports:indicator", args=[unit.pk, code])
        rows.append((addresses[code], period.id, code, f.indicator.localized_name, figure_cells(f)))
    return format_html_join(
        "",
        '\n      <tr>\n        <td><a href="{}?period={}"><code>{}</code></a> '
        '<span class="small">{}</span></td>\n        {}\n      </tr>\n    ',
        rows,
    )


@register.simple_tag
def ranking_rows(ranking: list[dict], period) -> SafeString:
    """The ranking's rows (reports.views._ranking_rows): rank, its change, the unit (a link
    to its dashboard for `period`), the index and each pillar's score."""
    return format_html_join(
        "",
        "\n      <tr{}>\n"
        '        <td class="text-end">{}</td>\n'
        '        <td class="text-nowrap small">{}</td>\n'
        '        <td class="text-nowrap"><a href="{}?period={}">{}</a> '
        '<span class="unit-code">{}</span></td>\n'
        '        <td class="text-end text-nowrap fw-semibold">{}</td>\n'
        "        {}\n      </tr>\n    ",
        (
            (
                _UNRANKED if row["index"] is None else "",
                localize(row["rank"]) if row["rank"] else "—",
                _rank_change(row["rank_change"], row["rank_change_size"]),
                reverse("reports:dashboard", args=[row["unit"].pk]),
                period.id,
                row["unit"].name,
                row["unit"].code,
                _index(row),
                format_html_join(
                    "",
                    '<td class="text-end small">{}</td>',
                    (
                        ("—" if score is None else floatformat(score, 1),)
                        for score in row["pillars"]
                    ),
                ),
            )
            for row in ranking
        ),
    )


def _rank_change(change: int | None, size: int | None) -> SafeString | str:
    if change is None:
        return ""
    if change > 0:
        return format_html(
            '<span class="change-up" title="{}">▲ {}</span>',
            _("Tăng hạng so với kỳ trước"),
            localize(size),
        )
    if change < 0:
        return format_html(
            '<span class="change-down" title="{}">▼ {}</span>',
            _("Giảm hạng so với kỳ trước"),
            localize(size),
        )
    return format_html('<span title="{}">=</span>', _("Giữ hạng"))


def _index(row: dict) -> SafeString | str:
    if row["index"] is None:
        return format_html(
            '<span class="fw-normal small text-body-secondary">{}</span>', row["note"]
        )
    return floatformat(row["index"], 1)
