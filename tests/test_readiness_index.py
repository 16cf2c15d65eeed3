"""The readiness index (reports/index.py, decision 0016) on cases worked out by hand: every
number below is computed in the comment beside it. No database."""

import math
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.index import (
    MIN_COVERAGE,
    IndicatorSpec,
    _scores,
    indicator_score,
    normalise_all,
    rank,
    ranked,
    readiness_index,
    shown,
)

NAN = float("nan")

# A commune's catalogue cut to ten indicators (the API test uses the same cut on the real one).
HO_XA_SPECS = [
    IndicatorSpec("INF_LAN", "infrastructure", "boolean"),
    IndicatorSpec("INF_BROADBAND", "infrastructure", "boolean"),
    IndicatorSpec("INF_PC_EQUIPPED", "infrastructure", "ratio"),
    IndicatorSpec("INF_ONLINE_MEETING", "infrastructure", "boolean"),
    IndicatorSpec("INF_PC_INTERNET", "infrastructure", "ratio"),
    IndicatorSpec("APP_EDOC_EXCHANGE", "internal_apps", "ratio"),
    IndicatorSpec("APP_DIGSIG_DOCS", "internal_apps", "ratio"),
    IndicatorSpec("APP_OFFICIAL_EMAIL", "internal_apps", "boolean"),
    IndicatorSpec("SEC_ANTIVIRUS", "security", "ratio"),
    IndicatorSpec("SEC_LEVEL_APPROVED", "security", "ratio"),
    IndicatorSpec("HR_IT_STAFF", "human_resources", "count"),  # no target: not scored
]
# Figures of 49–90 % (a yes/no answer as 100 or 0, as analytics.percent_values gives it).
HO_XA = {
    "INF_LAN": 100.0,
    "INF_BROADBAND": 100.0,
    "INF_PC_EQUIPPED": 90.0,
    "INF_ONLINE_MEETING": 0.0,
    "APP_EDOC_EXCHANGE": 49.0,
    "APP_DIGSIG_DOCS": 70.0,
    "SEC_ANTIVIRUS": 85.0,
    "HR_IT_STAFF": 2.0,
}


def frame(**rows: dict) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", dtype=float)


# --- one indicator against its reference ----------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        # A percentage against 100 %: Vĩnh Linh's 70 % of documents signed scores 0.7.
        (IndicatorSpec("DOCS", "p", "ratio"), 70.0, 0.7),
        (IndicatorSpec("DOCS", "p", "ratio"), 49.0, 0.49),
        (IndicatorSpec("DOCS", "p", "ratio"), 0.0, 0.0),
        (IndicatorSpec("DOCS", "p", "ratio"), 104.0, 1.0),  # capped
        # Yes/no: a unit's own answer (100 or 0), or the share of yes of the units below.
        (IndicatorSpec("LAN", "p", "boolean"), 100.0, 1.0),
        (IndicatorSpec("LAN", "p", "boolean"), 0.0, 0.0),
        (IndicatorSpec("LAN", "p", "boolean"), 62.5, 0.625),
        # A plan target is not a percentage's reference: 70 % against a target of 60 is 0.7.
        (IndicatorSpec("DOCS", "p", "ratio", target=60.0), 70.0, 0.7),
        # Lower is better, as a percentage: 20 % of failures scores 1 − 20/100 = 0.8.
        (IndicatorSpec("FAILED", "p", "ratio", higher_is_better=False), 20.0, 0.8),
        # A count against its plan target: 2 meetings of 4 = 0.5; 6 of 4 is capped at 1.
        (IndicatorSpec("MEETINGS", "p", "count", target=4.0), 2.0, 0.5),
        (IndicatorSpec("MEETINGS", "p", "count", target=4.0), 6.0, 1.0),
        # A lower-is-better count: at most the target scores 1; 4 incidents for 2: 2/4.
        (IndicatorSpec("INCIDENTS", "p", "count", False, target=2.0), 1.0, 1.0),
        (IndicatorSpec("INCIDENTS", "p", "count", False, target=2.0), 4.0, 0.5),
        # …and a target of zero is met (1) or not (0).
        (IndicatorSpec("INCIDENTS", "p", "count", False, target=0.0), 0.0, 1.0),
        (IndicatorSpec("INCIDENTS", "p", "count", False, target=0.0), 3.0, 0.0),
        # An amount against its target: 150 million VND of 600 = 0.25.
        (IndicatorSpec("BUDGET", "p", "amount", target=600e6), 150e6, 0.25),
    ],
)
def test_each_value_is_scored_against_its_stated_reference(spec, value, expected):
    assert indicator_score(value, spec) == pytest.approx(expected)


