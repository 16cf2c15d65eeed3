"""Which 2024 communes each 2025 commune came from, read from the official formation notes.

Pure Python (no Django). Precision comes first: a name that stays ambiguous is reported as
Unresolved, never guessed.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from units.names import fold, name_key, strip_division_prefix

__all__ = [
    "METHODS",
    "CommuneLink",
    "DistrictLink",
    "ManualLink",
    "MatchResult",
    "NewCommune",
    "NoteItem",
    "OldCommune",
    "OldDistrict",
    "ParsedNote",
    "Unresolved",
    "coverage_report",
    "match_communes",
    "parse_note",
    "read_manual_links",
]


@dataclass(frozen=True)
class OldCommune:
    """A commune of the 2024 three-tier list."""

    code: str
    name: str
    district_code: str
    district_name: str
    province_code: str


@dataclass(frozen=True)
class OldDistrict:
    """A district of the 2024 list (the island districts had no communes of their own)."""

    code: str
    name: str
    province_code: str


@dataclass(frozen=True)
class NewCommune:
    """A commune of the 2025 two-tier list, with its official formation note."""

    code: str
    name: str
    province_code: str
    note: str


@dataclass(frozen=True)
class CommuneLink:
    """One predecessor (old) -> successor (new) relation.

    is_partial: the note says only part went, or the old commune has several successors.
    """

    old_code: str
    new_code: str
    kind: str  # "merge" | "split" | "rename" | "kept"
    is_partial: bool
    legal_basis: str  # "1680/NQ-UBTVQH15", "" if the note gives none
    method: str  # one of METHODS


# How each link was found, surest first (docs/decisions/0002-commune-lineage.md).
METHODS: dict[str, str] = {
    "note": "the note names this old commune, spelt as in the 2024 list",
    "note-fuzzy": "the note names it with a typo, another spelling or a cut-off name, "
    "found among the note's own districts",
    "code": "the new commune has no note naming it but kept this old commune's code",
    "name": "the new commune has no note of its own and bears this old commune's name",
    "residue": "no note names this old commune; the only new commune without a note that "
    "was formed from its district took it (elimination)",
    "manual": "checked by hand, with the reason in fixtures/units/lineage_manual.csv",
}


@dataclass(frozen=True)
class DistrictLink:
    """A 2024 district -> 2025 commune-level unit, when the note names the district itself.

    The island districts (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo) had no communes:
    their notes ("toàn bộ ... của huyện Cồn Cỏ thành đặc khu Cồn Cỏ") link the district whole.
    """

    old_code: str
    new_code: str
    kind: str
    is_partial: bool
    legal_basis: str
    method: str


@dataclass(frozen=True)
class Unresolved:
    """A predecessor named in a note that could not be matched, or only ambiguously."""

    new_code: str
    new_name: str
    fragment: str
    reason: str


@dataclass
class MatchResult:
    """Links found plus what could not be resolved."""

    links: list[CommuneLink]
    unresolved: list[Unresolved]
    district_links: list[DistrictLink] = field(default_factory=list)
    # new code -> code of the note-less new commune its note describes (read as that one's)
    notes_moved: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ManualLink:
    """A hand-checked link from lineage_manual.csv; it overrides or adds to the matcher."""

    old_code: str
    new_code: str
    is_partial: bool
    note: str


@dataclass(frozen=True)
class NoteItem:
    """One predecessor as written in a note."""

    name: str  # division word dropped, except for numbered wards ("Phường 8")
    division: str  # "xã" / "phường" / "thị trấn" / "đặc khu" as written, "" if none
    is_partial: bool
    qualifier: str  # "thuộc quận Bình Thạnh" / "(thành phố Vĩnh Long)" text, "" if none
    fragment: str  # the raw text, for reports


@dataclass(frozen=True)
class ParsedNote:
    """What parse_note() reads from a note."""

    predecessors: tuple[NoteItem, ...] = ()
    renamed_from: NoteItem | None = None
    renamed_to: str = ""  # "Đổi tên từ X thành phường Y": "phường Y", as written
    kept: bool = False  # "Giữ nguyên": the unit itself carries on
    kept_partial: bool = False  # "Giữ nguyên mã, điều chỉnh 1 phần ... nhập vào ..."
    whole_districts: tuple[str, ...] = ()  # "toàn bộ ... của huyện X": every commune of X
    qualifiers: tuple[str, ...] = ()  # every district/province qualifier seen in the note
    legal_basis: str = ""
    truncated: tuple[str, ...] = ()  # fragments cut off mid-name ("1 phần phường C.")


# --------------------------------------------------------------------------- note parsing

_WS = re.compile(r"\s+")
_LEGAL = re.compile(r"Số:\s*([^\s;,]+)")
_END_OF_MAIN = re.compile(r"\bBỏ cấp huyện\b|\bSố:", re.IGNORECASE)
_KEPT = re.compile(r"^\s*giữ nguyên", re.IGNORECASE)
_COMMUNE_DIV = re.compile(r"^(?:(?:thị\s+trấn|đặc\s+khu|phường|xã|ã)(?:\s+|$))+", re.IGNORECASE)
# A division word in the middle of an item means a comma was forgotten ("xã A xã B").
_INNER_DIV = re.compile(r"\s+(?=(?:xã|phường|thị\s+trấn)\s+[A-ZĐÂĂÊÔƠƯÁÀẢÃẠ0-9])", re.IGNORECASE)
_QUALIFIER_START = re.compile(r"^(?:huyện|quận|thị\s+xã|thành\s+phố|tỉnh)\b", re.IGNORECASE)
_WHOLE_DISTRICT = re.compile(
    r"toàn\s+bộ\s*(?:diện\s+tích\s+tự\s+nhiên[,\s]*(?:và\s+)?quy\s+mô\s+dân(?:\s+số)?\s+của"
    r"|\d+\s+xã[^.]*?thuộc)\s+huyện\s+(?:đảo\s+)?(?P<d>[^,.()]+?)(?=\s+thành\b|\s*[,.(]|$)",
    re.IGNORECASE,
)
# "một phần diện tích tự nhiên là 57,53 km2, quy mô dân số là 243 người của xã X" -> "1 phần xã X"
_PART_AREA = re.compile(
    r"(?:một|1)\s+phần\s+(?=diện|quy\s+mô|dân\s+số)(?:[^.;]|(?<=\d)\.(?=\d))*?"
    r"(?:\bcủa\b|(?=\s(?:xã|phường|thị\s+trấn)\s))",
    re.IGNORECASE,
)
_REST_AREA = re.compile(r"toàn\s+bộ\s+diện\s+tích[^.;]*?còn\s+lại\s+của\b", re.IGNORECASE)
_WHOLE_AREA = re.compile(r"toàn\s+bộ\s+diện\s+tích[^.;]*?\bcủa\b", re.IGNORECASE)
_RENAME = re.compile(
    r"[đd][ổỏốo]i\s+(?:tên|loại\s+hình)(?:\s+mới)?(?:\s+từ)?\s+(?!thành\b|mới\s+thành\b)"
    r"(?P<src>[^,.;]+?)\s+(?-i:thành)\s+(?P<dst>[^,.;]+?)(?=\s+(?:và\s+)?h[ợơọ]p\s+nh|\s*[,.;]|$)",
    re.IGNORECASE,
)
# Text that only says what the new unit is called: dropped before reading the list.
_TARGET = re.compile(
    r"(?<![\wÀ-ỹ])thành(?:\s+(?!lập\b|phố\b)[^,.;]*?)?(?=\s+(?:và\s+)?h[ợơọ]p\s+nh|\s*[,.;]|$)"
)
_ESTABLISH = re.compile(r"thành\s+lập\s+[^,.;]*?trên\s+cơ\s+sở(?:\s+nhập)?", re.IGNORECASE)
# Verbs and linking words before a name. Case-sensitive on purpose: "Nhất Hòa", "Từ Sơn",
# "Hợp Tiến" are names, while the verbs are lower-case except at the start of the note.
_LEAD_JUNK = re.compile(
    r"^(?:[Hh][ơợọ]p\s+nh[ấâ]t?|[Hh][ợơ]p\s+nh\b|hợp\s+thành|(?:[Tt]hay\s+)?[Đđ]ổi\s+loại\s+hình"
    r"|[Đđ]ổi\s+tên|[Ss]ắp\s*xếp|[Tt]oàn\s+bộ|nhất|nhập|từ|của|và|với|gồm)(?![\wÀ-ỹ])[\s,]*"
)
_PARTIAL = re.compile(
    r"^p?(?:(?:một|1)\s*ph[aàầ]n(?:\s+còn\s+lại)?|phần\s+còn\s+lại)(?:\s+của)?\b\s*", re.IGNORECASE
)
_PLURAL = re.compile(r"^các(?:\s+|$)", re.IGNORECASE)
_PAREN = re.compile(r"\(([^)]*)\)?")
_THUOC = re.compile(r"\s+thuộc\s+(.*)$", re.IGNORECASE)
_NOISE_QUALIFIER = re.compile(r"\(?\s*trước\s+kh[^)]*\)?|\bhiện\s+nay\b|\bcũ\b", re.IGNORECASE)
# Spelling slips seen in the notes, fixed before parsing.
_SLIPS = (
    (re.compile(r"(?<=[a-zà-ỹ])(?=thành\s+(?:xã|phường|đặc\s+khu)\b)"), " "),
    (re.compile(r"(nh[ấâ]t)(?=các\b)", re.IGNORECASE), r"\1 "),
    (re.compile(r"\btrị\s+trấn\b", re.IGNORECASE), "thị trấn"),
    # "hợp thành" for "hợp nhất", but not "xã Khánh Hợp thành xã ...".
    (re.compile(r"(?:^|(?<=,\s))hợp\s+thành\s+(?=(?:các|xã|phường|thị\s+trấn)\b)"), "hợp nhất "),
    (re.compile(r"\bđổi\s+tên\s+mới\s+thành\b", re.IGNORECASE), "đổi tên thành"),
    (re.compile(r"\btên\s+tè\s+", re.IGNORECASE), "tên từ "),
    (re.compile(r"\s+sau\s+khi\s+sắp\s+xếp[^,;]*?Điều\s+này", re.IGNORECASE), ""),
)
_STRAY = re.compile(r"^[\s.,;:\-–]+|[\s.,;:\-–]+$")


def _clean(text: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFC", text).replace("\u00a0", " ")).strip()


_DELIMITER = re.compile(r"[,;]|\.(?!\d)|\s+(?:và|với)\s+")


def _split_items(text: str) -> list[str]:
    """Split a list on commas, semicolons, full stops and "và", but not inside parentheses."""
    # Depth per character; a "(" never closed ("xã Tân Đông (huyện Thạnh Hóa, xã ...") is
    # ignored so that it does not swallow the rest of the list.
    closers = [i for i, ch in enumerate(text) if ch == ")"]
    inside = [False] * len(text)
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch == "(" and closers and closers[-1] > i:
            stack.append(i)
        elif ch == ")" and stack:
            start = stack.pop()
            if not stack:
                for j in range(start, i + 1):
                    inside[j] = True
    parts: list[str] = []
    last = 0
    for m in _DELIMITER.finditer(text):
        if inside[m.start()]:
            continue
        parts.append(text[last : m.start()])
        last = m.end()
    parts.append(text[last:])
    return [p.strip() for p in parts if p.strip()]


def _read_item(
    raw: str, prev: NoteItem | None, prev_plural_partial: bool
) -> tuple[list[NoteItem], list[str], bool, bool]:
    """Read one list item: returns (items, qualifiers, plural_partial, truncated)."""
    text = raw
    qualifiers: list[str] = []
    for m in _PAREN.finditer(text):
        qualifiers.append(m.group(1))
    text = _PAREN.sub(" ", text)
    m = _THUOC.search(text)
    if m:
        qualifiers.append(m.group(1))
        text = text[: m.start()]
    qualifiers = [
        q for q in (_STRAY.sub("", _NOISE_QUALIFIER.sub(" ", q)) for q in qualifiers) if q
    ]
    text = _STRAY.sub("", _WS.sub(" ", text))
    partial = False
    plural = False
    while True:
        before = text
        text = _LEAD_JUNK.sub("", text)
        if _PARTIAL.match(text):
            partial = True
            text = _PARTIAL.sub("", text)
        if _PLURAL.match(text):
            plural = True
            text = _PLURAL.sub("", text)
        if text == before:
            break
    if _QUALIFIER_START.match(text) or re.match(r"^khu\s+vực\b", text, re.IGNORECASE):
        # "tỉnh Phú Yên" after a comma, or a named area that is not a commune.
        return [], [*qualifiers, text], prev_plural_partial, False
    div_match = _COMMUNE_DIV.match(text)
    division = ""
    if div_match:
        words = div_match.group(0).lower().split()
        division = (
            "thị trấn"
            if words[-1] == "trấn"
            else ("đặc khu" if words[-1] == "khu" else ("xã" if words[-1] == "ã" else words[-1]))
        )
        text = text[div_match.end() :]
        prev_plural_partial = partial and plural
    elif prev is not None:
        # A bare name continues the previous list ("các xã A, B"): same division word, and it
        # is partial only when the partial marker was put before the plural ("1 phần các xã").
        division = prev.division
        partial = partial or prev_plural_partial
    text = _STRAY.sub("", text)
    if not text:
        return [], qualifiers, prev_plural_partial, bool(division or partial)
    if text.isdigit() and not div_match:
        # A lone number with no "Phường" before it is the start of a cut-off "1 phần ...".
        return [], qualifiers, prev_plural_partial, True
    if (text[0].isdigit() or re.match(r"^[IVX]+$", text)) and division == "phường":
        text = f"Phường {text}"
    elif text[0].isdigit() and division:
        text = f"{division.capitalize()} {text}"
    names = [n for n in _INNER_DIV.split(text) if n.strip()]
    items: list[NoteItem] = []
    for i, name in enumerate(names):
        item_div = division
        if i > 0:
            dm = _COMMUNE_DIV.match(name)
            if dm:
                item_div = dm.group(0).strip().lower()
                name = name[dm.end() :]
                if name[:1].isdigit() and item_div == "phường":
                    name = f"Phường {name}"
        items.append(
            NoteItem(
                name=_STRAY.sub("", name),
                division=item_div,
                is_partial=partial,
                qualifier="; ".join(qualifiers),
                fragment=raw.strip(),
            )
        )
    return items, qualifiers, prev_plural_partial, False


def parse_note(note: str) -> ParsedNote:
    """Read predecessor names (with partial flags and qualifiers), rename source, legal basis."""
    text = _clean(note)
    legal = _LEGAL.search(text)
    legal_basis = legal.group(1) if legal else ""
    end = _END_OF_MAIN.search(text)
    main = text[: end.start()] if end else text
    if not main.strip():
        return ParsedNote(legal_basis=legal_basis)
    if _KEPT.match(main):
        partial = bool(re.search(r"(?:một|1)\s+phần", main, re.IGNORECASE))
        return ParsedNote(kept=True, kept_partial=partial, legal_basis=legal_basis)

    whole = tuple(_STRAY.sub("", m.group("d")) for m in _WHOLE_DISTRICT.finditer(main))
    if whole:
        main = _WHOLE_DISTRICT.sub(" ", main)
    for slip, repl in _SLIPS:
        main = slip.sub(repl, main)
    main = _REST_AREA.sub(" phần còn lại của ", main)
    main = _PART_AREA.sub(" 1 phần ", main)
    main = _WHOLE_AREA.sub(" ", main)
    main = _ESTABLISH.sub(", hợp nhất ", main)

    renamed_from: NoteItem | None = None
    renamed_to = ""
    rename = _RENAME.search(main)
    if rename:
        renamed_to = _STRAY.sub("", rename.group("dst"))
        src_items, _, _, _ = _read_item(rename.group("src"), None, False)
        if src_items:
            renamed_from = src_items[0]
        main = main[: rename.start()] + ", " + main[rename.end() :]
    main = _TARGET.sub(",", main)

    items: list[NoteItem] = []
    qualifiers: list[str] = []
    truncated: list[str] = []
    prev: NoteItem | None = None
    plural_partial = False
    for raw in _split_items(main):
        got, quals, plural_partial, cut = _read_item(raw, prev, plural_partial)
        qualifiers.extend(quals)
        if cut:
            truncated.append(raw)
        if not got and quals and items:
            # "thuộc huyện Vân Canh, tỉnh Bình Định" - the province lands in its own item.
            last = items[-1]
            items[-1] = NoteItem(
                last.name,
                last.division,
                last.is_partial,
                "; ".join(q for q in (last.qualifier, *quals) if q),
                last.fragment,
            )
        items.extend(got)
        if got:
            prev = got[-1]
    if renamed_from is not None:
        qualifiers.extend([renamed_from.qualifier] if renamed_from.qualifier else [])
    return ParsedNote(
        predecessors=tuple(items),
        renamed_from=renamed_from,
        renamed_to=renamed_to,
        whole_districts=whole,
        qualifiers=tuple(qualifiers),
        legal_basis=legal_basis,
        truncated=tuple(truncated),
    )


# --------------------------------------------------------------------------- matching

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_ROMAN = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
}


@lru_cache(maxsize=65536)
def _compact(text: str) -> str:
    """Diacritic-, space- and punctuation-free form, for typo-tolerant lookups."""
    return _NON_ALNUM.sub("", fold(text))


_NONG_TRUONG = re.compile(r"\bnông\s+trường\s+(?=\S)", re.IGNORECASE)


_TRAILING_ROMAN = re.compile(r"(?<=\S)\s+(I{1,3}|IV|V|VI{1,3}|IX|X)$")


@lru_cache(maxsize=65536)
def _commune_key(name: str) -> str:
    # The 2024 list abbreviates "Thị trấn Nông trường X" to "Thị trấn NT X"; notes spell it out.
    bare = _NONG_TRUONG.sub("NT ", strip_division_prefix(name))
    if not bare.lower().startswith("phường"):
        # "Hòa Tú II" in the list, "Hòa Tú 2" in the note.
        bare = _TRAILING_ROMAN.sub(lambda m: f" {_ROMAN[m.group(1).lower()]}", bare)
    key = name_key(bare)
    # "Phường 01" and "Phường 1" are the same ward.
    return re.sub(r"(?<=\s)0+(?=\d)", "", key)


@lru_cache(maxsize=65536)
def _tight_key(name: str) -> str:
    """The name key without spaces, hyphens or apostrophes: "H Bông" = "HBông", "K'Nớ" = "KNớ"."""
    return re.sub(r"[\s\-'.]+", "", _commune_key(name))


_ROMAN_WARD = re.compile(r"^(phường\s+)(x|ix|iv|v?i{0,3})$", re.IGNORECASE)


def _arabic_ward(name: str) -> str | None:
    """ "Phường IV" -> "Phường 4"; None when the name is not a Roman-numbered ward."""
    m = _ROMAN_WARD.match(name.strip())
    if not m or not m.group(2):
        return None
    return f"{m.group(1)}{_ROMAN[m.group(2).lower()]}"


def _division_of(name: str) -> str:
    low = fold(name)
    for div, folded in (("thị trấn", "thi tran"), ("phường", "phuong"), ("xã", "xa")):
        if low.startswith(folded + " "):
            return div
    return ""


def _edit_distance_le1(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :] or (len(a) == len(b) and a[i + 1 :] == b[i + 1 :])


class _OldIndex:
    """Old communes indexed by (new province, name key); built once, O(n)."""

    def __init__(
        self,
        old_communes: Iterable[OldCommune],
        province_map: dict[str, str],
        old_districts: Iterable[OldDistrict] = (),
    ):
        self.by_code: dict[str, OldCommune] = {}
        self.new_province: dict[str, str] = {}
        self.by_key: dict[tuple[str, str], list[OldCommune]] = defaultdict(list)
        self.by_tight: dict[tuple[str, str], list[OldCommune]] = defaultdict(list)
        self.by_compact: dict[tuple[str, str], list[OldCommune]] = defaultdict(list)
        self.by_district: dict[str, list[OldCommune]] = defaultdict(list)
        # new province -> [(district code, folded full name, folded bare name)]
        self.districts: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
        for old in old_communes:
            new_prov = province_map.get(old.province_code)
            if new_prov is None:
                continue
            self.by_code[old.code] = old
            self.new_province[old.code] = new_prov
            self.by_key[(new_prov, _commune_key(old.name))].append(old)
            self.by_tight[(new_prov, _tight_key(old.name))].append(old)
            bare = _NONG_TRUONG.sub("NT ", strip_division_prefix(old.name))
            self.by_compact[(new_prov, _compact(bare))].append(old)
            self.by_district[old.district_code].append(old)
            if old.district_code not in self.districts[new_prov]:
                self.districts[new_prov][old.district_code] = (
                    fold(old.district_name),
                    fold(strip_division_prefix(old.district_name)),
                )
        # Districts without communes (the island districts) can still be named by a note.
        self.district_names: dict[str, str] = {}
        for district in old_districts:
            self.district_names[district.code] = district.name
            new_prov = province_map.get(district.province_code)
            if new_prov is not None and district.code not in self.districts[new_prov]:
                self.districts[new_prov][district.code] = (
                    fold(district.name),
                    fold(strip_division_prefix(district.name)),
                )

    def districts_named(self, new_prov: str, qualifier: str) -> set[str]:
        """District codes whose name appears in a qualifier; the full form wins over the bare."""
        text = f" {_NON_ALNUM.sub(' ', fold(qualifier))} "
        full: set[str] = set()
        bare: set[str] = set()
        for code, (full_name, bare_name) in self.districts[new_prov].items():
            if f" {_NON_ALNUM.sub(' ', full_name)} " in text:
                full.add(code)
            elif f" {_NON_ALNUM.sub(' ', bare_name)} " in text:
                bare.add(code)
        return full or bare


@dataclass
class _Pending:
    """A note item still to be resolved, with its remaining candidates."""

    new: NewCommune
    item: NoteItem
    candidates: list[OldCommune]
    exact: set[str]  # codes of candidates whose name key equals the item's (not just its fold)
    context: set[str]  # district codes named in the note, plus the code holder's district
    from_list: bool  # False for a rename source ("đổi tên từ X") that the list does not repeat
    last: bool = False  # the note's last name: where a note cut off mid-name ends


@dataclass
class _Found:
    old: OldCommune
    is_partial: bool
    method: str
    from_list: bool = True


def _division_ok(item: NoteItem, old: OldCommune) -> bool:
    return not item.division or item.division == _division_of(old.name)


def _lookup(item: NoteItem, new_prov: str, index: _OldIndex) -> tuple[list[OldCommune], set[str]]:
    """Candidates sharing the item's folded name; those with the exact name key are flagged."""
    exact = index.by_tight.get((new_prov, _tight_key(item.name)), [])
    loose = index.by_compact.get((new_prov, _compact(_NONG_TRUONG.sub("NT ", item.name))), [])
    if not exact and not loose:
        arabic = _arabic_ward(item.name)
        if arabic is not None:
            # Some notes write "Phường IV" for a ward the list calls "Phường 4".
            exact = index.by_tight.get((new_prov, _tight_key(arabic)), [])
    seen: dict[str, OldCommune] = {o.code: o for o in exact}
    for o in loose:
        seen.setdefault(o.code, o)
    return list(seen.values()), {o.code for o in exact}


