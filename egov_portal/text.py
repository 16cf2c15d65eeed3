"""Text as people submit it: one Unicode form for every entrance, and short enough to show
back or log. Pure: no Django.

A name typed on a Mac or copied from a PDF often arrives decomposed (NFD: "ũ" as "u" and a
combining tilde), while the database holds composed names (NFC); both look the same, so a
lookup that compares them fails with a message nobody can make sense of. Every entrance
(files, JSON, forms, query strings) normalises to NFC, as units.names already does.
"""

import unicodedata

# How much of a submitted value a message or a log line repeats: enough to recognise it,
# never a megabyte of digits.
EXCERPT_LENGTH = 40


def nfc(text: str) -> str:
    """`text` in composed form (NFC); ASCII, most text, comes back as it is, at once."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def excerpt(text, limit: int = EXCERPT_LENGTH) -> str:
    """The start of a submitted value, with "…" when it was longer."""
    text = str(text)
    return text if len(text) <= limit else text[:limit] + "…"
