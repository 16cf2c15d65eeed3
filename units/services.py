"""Writes to units, agencies and lineage."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from egov_portal.history_reasons import REFERENCE_LOAD
from units import lineage_matching, reference_files
from units.models import REORGANISATION_2025_ON, Agency, Unit, UnitChange
from units.names import fold

PROVINCE_MERGER_BASIS = "202/2025/QH15"


@dataclass
class ReferenceLoadSummary:
    """What one run of the reference loader did, for the command to print."""

    units_created: int = 0
    units_updated: int = 0
    units_unchanged: int = 0
    changes_created: int = 0
    changes_updated: int = 0
    changes_deleted: int = 0
    changes_unchanged: int = 0
    agencies_created: int = 0
    agencies_updated: int = 0
    units_by_structure: dict[str, Counter] = field(default_factory=dict)
    old_communes: int = 0
    old_communes_with_successor: int = 0
    links_by_method: Counter = field(default_factory=Counter)
    unresolved: list[lineage_matching.Unresolved] = field(default_factory=list)
    # "00229 Phường Kim Liên (Quận Đống Đa)": the 2024 communes no link reaches, by code.
    unlinked_old_communes: list[str] = field(default_factory=list)
    # Districts without communes linked by their note to the unit they became (special zones).
    district_links: int = 0
    # Units whose place in the tree, validity, lineage or agencies changed (or that were
    # made), with their former parents: what the roll-ups read of them changed.
    structure_changed: set[int] = field(default_factory=set)

    @property
    def lineage_coverage(self) -> float:
        return self.old_communes_with_successor / self.old_communes if self.old_communes else 0.0


_UNIT_FIELDS = (
    "name",
    "search_name",
    "level",
    "division_type",
    "parent_id",
    "province_id",
    "district_id",
    "valid_to",
)
# What the roll-ups read of a unit (its name aside).
_TREE_FIELDS = ("level", "parent_id", "province_id", "district_id", "valid_to")
_CHANGE_FIELDS = ("changed_on", "kind", "is_partial", "legal_basis", "method")


@transaction.atomic(durable=True)
def reference_units_load(*, directory: Path) -> ReferenceLoadSummary:
    """Loads both structures and their lineage from `directory`; safe to run again.

    Raises reference_files.ReferenceFileError (nothing written) when a file is malformed.
    """
    rows_2024 = reference_files.read_units_file(directory / "admin_units_2024.csv")
    rows_2025 = reference_files.read_units_file(directory / "admin_units_2025.csv")
    mergers = reference_files.read_province_mergers(directory / "province_mergers_2025.csv")
    manual = lineage_matching.read_manual_links(directory / "lineage_manual.csv")
    agencies_path = directory / "agencies.csv"
    agency_rows = reference_files.read_agencies_file(agencies_path)

    summary = ReferenceLoadSummary()
    summary.units_by_structure = {
        "2024": Counter(row.level for row in rows_2024),
        "2025": Counter(row.level for row in rows_2025),
    }
    old = _units_sync(
        rows=rows_2024,
        valid_from=None,
        valid_to=reference_files.STRUCTURE_2024_VALID_TO,
        summary=summary,
    )
    new = _units_sync(
        rows=rows_2025,
        valid_from=reference_files.STRUCTURE_2025_VALID_FROM,
        valid_to=None,
        summary=summary,
    )
    edges = _province_edges(mergers=mergers, old=old, new=new)
    commune_edges, island_edges = _commune_edges(
        rows_2024=rows_2024,
        rows_2025=rows_2025,
        mergers=mergers,
        manual=manual,
        old=old,
        new=new,
        summary=summary,
    )
    edges.update(commune_edges)
    edges.update(_district_edges(commune_edges=commune_edges, old=old))
    edges.update(island_edges)
    _changes_sync(edges=edges, summary=summary)
    _agencies_sync(rows=agency_rows, path=agencies_path, summary=summary)
    return summary


def _agencies_sync(
    *, rows: list[reference_files.AgencyRow], path: Path, summary: ReferenceLoadSummary
) -> None:
    """Creates the agencies the fixtures name, or corrects their kind; keeps any others."""
    versions = defaultdict(list)
    for unit in Unit.objects.filter(code__in={row.unit_code for row in rows}):
        versions[unit.code].append(unit)
    wanted: dict[tuple[int, str], str] = {}
    for row in rows:
        unit = next((u for u in versions[row.unit_code] if u.is_in_force(row.unit_on)), None)
        if unit is None:
            raise reference_files.ReferenceFileError(
                path, row.row, f"không có đơn vị mã {row.unit_code} vào ngày {row.unit_on}."
            )
        wanted[(unit.pk, row.name)] = row.kind
    existing = {
        (a.unit_id, a.name): a
        for a in Agency.objects.filter(unit_id__in={unit_id for unit_id, _ in wanted})
    }
    to_create, to_update = [], []
    for (unit_id, name), kind in wanted.items():
        current = existing.get((unit_id, name))
        if current is None:
            to_create.append(Agency(unit_id=unit_id, name=name, kind=kind))
        elif current.kind != kind:
            current.kind = kind
            to_update.append(current)
    # With their history rows, as every change to an agency (docs/decisions/0008-history.md).
    if to_create:
        bulk_create_with_history(to_create, Agency, default_change_reason=REFERENCE_LOAD)
    if to_update:
        bulk_update_with_history(to_update, Agency, ["kind"], default_change_reason=REFERENCE_LOAD)
    summary.agencies_created = len(to_create)
    summary.agencies_updated = len(to_update)
    summary.structure_changed.update(a.unit_id for a in [*to_create, *to_update])


def _units_sync(
    *,
    rows: list[reference_files.UnitRow],
    valid_from: datetime.date | None,
    valid_to: datetime.date | None,
    summary: ReferenceLoadSummary,
) -> dict[str, Unit]:
    """Creates or updates one structure's units, top level first; returns them by code."""
    same_structure = (
        Unit.objects.filter(valid_from__isnull=True)
        if valid_from is None
        else Unit.objects.filter(valid_from=valid_from)
    )
    existing = {u.code: u for u in same_structure}
    by_code: dict[str, Unit] = {}
    for level in reference_files.LEVELS:
        to_create, to_update = [], []
        for row in rows:
            if row.level != level:
                continue
            parent = by_code.get(row.parent_code)
            wanted = Unit(
                code=row.code,
                name=row.name,
                search_name=fold(row.name),
                level=row.level,
                division_type=row.division_type,
                parent_id=parent.pk if parent else None,
                province_id=_province_of(parent),
                district_id=parent.pk if parent and parent.level == Unit.Level.DISTRICT else None,
                valid_from=valid_from,
                valid_to=valid_to,
            )
            current = existing.get(row.code)
            if current is None:
                to_create.append(wanted)
                by_code[row.code] = wanted
            elif any(getattr(current, f) != getattr(wanted, f) for f in _UNIT_FIELDS):
                if any(getattr(current, f) != getattr(wanted, f) for f in _TREE_FIELDS):
                    summary.structure_changed.update(
                        pk
                        for pk in (current.pk, current.parent_id, wanted.parent_id)
                        if pk is not None
                    )
                for f in _UNIT_FIELDS:
                    setattr(current, f, getattr(wanted, f))
                to_update.append(current)
                by_code[row.code] = current
            else:
                by_code[row.code] = current
                summary.units_unchanged += 1
        # bulk_create sets pk on PostgreSQL and SQLite ≥ 3.35, so children can point at it.
        Unit.objects.bulk_create(to_create, batch_size=2000)
        Unit.objects.bulk_update(to_update, _UNIT_FIELDS, batch_size=2000)
        # Each created or changed unit gets its history row, as every change to a unit.
        summary.structure_changed.update(u.pk for u in to_create)
        _history_copy(Unit, [u.pk for u in to_create], history_type="+")
        _history_copy(Unit, [u.pk for u in to_update], history_type="~")
        summary.units_created += len(to_create)
        summary.units_updated += len(to_update)
    return by_code


