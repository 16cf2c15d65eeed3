"""Roll-up rules over the unit tree (indicators/rollup.py), on hand-built frames; no database.

Every expected value is worked out by hand in a comment next to its assertion.
"""

import math

import numpy as np
import pandas as pd
import pytest

from indicators.rollup import (
    AGENCY,
    COMPUTED,
    MEMBER_COLUMNS,
    NO_DATA,
    NO_PARENT,
    REPORTED,
    SLOT,
    Rule,
    as_members,
    combine,
    evaluate_tops,
    evaluate_tree,
    in_slots,
    node_scope,
)

NAN = float("nan")

RATIO = Rule(unit_rollup="ratio_of_sums", is_boolean=False)
YES_NO = Rule(unit_rollup="share_yes", is_boolean=True)
SUM = Rule(unit_rollup="sum", is_boolean=False)

FIGURE_COLUMNS = [
    "unit_id",
    "agency_id",
    "agency_kind",
    "scope",
    "value",
    "numerator",
    "denominator",
    "figure_id",
    "figure_period",
    "source",
]

# The tree used throughout: one province, two districts, five communes.
#   P (1)
#   ├── D1 (10): C11 (101), C12 (102)
#   └── D2 (20): C21 (201), C22 (202), C23 (203)
P, D1, D2 = 1, 10, 20
C11, C12, C21, C22, C23 = 101, 102, 201, 202, 203


# --- frame builders ---------------------------------------------------------------------


def units_frame(rows: list[tuple[int, int | None, str]]) -> pd.DataFrame:
    """Units from (id, parent_id, level); parent_id None for a root (NaN in the frame)."""
    frame = pd.DataFrame(rows, columns=["id", "parent_id", "level"])
    frame["parent_id"] = frame["parent_id"].astype(float)
    return frame


def tree() -> pd.DataFrame:
    return units_frame(
        [
            (P, None, "province"),
            (D1, P, "district"),
            (D2, P, "district"),
            (C11, D1, "commune"),
            (C12, D1, "commune"),
            (C21, D2, "commune"),
            (C22, D2, "commune"),
            (C23, D2, "commune"),
        ]
    )


def fig(
    unit_id: int,
    value: float,
    numerator: float = NAN,
    denominator: float = NAN,
    *,
    scope: str = "self",
    agency_id: float = NAN,
    agency_kind: str | None = None,
) -> dict:
    """One chosen figure; a unit's own unless agency_id is given."""
    return {
        "unit_id": unit_id,
        "agency_id": float(agency_id),
        "agency_kind": agency_kind,
        "scope": scope,
        "value": float(value),
        "numerator": float(numerator),
        "denominator": float(denominator),
    }


def figures_frame(*figures: dict) -> pd.DataFrame:
    rows = [
        {**f, "figure_id": i, "figure_period": "2023", "source": f"src-{i}"}
        for i, f in enumerate(figures, start=1)
    ]
    frame = pd.DataFrame(rows, columns=FIGURE_COLUMNS)
    for column in ("agency_id", "value", "numerator", "denominator"):
        frame[column] = frame[column].astype(float)
    return frame


def agencies_frame(rows: list[tuple[int, int, str]]) -> pd.DataFrame:
    """Agencies from (id, unit_id, kind)."""
    return pd.DataFrame(rows, columns=["id", "unit_id", "kind"])


def members_frame(rows: list[dict]) -> pd.DataFrame:
    """Members for `combine`; missing keys default to no counts, not a yes/no answer,
    covered when there is a value, expected 1."""
    full = []
    for row in rows:
        value = row.get("value", NAN)
        full.append(
            {
                "key": row["key"],
                "value": value,
                "numerator": row.get("numerator", NAN),
                "denominator": row.get("denominator", NAN),
                "answer": row.get("answer", False),
                "covered": row.get("covered", 0 if math.isnan(value) else 1),
                "expected": row.get("expected", 1),
            }
        )
    return pd.DataFrame(full, columns=MEMBER_COLUMNS)


def nodes_frame(rows: list[dict]) -> pd.DataFrame:
    """Node results as `evaluate_tree` returns them (only the columns `as_members` reads)."""
    return pd.DataFrame(
        rows,
        columns=[
            "value",
            "numerator",
            "denominator",
            "answer",
            "origin",
            "node_scope",
            "covered",
            "expected",
        ],
    )


def evaluate(*figures: dict, scope: str = "self", rule: Rule = RATIO, agencies=None):
    return evaluate_tree(tree(), figures_frame(*figures), scope=scope, rule=rule, agencies=agencies)


# --- node_scope -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "scope", "expected"),
    [
        ("commune", "self", "self"),
        ("district", "self", "self"),
        ("province", "self", "self"),
        # A commune asked for its communes answers for itself; above, the tier passes down.
        ("commune", "communes", "self"),
        ("district", "communes", "communes"),
        ("province", "communes", "communes"),
        # Districts (and communes below them) answer for themselves when asked for districts.
        ("commune", "districts", "self"),
        ("district", "districts", "self"),
        ("province", "districts", "districts"),
        # Agency scopes pass down unchanged.
        ("commune", "departments", "departments"),
        ("district", "district_offices", "district_offices"),
        ("province", "all_agencies", "all_agencies"),
    ],
)
def test_node_scope(level, scope, expected):
    assert node_scope(level, scope) == expected


