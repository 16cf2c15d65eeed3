"""The readiness index (pure: no database): how far a unit has come towards e-government,
scored per pillar and in total, with how much of it the figures cover.

Method (docs/decisions/0016-readiness-index.md), after the Vietnam ICT Index and the DTI:
1. every indicator is scored 0–1 against a fixed, stated reference (IndicatorSpec.reference):
   a percentage — a ratio, or yes/no answers as the share of yes — against 100 %; a count or
   an amount against the plan target that reads on the unit, and not at all without one (its
   size follows the unit's). Capped at 1; a lower-is-better indicator is inverted;
2. a pillar's score is the mean of its indicators' scores, given only when those with a value
   are at least MIN_COVERAGE of the pillar's scored indicators: below it the score is None and
   its coverage says why;
3. the total is the mean of the pillar scores weighted by the pillars' weights, given only when
   every pillar that weighs has a score; its coverage is the share of the index's weight whose
   indicators have a value.
A score never depends on which other units are compared: alone or ranked, a unit scores the
same. Scores are kept exact here (0–1); `shown` rounds them once, for display (0–100).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

# What a percentage is measured against: all of it (Điểm = Tỷ lệ × điểm tối đa, in the DTI).
PERCENT_REFERENCE = 100.0
PERCENT_TYPES = frozenset({"ratio", "boolean"})
# A pillar is scored when its indicators with a value make up at least this share of its
# scored indicators: three of five, two of three, both of two.
MIN_COVERAGE = 0.6
# Scores and coverage are shown on 0–100, to one decimal, halves rounded up.
SHOWN = Decimal("0.1")
_EPSILON = 1e-9  # 3/5 is 0.6 in floating point, but 0.6 × 5 is not always 3


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    pillar: str
    value_type: str = "ratio"  # ratio | boolean | count | amount (Indicator.ValueType)
    higher_is_better: bool = True
    # A count's or an amount's reference: the plan target that reads on the unit. Ignored for
    # percentages, whose reference is always 100 %.
    target: float | None = None

    @property
    def reference(self) -> float | None:
        """The value that scores 1 (for lower-is-better: the most that still scores 1); None:
        the indicator is not scored."""
        if self.value_type in PERCENT_TYPES:
            return PERCENT_REFERENCE
        if self.target is None or self.target < 0:
            return None
        if self.higher_is_better and self.target == 0:
            return None  # "at least nothing" measures nothing
        return float(self.target)

    @property
    def is_scored(self) -> bool:
        return self.reference is not None


@dataclass(frozen=True)
class PillarScore:
    pillar: str
    score: float | None  # 0–1; None below MIN_COVERAGE
    coverage: float  # 0–1: counted / applicable
    counted: int  # scored indicators with a value
    applicable: int  # scored indicators of the pillar
    weight: float


@dataclass
class IndexResult:
    key: object  # the unit (or anything that identifies a row)
    index: float | None  # 0–1; None unless every pillar that weighs has a score
    pillars: dict[str, float | None] = field(default_factory=dict)  # scores, 0–1
    coverage: float | None = None  # 0–1, of the index's weight; None: nothing is scored
    details: dict[str, PillarScore] = field(default_factory=dict)
    rank: int | None = None
    previous_rank: int | None = None

    @property
    def pillar_scores(self) -> list[PillarScore]:
        return list(self.details.values())

    @property
    def rank_change(self) -> int | None:
        """Places gained since the previous period (positive: moved up)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


def shown(fraction: float | None) -> Decimal | None:
    """A 0–1 score or coverage as shown: 0–100 to one decimal, halves up (0.7155 → 71.6)."""
    if fraction is None or pd.isna(fraction):
        return None
    # The float's shortest repr, not its binary expansion: 0.635 × 100 shows as 63.5.
    return Decimal(repr(float(fraction) * 100)).quantize(SHOWN, rounding=ROUND_HALF_UP)


def indicator_score(value: float | None, spec: IndicatorSpec) -> float | None:
    """One value's score, 0–1 (None: no value, or the indicator is not scored)."""
    if value is None or pd.isna(value) or not spec.is_scored:
        return None
    result = _scores(pd.Series([float(value)]), spec).iloc[0]
    return None if pd.isna(result) else float(result)


