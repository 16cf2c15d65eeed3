"""The national overview for citizens and the press (/public/): the provinces in force
today, each with its readiness index (reports.readiness: the method of the API and the
dashboards), from approved figures only — the live aggregates hold nothing else."""

from dataclasses import dataclass
from decimal import Decimal

from indicators.models import Aggregate
from indicators.periods import Period, PeriodKind, parse_period, period_of, period_previous
from indicators.rollup import NO_DATA
from public.tiles import TILES
from reports import index, readiness
from units.models import Unit
from units.selectors import today

QUARTERS_BACK = 12  # how far back the overview looks for the latest quarter with figures
SORTS = ("rank", "name", "code", "coverage")
BANDS = (80, 60, 40, 20, 0)  # the tile map's colour bands of the index (0–100)


@dataclass(frozen=True)
class ProvinceRow:
    unit: Unit
    index: Decimal | None  # 0–100, one decimal
    coverage: Decimal | None
    rank: int | None
    tile: tuple[int, int] | None

    @property
    def band(self) -> int | None:
        """The colour band of the tile: the highest of BANDS the index reaches."""
        if self.index is None:
            return None
        return next(b for b in BANDS if self.index >= b)


@dataclass(frozen=True)
class Overview:
    period: Period | None
    rows: list[ProvinceRow]  # sorted as asked
    sort: str
    descending: bool


def provinces() -> list[Unit]:
    return list(Unit.objects.in_force(today()).filter(level=Unit.Level.PROVINCE).order_by("code"))


def latest_period(units: list[Unit]) -> Period | None:
    """The latest quarter (up to today's) in which any of these provinces has a value: one
    indexed probe a quarter, at most QUARTERS_BACK."""
    period = period_of(PeriodKind.QUARTER, today())
    ids = [u.pk for u in units]
    for _ in range(QUARTERS_BACK):
        found = (
            Aggregate.objects.filter(unit_id__in=ids, period=period.id)
            .exclude(origin=NO_DATA)
            .exists()
        )
        if found:
            return period
        period = period_previous(period)
    return None


def overview(*, period_id: str | None = None, sort: str = "rank", descending: bool = False):
    """The provinces of today with their readiness in the period (default: the latest with
    figures). Raises PeriodError for an unreadable period id."""
    units = provinces()
    period = parse_period(period_id) if period_id else latest_period(units)
    results: dict[int, index.IndexResult] = {}
    if period is not None and units:
        found = readiness.index_input(level=Unit.Level.PROVINCE, period=period)
        scores = readiness.readiness_scores(
            units,
            found,
            period,
            weights=readiness.pillar_weights(),
            # Every indicator is read from the aggregates (no DISTINCT over the country's
            # figures to skip those nobody reported: an empty one only costs a lookup).
            reported={i.pk for i in found.indicators},
        )
        ranked = index.ranked(scores, None, {u.pk: u for u in units})
        results = {r.key.pk: r for r in ranked}
    rows = [
        ProvinceRow(
            unit=u,
            index=index.shown(results[u.pk].index) if u.pk in results else None,
            coverage=index.shown(results[u.pk].coverage) if u.pk in results else None,
            rank=results[u.pk].rank if u.pk in results else None,
            tile=TILES.get(u.code),
        )
        for u in units
    ]
    sort = sort if sort in SORTS else "rank"
    return Overview(period, _sorted(rows, sort, descending), sort, descending)


def _sorted(rows: list[ProvinceRow], sort: str, descending: bool) -> list[ProvinceRow]:
    """Sorted by `sort`; rows without a value always last, whichever the direction."""
    if sort == "name":
        key = lambda r: (False, r.unit.search_name or r.unit.name)  # noqa: E731
    elif sort == "code":
        key = lambda r: (False, r.unit.code)  # noqa: E731
    elif sort == "coverage":
        key = lambda r: (r.coverage is None, -(r.coverage or 0))  # noqa: E731
    else:
        key = lambda r: (r.rank is None, r.rank or 0)  # noqa: E731
    present = sorted((r for r in rows if not key(r)[0]), key=key, reverse=descending)
    return present + [r for r in rows if key(r)[0]]