# --- combine: ratio_of_sums -------------------------------------------------------------


def test_ratio_of_sums_is_a_ratio_of_sums_not_a_mean_of_ratios():
    members = members_frame(
        [
            {"key": "a", "value": 50.0, "numerator": 1.0, "denominator": 2.0},
            {"key": "a", "value": 90.0, "numerator": 9.0, "denominator": 10.0},
        ]
    )
    result = combine(members, "ratio_of_sums")
    row = result.loc["a"]
    # 1/2 and 9/10 → (1 + 9) / (2 + 10) = 10/12 = 83.33 %; the mean of 50 and 90 would be 70.
    assert row["value"] == pytest.approx(100 * 10 / 12)
    assert row["value"] != pytest.approx(70.0)
    assert row["numerator"] == pytest.approx(10.0)
    assert row["denominator"] == pytest.approx(12.0)
    assert row["reporting"] == 2
    assert (row["covered"], row["expected"]) == (2, 2)


def test_ratio_of_sums_keeps_the_counts_it_has_and_counts_the_bare_percentages():
    members = members_frame(
        [
            {"key": "a", "value": 50.0, "numerator": 1.0, "denominator": 2.0},
            {"key": "a", "value": 75.0, "numerator": 30.0, "denominator": 40.0},
            {"key": "a", "value": 70.0},  # a percentage only
        ]
    )
    row = combine(members, "ratio_of_sums").loc["a"]
    # Over the members with counts: (1 + 30) / (2 + 40) = 31/42 = 73.81 %; the 70 % without
    # counts is said, not averaged in (the unweighted mean of 50, 75 and 70 was 65).
    assert row["value"] == pytest.approx(100 * 31 / 42)
    assert (row["numerator"], row["denominator"]) == (31.0, 42.0)
    assert row["percent_only"] == 1
    assert row["reporting"] == 3


def test_ratio_of_sums_with_no_counts_at_all_is_the_mean_of_percentages():
    members = members_frame([{"key": "a", "value": 50.0}, {"key": "a", "value": 70.0}])
    row = combine(members, "ratio_of_sums").loc["a"]
    # Nothing to weigh by: mean of 50 and 70 = 60; nothing left out.
    assert row["value"] == pytest.approx(60.0)
    assert math.isnan(row["numerator"])
    assert row["percent_only"] == 0


def test_ratio_of_sums_member_with_only_a_numerator_counts_as_lacking_counts():
    members = members_frame(
        [
            {"key": "a", "value": 25.0, "numerator": 1.0, "denominator": 4.0},
            {"key": "a", "value": 75.0, "numerator": 3.0},  # no denominator
        ]
    )
    row = combine(members, "ratio_of_sums").loc["a"]
    # Only the first has both counts → 1/4 = 25 %; the other is a percentage only.
    assert row["value"] == pytest.approx(25.0)
    assert (row["numerator"], row["percent_only"]) == (1.0, 1)


def test_ratio_of_sums_with_zero_total_denominator_falls_back_to_mean():
    members = members_frame(
        [
            {"key": "a", "value": 0.0, "numerator": 0.0, "denominator": 0.0},
            {"key": "a", "value": 0.0, "numerator": 0.0, "denominator": 0.0},
        ]
    )
    row = combine(members, "ratio_of_sums").loc["a"]
    # Σ denominators = 0 → no ratio; mean of 0 and 0 = 0, counts NaN.
    assert row["value"] == pytest.approx(0.0)
    assert math.isnan(row["numerator"])
    assert math.isnan(row["denominator"])


def test_ratio_of_sums_groups_by_key():
    members = members_frame(
        [
            {"key": "a", "value": 75.0, "numerator": 3.0, "denominator": 4.0},
            {"key": "a", "value": 100 / 6, "numerator": 1.0, "denominator": 6.0},
            {"key": "b", "value": 50.0, "numerator": 5.0, "denominator": 10.0},
            {"key": "b", "value": 30.0},
        ]
    )
    result = combine(members, "ratio_of_sums")
    # a: 3 of 4 and 1 of 6 → 4/10 = 40 %.
    assert result.loc["a", "value"] == pytest.approx(40.0)
    assert result.loc["a", "numerator"] == pytest.approx(4.0)
    assert result.loc["a", "denominator"] == pytest.approx(10.0)
    # b: 5 of 10 = 50 % from the member with counts, one percentage only; a is unaffected.
    assert result.loc["b", "value"] == pytest.approx(50.0)
    assert (result.loc["b", "numerator"], result.loc["b", "percent_only"]) == (5.0, 1)
    assert result.loc["a", "percent_only"] == 0


# --- combine: share_yes -----------------------------------------------------------------


def test_share_yes_of_answers():
    members = members_frame(
        [
            {"key": "a", "value": 1.0, "answer": True},
            {"key": "a", "value": 1.0, "answer": True},
            {"key": "a", "value": 0.0, "answer": True},
        ]
    )
    row = combine(members, "share_yes").loc["a"]
    # yes, yes, no → 1/1 + 1/1 + 0/1 = 2 of 3 = 66.67 %.
    assert row["value"] == pytest.approx(200 / 3)
    assert row["numerator"] == pytest.approx(2.0)
    assert row["denominator"] == pytest.approx(3.0)
    assert row["reporting"] == 3