def _province_of(parent: Unit | None) -> int | None:
    if parent is None:
        return None
    return parent.pk if parent.level == Unit.Level.PROVINCE else parent.province_id


# An edge's wanted state: (predecessor id, successor id) → field values.
Edges = dict[tuple[int, int], dict]


def _province_edges(
    *, mergers: list[reference_files.ProvinceMergerRow], old: dict[str, Unit], new: dict[str, Unit]
) -> Edges:
    predecessors = Counter(row.new_code for row in mergers)
    edges: Edges = {}
    for row in mergers:
        before, after = old[row.old_code], new[row.new_code]
        if predecessors[row.new_code] > 1:
            kind = UnitChange.Kind.MERGE
        elif fold(before.name) == fold(after.name):
            kind = UnitChange.Kind.KEPT
        else:
            kind = UnitChange.Kind.RENAME
        edges[(before.pk, after.pk)] = {
            "changed_on": REORGANISATION_2025_ON,
            "kind": kind,
            "is_partial": False,
            "legal_basis": PROVINCE_MERGER_BASIS,
            "method": UnitChange.Method.OFFICIAL,
        }
    return edges


def _commune_edges(
    *,
    rows_2024: list[reference_files.UnitRow],
    rows_2025: list[reference_files.UnitRow],
    mergers: list[reference_files.ProvinceMergerRow],
    manual: list,
    old: dict[str, Unit],
    new: dict[str, Unit],
    summary: ReferenceLoadSummary,
) -> tuple[Edges, Edges]:
    """The communes' edges, and those of the districts a note names whole (island districts)."""
    province_of_district = {
        row.code: row.parent_code for row in rows_2024 if row.level == "district"
    }
    old_communes = [
        lineage_matching.OldCommune(
            code=row.code,
            name=row.name,
            district_code=row.parent_code,
            district_name=old[row.parent_code].name,
            province_code=province_of_district[row.parent_code],
        )
        for row in rows_2024
        if row.level == "commune"
    ]
    new_communes = [
        lineage_matching.NewCommune(
            code=row.code, name=row.name, province_code=row.parent_code, note=row.note
        )
        for row in rows_2025
        if row.level == "commune"
    ]
    old_districts = [
        lineage_matching.OldDistrict(code=row.code, name=row.name, province_code=row.parent_code)
        for row in rows_2024
        if row.level == "district"
    ]
    result = lineage_matching.match_communes(
        old_communes=old_communes,
        new_communes=new_communes,
        province_map={row.old_code: row.new_code for row in mergers},
        manual=manual,
        old_districts=old_districts,
    )
    linked = {link.old_code for link in result.links}
    summary.old_communes = len(old_communes)
    summary.old_communes_with_successor = len(linked)
    summary.links_by_method = Counter(link.method for link in result.links)
    summary.unresolved = list(result.unresolved)
    summary.unlinked_old_communes = [
        f"{c.code} {c.name} ({c.district_name})"
        for c in sorted(old_communes, key=lambda c: c.code)
        if c.code not in linked
    ]
    summary.district_links = len(result.district_links)

    def values(link) -> dict:
        return {
            "changed_on": REORGANISATION_2025_ON,
            "kind": link.kind,
            "is_partial": link.is_partial,
            "legal_basis": link.legal_basis,
            "method": link.method,
        }

    commune_edges = {
        (old[link.old_code].pk, new[link.new_code].pk): values(link) for link in result.links
    }
    island_edges = {
        (old[link.old_code].pk, new[link.new_code].pk): values(link)
        for link in result.district_links
    }
    return commune_edges, island_edges