def _narrow(p: _Pending, holder: OldCommune | None, index: _OldIndex) -> list[OldCommune]:
    """Strong, note-local tie-breakers: own qualifier, then division word, then code holder."""
    cands = p.candidates
    if len(cands) > 1 and p.item.qualifier:
        named = index.districts_named(p.new.province_code, p.item.qualifier)
        picked = [c for c in cands if c.district_code in named]
        if picked:
            cands = picked
    if len(cands) > 1 and p.item.division:
        # Before the holder: "thị trấn X và xã X" names two communes of one name.
        same = [c for c in cands if _division_ok(p.item, c)]
        if same:
            cands = same
    if len(cands) > 1 and holder is not None and holder in cands:
        return [holder]
    return cands


def _choose(
    p: _Pending, near: set[str], whole_taken: dict[str, set[str]], index: _OldIndex
) -> tuple[OldCommune | None, bool]:
    """Pick one candidate using the note's districts, exactness and elimination.

    Returns (choice or None, whether the choice is exact).
    """
    in_ctx = [c for c in p.candidates if c.district_code in near]
    exact_far = [c for c in p.candidates if c.code in p.exact]
    if not in_ctx and not exact_far:
        # A typo or a cut-off name is only looked for among the note's own districts.
        pool_d = [o for d in sorted(near) for o in index.by_district[d]]
        typo = [
            c
            for c in _typo_candidates(p.item, pool_d)
            if not (whole_taken.get(c.code, set()) - {p.new.code})
        ]
        return (typo[0] if len(typo) == 1 else None), False
    # Outside the note's districts only an exact name will do (a compatible division word
    # preferred): a fuzzy match far away is more often a different commune than a typo.
    pool = in_ctx or [c for c in exact_far if _division_ok(p.item, c)] or exact_far
    if len(pool) > 1:
        exact = [c for c in pool if c.code in p.exact]
        if len(exact) == 1:
            pool = exact
    if len(pool) > 1:
        free = [c for c in pool if not (whole_taken.get(c.code, set()) - {p.new.code})]
        if free:
            pool = free
    if len(pool) != 1:
        return None, False
    return pool[0], pool[0].code in p.exact


