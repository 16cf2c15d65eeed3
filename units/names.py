"""Normalisation of Vietnamese place names for matching and tone-mark-free search.

Pure Python, no Django: used both by the lineage matcher and by the site search.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["DIVISION_PREFIXES", "fold", "name_key", "strip_division_prefix"]

# The five Vietnamese tone marks as combining characters (grave, acute, tilde, hook, dot below).
# Vowel-quality marks (circumflex U+0302, breve U+0306, horn U+031B) are not tones and are kept.
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")

# Longest first so "thị xã" wins over "xã" and "thành phố" is not read as a name.
DIVISION_PREFIXES: tuple[str, ...] = (
    "thành phố",
    "thị trấn",
    "thị xã",
    "đặc khu",
    "phường",
    "huyện",
    "quận",
    "tỉnh",
    "xã",
)

_PREFIX_RE = re.compile(
    r"^(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in DIVISION_PREFIXES) + r")\s+",
    re.IGNORECASE,
)
_WS_RE = re.compile(r"\s+")
# Wards numbered in Roman figures ("Phường IV") are numbered wards too.
_ROMAN_RE = re.compile(r"^[IVX]+$")
# Sources mix the ASCII apostrophe with typographic ones ("B'Lao" / "B’Lao").
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def _collapse(text: str) -> str:
    return _WS_RE.sub(" ", text.translate(_APOSTROPHES)).strip()


def fold(text: str) -> str:
    """Lower-case, diacritic-free, whitespace-collapsed form: "Tỉnh Quảng Trị" -> "tinh quang tri".

    Meant for search; distinct names can fold equal ("Tân"/"Tấn"), so matching must not rely on
    it alone.
    """
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # đ/Đ is a separate letter, not d plus a combining mark, so NFD leaves it alone.
    return _collapse(stripped.replace("đ", "d").replace("Đ", "d"))


def _word_key(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = sorted(ch for ch in decomposed if ch in _TONE_MARKS)
    base = "".join(ch for ch in decomposed if ch not in _TONE_MARKS)
    # The tone goes to a fixed place (end of the word), so "hoà"/"hòa" and "thuỷ"/"thủy" agree.
    return unicodedata.normalize("NFC", base) + "".join(tones)


def name_key(text: str) -> str:
    """Matching key: NFC, lower-case, collapsed whitespace, tone-mark placement ignored.

    Each word keeps its letters, vowel-quality marks and tone, but the tone is moved to the end
    of the word, so "Hoà"/"Hòa" and "qúy"/"quý" get one key while "Tân"/"Tấn" stay apart.
    The key is for comparison only, never for display.
    """
    lowered = _collapse(unicodedata.normalize("NFC", text).lower())
    return " ".join(_word_key(w) for w in lowered.split(" ")) if lowered else ""


def strip_division_prefix(name: str) -> str:
    """Drop a leading unit type ("Xã Vĩnh Long" -> "Vĩnh Long"), case-insensitively.

    Numbered units keep their prefix ("Phường 1", "Quận 10", "Phường IV"): a bare number is no name,
    and keeping it on both sides of a comparison still lets them match each other.
    """
    text = _collapse(unicodedata.normalize("NFC", name))
    match = _PREFIX_RE.match(text)
    if not match:
        return text
    rest = text[match.end() :]
    if not rest or rest[0].isdigit() or _ROMAN_RE.match(rest):
        return text
    return rest