def _district_edges(*, commune_edges: Edges, old: dict[str, Unit]) -> Edges:
    """A district's successors are the new communes its communes went into."""
    district_of = {u.pk: u.district_id for u in old.values() if u.level == Unit.Level.COMMUNE}
    successors: dict[int, set[int]] = defaultdict(set)
    partial: dict[tuple[int, int], bool] = defaultdict(bool)
    districts_into: dict[int, set[int]] = defaultdict(set)
    for (old_id, new_id), values in commune_edges.items():
        district_id = district_of[old_id]
        successors[district_id].add(new_id)
        districts_into[new_id].add(district_id)
        partial[(district_id, new_id)] |= values["is_partial"]
    edges: Edges = {}
    for district_id, new_ids in successors.items():
        for new_id in new_ids:
            if len(new_ids) > 1:
                kind = UnitChange.Kind.SPLIT
            elif len(districts_into[new_id]) > 1:
                kind = UnitChange.Kind.MERGE
            else:
                kind = UnitChange.Kind.RENAME
            edges[(district_id, new_id)] = {
                "changed_on": REORGANISATION_2025_ON,
                "kind": kind,
                "is_partial": len(new_ids) > 1 or partial[(district_id, new_id)],
                "legal_basis": "",
                "method": UnitChange.Method.DERIVED,
            }
    return edges


