"""How a figure's or a plan's source reads on a page (issue 19, item 9)."""

import re

from django import template

register = template.Library()

# The seed corpus names each article by its file ("000_98ee4c67b2729a11.txt — <title>"): a
# name for the loader, not for a reader. The API keeps the source as stored.
_CORPUS_FILE = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt\s+—\s+")


@register.filter
def source_title(source: str) -> str:
    """The source without the corpus file name before its title."""
    return _CORPUS_FILE.sub("", source or "", count=1)