@pytest.mark.parametrize(
    "spec",
    [
        IndicatorSpec("STAFF", "p", "count"),  # no target
        IndicatorSpec("BUDGET", "p", "amount"),
        IndicatorSpec("STAFF", "p", "count", target=0.0),  # "at least nothing"
    ],
)
def test_a_count_or_amount_without_a_target_is_not_scored(spec):
    assert not spec.is_scored
    assert indicator_score(12.0, spec) is None
    assert list(normalise_all(frame(A={"STAFF": 12.0, "BUDGET": 1e9}), [spec]).columns) == []


def test_a_lone_reporter_scores_its_values_not_one():
    """The old index scored min–max across the units compared: a unit alone got 1.0 for any
    value (Vĩnh Linh's 70 % scored 100). Now the score is the value's, alone or not."""
    specs = [IndicatorSpec("APP_DIGSIG_DOCS", "internal_apps", "ratio")]
    alone = normalise_all(frame(VL={"APP_DIGSIG_DOCS": 70.0}), specs)
    assert alone.loc["VL", "APP_DIGSIG_DOCS"] == pytest.approx(0.7)
    with_others = normalise_all(
        frame(VL={"APP_DIGSIG_DOCS": 70.0}, CD={"APP_DIGSIG_DOCS": 90.0}), specs
    )
    assert list(with_others["APP_DIGSIG_DOCS"]) == pytest.approx([0.7, 0.9])


def test_missing_values_stay_missing():
    specs = [IndicatorSpec("A", "p"), IndicatorSpec("B", "p")]
    scores = normalise_all(frame(X={"A": 50.0}), specs)  # B is not even a column
    assert scores.loc["X", "A"] == 0.5
    assert math.isnan(scores.loc["X", "B"])


# --- pillars, coverage and the total: Hồ Xá by hand -----------------------------------------


def test_ho_xa_pillars_score_only_with_enough_coverage():
    result = readiness_index(frame(HX=HO_XA), HO_XA_SPECS, {}).results({"HX": "Hồ Xá"})[0]
    d = result.details
    # Infrastructure: 4 of 5 indicators have a value (80 % ≥ 60 %):
    #   (1 + 1 + 0.9 + 0) / 4 = 0.725 → 72.5.
    assert (d["infrastructure"].counted, d["infrastructure"].applicable) == (4, 5)
    assert shown(d["infrastructure"].score) == Decimal("72.5")
    assert shown(d["infrastructure"].coverage) == Decimal("80.0")
    # Internal applications: 2 of 3 (66.7 %): (0.49 + 0.70) / 2 = 0.595 → 59.5.
    assert shown(d["internal_apps"].score) == Decimal("59.5")
    assert shown(d["internal_apps"].coverage) == Decimal("66.7")
    # Security: 1 of 2 (50 % < 60 %): no score, whatever the 85 % it has.
    assert d["security"].score is None
    assert shown(d["security"].coverage) == Decimal("50.0")
    # Human resources: its one indicator is a count without a target, not scored: no pillar.
    assert "human_resources" not in d
    # The total needs every pillar: none. Its coverage, equal weights:
    #   (0.8 + 0.6667 + 0.5) / 3 = 0.6556 → 65.6.
    assert result.index is None
    assert shown(result.coverage) == Decimal("65.6")


