"""Each unit's plausible range of each indicator, from its own approved history or, where it
has too little, from its peers at the same level; and the largest plausible change from one
quarter to the next (docs/decisions/0024). Computed a whole indicator at a time in pandas:
no query per unit."""

from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from indicators.models import Figure, Indicator
from quality.models import MinMax

MIN_HISTORY = 4  # values (or quarter-to-quarter changes) a unit needs to stand on its own
FENCE = 1.5  # Tukey's fences: Q1 − 1.5 IQR, Q3 + 1.5 IQR
CHANGE_Z = 3.5  # a change whose modified z-score passes 3.5 (Iglewicz and Hoaglin)
MAD_SCALE = 0.6745
# The least spread a range and a change limit are given, so that a steady history does not
# flag every small move: a tenth of the typical value, and at least this much by kind.
RELATIVE_FLOOR = 0.1
ABSOLUTE_FLOOR = {"ratio": 5.0, "count": 1.0, "amount": 0.0}
_PLACES = Decimal("0.0001")


def scored_indicators() -> list[Indicator]:
    """Indicators that have ranges: yes/no answers have none."""
    return list(
        Indicator.objects.exclude(value_type=Indicator.ValueType.BOOLEAN).order_by("position")
    )


def history(indicator: Indicator) -> pd.DataFrame:
    """The indicator's approved own values of every unit (not agencies): unit_id, level,
    period, period_end, value (float)."""
    columns = ["unit_id", "level", "period", "period_end", "value"]
    frame = pd.DataFrame.from_records(
        Figure.objects.filter(
            indicator=indicator,
            status=Figure.Status.APPROVED,
            scope=Figure.Scope.SELF,
            agency__isnull=True,
        )
        .order_by()
        .values_list("unit_id", "unit__level", "period", "period_end", "value"),
        columns=columns,
    )
    frame["value"] = frame["value"].astype(float)
    return frame


def ranges(frame: pd.DataFrame, value_type: str) -> pd.DataFrame:
    """A row per unit of `frame` (history()): lower, upper, max_change, basis, values_used."""
    if frame.empty:
        return pd.DataFrame(columns=["lower", "upper", "max_change", "basis", "values_used"])
    floor = ABSOLUTE_FLOOR.get(value_type, 0.0)
    levels = frame.groupby("unit_id")["level"].first()

    own = _quartiles(frame, "unit_id", "value")
    unit_levels = levels.loc[own.index].to_numpy()
    enough = (own["n"] >= MIN_HISTORY).to_numpy()
    chosen = _either(own, _quartiles(frame, "level", "value"), unit_levels, enough)
    spread = np.maximum(
        chosen["q3"] - chosen["q1"],
        np.maximum(RELATIVE_FLOOR * chosen["median"].abs(), floor),
    )
    lower = chosen["q1"] - FENCE * spread
    upper = chosen["q3"] + FENCE * spread
    if value_type == "ratio":
        lower, upper = lower.clip(0, 100), upper.clip(0, 100)
    else:
        lower = lower.clip(lower=0)

    changes = _changes(frame)
    own_change = _mad(changes, "unit_id").reindex(own.index)
    enough_changes = (own_change["n"] >= MIN_HISTORY).to_numpy()
    limit = _either(own_change, _mad(changes, "level"), unit_levels, enough_changes)
    max_change = limit["median"] + CHANGE_Z * limit["mad"] / MAD_SCALE
    max_change = np.maximum(max_change, np.maximum(RELATIVE_FLOOR * chosen["median"].abs(), floor))
    return pd.DataFrame(
        {
            "lower": lower,
            "upper": upper,
            "max_change": max_change,
            "basis": np.where(enough, MinMax.Basis.HISTORY, MinMax.Basis.PEERS),
            "values_used": chosen["n"],
        },
        index=own.index,
    )


def _either(
    own: pd.DataFrame, peers: pd.DataFrame, levels: np.ndarray, enough: np.ndarray
) -> pd.DataFrame:
    """Each unit's own row where it has enough history, else its level's row."""
    of_level = peers.reindex(levels)
    of_level.index = own.index
    chosen = own.copy()
    chosen[~enough] = of_level[~enough]
    return chosen


def _quartiles(frame: pd.DataFrame, by: str, column: str) -> pd.DataFrame:
    grouped = frame.groupby(by)[column]
    found = grouped.quantile([0.25, 0.5, 0.75]).unstack()
    found.columns = ["q1", "median", "q3"]
    found["n"] = grouped.size()
    return found


def _changes(frame: pd.DataFrame) -> pd.DataFrame:
    """The absolute change of each unit's quarterly value from its previous quarter, where
    both quarters have one."""
    quarters = frame[frame["period"].str.contains("Q", regex=False)].sort_values(
        ["unit_id", "period_end"]
    )
    quarters = quarters.assign(ordinal=_quarter_ordinal(quarters["period"]))
    same_unit = quarters["unit_id"].eq(quarters["unit_id"].shift())
    consecutive = quarters["ordinal"].diff().eq(1)
    change = quarters["value"].diff().abs()
    kept = same_unit & consecutive
    return pd.DataFrame(
        {
            "unit_id": quarters["unit_id"][kept],
            "level": quarters["level"][kept],
            "change": change[kept],
        }
    )


def _quarter_ordinal(periods: pd.Series) -> pd.Series:
    return periods.str[:4].astype(int) * 4 + periods.str[5:].astype(int)


def _mad(changes: pd.DataFrame, by: str) -> pd.DataFrame:
    """Median and median absolute deviation of the changes, by `by`."""
    if changes.empty:
        return pd.DataFrame(columns=["median", "mad", "n"], dtype=float)
    grouped = changes.groupby(by)["change"]
    median = grouped.median()
    deviation = (changes["change"] - changes[by].map(median)).abs()
    return pd.DataFrame(
        {"median": median, "mad": deviation.groupby(changes[by]).median(), "n": grouped.size()}
    )


def generate(indicators: list[Indicator] | None = None, *, out=None) -> int:
    """Replace the ranges of these indicators (default: every one with ranges), an indicator
    at a time, each in a transaction; returns how many were written."""
    now = timezone.now()
    written = 0
    for indicator in indicators or scored_indicators():
        found = ranges(history(indicator), indicator.value_type)
        rows = [
            MinMax(
                unit_id=int(unit_id),
                indicator=indicator,
                lower=_decimal(row.lower),
                upper=_decimal(row.upper),
                max_change=None if pd.isna(row.max_change) else _decimal(row.max_change),
                basis=row.basis,
                values_used=int(row.values_used),
                generated_at=now,
            )
            for unit_id, row in zip(found.index, found.itertuples(index=False), strict=True)
            if not (pd.isna(row.lower) or pd.isna(row.upper))
        ]
        with transaction.atomic():
            MinMax.objects.filter(indicator=indicator).delete()
            MinMax.objects.bulk_create(rows, batch_size=5000)
        written += len(rows)
        if out is not None:
            out(f"{indicator.code}: {len(rows)}")
    return written


def _decimal(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(_PLACES)