@lru_cache(maxsize=65536)
def _typo_form(text: str) -> str:
    # s/x are spelt either way in many northern place names ("Sá Tổng"/"Xá Tổng").
    return _compact(text).replace("x", "s")


def _typo_candidates(item: NoteItem, pool: Iterable[OldCommune]) -> list[OldCommune]:
    """One-letter typos, or a name cut off ("Thanh Lươn" for "Thanh Lương")."""
    target = _typo_form(item.name)
    if len(target) < 4:
        return []
    tiers: list[dict[str, OldCommune]] = [{}, {}, {}]
    for old in pool:
        bare = _typo_form(strip_division_prefix(old.name))
        if bare == target:
            tiers[0][old.code] = old
        elif bare.startswith(target):
            tiers[1][old.code] = old
        elif _edit_distance_le1(target, bare):
            tiers[2][old.code] = old
    # The closest reading wins: "Sà Phìn" is "Xà Phìn", not its neighbour "Tả Phìn"; a cut-off
    # "Dịch Vọng H" is "Dịch Vọng Hậu", not "Dịch Vọng".
    for tier in tiers:
        if tier:
            return list(tier.values())
    return []


_HAS_PARTIAL = re.compile(r"(?:một|1)\s*ph[aàầ]n|phần\s+còn\s+lại", re.IGNORECASE)