def test_share_yes_answers_with_a_share_that_has_counts_add_up():
    members = members_frame(
        [
            {"key": "a", "value": 1.0, "answer": True},
            {"key": "a", "value": 25.0, "numerator": 1.0, "denominator": 4.0},
        ]
    )
    row = combine(members, "share_yes").loc["a"]
    # yes = 1 of 1, plus a share of 1 of 4 → 2 of 5 = 40 %.
    assert row["value"] == pytest.approx(40.0)
    assert row["numerator"] == pytest.approx(2.0)
    assert row["denominator"] == pytest.approx(5.0)


def test_share_yes_with_a_share_lacking_counts_is_a_mean_of_percentages():
    members = members_frame(
        [
            {"key": "a", "value": 1.0, "answer": True},
            {"key": "a", "value": 0.0, "answer": True},
            {"key": "a", "value": 40.0},  # a share, no counts
        ]
    )
    row = combine(members, "share_yes").loc["a"]
    # yes → 100 %, no → 0 %, share 40 % → mean (100 + 0 + 40) / 3 = 46.67 %; with counts
    # it could not be (1 + 0 + ?) / (1 + 1 + ?). Counts NaN.
    assert row["value"] == pytest.approx(140 / 3)
    assert math.isnan(row["numerator"])
    assert math.isnan(row["denominator"])


# --- combine: sum and mean --------------------------------------------------------------


def test_sum_adds_values_and_ignores_missing_ones():
    members = members_frame(
        [
            {"key": "a", "value": 3.0},
            {"key": "a", "value": 4.5},
            {"key": "a"},  # no value
            {"key": "b", "value": 10.0},
        ]
    )
    result = combine(members, "sum")
    # a: 3 + 4.5 = 7.5 (the missing one adds nothing, not NaN); b: 10.
    assert result.loc["a", "value"] == pytest.approx(7.5)
    assert result.loc["b", "value"] == pytest.approx(10.0)
    assert math.isnan(result.loc["a", "numerator"])
    assert math.isnan(result.loc["a", "denominator"])
    assert result.loc["a", "reporting"] == 2


def test_mean_averages_values_that_exist():
    members = members_frame(
        [
            {"key": "a", "value": 2.0, "numerator": 1.0, "denominator": 1.0},
            {"key": "a", "value": 4.0},
            {"key": "a", "value": 9.0},
            {"key": "a"},  # no value: not a zero
        ]
    )
    row = combine(members, "mean").loc["a"]
    # (2 + 4 + 9) / 3 = 5; counts are not part of a mean.
    assert row["value"] == pytest.approx(5.0)
    assert math.isnan(row["numerator"])


def test_unknown_rule_is_refused():
    members = members_frame([{"key": "a", "value": 1.0}])
    with pytest.raises(ValueError, match="median"):
        combine(members, "median")


# --- combine: coverage ------------------------------------------------------------------


def test_coverage_counts_members_without_a_value_as_expected_not_covered():
    members = members_frame(
        [
            {"key": "a", "value": 50.0, "numerator": 1.0, "denominator": 2.0},
            {"key": "a", "value": 25.0, "numerator": 1.0, "denominator": 4.0},
            {"key": "a"},
            {"key": "a"},
        ]
    )
    row = combine(members, "ratio_of_sums").loc["a"]
    # 4 members, 2 with a value → covered 2 of expected 4; reporting 2; value 2/6 = 33.33 %.
    assert (row["covered"], row["expected"]) == (2, 4)
    assert row["reporting"] == 2
    assert row["value"] == pytest.approx(100 * 2 / 6)


def test_coverage_sums_members_own_coverage():
    # Members that are themselves tiers pass their coverage through: 3 of 5 and 0 of 2.
    members = members_frame(
        [
            {"key": "a", "value": 10.0, "covered": 3, "expected": 5},
            {"key": "a", "covered": 0, "expected": 2},
        ]
    )
    row = combine(members, "sum").loc["a"]
    # covered 3 + 0 = 3, expected 5 + 2 = 7; one member reports.
    assert (row["covered"], row["expected"]) == (3, 7)
    assert row["reporting"] == 1
    assert row["value"] == pytest.approx(10.0)


def test_key_with_no_value_at_all_is_kept_with_nan_and_zero_reporting():
    members = members_frame(
        [
            {"key": "a", "value": 5.0},
            {"key": "b"},
            {"key": "b"},
        ]
    )
    result = combine(members, "ratio_of_sums")
    # b: 2 members expected, none covered, nothing to combine.
    assert set(result.index) == {"a", "b"}
    assert math.isnan(result.loc["b", "value"])
    assert result.loc["b", "reporting"] == 0
    assert (result.loc["b", "covered"], result.loc["b", "expected"]) == (0, 2)


# --- as_members -------------------------------------------------------------------------