def test_ho_xa_gets_a_total_once_every_pillar_is_covered():
    values = frame(HX={**HO_XA, "SEC_LEVEL_APPROVED": 60.0})
    result = readiness_index(values, HO_XA_SPECS, {}).results({"HX": "Hồ Xá"})[0]
    # Security: (0.85 + 0.60) / 2 = 0.725. Total: (0.725 + 0.595 + 0.725) / 3 = 0.6817 → 68.2
    # (not 100: the old index gave a lone reporter 100 in every pillar).
    assert shown(result.pillars["security"]) == Decimal("72.5")
    assert shown(result.index) == Decimal("68.2")
    # Coverage: (0.8 + 0.6667 + 1) / 3 = 0.8222 → 82.2.
    assert shown(result.coverage) == Decimal("82.2")


def test_pillar_weights_weigh_the_total():
    values = frame(HX={**HO_XA, "SEC_LEVEL_APPROVED": 60.0})
    result = readiness_index(values, HO_XA_SPECS, {"infrastructure": 2}).results({"HX": 1})[0]
    # (2 × 0.725 + 0.595 + 0.725) / 4 = 0.6925 → 69.25, shown 69.3 (halves up).
    assert result.index == pytest.approx(0.6925)
    assert shown(result.index) == Decimal("69.3")
    # Coverage weighted alike: (2 × 0.8 + 0.6667 + 1) / 4 = 0.8167 → 81.7.
    assert shown(result.coverage) == Decimal("81.7")


def test_a_pillar_of_weight_zero_is_left_out_of_the_total():
    # Security weighs nothing: its missing score no longer withholds the total.
    result = readiness_index(frame(HX=HO_XA), HO_XA_SPECS, {"security": 0}).results({"HX": 1})[0]
    # (0.725 + 0.595) / 2 = 0.66 → 66.0; coverage (0.8 + 0.6667) / 2 = 0.7333 → 73.3.
    assert shown(result.index) == Decimal("66.0")
    assert shown(result.coverage) == Decimal("73.3")
    assert result.pillars["security"] is None  # still shown, unscored


@pytest.mark.parametrize(
    ("present", "scored"),
    [(5, True), (3, True), (2, False), (0, False)],  # 3 of 5 is exactly 60 %
)
def test_the_minimum_coverage_is_three_of_five(present, scored):
    assert MIN_COVERAGE == 0.6
    specs = [IndicatorSpec(f"I{n}", "p") for n in range(5)]
    values = frame(U={f"I{n}": 80.0 for n in range(present)} or {"I0": NAN})
    result = readiness_index(values, specs, {}).results({"U": 1})[0]
    assert result.details["p"].coverage == pytest.approx(present / 5)
    assert (result.pillars["p"] == pytest.approx(0.8)) if scored else result.pillars["p"] is None
    assert (result.index is not None) == scored


def test_vinh_linh_2020q4_scores_nothing():
    """Vĩnh Linh's five figures of its own for 2020Q4 against the district catalogue of 2020
    (9, 7, 14, 10, 3 and 2 scored indicators by pillar when this was written; the API test
    reads the catalogue itself): no pillar reaches 60 %."""
    sizes = {
        "infrastructure": 9,
        "human_resources": 7,
        "internal_apps": 14,
        "public_services": 10,
        "information": 3,
        "security": 2,
    }
    specs = [IndicatorSpec(f"{p}{n}", p) for p, size in sizes.items() for n in range(size)]
    values = frame(
        VL={
            "infrastructure0": 100.0,  # INF_ONLINE_MEETING: yes
            "human_resources0": 100.0,  # HR_COMPUTER_USE: 100 %
            "internal_apps0": 70.0,  # APP_DIGSIG_DOCS: 70 %
            "internal_apps1": 100.0,  # APP_DIGSIG_LEADERS: yes
            "information0": 100.0,  # WEB_PORTAL: yes
        }
    )
    result = readiness_index(values, specs, {}).results({"VL": 1})[0]
    assert result.index is None
    assert all(score is None for score in result.pillars.values())
    # 1/9, 1/7, 2/14, 0, 1/3, 0 → 11.1, 14.3, 14.3, 0.0, 33.3, 0.0; the total their mean:
    # (0.1111 + 0.1429 + 0.1429 + 0 + 0.3333 + 0) / 6 = 0.1217 → 12.2.
    assert [shown(d.coverage) for d in result.details.values()] == [
        Decimal(x) for x in ("11.1", "14.3", "14.3", "0.0", "33.3", "0.0")
    ]
    assert shown(result.coverage) == Decimal("12.2")