def match_communes(
    *,
    old_communes: list[OldCommune],
    new_communes: list[NewCommune],
    province_map: dict[str, str],
    manual: Sequence[ManualLink] = (),
    old_districts: Sequence[OldDistrict] = (),
) -> MatchResult:
    """Link every new commune to its predecessors (old communes of its predecessor provinces).

    Order of evidence: the note's names (with qualifiers, the code holder and the note's other
    districts to pick among homonyms), then the code convention, the name of a note-less new
    commune, elimination (an old commune no note names goes to the one note-less new commune
    formed from its district), then manual links. `old_districts` lets a note name a district
    that had no communes (the island districts): those come back as `district_links`.
    """
    index = _OldIndex(old_communes, province_map, old_districts)
    found: dict[str, dict[str, _Found]] = defaultdict(dict)  # new code -> old code -> link
    legal: dict[str, str] = {}
    unresolved: list[Unresolved] = []
    pendings: list[_Pending] = []
    holders: dict[str, OldCommune | None] = {}
    partial_notes: set[str] = set()
    district_found: dict[tuple[str, str], str] = {}  # (old district, new) -> legal basis
    by_new = {n.code: n for n in new_communes}
    for new in new_communes:
        holder = index.by_code.get(new.code)
        if holder is not None and index.new_province[holder.code] != new.province_code:
            holder = None
        holders[new.code] = holder
    parsed_notes = {n.code: parse_note(n.note) for n in new_communes}
    for n in new_communes:
        legal[n.code] = parsed_notes[n.code].legal_basis
    notes_moved = _notes_describing_others(new_communes, parsed_notes, holders)
    parsed_notes, effective = _move_notes(new_communes, parsed_notes, holders, notes_moved)
    for target in notes_moved.values():
        legal[target] = parsed_notes[target].legal_basis

    def add(new_code: str, old: OldCommune, partial: bool, method: str, from_list: bool) -> None:
        prev = found[new_code].get(old.code)
        if prev is None:
            found[new_code][old.code] = _Found(old, partial, method, from_list)
        else:
            # Named twice (rename source and list): partial if either mention says so.
            prev.is_partial = prev.is_partial or partial
            prev.from_list = prev.from_list or from_list

    for new in effective:
        holder = holders[new.code]
        parsed = parsed_notes[new.code]
        if _HAS_PARTIAL.search(new.note):
            partial_notes.add(new.code)
        if not new.note.strip():
            continue  # the code convention is applied once every note has been read
        if parsed.kept:
            kept = holder
            if kept is None:
                cands = index.by_key.get((new.province_code, _commune_key(new.name)), [])
                kept = cands[0] if len(cands) == 1 else None
            if kept is not None:
                add(new.code, kept, parsed.kept_partial, "note", True)
            else:
                unresolved.append(Unresolved(new.code, new.name, new.name, "kept: not found"))
            continue
        for district in parsed.whole_districts:
            for code in index.districts_named(new.province_code, f"huyện {district}"):
                if index.by_district[code]:
                    for old in index.by_district[code]:
                        add(new.code, old, False, "note", True)
                elif code in index.district_names:
                    # An island district without communes becomes the special zone itself.
                    district_found[(code, new.code)] = parsed.legal_basis
        items = [(i, True) for i in parsed.predecessors]
        src = parsed.renamed_from
        if src is not None and not any(
            _commune_key(i.name) == _commune_key(src.name) for i, _ in items
        ):
            items.append((src, False))
        context: set[str] = set()
        for q in parsed.qualifiers:
            context |= index.districts_named(new.province_code, q)
        if holder is not None:
            context.add(holder.district_code)
        for n, (item, from_list) in enumerate(items):
            cands, exact = _lookup(item, new.province_code, index)
            last = from_list and n == len(parsed.predecessors) - 1
            pendings.append(_Pending(new, item, cands, exact, context, from_list, last))
        for frag in parsed.truncated:
            unresolved.append(Unresolved(new.code, new.name, frag, "truncated"))

    # Pass 1: note-local evidence only.
    waiting: list[_Pending] = []
    for p in pendings:
        p.candidates = _narrow(p, holders[p.new.code], index)
        only = p.candidates[0] if len(p.candidates) == 1 else None
        if only is not None and (
            (only.code in p.exact and _division_ok(p.item, only)) or only.district_code in p.context
        ):
            method = "note" if only.code in p.exact else "note-fuzzy"
            add(p.new.code, only, p.item.is_partial, method, p.from_list)
        else:
            waiting.append(p)

    # Pass 2: the districts the note's other communes lie in, exactness, elimination of communes
    # another new commune took whole; repeated while it makes progress.
    progress = True
    while progress and waiting:
        progress = False
        whole_taken = _whole_claims(found)
        still: list[_Pending] = []
        for p in waiting:
            near = p.context | {f.old.district_code for f in found[p.new.code].values()}
            choice, exact = _choose(p, near, whole_taken, index)
            if choice is None:
                still.append(p)
                continue
            method = "note" if exact else "note-fuzzy"
            add(p.new.code, choice, p.item.is_partial, method, p.from_list)
            progress = True
        waiting = still

    # A note cut off after a few letters ("1 phần phường Tr. Bỏ cấp huyện"): the one commune of
    # the note's districts that starts so and that the note does not already name.
    still = []
    for p in waiting:
        choice = _cut_off_choice(p, found[p.new.code], index) if p.last else None
        if choice is None:
            still.append(p)
        else:
            add(p.new.code, choice, p.item.is_partial, "note-fuzzy", p.from_list)
    waiting = still

    unresolved.extend(_resolve_conflicts(found, holders, partial_notes, by_new))

    # The code convention: a new commune almost always keeps the code of one predecessor. Used
    # when the note is missing or does not name that commune, unless a note gave it away whole.
    whole_taken = _whole_claims(found)
    for new in effective:
        holder = holders[new.code]
        if holder is None or holder.code in found[new.code]:
            continue
        if whole_taken.get(holder.code, set()) - {new.code}:
            continue
        add(new.code, holder, False, "code", True)
        unresolved = [
            u for u in unresolved if not (u.new_code == new.code and _similar(u.fragment, holder))
        ]

    # A new commune named like an old commune that nothing else took: the old one is in it.
    linked = {old_code for links in found.values() for old_code in links}
    for new in effective:
        same = [
            o
            for o in index.by_key.get((new.province_code, _commune_key(new.name)), [])
            if o.code not in linked
        ]
        if new.note.strip():
            # A note lists its predecessors: the namesake counts only as the reading of a name
            # the note misspelt ("xã Pờ Y" for "xã Bờ Y"), in the districts the note is about.
            near = {f.old.district_code for f in found[new.code].values()}
            misses = [p.item.name for p in waiting if p.new.code == new.code]
            same = [
                o for o in same if o.district_code in near and any(_similar(m, o) for m in misses)
            ]
        else:
            holder = holders[new.code]
            if holder is not None and holder.code in found[new.code]:
                # The kept code places the commune: a namesake far from there is another one.
                same = [o for o in same if o.district_code == holder.district_code]
        if len(same) == 1:
            add(new.code, same[0], False, "name", True)
            linked.add(same[0].code)
    _namesakes_divided(effective, holders, found, index)

    # Elimination: an old commune that no note names went into a new commune whose note is
    # missing; when only one such new commune was formed from its district, it is that one.
    doubtful = {u.new_code for u in unresolved} | {p.new.code for p in waiting}
    _residue(effective, found, index, doubtful, {m.old_code for m in manual})

    for p in waiting:
        if any(
            _similar(p.item.name, f.old)
            for f in found[p.new.code].values()
            if f.method in ("code", "name")
        ):
            continue
        if p.candidates:
            codes = ", ".join(sorted(c.code for c in p.candidates)[:6])
            reason = f"ambiguous: {codes}"
        else:
            reason = "not found"
        unresolved.append(Unresolved(p.new.code, p.new.name, p.item.fragment, reason))

    result = _finish(new_communes, found, legal, unresolved, manual, index)
    result.notes_moved = notes_moved
    for (district_code, new_code), basis in sorted(district_found.items()):
        new = by_new[new_code]
        same = _typo_form(strip_division_prefix(index.district_names[district_code])) == (
            _typo_form(strip_division_prefix(new.name))
        )
        result.district_links.append(
            DistrictLink(
                district_code, new_code, "kept" if same else "rename", False, basis, "note"
            )
        )
    return result