def test_as_members_count_one_counts_each_node_once():
    nodes = nodes_frame(
        [
            {
                "value": 40.0,
                "numerator": 4.0,
                "denominator": 10.0,
                "answer": False,
                "origin": COMPUTED,
                "node_scope": "self",
                "covered": 2,
                "expected": 3,
            },
            {
                "value": NAN,
                "numerator": NAN,
                "denominator": NAN,
                "answer": False,
                "origin": NO_DATA,
                "node_scope": "self",
                "covered": 0,
                "expected": 2,
            },
        ]
    )
    members = as_members(nodes, pd.Series([P, P]), RATIO, count_one=True)
    # Each node is one member: covered when it has a value, expected 1; its own coverage
    # (2 of 3, 0 of 2) does not pass through. Counts pass through for ratio_of_sums.
    assert members["covered"].tolist() == [1, 0]
    assert members["expected"].tolist() == [1, 1]
    assert members["key"].tolist() == [P, P]
    assert members["numerator"].iloc[0] == pytest.approx(4.0)
    assert members["denominator"].iloc[0] == pytest.approx(10.0)


def test_as_members_without_count_one_passes_coverage_through():
    nodes = nodes_frame(
        [
            {
                "value": 40.0,
                "numerator": 4.0,
                "denominator": 10.0,
                "answer": False,
                "origin": COMPUTED,
                "node_scope": "communes",
                "covered": 2,
                "expected": 3,
            },
        ]
    )
    members = as_members(nodes, pd.Series([P]), RATIO, count_one=False)
    assert (members["covered"].iloc[0], members["expected"].iloc[0]) == (2, 3)


def test_as_members_share_yes_drops_counts_of_computed_self_shares_only():
    nodes = nodes_frame(
        [
            # A district's share computed from its communes' answers: percentage only.
            {
                "value": 50.0,
                "numerator": 1.0,
                "denominator": 2.0,
                "answer": False,
                "origin": COMPUTED,
                "node_scope": "self",
                "covered": 2,
                "expected": 2,
            },
            # A reported share with counts: kept.
            {
                "value": 25.0,
                "numerator": 1.0,
                "denominator": 4.0,
                "answer": False,
                "origin": REPORTED,
                "node_scope": "self",
                "covered": 1,
                "expected": 1,
            },
            # A tier share (its communes), computed: counts of the same tier, kept.
            {
                "value": 60.0,
                "numerator": 3.0,
                "denominator": 5.0,
                "answer": False,
                "origin": COMPUTED,
                "node_scope": "communes",
                "covered": 5,
                "expected": 5,
            },
        ]
    )
    members = as_members(nodes, pd.Series([P, P, P]), YES_NO, count_one=False)
    assert math.isnan(members["numerator"].iloc[0])
    assert math.isnan(members["denominator"].iloc[0])
    assert members["value"].iloc[0] == pytest.approx(50.0)
    assert members["numerator"].tolist()[1:] == [1.0, 3.0]
    assert members["denominator"].tolist()[1:] == [4.0, 5.0]


# --- evaluate_tree: scope self ----------------------------------------------------------


def self_scope_figures() -> list[dict]:
    return [
        # D1 reports 9 of 12 = 75 %; its communes (1 of 2 each → 50 %) are overruled.
        fig(D1, 75.0, 9, 12),
        fig(C11, 50.0, 1, 2),
        fig(C12, 50.0, 1, 2),
        # D2 has no figure: 3 of 4 and 1 of 6 from its communes; C23 has none.
        fig(C21, 75.0, 3, 4),
        fig(C22, 100 / 6, 1, 6),
    ]


def test_self_reported_district_wins_over_its_communes():
    result = evaluate(*self_scope_figures())
    d1 = result.loc[D1]
    # Own figure first: 75 % (9 of 12), not 2 of 4 = 50 % from C11 and C12.
    assert d1["value"] == pytest.approx(75.0)
    assert (d1["numerator"], d1["denominator"]) == (9.0, 12.0)
    assert d1["origin"] == REPORTED
    assert d1["figure_id"] == 1
    assert d1["figure_period"] == "2023"
    assert d1["source"] == "src-1"
    # Reported → covers all its 2 communes.
    assert (d1["covered"], d1["expected"]) == (2, 2)
    assert d1["coverage_level"] == "commune"
    assert d1["node_scope"] == "self"


def test_self_district_without_figure_is_computed_from_its_communes():
    result = evaluate(*self_scope_figures())
    d2 = result.loc[D2]
    # 3 of 4 and 1 of 6 → 4/10 = 40 % (the mean of 75 and 16.67 would be 45.83).
    assert d2["value"] == pytest.approx(40.0)
    assert (d2["numerator"], d2["denominator"]) == (4.0, 10.0)
    assert d2["origin"] == COMPUTED
    assert d2["figure_id"] is None
    # C21 and C22 of 3 communes.
    assert (d2["covered"], d2["expected"]) == (2, 3)
    assert d2["coverage_level"] == "commune"


def test_self_province_is_computed_from_its_districts():
    result = evaluate(*self_scope_figures())
    p = result.loc[P]
    # D1 9 of 12 and D2 4 of 10 → 13/22 = 59.09 % (mean of 75 and 40 would be 57.5).
    assert p["value"] == pytest.approx(100 * 13 / 22)
    assert (p["numerator"], p["denominator"]) == (13.0, 22.0)
    assert p["origin"] == COMPUTED
    # Each district counts as one: both have a value.
    assert (p["covered"], p["expected"]) == (2, 2)
    assert p["coverage_level"] == "district"
    # A top has no parent: ids are int64 keys, never floats (rollup.NO_PARENT).
    assert p["parent_id"] == NO_PARENT
    assert p["level"] == "province"