def _scores(values: pd.Series, spec: IndicatorSpec) -> pd.Series:
    reference = spec.reference
    values = values.astype(float)
    if spec.higher_is_better:
        scores = values / reference
    elif spec.value_type in PERCENT_TYPES:
        scores = 1.0 - values / reference  # 0 % of failures scores 1, 100 % scores 0
    elif reference > 0:
        # At most the target scores 1; above it, target / value (twice the target: 0.5).
        scores = (reference / values.where(values > reference)).fillna(1.0)
    else:
        scores = (values <= 0).astype(float)  # a target of zero is met or not
    return scores.where(values.notna()).clip(lower=0.0, upper=1.0)


def normalise_all(values: pd.DataFrame, specs: list[IndicatorSpec]) -> pd.DataFrame:
    """The 0–1 score of every value: a row per unit, a column per scored indicator of
    `specs` (an indicator missing from `values` is a column of NaN). NaN stays NaN.

    _scores' arithmetic on numpy columns: the same operations on the same floats (so the
    same results), without pandas' price per operation (a page scores 45 indicators twice)."""
    scored = [spec for spec in specs if spec.is_scored]
    codes = [spec.code for spec in scored]
    matrix = values.reindex(columns=codes).to_numpy(dtype=float, copy=True)
    out = np.empty_like(matrix)
    with np.errstate(divide="ignore", invalid="ignore"):
        for j, spec in enumerate(scored):
            out[:, j] = _column_scores(matrix[:, j], spec)
    return pd.DataFrame(out, index=values.index, columns=codes, dtype=float)


def _column_scores(column: np.ndarray, spec: IndicatorSpec) -> np.ndarray:
    """_scores of one column of floats."""
    reference = spec.reference
    if spec.higher_is_better:
        scores = column / reference
    elif spec.value_type in PERCENT_TYPES:
        scores = 1.0 - column / reference
    elif reference > 0:
        scores = np.where(column > reference, reference / column, 1.0)
    else:
        scores = (column <= 0).astype(float)
    return np.where(np.isnan(column), np.nan, np.clip(scores, 0.0, 1.0))


@dataclass
class Scores:
    """readiness_index's answer: a row per unit in each frame, a column per pillar."""

    pillars: list[str]  # in the order of the specs
    score: pd.DataFrame  # 0–1; NaN below MIN_COVERAGE
    coverage: pd.DataFrame  # 0–1
    counted: pd.DataFrame  # scored indicators with a value
    applicable: pd.Series  # scored indicators, by pillar
    weight: pd.Series  # by pillar
    index: pd.Series  # 0–1; NaN unless every pillar that weighs has a score
    total_coverage: pd.Series  # 0–1 of the weight; NaN when nothing weighs

    def results(self, keys: dict[object, object]) -> list[IndexResult]:
        """An IndexResult per row, in the rows' order, unranked; `keys`: row id → key."""
        # Read as plain dicts first: a frame's .at costs microseconds a cell.
        score = self.score.to_dict("index")
        coverage = self.coverage.to_dict("index")
        counted = self.counted.to_dict("index")
        index = self.index.to_dict()
        total_coverage = self.total_coverage.to_dict()
        applicable = {p: int(self.applicable[p]) for p in self.pillars}
        weight = {p: float(self.weight[p]) for p in self.pillars}
        results = []
        for row_id in self.index.index:
            details = {
                p: PillarScore(
                    pillar=p,
                    score=_number(score[row_id][p]),
                    coverage=float(coverage[row_id][p]),
                    counted=int(counted[row_id][p]),
                    applicable=applicable[p],
                    weight=weight[p],
                )
                for p in self.pillars
            }
            results.append(
                IndexResult(
                    key=keys[row_id],
                    index=_number(index[row_id]),
                    pillars={p: d.score for p, d in details.items()},
                    coverage=_number(total_coverage[row_id]),
                    details=details,
                )
            )
        return results


def _number(value) -> float | None:
    return None if pd.isna(value) else float(value)