def _notes_describing_others(
    new_communes: Sequence[NewCommune],
    parsed_notes: dict[str, ParsedNote],
    holders: dict[str, OldCommune | None],
) -> dict[str, str]:
    """New communes whose note describes another, note-less new commune: code -> its code.

    The 2025 list puts Văn Miếu – Quốc Tử Giám's note on Phường Kim Liên (00226): "Đổi tên từ
    phường Phương Liên - Trung Tự thành phường Văn Miếu - Quốc Tử Giám, hợp nhất phường Khâm
    Thiên, ... 1 phần phường Hàng Bột ...", while Văn Miếu – Quốc Tử Giám (00196) has none. A
    note is read as the other commune's when it renames into that commune's name, that commune
    has no note, and the note lists the old commune whose code that commune kept.
    """
    by_name: dict[tuple[str, str], list[NewCommune]] = defaultdict(list)
    for n in new_communes:
        by_name[(n.province_code, _commune_key(n.name))].append(n)
    out: dict[str, str] = {}
    for n in new_communes:
        parsed = parsed_notes[n.code]
        target = parsed.renamed_to
        if not target or _commune_key(target) == _commune_key(n.name):
            continue
        others = [
            o
            for o in by_name.get((n.province_code, _commune_key(target)), [])
            if o.code != n.code and not o.note.strip()
        ]
        if len(others) != 1:
            continue
        holder = holders[others[0].code]
        if holder is None or not any(
            _commune_key(i.name) == _commune_key(holder.name) for i in parsed.predecessors
        ):
            continue
        out[n.code] = others[0].code
    counts = Counter(out.values())
    return {k: v for k, v in out.items() if counts[v] == 1}