def test_self_commune_without_figure_has_no_data():
    result = evaluate(*self_scope_figures())
    c23 = result.loc[C23]
    assert c23["origin"] == NO_DATA
    assert math.isnan(c23["value"])
    assert (c23["covered"], c23["expected"]) == (0, 1)
    assert c23["coverage_level"] == "commune"
    c21 = result.loc[C21]
    assert c21["origin"] == REPORTED
    assert (c21["covered"], c21["expected"]) == (1, 1)


def test_self_returns_every_unit_once():
    result = evaluate(*self_scope_figures())
    assert sorted(result.index) == sorted([P, D1, D2, C11, C12, C21, C22, C23])
    assert result.loc[C11, "parent_id"] == D1
    assert result.loc[D2, "level"] == "district"


def test_self_with_no_figures_at_all():
    result = evaluate()
    # Nothing anywhere: every node has origin none; communes expect 1 each, districts
    # expect their communes (2 and 3), the province its 2 districts; nothing covered.
    assert set(result["origin"]) == {NO_DATA}
    assert result["value"].isna().all()
    assert result.loc[D2, "expected"] == 3
    assert result.loc[P, "expected"] == 2
    assert result["covered"].sum() == 0


def test_sum_rule_over_the_tree():
    result = evaluate(
        fig(C11, 2),
        fig(C12, 3),
        fig(C21, 4),
        fig(D2, 100),  # D2's own total wins over 4 from its communes
        rule=SUM,
    )
    # D1 = 2 + 3 = 5 (computed); D2 = 100 (reported); P = 5 + 100 = 105.
    assert result.loc[D1, "value"] == pytest.approx(5.0)
    assert result.loc[D1, "origin"] == COMPUTED
    assert result.loc[D2, "value"] == pytest.approx(100.0)
    assert result.loc[D2, "origin"] == REPORTED
    assert result.loc[P, "value"] == pytest.approx(105.0)
    assert math.isnan(result.loc[P, "numerator"])


# --- evaluate_tree: tier scopes ---------------------------------------------------------


def communes_scope_figures() -> list[dict]:
    return [
        # D1 reports for all its communes: 7 of 10 = 70 %; C11's own 1 of 2 is not used.
        fig(D1, 70.0, 7, 10, scope="communes"),
        fig(C11, 50.0, 1, 2),
        # D1's own (self) figure has nothing to do with its communes.
        fig(D1, 10.0, 1, 10),
        # D2's communes report individually: 3 of 4, 1 of 6, C23 nothing.
        fig(C21, 75.0, 3, 4),
        fig(C22, 100 / 6, 1, 6),
    ]


def test_communes_scope_district_tier_figure_covers_all_its_communes():
    result = evaluate(*communes_scope_figures(), scope="communes")
    d1 = result.loc[D1]
    assert d1["node_scope"] == "communes"
    assert d1["origin"] == REPORTED
    assert d1["value"] == pytest.approx(70.0)
    assert d1["figure_id"] == 1
    # Only C11 has a figure, but the tier figure covers both communes: 2 of 2.
    assert (d1["covered"], d1["expected"]) == (2, 2)
    assert d1["coverage_level"] == "commune"


def test_communes_scope_district_computed_from_individual_communes():
    result = evaluate(*communes_scope_figures(), scope="communes")
    d2 = result.loc[D2]
    # 3 of 4 and 1 of 6 → 4/10 = 40 %; 2 of 3 communes covered.
    assert d2["origin"] == COMPUTED
    assert d2["value"] == pytest.approx(40.0)
    assert (d2["covered"], d2["expected"]) == (2, 3)
    assert d2["coverage_level"] == "commune"


def test_communes_scope_province_adds_district_tiers():
    result = evaluate(*communes_scope_figures(), scope="communes")
    p = result.loc[P]
    # D1 7 of 10 and D2 4 of 10 → 11/20 = 55 %.
    assert p["node_scope"] == "communes"
    assert p["origin"] == COMPUTED
    assert p["value"] == pytest.approx(55.0)
    assert (p["numerator"], p["denominator"]) == (11.0, 20.0)
    # Coverage counts communes, passed through the districts: (2 + 2) of (2 + 3).
    assert (p["covered"], p["expected"]) == (4, 5)
    assert p["coverage_level"] == "commune"
    # Communes answer for themselves.
    assert result.loc[C11, "node_scope"] == "self"
    assert result.loc[C23, "origin"] == NO_DATA


def test_communes_scope_province_own_tier_figure_wins():
    figures = [*communes_scope_figures(), fig(P, 33.0, 33, 100, scope="communes")]
    result = evaluate(*figures, scope="communes")
    p = result.loc[P]
    # The province's own figure for all its communes: 33 %, covering all 5 communes.
    assert p["origin"] == REPORTED
    assert p["value"] == pytest.approx(33.0)
    assert (p["covered"], p["expected"]) == (5, 5)


