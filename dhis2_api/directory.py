"""Every unit of both structures (the 2024 one and the one since 1 July 2025) as DHIS2
organisation units: the country as the root (level 1), provinces level 2, then each unit
one level below its parent (a 2024 district 3 and its communes 4; a 2025 commune, under its
province, 3); a unit no longer in force is closed (closedDate), as DHIS2 models one.

Read in one query and kept by the process until a unit changes (a signal, and a signature
read each time — the units' count and dates, their latest history record — for changes
made by other processes).
"""

import datetime
import threading
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save

from dhis2_api import uids
from units.models import Unit

ROOT_NAME = "Việt Nam"
ROOT_OPENING = datetime.date(1945, 9, 2)


@dataclass
class OrgUnit:
    uid: str
    pk: int | None  # None: the root
    code: str
    name: str
    level: int
    unit_level: str  # province, district, commune ("" for the root)
    parent: "OrgUnit | None"
    opening: datetime.date
    closed: datetime.date | None
    children: list["OrgUnit"] = field(default_factory=list)
    path: str = ""

    def in_force(self, on: datetime.date) -> bool:
        return self.opening <= on and (self.closed is None or self.closed >= on)

    def descendants(self) -> list["OrgUnit"]:
        found, stack = [], list(self.children)
        while stack:
            unit = stack.pop()
            found.append(unit)
            stack.extend(unit.children)
        return found


@dataclass
class Directory:
    root: OrgUnit
    units: list[OrgUnit]  # the root first, then by level and code
    by_uid: dict[str, OrgUnit]
    by_code: dict[str, list[OrgUnit]]
    by_pk: dict[int, OrgUnit]
    _items: list[dict] | None = None

    def items(self) -> list[dict]:
        """Every unit in DHIS2's shape (dhis2_api.metadata.org_unit), made once."""
        if self._items is None:
            from dhis2_api.metadata import org_unit

            self._items = [org_unit(u) for u in self.units]
        return self._items

    def find(self, key: str, *, scheme: str = "UID", on: datetime.date | None = None):
        """The unit a UID, or a code on a date (a code names two units across 2025: 44
        was Tỉnh Quảng Bình until 30/06/2025 and is Tỉnh Quảng Trị since), names; None."""
        if scheme == "UID" or (scheme == "AUTO" and uids.is_uid(key)):
            found = self.by_uid.get(key)
            if found is not None or scheme == "UID":
                return found
        candidates = self.by_code.get(key, [])
        if on is not None:
            candidates = [u for u in candidates if u.in_force(on)]
        return candidates[-1] if candidates else None


_lock = threading.Lock()
_cached: tuple[tuple, Directory] | None = None


def _signature() -> tuple:
    """What changes when any process changes a unit: their count and dates, and the latest
    history record (every save through the ORM writes one, a rename included)."""
    found = Unit.objects.aggregate(
        n=Count("id"), last=Max("id"), starts=Max("valid_from"), ends=Max("valid_to")
    )
    latest = Unit.history.aggregate(last=Max("history_id"))["last"]
    return (found["n"], found["last"], found["starts"], found["ends"], latest)


def directory() -> Directory:
    global _cached
    signature = _signature()
    with _lock:
        if _cached is None or _cached[0] != signature:
            _cached = (signature, _build())
        return _cached[1]


def forget(**_kwargs) -> None:
    global _cached
    with _lock:
        _cached = None


def follow_units() -> None:
    post_save.connect(forget, sender=Unit, dispatch_uid="dhis2-directory-save")
    post_delete.connect(forget, sender=Unit, dispatch_uid="dhis2-directory-delete")


def _build() -> Directory:
    root = OrgUnit(uids.ROOT_UID, None, uids.ROOT_CODE, ROOT_NAME, 1, "", None, ROOT_OPENING, None)
    rows = Unit.objects.order_by("code", "valid_from").values_list(
        "id", "code", "name", "level", "parent_id", "valid_from", "valid_to"
    )
    by_pk: dict[int, OrgUnit] = {}
    parents: dict[int, int | None] = {}
    for pk, code, name, level, parent_id, starts, ends in rows:
        by_pk[pk] = OrgUnit(
            uids.unit_uid(code, starts),
            pk,
            code,
            name,
            0,
            level,
            None,
            starts or ROOT_OPENING,
            ends,
        )
        parents[pk] = parent_id
    for pk, unit in by_pk.items():
        parent = by_pk.get(parents[pk]) if parents[pk] is not None else root
        unit.parent = parent or root
        unit.parent.children.append(unit)
    # Levels and paths from the root down, each unit once.
    root.path = f"/{root.uid}"
    stack = [root]
    while stack:
        node = stack.pop()
        for child in node.children:
            child.level = node.level + 1
            child.path = f"{node.path}/{child.uid}"
            stack.append(child)
    units = [root, *sorted(by_pk.values(), key=lambda u: (u.level, u.code, u.opening))]
    by_code: dict[str, list[OrgUnit]] = {}
    for unit in units:
        by_code.setdefault(unit.code, []).append(unit)
    return Directory(root, units, {u.uid: u for u in units}, by_code, by_pk)
