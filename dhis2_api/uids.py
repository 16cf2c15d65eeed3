"""Stable DHIS2-style identifiers: 11 characters, a letter then letters and digits, as
DHIS2's CodeGenerator makes them — here derived from what names the object (a unit's code
and the day its validity began, an indicator's code), so the same object keeps its UID on
every server and after every reload of the reference data."""

import hashlib
import string

ALPHABET = string.ascii_letters + string.digits
LETTERS = string.ascii_letters
LENGTH = 11
# DHIS2's own identifiers of the default category combination and option combination: a
# client that knows DHIS2 recognises "no disaggregation" by them.
DEFAULT_CATEGORY_COMBO = "bjDvmb4bfuf"
DEFAULT_COC = "HllvX50cXC0"


def uid(kind: str, key: str) -> str:
    number = int.from_bytes(hashlib.sha256(f"{kind}:{key}".encode()).digest(), "big")
    chars = [LETTERS[number % len(LETTERS)]]
    number //= len(LETTERS)
    for _ in range(LENGTH - 1):
        chars.append(ALPHABET[number % len(ALPHABET)])
        number //= len(ALPHABET)
    return "".join(chars)


def is_uid(text: str) -> bool:
    return len(text) == LENGTH and text[0] in LETTERS and all(c in ALPHABET for c in text)


def unit_uid(code: str, valid_from) -> str:
    return uid("ou", f"{code}:{valid_from.isoformat() if valid_from else ''}")


def element_uid(code: str) -> str:
    return uid("de", code)


def token_uid(pk: int) -> str:
    """A personal access token's UID (DHIS2's /api/apiToken/{uid}), from its row."""
    return uid("pat", str(pk))


def scope_coc(scope: str) -> str:
    """The category option combination of a figure's scope: the unit itself is DHIS2's
    default; each tier or agency scope is an option of the category "scope"."""
    return DEFAULT_COC if scope == "self" else uid("coc", scope)


ROOT_CODE = "VN"
ROOT_UID = uid("ou", ROOT_CODE)
DATA_SET_CODE = "QUARTERLY"
DATA_SET_UID = uid("ds", DATA_SET_CODE)
SCOPE_CATEGORY_COMBO = uid("cc", "scope")