def test_nothing_to_score_gives_no_index_and_no_coverage():
    scores = readiness_index(frame(Z={"X": 1.0}), [IndicatorSpec("X", "p", "count")], {})
    result = scores.results({"Z": "z"})[0]
    assert (result.index, result.coverage, result.details) == (None, None, {})


# --- shown, rank, ranked ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fraction", "text"),
    [(0.725, "72.5"), (0.635, "63.5"), (0.6925, "69.3"), (0.1279762, "12.8"), (1.0, "100.0")],
)
def test_shown_is_0_to_100_with_one_decimal_halves_up(fraction, text):
    assert shown(fraction) == Decimal(text)


def test_shown_keeps_nothing_as_nothing():
    assert shown(None) is None
    assert shown(NAN) is None


def test_ranks_share_ties_and_skip_units_without_values():
    ranks = rank(pd.Series([0.5, 0.9, 0.5, NAN], index=list("ABCD")))
    assert list(ranks[:3]) == [2, 1, 2]
    assert math.isnan(ranks["D"])


def test_ranked_reports_rank_changes_best_first_and_unranked_last():
    specs = [IndicatorSpec("A", "p"), IndicatorSpec("B", "p")]
    now = readiness_index(
        frame(
            X={"A": 50.0, "B": 70.0},  # 0.6
            Y={"A": 90.0, "B": 90.0},  # 0.9
            Z={"A": 40.0},  # 1 of 2: 50 % < 60 %, unranked
            W={"A": 60.0, "B": 60.0},  # 0.6, tied with X
        ),
        specs,
        {},
    )
    before = readiness_index(
        frame(X={"A": 100.0, "B": 100.0}, Y={"A": 10.0, "B": 10.0}, Z={}, W={}), specs, {}
    )
    results = ranked(now, before, {k: k.lower() for k in "XYZW"})
    assert [(r.key, r.rank, r.previous_rank, r.rank_change) for r in results] == [
        ("y", 1, 2, 1),
        ("x", 2, 1, -1),
        ("w", 2, None, None),
        ("z", None, None, None),
    ]


def test_normalise_all_scores_each_column_as_scores_does():
    """normalise_all works on numpy columns; it must give _scores' results exactly, for every
    kind of spec, with missing, zero, negative and out-of-range values."""
    specs = [
        IndicatorSpec("A", "p", "ratio"),
        IndicatorSpec("B", "p", "boolean", higher_is_better=False),
        IndicatorSpec("C", "p", "count", target=40),
        IndicatorSpec("D", "p", "amount", higher_is_better=False, target=25),
        IndicatorSpec("E", "p", "count", higher_is_better=False, target=0),
        IndicatorSpec("F", "p", "count"),  # no target: not scored, no column
    ]
    column = [0.0, 12.5, 100.0, 140.0, -3.0, float("nan"), 25.0, 26.0, 1e12]
    values = pd.DataFrame({code: column for code in "ABCDEF"}, index=range(100, 109))
    values = values.drop(columns=["C"]).assign(G=1.0)  # C missing: a column of NaN

    scores = normalise_all(values, specs)

    assert list(scores.columns) == ["A", "B", "C", "D", "E"]
    for spec in specs[:5]:
        source = values[spec.code] if spec.code in values else pd.Series(float("nan"), values.index)
        expected = _scores(source, spec)
        pd.testing.assert_series_equal(scores[spec.code], expected, check_names=False)