def readiness_index(
    values: pd.DataFrame,
    specs: list[IndicatorSpec],
    weights: dict[str, float],
    *,
    min_coverage: float = MIN_COVERAGE,
) -> Scores:
    """values: a row per unit (index), a column per indicator code, on the scale targets use
    (percentages 0–100, a unit's own yes/no answer as 100 or 0; counts and amounts as they
    are). specs: every indicator that applies to these units in the period, with or without a
    value: those missing count against the coverage. weights: by pillar (missing: 1)."""
    scores = normalise_all(values, specs)
    pillars = list(dict.fromkeys(spec.pillar for spec in specs if spec.is_scored))
    index = values.index
    # On arrays, a pillar at a time, the frames made once at the end: pandas costs about
    # 0.1 ms an operation, and a dashboard scores twice. The sums are added in the order
    # pandas adds them (_row_sums), so the results are pandas' to the last bit.
    matrix = scores.to_numpy(dtype=float)
    columns = {code: j for j, code in enumerate(scores.columns)}
    shape = (len(index), len(pillars))
    score, coverage = np.full(shape, np.nan), np.zeros(shape)
    counted = np.zeros(shape, dtype=np.int64)
    by_applicable = {}
    for j, pillar in enumerate(pillars):
        codes = [s.code for s in specs if s.pillar == pillar and s.is_scored]
        block = matrix[:, [columns[code] for code in codes]]
        present = (~np.isnan(block)).sum(axis=1)
        share = present / len(codes)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(present > 0, _row_sums(block) / present, np.nan)
        counted[:, j] = present
        coverage[:, j] = share
        score[:, j] = np.where(share >= min_coverage - _EPSILON, mean, np.nan)
        by_applicable[pillar] = len(codes)
    weight = np.array([float(weights.get(p, 1.0)) for p in pillars], dtype=float)
    weighing = weight > 0
    if weighing.any():
        total = weight[weighing].sum()
        total_coverage = _row_sums(coverage[:, weighing] * weight[weighing]) / total
        weighted = _row_sums(score[:, weighing] * weight[weighing]) / total
        complete = ~np.isnan(score[:, weighing]).any(axis=1)
        total_index = np.where(complete, weighted, np.nan)
    else:
        total_coverage = np.full(len(index), np.nan)
        total_index = np.full(len(index), np.nan)
    index_series = pd.Series(total_index, index=index, dtype=float)
    return Scores(
        pillars=pillars,
        score=pd.DataFrame(score, index=index, columns=pillars, dtype=float),
        coverage=pd.DataFrame(coverage, index=index, columns=pillars, dtype=float),
        counted=pd.DataFrame(counted, index=index, columns=pillars, dtype=int),
        applicable=pd.Series(by_applicable, index=pillars, dtype=int),
        weight=pd.Series(weight, index=pillars, dtype=float),
        index=index_series,
        total_coverage=pd.Series(total_coverage, index=index, dtype=float),
    )


def _row_sums(block: np.ndarray) -> np.ndarray:
    """Each row's sum, NaN counted as 0, added in the order pandas' DataFrame.sum(axis=1)
    and .mean(axis=1) add them (pandas 3.1): column after column from six rows up (its
    block reduced along its first axis), else along the row — pairwise where the row holds
    a NaN (its filled copy is contiguous), in order where it holds none. Floating-point
    sums depend on their order; tests/test_readiness_index.py checks these against pandas."""
    missing = np.isnan(block)
    filled = np.where(missing, 0.0, block)
    if block.shape[0] >= 6:
        return np.ascontiguousarray(filled.T).sum(axis=0)
    if missing.any():
        return np.ascontiguousarray(filled).sum(axis=1)
    return np.asfortranarray(block).sum(axis=1)


def rank(indexes: pd.Series) -> pd.Series:
    """1 for the best; ties share a rank (1, 2, 2, 4); no index, no rank."""
    return indexes.rank(method="min", ascending=False)


def ranked(now: Scores, before: Scores | None, keys: dict[object, object]) -> list[IndexResult]:
    """IndexResults for the rows of `now`, best first (unranked last, in their order), with
    their rank in `before` (the previous period) when there is one."""
    ranks = rank(now.index)
    before_ranks = rank(before.index) if before is not None else pd.Series(dtype=float)
    results = now.results(keys)
    for row_id, result in zip(now.index.index, results, strict=True):
        r = ranks.get(row_id)
        b = before_ranks.get(row_id)
        result.rank = None if r is None or pd.isna(r) else int(r)
        result.previous_rank = None if b is None or pd.isna(b) else int(b)
    results.sort(key=lambda x: (x.rank is None, x.rank or 0))  # stable: ties keep their order
    return results
