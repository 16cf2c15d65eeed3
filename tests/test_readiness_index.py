"""The readiness index on a built case, every step computed by hand."""

import math

import pandas as pd
import pytest

from reports.index import IndicatorSpec, normalise, rank, ranked, readiness_index

SPECS = [
    IndicatorSpec("LAN", "infrastructure"),
    IndicatorSpec("PC", "infrastructure", target=80.0),
    IndicatorSpec("DOCS", "internal_apps"),
    IndicatorSpec("INCIDENTS", "security", higher_is_better=False),
]
VALUES = pd.DataFrame(
    {
        "LAN": [100.0, 50.0, 0.0],
        "PC": [40.0, 80.0, 100.0],
        "DOCS": [90.0, float("nan"), 30.0],
        "INCIDENTS": [2.0, 4.0, float("nan")],
    },
    index=["A", "B", "C"],
)


def test_min_max_when_there_is_no_target():
    assert list(normalise(VALUES["LAN"], SPECS[0])) == [1.0, 0.5, 0.0]


def test_against_the_target_capped_at_one():
    assert list(normalise(VALUES["PC"], SPECS[1])) == [0.5, 1.0, 1.0]


def test_lower_is_better_is_inverted_and_missing_stays_missing():
    scores = normalise(VALUES["INCIDENTS"], SPECS[3])
    assert list(scores[:2]) == [1.0, 0.0]
    assert math.isnan(scores.iloc[2])


def test_all_equal_values_score_one():
    assert list(normalise(pd.Series([70.0, 70.0]), IndicatorSpec("X", "p"))) == [1.0, 1.0]


def test_pillars_then_weighted_index():
    result = readiness_index(VALUES, SPECS, {"infrastructure": 2, "internal_apps": 1})
    # A: infrastructure (1 + 0.5)/2 = 0.75; apps 1; security 1 (weight 1 by default).
    #    index (2×0.75 + 1×1 + 1×1) / 4 = 0.875
    # B: infrastructure (0.5 + 1)/2 = 0.75; apps missing; security 0.
    #    index (2×0.75 + 1×0) / 3 = 0.5
    # C: infrastructure (0 + 1)/2 = 0.5; apps 0; security missing.
    #    index (2×0.5 + 1×0) / 3 = 0.3333
    assert result.loc["A", "infrastructure"] == 0.75
    assert math.isnan(result.loc["B", "internal_apps"])
    assert list(result["index"].round(4)) == [0.875, 0.5, 0.3333]


def test_ranks_share_ties_and_skip_units_without_values():
    ranks = rank(pd.Series([0.5, 0.9, 0.5, float("nan")], index=list("ABCD")))
    assert list(ranks[:3]) == [2, 1, 2]
    assert math.isnan(ranks["D"])


def test_ranked_reports_rank_changes_best_first():
    now = readiness_index(VALUES, SPECS, {})
    before = now.copy()
    before["index"] = [0.1, 0.9, 0.5]  # A was last, B first
    results = ranked(now, before, {"A": "a", "B": "b", "C": "c"})
    assert [r.key for r in results] == ["a", "b", "c"]
    assert [(r.rank, r.previous_rank, r.rank_change) for r in results] == [
        (1, 3, 2),
        (2, 1, -1),
        (3, 2, -1),
    ]


@pytest.mark.parametrize("weights", [{}, {"security": 0}])
def test_a_unit_with_no_value_has_no_index(weights):
    empty = pd.DataFrame({"LAN": [float("nan")]}, index=["Z"])
    result = readiness_index(empty, SPECS[:1], weights)
    assert math.isnan(result.loc["Z", "index"])