def _move_notes(
    new_communes: Sequence[NewCommune],
    parsed_notes: dict[str, ParsedNote],
    holders: dict[str, OldCommune | None],
    notes_moved: dict[str, str],
) -> tuple[dict[str, ParsedNote], list[NewCommune]]:
    """The communes with the notes they describe: a moved note goes to its commune, and the
    commune it was on is read as note-less (its code holder and namesake then speak)."""
    if not notes_moved:
        return parsed_notes, list(new_communes)
    by_code = {n.code: n for n in new_communes}
    parsed = dict(parsed_notes)
    notes = {n.code: n.note for n in new_communes}
    for source, target in notes_moved.items():
        note = parsed_notes[source]
        src = note.renamed_from
        holder = holders[source]
        if (
            src is not None
            and holder is not None
            and _commune_key(src.name) == _commune_key(holder.name)
        ):
            # The commune the note sat on kept this one's code: only part of it was renamed.
            note = replace(note, renamed_from=replace(src, is_partial=True))
        parsed[target] = note
        notes[target] = by_code[source].note
        parsed[source] = ParsedNote(legal_basis=note.legal_basis)
        notes[source] = ""
    effective = [
        replace(n, note=notes[n.code]) if notes[n.code] != n.note else n for n in new_communes
    ]
    return parsed, effective