def test_districts_scope_counts_districts():
    result = evaluate(
        fig(D1, 75.0, 9, 12),
        fig(C21, 75.0, 3, 4),
        fig(C22, 100 / 6, 1, 6),
        scope="districts",
    )
    p = result.loc[P]
    # Districts answer for themselves: D1 9 of 12, D2 computed 4 of 10 → 13/22 = 59.09 %.
    assert result.loc[D1, "node_scope"] == "self"
    assert p["node_scope"] == "districts"
    assert p["value"] == pytest.approx(100 * 13 / 22)
    assert (p["covered"], p["expected"]) == (2, 2)
    assert p["coverage_level"] == "district"
    # A district answering for itself counts its communes, as it does for scope "self".
    assert result.loc[D2, "coverage_level"] == "commune"
    assert (result.loc[D2, "covered"], result.loc[D2, "expected"]) == (2, 3)


def test_a_unit_given_twice_is_refused():
    # A unit is one node: given twice (no caller does), the walk says so rather than
    # evaluating the copies apart.
    units = units_frame([(P, None, "province"), (D1, P, "district"), (D1, P, "district")])
    with pytest.raises(ValueError, match="twice"):
        evaluate_tree(units, figures_frame(fig(D1, 75.0, 9, 12)), scope="self", rule=RATIO)


# --- evaluate_tree: yes/no --------------------------------------------------------------


def test_yes_no_reported_answers_are_answers():
    result = evaluate(fig(C11, 1), fig(C12, 0), rule=YES_NO)
    # Reported yes/no figures for a unit itself are answers; computed shares are not.
    assert bool(result.loc[C11, "answer"]) is True
    assert bool(result.loc[C12, "answer"]) is True
    assert bool(result.loc[D1, "answer"]) is False
    # D1: yes, no → 1 of 2 = 50 %, counts 1 and 2.
    assert result.loc[D1, "value"] == pytest.approx(50.0)
    assert (result.loc[D1, "numerator"], result.loc[D1, "denominator"]) == (1.0, 2.0)
    assert result.loc[D1, "origin"] == COMPUTED


def test_yes_no_computed_district_enters_province_as_a_percentage_only():
    result = evaluate(
        # D1 has no answer: its communes say yes and no → 1 of 2 = 50 %.
        fig(C11, 1),
        fig(C12, 0),
        # D2 answers yes itself (its communes' answers are overruled).
        fig(D2, 1),
        fig(C21, 0),
        rule=YES_NO,
    )
    p = result.loc[P]
    # Province = mean of percentages: D1 50 %, D2 yes = 100 % → 75 %.
    # Adding D1's commune counts to D2's answer would give (1 + 1) / (2 + 1) = 66.67 %.
    assert p["value"] == pytest.approx(75.0)
    assert p["value"] != pytest.approx(200 / 3)
    assert math.isnan(p["numerator"])
    assert math.isnan(p["denominator"])
    assert p["origin"] == COMPUTED
    assert (p["covered"], p["expected"]) == (2, 2)


def test_yes_no_two_computed_districts_mean_of_their_shares():
    result = evaluate(
        fig(C11, 1),
        fig(C12, 0),
        fig(C21, 1),
        fig(C22, 1),
        fig(C23, 1),
        rule=YES_NO,
    )
    # D1: 1 of 2 = 50 %; D2: 3 of 3 = 100 %. Province: mean (50 + 100) / 2 = 75 %, whereas
    # adding commune counts would give 4 of 5 = 80 %.
    assert result.loc[D1, "value"] == pytest.approx(50.0)
    assert result.loc[D2, "value"] == pytest.approx(100.0)
    assert result.loc[P, "value"] == pytest.approx(75.0)
    assert math.isnan(result.loc[P, "numerator"])


def test_yes_no_communes_scope_adds_commune_answers_across_districts():
    result = evaluate(
        fig(C11, 1),
        fig(C12, 0),
        fig(C21, 1),
        fig(C22, 1),
        fig(C23, 1),
        scope="communes",
        rule=YES_NO,
    )
    # For the province's communes the answers are of one tier and add up:
    # D1 1 of 2, D2 3 of 3 → 4 of 5 = 80 %.
    p = result.loc[P]
    assert p["value"] == pytest.approx(80.0)
    assert (p["numerator"], p["denominator"]) == (4.0, 5.0)
    assert (p["covered"], p["expected"]) == (5, 5)


# --- evaluate_tree: agency scopes -------------------------------------------------------

# Agencies: three departments of the province (A3 without a figure), an office of the
# province, a department of D1, an office of each district.
A1, A2, A3, A_OFFICE_P, A_DEPT_D1, A_OFFICE_D1, A_OFFICE_D2 = 1, 2, 3, 4, 5, 6, 7


def agencies() -> pd.DataFrame:
    return agencies_frame(
        [
            (A1, P, "department"),
            (A2, P, "department"),
            (A3, P, "department"),
            (A_OFFICE_P, P, "office"),
            (A_DEPT_D1, D1, "department"),
            (A_OFFICE_D1, D1, "office"),
            (A_OFFICE_D2, D2, "office"),
        ]
    )


