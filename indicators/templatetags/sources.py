"""How a figure's or a plan's source reads on a page (issue 19, item 9)."""

import datetime

from django import template
from django.utils.formats import date_format

from indicators.sources import cite

register = template.Library()


@register.filter
def source_title(source: str) -> str:
    """The source's title, without the corpus file name before it."""
    return cite(source).title


@register.inclusion_tag("indicators/_source.html")
def source_citation(source: str, source_on: datetime.date | None = None) -> dict:
    """The source as a reader cites it: title (linked where there is an address), publisher
    and date (the article's, or the date the figure's source carries)."""
    citation = cite(source)
    day = citation.published_on or source_on
    return {
        "citation": citation,
        "day": date_format(day, "SHORT_DATE_FORMAT") if day else "",
    }