def _cut_off_choice(p: _Pending, links: dict[str, _Found], index: _OldIndex) -> OldCommune | None:
    """The old commune a note's cut-off last name stands for, if only one can."""
    if p.candidates:
        return None
    target = _typo_form(p.item.name)
    if len(target) < 2:
        return None
    near = p.context | {f.old.district_code for f in links.values()}
    hits = {
        o.code: o
        for d in sorted(near)
        for o in index.by_district[d]
        if o.code not in links
        and _division_ok(p.item, o)
        and _typo_form(strip_division_prefix(o.name)).startswith(target)
    }
    return next(iter(hits.values())) if len(hits) == 1 else None


def _namesakes_divided(
    effective: Sequence[NewCommune],
    holders: dict[str, OldCommune | None],
    found: dict[str, dict[str, _Found]],
    index: _OldIndex,
) -> None:
    """A note-less new commune named like an old commune of its code holder's district that
    other notes took only parts of ("1 phần phường Yên Sở"): the rest is in the namesake."""
    parts: dict[str, list[bool]] = defaultdict(list)
    for links in found.values():
        for old_code, f in links.items():
            parts[old_code].append(f.is_partial)
    for new in effective:
        holder = holders[new.code]
        if new.note.strip() or holder is None:
            continue
        same = [
            o
            for o in index.by_key.get((new.province_code, _commune_key(new.name)), [])
            if o.district_code == holder.district_code
            and o.code not in found[new.code]
            and parts.get(o.code)
            and all(parts[o.code])
        ]
        if len(same) == 1:
            found[new.code][same[0].code] = _Found(same[0], True, "name")


def _residue(
    effective: Sequence[NewCommune],
    found: dict[str, dict[str, _Found]],
    index: _OldIndex,
    doubtful_notes: set[str],
    by_hand: set[str],
) -> None:
    """Old communes no note names, to the one note-less new commune formed from their district.

    Not where a note about that district is cut off or left a name unread: the commune may be
    the name that is missing there.
    """
    # A note-less commune is placed by the code it kept (a "code" link); one whose code holder
    # went whole elsewhere is not placed at all, and takes nothing by elimination.
    noteless = [
        n
        for n in effective
        if not n.note.strip() and any(f.method == "code" for f in found.get(n.code, {}).values())
    ]
    doubtful: set[str] = set()
    for new_code in doubtful_notes:
        doubtful |= {f.old.district_code for f in found.get(new_code, {}).values()}
    formed_from: dict[str, set[str]] = defaultdict(set)  # old district -> note-less new codes
    for n in noteless:
        for f in found[n.code].values():
            if f.method == "code":
                formed_from[f.old.district_code].add(n.code)
    linked = {old_code for links in found.values() for old_code in links}
    for district_code, new_codes in sorted(formed_from.items()):
        if len(new_codes) != 1 or district_code in doubtful:
            continue
        [new_code] = new_codes
        for old in index.by_district[district_code]:
            if old.code not in linked and old.code not in by_hand:
                found[new_code][old.code] = _Found(old, False, "residue")


def _whole_claims(found: dict[str, dict[str, _Found]]) -> dict[str, set[str]]:
    """Old code -> new codes that took it whole."""
    out: dict[str, set[str]] = defaultdict(set)
    for new_code, links in found.items():
        for old_code, f in links.items():
            if not f.is_partial:
                out[old_code].add(new_code)
    return out


