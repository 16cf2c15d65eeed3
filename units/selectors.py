"""Reads of units, agencies and lineage (no HTTP: pages and the API call these)."""

import datetime

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from units.models import Agency, Unit, UnitChange
from units.names import DIVISION_PREFIXES, fold


def subtree_q(units, prefix: str = "", *, by_join: bool = False) -> Q:
    """Rows (through `prefix`: "" for units, "unit__" for figures) at or below any of
    `units` (Units or ids): one indexed condition each, thanks to the stored ancestors.

    Through a relation, the units' ids are read first (one small query) and the condition
    is `unit_id IN (…ids)`: PostgreSQL then reads those units' figures by index, where a
    join filtered by OR (or an IN subquery, whose size it cannot know) makes it read every
    figure of the period in the country (docs/decisions/0009). by_join keeps the join, for
    a subtree that is most of the country anyway.
    """
    ids = [
        getattr(u, "pk", u) for u in (units if isinstance(units, list | tuple | set) else [units])
    ]
    if prefix and not by_join:
        under = subtree_q(ids)
        return Q(
            **{f"{prefix}id__in": list(Unit.objects.filter(under).values_list("id", flat=True))}
        )
    return (
        Q(**{f"{prefix}id__in": ids})
        | Q(**{f"{prefix}province_id__in": ids})
        | Q(**{f"{prefix}district_id__in": ids})
    )


# The reference data holds two structures: the one in force in 2024 (until 30/06/2025) and
# the one from 01/07/2025. Mergers and splits before 2024 are not in it: an earlier period is
# read through the 2024 tree, and pages and the API say so (docs/decisions/0017).
STRUCTURES_KNOWN_FROM = datetime.date(2024, 1, 1)


def structure_known(on: datetime.date) -> bool:
    """Whether the tree in force on `on` is known, not the 2024 one standing in for it."""
    return on >= STRUCTURES_KNOWN_FROM


def today() -> datetime.date:
    """The date in Vietnam (TIME_ZONE), which is what "in force today" means here."""
    return timezone.localdate()


def unit_list(
    *,
    on: datetime.date | None = None,
    level: str | None = None,
    parent_id: int | None = None,
    code: str | None = None,
    q: str | None = None,
) -> QuerySet[Unit]:
    """Units in force on `on` (default today), filtered; parents fetched in the same query."""
    units = Unit.objects.in_force(on or today()).select_related("parent")
    if level:
        units = units.filter(level=level)
    if parent_id is not None:
        units = units.filter(parent_id=parent_id)
    if code:
        units = units.filter(code=code)
    if q and fold(q):
        return unit_search_filter(units, q=q)  # ranked: best matches first
    return units.order_by("code")


# The type words as they appear in search_name: "thi tran", "xa", "thanh pho"...
_FOLDED_PREFIXES = tuple(fold(p) for p in DIVISION_PREFIXES)


