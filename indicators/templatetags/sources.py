"""How a figure's or a plan's source reads on a page (issue 19, item 9).

Written as tags, not included templates: a dashboard shows a hundred figures, each with its
source, and an `{% include %}` costs about ten times a tag (benchmarks/RESULTS.md, issue 17).
"""

import datetime

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from indicators.sources import cite

register = template.Library()


@register.filter
def source_title(source: str) -> str:
    """The source's title, without the corpus file name before it."""
    return cite(source).title


@register.simple_tag
def source_citation(source: str, source_on: datetime.date | None = None) -> SafeString:
    """The source as a reader cites it: title (linked where there is an address), publisher
    and date (the article's, or the date the figure's source carries)."""
    citation = cite(source)
    if not citation.title:
        return mark_safe("\n")
    if citation.url:
        title = format_html('<a href="{}" rel="noopener">{}</a>', citation.url, citation.title)
    else:
        title = format_html("<cite>{}</cite>", citation.title)
    day = citation.published_on or source_on
    return format_html(
        '<span class="source-citation">{}{}{}{}</span>\n',
        title,
        format_html(" — {}", citation.publisher) if citation.publisher else "",
        format_html(", {}", date_format(day, "SHORT_DATE_FORMAT")) if day else "",
        format_html(' <span class="text-body-secondary">({})</span>', citation.detail)
        if citation.detail
        else "",
    )