def _similar(fragment: str, old: OldCommune) -> bool:
    """A misspelt or cut-off mention of this old commune ("xã Sá Tổng" for "Xã Xá Tổng")."""
    items, _, _, _ = _read_item(fragment, None, False)
    bare = _typo_form(strip_division_prefix(old.name))
    for item in items:
        frag = _typo_form(item.name)
        if not frag:
            continue
        if bare.startswith(frag) or _edit_distance_le1(frag, bare):
            return True
        # Two slips ("Cháng" for "Tráng"): same length, at most two letters differ.
        if len(frag) == len(bare) and sum(a != b for a, b in zip(frag, bare, strict=True)) <= 2:
            return True
    return False


def _resolve_conflicts(
    found: dict[str, dict[str, _Found]],
    holders: dict[str, OldCommune | None],
    partial_notes: set[str],
    by_new: dict[str, NewCommune],
) -> list[Unresolved]:
    """Settle old communes that two notes each claim whole; returns what stays doubtful."""
    out: list[Unresolved] = []
    for old_code, claimants in sorted(_whole_claims(found).items()):
        if len(claimants) < 2:
            continue
        claims = sorted(claimants)
        listed = [n for n in claims if found[n][old_code].from_list]
        if listed and len(listed) < len(claims):
            # A rename source the note does not list again is the weaker mention.
            for n in claims:
                if n not in listed:
                    del found[n][old_code]
            claims = listed
            if len(claims) < 2:
                continue
        if all(n in partial_notes for n in claims):
            # Both notes speak of parts ("một phần ... phần còn lại"): a genuine division.
            for n in claims:
                found[n][old_code].is_partial = True
            continue
        consistent = [n for n in claims if n == old_code or _code_consistent(found[n], holders[n])]
        keep = consistent if len(consistent) == 1 else []
        for n in claims:
            if n in keep:
                continue
            f = found[n].pop(old_code)
            others = ", ".join(c for c in claims if c != n)
            reason = f"conflict: old {old_code} also claimed whole by new {others}"
            out.append(Unresolved(n, by_new[n].name, f.old.name, reason))
    return out


def _code_consistent(links: dict[str, _Found], holder: OldCommune | None) -> bool:
    """The note lists the commune whose code the new one kept."""
    return holder is not None and holder.code in links and links[holder.code].from_list


def _finish(
    new_communes: Sequence[NewCommune],
    found: dict[str, dict[str, _Found]],
    legal: dict[str, str],
    unresolved: list[Unresolved],
    manual: Sequence[ManualLink],
    index: _OldIndex,
) -> MatchResult:
    """Apply manual links, then label each link with its kind."""
    by_code = {n.code: n for n in new_communes}
    manual_by_new: dict[str, list[ManualLink]] = defaultdict(list)
    for m in manual:
        old = index.by_code.get(m.old_code)
        if old is None or m.new_code not in by_code:
            continue
        found[m.new_code][m.old_code] = _Found(old, m.is_partial, "manual")
        manual_by_new[m.new_code].append(m)
    if manual_by_new:
        unresolved = [u for u in unresolved if not _settled_by_manual(u, manual_by_new, index)]
    # An old commune with several successors was divided, whatever each note says; a manual
    # link keeps the flag it was given.
    successors = Counter(old_code for links in found.values() for old_code in links)
    for links in found.values():
        for old_code, f in links.items():
            if successors[old_code] > 1 and f.method != "manual":
                f.is_partial = True
    links: list[CommuneLink] = []
    for new in new_communes:
        preds = found.get(new.code, {})
        for f in preds.values():
            if len(preds) > 1:
                kind = "merge"
            elif f.is_partial:
                kind = "split"
            elif _typo_form(strip_division_prefix(f.old.name)) == _typo_form(
                strip_division_prefix(new.name)
            ):
                # Same name up to spelling ("Đắk"/"Đăk", "Si"/"Xi"), type changes aside.
                kind = "kept"
            else:
                kind = "rename"
            basis = legal.get(new.code, "")
            links.append(CommuneLink(f.old.code, new.code, kind, f.is_partial, basis, f.method))
    return MatchResult(links=links, unresolved=unresolved)


def _settled_by_manual(
    u: Unresolved, manual_by_new: dict[str, list[ManualLink]], index: _OldIndex
) -> bool:
    """True when a manual link for the same new commune covers this fragment: it names the
    old commune, or the manual line's reason quotes the name the note wrote."""
    items, _, _, _ = _read_item(u.fragment, None, False)
    quoted = [fold(i.name) for i in items if len(i.name) >= 4]
    return any(
        m.old_code in u.reason
        or _similar(u.fragment, index.by_code[m.old_code])
        or any(q in fold(m.note) for q in quoted)
        for m in manual_by_new.get(u.new_code, [])
    )


def read_manual_links(path: str | Path) -> list[ManualLink]:
    """Read a lineage_manual.csv (old_code,new_code,is_partial,note); is_partial is 1/0."""
    out: list[ManualLink] = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            old_code = (row.get("old_code") or "").strip()
            if not old_code or old_code.startswith("#"):
                continue
            out.append(
                ManualLink(
                    old_code=old_code,
                    new_code=(row.get("new_code") or "").strip(),
                    is_partial=(row.get("is_partial") or "").strip().lower()
                    in {"1", "true", "yes", "y"},
                    note=(row.get("note") or "").strip(),
                )
            )
    return out


def coverage_report(result: MatchResult, old_communes: Sequence[OldCommune]) -> dict[str, object]:
    """Counts for the loader's summary: coverage of old communes, links by method, unresolved."""
    linked = {link.old_code for link in result.links}
    total = len(old_communes)
    covered = sum(1 for o in old_communes if o.code in linked)
    return {
        "old_total": total,
        "old_with_successor": covered,
        "coverage_pct": round(100.0 * covered / total, 2) if total else 0.0,
        "links": len(result.links),
        "links_by_method": dict(Counter(link.method for link in result.links)),
        "links_by_kind": dict(Counter(link.kind for link in result.links)),
        "unresolved": len(result.unresolved),
        "district_links": len(result.district_links),
        "notes_moved": dict(result.notes_moved),
    }