def unit_search_filter(units: QuerySet[Unit], *, q: str) -> QuerySet[Unit]:
    """Narrows `units` to those whose name has every word of `q`, tone marks and case ignored,
    best matches first.

    "vinh linh" finds "Huyện Vĩnh Linh" and "Xã Vĩnh Linh"; a code finds its unit. The rank
    (`search_rank`) is computed by the database, so a count and a page agree with it:
    0 the whole name ("thị trấn hồ xá") or the code, 1 the name without its type word
    ("ho xa" for "Thị trấn Hồ Xá"), 2 the name, or the name after its type word, starts with
    `q` ("ho x"), 3 the words are elsewhere in the name (Xã Hồng Kỳ has "ho" and "xa").
    Then by the folded name and the code.
    """
    folded = fold(q)
    words = folded.split()
    if not words:
        return units
    code = q.strip()
    by_name = Q()
    for word in words:
        by_name &= Q(search_name__contains=word)
    # "ho xa" names Thị trấn Hồ Xá as well as "thị trấn hồ xá" does: the name may have a type
    # word the query left out. (A query with its type word is the whole name: rank 0.)
    with_type = [f"{prefix} {folded}" for prefix in _FOLDED_PREFIXES]
    starts = Q(search_name__startswith=folded)
    for name in with_type:
        starts |= Q(search_name__startswith=name)
    rank = Case(
        When(Q(search_name=folded) | Q(code=code), then=Value(0)),
        When(search_name__in=with_type, then=Value(1)),
        When(starts, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return (
        units.filter(by_name | Q(code=code))
        .annotate(search_rank=rank)
        .order_by("search_rank", "search_name", "code")
    )


def unit_children(*, unit: Unit, on: datetime.date | None = None) -> QuerySet[Unit]:
    """The units directly below `unit` in force on `on` (default: a day `unit` was in force)."""
    return Unit.objects.in_force(on or _a_day_in_force(unit)).filter(parent=unit).order_by("code")


def unit_descendants(*, unit: Unit, on: datetime.date | None = None) -> QuerySet[Unit]:
    """Every unit below `unit` (children, grandchildren) in force on `on`."""
    below = Q(province=unit) if unit.level == Unit.Level.PROVINCE else Q(district=unit)
    if unit.level == Unit.Level.COMMUNE:
        return Unit.objects.none()
    return Unit.objects.in_force(on or _a_day_in_force(unit)).filter(below).order_by("code")


def _a_day_in_force(unit: Unit) -> datetime.date:
    day = today()
    if unit.is_in_force(day):
        return day
    return unit.valid_to or unit.valid_from or day


_WALK_FORWARD = """
    WITH RECURSIVE walk(unit_id) AS (
        SELECT successor_id FROM units_unitchange WHERE predecessor_id = %s AND changed_on <= %s
        UNION
        SELECT c.successor_id FROM units_unitchange c
        JOIN walk w ON c.predecessor_id = w.unit_id
        WHERE c.changed_on <= %s
    )
    SELECT unit_id FROM walk
"""
_WALK_BACKWARD = """
    WITH RECURSIVE walk(unit_id) AS (
        SELECT predecessor_id FROM units_unitchange WHERE successor_id = %s
        UNION
        SELECT c.predecessor_id FROM units_unitchange c
        JOIN walk w ON c.successor_id = w.unit_id
    )
    SELECT unit_id FROM walk
"""


def unit_successors(*, unit: Unit, on: datetime.date | None = None) -> QuerySet[Unit]:
    """The units in force on `on` that hold (part of) `unit`'s territory, following every change.

    One recursive query; UNION (not UNION ALL) stops at a unit already reached.
    """
    day = on or today()
    reached = RawSQL(_WALK_FORWARD, (unit.pk, day, day))  # noqa: S611 (constant SQL, bound params)
    return (
        Unit.objects.in_force(day)
        .filter(pk__in=reached)
        .select_related("parent")
        .order_by("level", "code")
    )


def unit_predecessors(*, unit: Unit) -> QuerySet[Unit]:
    """Every unit that (part of) `unit` came from, through every change, in one query."""
    reached = RawSQL(_WALK_BACKWARD, (unit.pk,))  # noqa: S611 (constant SQL, bound params)
    return Unit.objects.filter(pk__in=reached).select_related("parent").order_by("level", "code")


def unit_get_queryset() -> QuerySet[Unit]:
    """Units with their parents joined and their direct lineage prefetched (three queries)."""
    return Unit.objects.select_related("parent", "parent__parent").prefetch_related(
        Prefetch(
            "changes_in",
            queryset=UnitChange.objects.select_related("predecessor").order_by(
                "predecessor__level", "predecessor__code"
            ),
        ),
        Prefetch(
            "changes_out",
            queryset=UnitChange.objects.select_related("successor").order_by(
                "successor__level", "successor__code"
            ),
        ),
    )


def unit_get(*, unit_id: int) -> Unit:
    """One unit with its parents and direct lineage; raises Http404."""
    try:
        return unit_get_queryset().get(pk=unit_id)
    except Unit.DoesNotExist:
        raise Http404 from None


def unit_get_by_code(*, code: str, on: datetime.date | None = None) -> Unit:
    """The unit with `code` in force on `on`; without a date, today's, else the latest one.

    Raises Http404 when no unit with that code was in force then.
    """
    versions = Unit.objects.filter(code=code)
    if on is not None:
        versions = versions.in_force(on)
    else:
        current = versions.in_force(today()).values_list("pk", flat=True).first()
        if current is not None:
            return unit_get(unit_id=current)
    found = versions.order_by("-valid_from").values_list("pk", flat=True).first()
    if found is None:
        raise Http404
    return unit_get(unit_id=found)


def unit_ancestors(*, unit: Unit) -> list[Unit]:
    """Province first, then district: the breadcrumb above `unit` (parents already joined)."""
    chain = []
    parent = unit.parent
    while parent is not None:  # at most two steps; unit_get joins both
        chain.insert(0, parent)
        parent = parent.parent if parent.parent_id else None
    return chain


def agency_list(*, unit: Unit) -> QuerySet[Agency]:
    return unit.agencies.order_by("kind", "name")


def unit_count_by_level(*, on: datetime.date) -> dict[str, int]:
    """How many units of each level were in force on `on`, in one GROUP BY."""
    rows = Unit.objects.in_force(on).values("level").annotate(n=Count("pk")).order_by()
    return {row["level"]: row["n"] for row in rows}