def _changes_sync(*, edges: Edges, summary: ReferenceLoadSummary) -> None:
    """Makes the lineage out of the 2024 units exactly `edges` (the files are its source)."""
    out_of_2024 = UnitChange.objects.filter(
        predecessor__valid_from__isnull=True,
        predecessor__valid_to=reference_files.STRUCTURE_2024_VALID_TO,
    )
    existing = {(c.predecessor_id, c.successor_id): c for c in out_of_2024}
    to_create, to_update = [], []
    for key, values in edges.items():
        current = existing.pop(key, None)
        if current is None:
            to_create.append(UnitChange(predecessor_id=key[0], successor_id=key[1], **values))
        elif any(getattr(current, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(current, f, v)
            to_update.append(current)
        else:
            summary.changes_unchanged += 1
    UnitChange.objects.bulk_create(to_create, batch_size=2000)
    UnitChange.objects.bulk_update(to_update, _CHANGE_FIELDS, batch_size=2000)
    UnitChange.objects.filter(pk__in=[c.pk for c in existing.values()]).delete()
    summary.changes_created = len(to_create)
    summary.changes_updated = len(to_update)
    summary.changes_deleted = len(existing)
    summary.structure_changed.update(
        pk
        for change in [*to_create, *to_update, *existing.values()]
        for pk in (change.predecessor_id, change.successor_id)
    )


# A batch of ids stays under SQLite's limit of 999 parameters per statement.
_HISTORY_BATCH = 900


def _history_copy(model, pks: list[int], *, history_type: str) -> None:
    """Writes the history rows of `pks` ("+" or "~", reason REFERENCE_LOAD, no user) as the
    rows now are, in the database (INSERT … SELECT): the same rows bulk_create_with_history
    writes, without building 14,000 history objects in Python (a third of a first load)."""
    history = model.history.model
    q = connection.ops.quote_name
    columns = ", ".join(q(f.column) for f in history.tracked_fields)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # Table and column names come from the models, quoted; every value is a parameter.
    sql = (
        f"INSERT INTO {q(history._meta.db_table)} ({columns}, history_date, "  # noqa: S608
        "history_change_reason, history_type, history_user_id) "
        f"SELECT {columns}, %s, %s, %s, NULL FROM {q(model._meta.db_table)} "
        f"WHERE {q(model._meta.pk.column)} IN ({{marks}})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(pks), _HISTORY_BATCH):
            batch = pks[start : start + _HISTORY_BATCH]
            cursor.execute(
                sql.format(marks=", ".join(["%s"] * len(batch))),
                [now, REFERENCE_LOAD, history_type, *batch],
            )