# --- the arrays against pandas -------------------------------------------------------------
# readiness_index computes on numpy arrays, adding in the order pandas adds (index._row_sums).
# Its results must be those of the plain pandas formulation below, which it replaced (issue
# 17), to the last bit: a pandas upgrade that changes its order of addition fails here.


def _pandas_index(values, specs, weights, min_coverage=MIN_COVERAGE):
    """The readiness index as pandas computes it, column by column (the former code)."""
    scores = normalise_all(values, specs)
    pillars = list(dict.fromkeys(s.pillar for s in specs if s.is_scored))
    by_score, by_coverage, by_counted = {}, {}, {}
    for pillar in pillars:
        codes = [s.code for s in specs if s.pillar == pillar and s.is_scored]
        present = scores[codes].notna().sum(axis=1)
        share = present / len(codes)
        by_counted[pillar] = present.astype(int)
        by_coverage[pillar] = share
        by_score[pillar] = scores[codes].mean(axis=1).where(share >= min_coverage - 1e-9)
    score = pd.DataFrame(by_score, index=values.index, columns=pillars, dtype=float)
    coverage = pd.DataFrame(by_coverage, index=values.index, columns=pillars, dtype=float)
    counted = pd.DataFrame(by_counted, index=values.index, columns=pillars, dtype=int)
    weight = pd.Series({p: float(weights.get(p, 1.0)) for p in pillars}, dtype=float)
    weighing = [p for p in pillars if weight[p] > 0]
    if not weighing:
        return score, coverage, counted, None, None
    total = weight[weighing].sum()
    total_coverage = coverage[weighing].mul(weight[weighing], axis=1).sum(axis=1) / total
    weighted = score[weighing].mul(weight[weighing], axis=1).sum(axis=1) / total
    return (
        score,
        coverage,
        counted,
        weighted.where(score[weighing].notna().all(axis=1)),
        (total_coverage),
    )


_PILLARS = ["infrastructure", "human_resources", "internal_apps", "public_services", "security"]


@st.composite
def _index_inputs(draw):
    specs = []
    for j in range(draw(st.integers(1, 30))):
        kind = draw(st.sampled_from(["ratio", "boolean", "count"]))
        target = None if kind != "count" else draw(st.none() | st.integers(0, 40).map(float))
        better = draw(st.booleans())
        specs.append(IndicatorSpec(f"I{j}", draw(st.sampled_from(_PILLARS)), kind, better, target))
    rows = draw(st.integers(1, 40))
    cell = st.none() | st.integers(0, 15000).map(lambda n: n / 100)  # 0–150, as figures
    cells = draw(
        st.lists(
            st.lists(cell, min_size=len(specs), max_size=len(specs)), min_size=rows, max_size=rows
        )
    )
    values = pd.DataFrame(
        [[NAN if c is None else c for c in row] for row in cells],
        index=pd.Index(range(rows)),
        columns=[s.code for s in specs],
        dtype=float,
    )
    weights = draw(
        st.dictionaries(st.sampled_from(_PILLARS), st.sampled_from([0.0, 0.5, 1.0, 3.3]))
    )
    return values, specs, weights


@settings(max_examples=150, deadline=None)
@given(_index_inputs())
def test_readiness_index_is_pandas_to_the_last_bit(case):
    values, specs, weights = case
    found = readiness_index(values, specs, weights)
    score, coverage, counted, index, total_coverage = _pandas_index(values, specs, weights)
    pd.testing.assert_frame_equal(found.score, score, check_exact=True)
    pd.testing.assert_frame_equal(found.coverage, coverage, check_exact=True)
    pd.testing.assert_frame_equal(found.counted, counted, check_exact=True)
    if index is None:
        assert found.index.isna().all() and found.total_coverage.isna().all()
    else:
        pd.testing.assert_series_equal(found.index, index, check_exact=True, check_names=False)
        pd.testing.assert_series_equal(
            found.total_coverage, total_coverage, check_exact=True, check_names=False
        )