def agency_figures() -> list[dict]:
    def agency_fig(agency_id, unit_id, kind, value, num, den):
        return fig(unit_id, value, num, den, agency_id=agency_id, agency_kind=kind)

    return [
        agency_fig(A1, P, "department", 80.0, 8, 10),
        agency_fig(A2, P, "department", 50.0, 3, 6),
        agency_fig(A_OFFICE_P, P, "office", 0.0, 0, 5),
        agency_fig(A_DEPT_D1, D1, "department", 25.0, 1, 4),
        agency_fig(A_OFFICE_D1, D1, "office", 100.0, 2, 2),
        agency_fig(A_OFFICE_D2, D2, "office", 50.0, 1, 2),
        # Units' own figures for self, to be ignored by the agency scopes.
        fig(P, 1.0, 1, 100),
        fig(D1, 1.0, 1, 100),
    ]


def test_departments_counts_departments_of_the_province_only():
    result = evaluate(*agency_figures(), scope="departments", agencies=agencies())
    p = result.loc[P]
    # A1 8 of 10 and A2 3 of 6 → 11/16 = 68.75 %; the province's office and D1's
    # department do not count; A3 has no figure.
    assert p["node_scope"] == "departments"
    assert p["origin"] == COMPUTED
    assert p["value"] == pytest.approx(68.75)
    assert (p["numerator"], p["denominator"]) == (11.0, 16.0)
    # Three departments expected, two covered.
    assert (p["covered"], p["expected"]) == (2, 3)
    assert p["coverage_level"] == AGENCY
    # Districts and communes have no departments.
    assert result.loc[D1, "origin"] == NO_DATA
    assert result.loc[D1, "expected"] == 0
    assert result.loc[C11, "expected"] == 0


def test_departments_province_own_figure_wins():
    figures = [*agency_figures(), fig(P, 90.0, 9, 10, scope="departments")]
    result = evaluate(*figures, scope="departments", agencies=agencies())
    p = result.loc[P]
    # The province's own figure for its departments: 90 %, covering all 3 departments.
    assert p["origin"] == REPORTED
    assert p["value"] == pytest.approx(90.0)
    assert (p["covered"], p["expected"]) == (3, 3)
    assert p["figure_id"] == len(figures)


def test_single_department_member_value_is_its_own_figure():
    one = agencies_frame([(A1, P, "department")])
    result = evaluate(
        fig(P, 80.0, 8, 10, agency_id=A1, agency_kind="department"),
        scope="departments",
        agencies=one,
    )
    # The only member is A1's own (self) figure: 8 of 10 = 80 %.
    assert result.loc[P, "value"] == pytest.approx(80.0)
    assert (result.loc[P, "numerator"], result.loc[P, "denominator"]) == (8.0, 10.0)
    assert (result.loc[P, "covered"], result.loc[P, "expected"]) == (1, 1)


def test_agency_figure_for_another_scope_is_not_a_member():
    one = agencies_frame([(A1, P, "department")])
    result = evaluate(
        fig(P, 80.0, 8, 10, agency_id=A1, agency_kind="department", scope="communes"),
        scope="departments",
        agencies=one,
    )
    # Only an agency's "self" figure is its value as a member: none here.
    assert math.isnan(result.loc[P, "value"])
    assert (result.loc[P, "covered"], result.loc[P, "expected"]) == (0, 1)


def test_district_offices_counts_offices_of_districts():
    result = evaluate(*agency_figures(), scope="district_offices", agencies=agencies())
    # D1: its office 2 of 2 = 100 % (its department does not count); D2: office 1 of 2.
    assert result.loc[D1, "value"] == pytest.approx(100.0)
    assert (result.loc[D1, "covered"], result.loc[D1, "expected"]) == (1, 1)
    assert result.loc[D2, "value"] == pytest.approx(50.0)
    # Province: its own office does not count; the districts' offices pass through:
    # (2 + 1) / (2 + 2) = 75 %, 2 of 2 offices.
    p = result.loc[P]
    assert p["value"] == pytest.approx(75.0)
    assert (p["covered"], p["expected"]) == (2, 2)
    assert p["coverage_level"] == AGENCY


def test_all_agencies_counts_every_agency_in_the_subtree():
    result = evaluate(*agency_figures(), scope="all_agencies", agencies=agencies())
    # D1: department 1 of 4 and office 2 of 2 → 3/6 = 50 %; D2: office 1 of 2.
    assert result.loc[D1, "value"] == pytest.approx(50.0)
    assert result.loc[D2, "value"] == pytest.approx(50.0)
    # Province: its own 4 agencies (8/10, 3/6, none, 0/5) and the districts' (3/6, 1/2):
    # A3 has no figure, so the others are all counted → (8 + 3 + 0 + 3 + 1) / (10 + 6 + 5
    # + 6 + 2) = 15/29.
    p = result.loc[P]
    assert p["value"] == pytest.approx(100 * 15 / 29)
    assert (p["numerator"], p["denominator"]) == (15.0, 29.0)
    # Agencies expected: 4 of the province + 2 of D1 + 1 of D2 = 7; covered 6 (not A3).
    assert (p["covered"], p["expected"]) == (6, 7)


# --- evaluate_tree: People's Committee --------------------------------------------------

COMMITTEE_D2 = 8


