"""The composite readiness index used to rank units (pure: no database).

Method (docs/decisions/0007-dashboards.md), after Vietnam's ICT Index: each indicator is
normalised to 0–1 — against the plan target where one applies (value / target, capped at
1; inverted for lower-is-better), otherwise min–max across the units compared —, the
normalised scores are averaged within each pillar, and the pillar scores are combined with
the administrator's weights. Missing values are left out, not counted as zero; a unit with
no value at all is not ranked.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    pillar: str
    higher_is_better: bool = True
    target: float | None = None  # the value that scores 1 (a plan target), if any


@dataclass
class IndexResult:
    key: object  # the unit (or anything that identifies a row)
    index: float | None
    pillars: dict[str, float | None] = field(default_factory=dict)
    rank: int | None = None
    previous_rank: int | None = None

    @property
    def rank_change(self) -> int | None:
        """Places gained since the previous period (positive: moved up)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


def normalise(values: pd.Series, spec: IndicatorSpec) -> pd.Series:
    """0–1 scores of one indicator's values across the units compared (NaN stays NaN)."""
    return normalise_all(values.to_frame(spec.code), [spec])[spec.code]


def normalise_all(values: pd.DataFrame, specs: list[IndicatorSpec]) -> pd.DataFrame:
    """normalise() for every indicator of `specs` found in `values` at once (a column each):
    against its target where it has one, else min–max across the rows."""
    specs = [spec for spec in specs if spec.code in values]
    codes = [spec.code for spec in specs]
    values = values[codes].astype(float)
    target = pd.Series([spec.target or np.nan for spec in specs], index=codes, dtype=float)
    target = target.where(target > 0)
    higher = pd.Series([spec.higher_is_better for spec in specs], index=codes, dtype=bool)
    # Against the target: value / target, or target / value for lower-is-better (a value of
    # 0 meets any target), capped to 0–1.
    up = values.div(target, axis=1)
    down = values.where(values > 0).rdiv(target, axis=1).fillna(1.0).where(values.notna())
    against = up.where(higher, down, axis=1).clip(lower=0.0, upper=1.0)
    # Across the units: min–max; all equal scores 1 whichever the direction.
    low, high = values.min(), values.max()
    spread = (values - low).div((high - low).where(high > low), axis=1)
    spread = spread.where(higher, 1.0 - spread, axis=1)
    spread = spread.where(~(high == low) | values.isna(), 1.0)
    return against.where(target.notna(), spread, axis=1)


def readiness_index(
    values: pd.DataFrame, specs: list[IndicatorSpec], weights: dict[str, float]
) -> pd.DataFrame:
    """values: one row per unit (index), one column per indicator code.

    Returns one row per unit: a column per pillar (its score) and `index`, in 0–1.
    """
    scores = normalise_all(values, specs)
    pillars = sorted({spec.pillar for spec in specs})
    result = pd.DataFrame(index=values.index)
    for pillar in pillars:
        codes = [s.code for s in specs if s.pillar == pillar and s.code in scores]
        result[pillar] = scores[codes].mean(axis=1, skipna=True) if codes else float("nan")
    weight = pd.Series({p: float(weights.get(p, 1.0)) for p in pillars}, dtype=float)
    present = result[pillars].notna()
    weighted = result[pillars].fillna(0.0).mul(weight, axis=1).sum(axis=1)
    total = present.mul(weight, axis=1).sum(axis=1)
    result["index"] = (weighted / total.where(total > 0)).where(present.any(axis=1))
    return result


def rank(indexes: pd.Series) -> pd.Series:
    """1 for the best; ties share a rank (1, 2, 2, 4); no index, no rank."""
    return indexes.rank(method="min", ascending=False)


def ranked(
    now: pd.DataFrame, before: pd.DataFrame | None, keys: dict[object, object]
) -> list[IndexResult]:
    """IndexResults for the rows of `now`, best first (unranked last), with their rank in
    `before` (the previous period) when there is one."""
    ranks = rank(now["index"])
    before_ranks = rank(before["index"]) if before is not None else pd.Series(dtype=float)
    pillars = [c for c in now.columns if c != "index"]
    results = []
    for row_id, row in now.iterrows():
        r = ranks.get(row_id)
        b = before_ranks.get(row_id) if before is not None else None
        results.append(
            IndexResult(
                key=keys[row_id],
                index=None if pd.isna(row["index"]) else round(float(row["index"]), 4),
                pillars={p: None if pd.isna(row[p]) else round(float(row[p]), 4) for p in pillars},
                rank=None if r is None or pd.isna(r) else int(r),
                previous_rank=None if b is None or pd.isna(b) else int(b),
            )
        )
    results.sort(key=lambda x: (x.rank is None, x.rank or 0))
    return results