def committee_figure(value: float, num: float, den: float) -> dict:
    return fig(D2, value, num, den, agency_id=COMMITTEE_D2, agency_kind="peoples_committee")


def test_peoples_committee_stands_for_its_unit_without_a_figure():
    result = evaluate(
        committee_figure(30.0, 3, 10),
        fig(C21, 75.0, 3, 4),
        fig(C22, 100 / 6, 1, 6),
        fig(D1, 75.0, 9, 12),
    )
    d2 = result.loc[D2]
    # D2 has no figure of its own: its People's Committee's 3 of 10 = 30 % is D2's,
    # not 4 of 10 = 40 % computed from its communes.
    assert d2["origin"] == REPORTED
    assert d2["value"] == pytest.approx(30.0)
    assert (d2["numerator"], d2["denominator"]) == (3.0, 10.0)
    assert d2["figure_id"] == 1
    assert (d2["covered"], d2["expected"]) == (3, 3)
    # Province: D1 9 of 12 and D2 3 of 10 → 12/22 = 54.55 %.
    assert result.loc[P, "value"] == pytest.approx(100 * 12 / 22)


def test_peoples_committee_does_not_stand_for_a_unit_with_its_own_figure():
    result = evaluate(
        committee_figure(30.0, 3, 10),
        fig(D2, 60.0, 6, 10),
        fig(C21, 75.0, 3, 4),
    )
    d2 = result.loc[D2]
    # D2's own 6 of 10 = 60 % wins over its committee's 30 %.
    assert d2["origin"] == REPORTED
    assert d2["value"] == pytest.approx(60.0)
    assert d2["figure_id"] == 2


def test_peoples_committee_does_not_stand_for_a_tier():
    result = evaluate(
        committee_figure(30.0, 3, 10),
        fig(C21, 75.0, 3, 4),
        fig(C22, 100 / 6, 1, 6),
        scope="communes",
    )
    # For D2's communes the committee's own figure is not a tier figure: 4 of 10 = 40 %.
    assert result.loc[D2, "origin"] == COMPUTED
    assert result.loc[D2, "value"] == pytest.approx(40.0)


def test_other_agency_self_figure_does_not_stand_for_its_unit():
    result = evaluate(
        fig(D2, 30.0, 3, 10, agency_id=A_OFFICE_D2, agency_kind="office"),
        fig(C21, 75.0, 3, 4),
        fig(C22, 100 / 6, 1, 6),
    )
    # Only a People's Committee speaks for its unit; D2 stays computed at 40 %.
    assert result.loc[D2, "origin"] == COMPUTED
    assert result.loc[D2, "value"] == pytest.approx(40.0)


def test_result_columns():
    result = evaluate(fig(C11, 50.0, 1, 2))
    assert list(result.columns) == [
        "parent_id",
        "level",
        "node_scope",
        "value",
        "numerator",
        "denominator",
        "answer",
        "origin",
        "covered",
        "expected",
        "coverage_level",
        "figure_id",
        "figure_period",
        "source",
        "percent_only",
    ]
    assert result.index.name == "id"
    assert np.isnan(result.loc[C12, "value"])


# --- keys: int64, never floats (issue 17, item 4) ---------------------------------------


def test_ids_and_keys_are_int64_and_a_top_has_no_parent():
    result = evaluate(*self_scope_figures())
    assert result.index.dtype == np.int64
    assert result["parent_id"].dtype == np.int64
    assert result.loc[C11, "parent_id"] == D1


def test_in_slots_moves_ids_into_int64_slots_and_a_missing_parent_to_no_parent():
    slotted = in_slots(tree(), [1, 2], ("id", "parent_id"))
    assert slotted["id"].dtype == slotted["parent_id"].dtype == np.int64
    top = slotted[slotted["id"] == 2 * SLOT + P].iloc[0]
    assert top["parent_id"] == 2 * SLOT + NO_PARENT
    assert not slotted["id"].isin(slotted["parent_id"][slotted["level"] == "province"]).any()


@pytest.mark.parametrize("scope", ["departments", "district_offices", "all_agencies", "self"])
def test_indicators_in_slots_give_what_each_gives_alone(scope):
    """evaluate_tops walks several indicators at once, each in a slot (agencies' figures
    found by their unit's slot): the same nodes as each indicator's walk alone."""
    first = figures_frame(*agency_figures()).assign(indicator_id=71)
    second = figures_frame(*self_scope_figures(), *agency_figures()[2:5]).assign(indicator_id=72)
    rules = {71: RATIO, 72: SUM}
    slotted = evaluate_tops(
        tree(),
        pd.concat([first, second], ignore_index=True),
        scope=scope,
        rules=rules,
        tops=[P, D1, D2],
        agencies=agencies(),
    )
    for indicator_id, figures in ((71, first), (72, second)):
        alone = evaluate_tree(
            tree(), figures, scope=scope, rule=rules[indicator_id], agencies=agencies()
        )
        for top in (P, D1, D2):
            got, want = slotted[indicator_id][top], alone.loc[top]
            for column in ("value", "numerator", "denominator", "covered", "expected"):
                assert got[column] == pytest.approx(want[column], nan_ok=True), (top, column)
            for column in ("origin", "coverage_level"):
                assert got[column] == want[column], (top, column)
