"""Properties that must hold for every input, checked with Hypothesis on the pure modules
(indicators/periods.py, indicators/importing.normalise_period, indicators/rollup.py); no
database.

- Periods: an id parses to a period whose id is the same text; every accepted spelling of a
  period (2021Q3, Q3/2021, Quý III/2021, 07/2021, …) names the same period.
- Roll-up: a ratio or a mean rolled up from parts lies between the parts' smallest and
  largest; coverage never exceeds the units in scope; the same figures in any order give the
  same values.
"""

import math
from datetime import date

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.importing import normalise_period
from indicators.periods import (
    MAX_YEAR,
    MIN_YEAR,
    PeriodKind,
    enclosing,
    parse_period,
    period_next,
    period_of,
    period_previous,
    periods_within,
)
from indicators.rollup import (
    COMPUTED,
    MEMBER_COLUMNS,
    NO_DATA,
    REPORTED,
    Rule,
    combine,
    evaluate_tree,
)

# Bounded and the same on every run: CI sees the examples a developer saw. A tree costs a
# pandas evaluation per example, so trees get fewer.
PROPERTY = settings(max_examples=100, deadline=None, derandomize=True)
TREE_PROPERTY = settings(max_examples=50, deadline=None, derandomize=True)

# --- periods ------------------------------------------------------------------------------

kinds = st.sampled_from(list(PeriodKind))
years = st.integers(MIN_YEAR, MAX_YEAR)


@st.composite
def periods(draw):
    kind = draw(kinds)
    index = draw(st.integers(1, kind.per_year))
    year = draw(years)
    return period_of(kind, date(year, (index - 1) * kind.months + 1, 1))


@PROPERTY
@given(periods())
def test_a_period_id_round_trips(period):
    again = parse_period(period.id)
    assert again == period
    assert (again.id, again.kind, again.start, again.end) == (
        period.id,
        period.kind,
        period.start,
        period.end,
    )
    assert str(again) == period.id


@PROPERTY
@given(periods(), st.sampled_from(["", " ", "\t", "  \n"]), st.booleans())
def test_case_and_surrounding_whitespace_do_not_change_the_period(period, space, lower):
    text = period.id.lower() if lower else period.id
    assert parse_period(f"{space}{text}{space}") == period


@PROPERTY
@given(st.dates(date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)), kinds)
def test_every_day_lies_in_exactly_the_period_of_its_kind(day, kind):
    period = period_of(kind, day)
    assert period.contains_date(day)
    assert parse_period(period.id) == period
    # The year is the widest period: it holds this one, and this one holds its parts.
    assert enclosing(period, PeriodKind.YEAR).contains(period)
    parts = periods_within(period, PeriodKind.MONTH)
    assert parts[0].start == period.start
    assert parts[-1].end == period.end
    assert sum(p.end.toordinal() - p.start.toordinal() + 1 for p in parts) == (
        period.end.toordinal() - period.start.toordinal() + 1
    )


@PROPERTY
@given(periods())
def test_next_and_previous_are_inverse_and_adjacent(period):
    if period.start.year < MAX_YEAR:
        after = period_next(period)
        assert period_previous(after) == period
        assert after.start.toordinal() == period.end.toordinal() + 1
    if period.start.year > MIN_YEAR:
        before = period_previous(period)
        assert period_next(before) == period
        assert before.end.toordinal() + 1 == period.start.toordinal()


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@st.composite
def spellings(draw):
    """A period and one of the ways officials write it in their sheets."""
    period = draw(periods())
    year, index = period.year, period.index
    if period.kind is PeriodKind.YEAR:
        options = [str(year)]
    elif period.kind is PeriodKind.HALF:
        options = [f"{year}S{index}", f"S{index}/{year}", f"H{index} {year}", f"{year}-H{index}"]
    elif period.kind is PeriodKind.QUARTER:
        options = [
            f"{year}Q{index}",
            f"{year}q{index}",
            f"Q{index}/{year}",
            f"{year}-Q{index}",
            f"Quý {index}/{year}",
            f"quý {ROMAN[index]}/{year}",
            f"QUÝ {ROMAN[index]} - {year}",
        ]
    else:
        options = [
            f"{year}{index:02d}",
            f"{year}-{index:02d}",
            f"{year}/{index}",
            f"{index:02d}/{year}",
            f"{index}/{year}",
            f"tháng {index}/{year}",
            f"Tháng {index:02d}/{year}",
        ]
    text = draw(st.sampled_from(options))
    padding = draw(st.sampled_from(["", " ", "  "]))
    return period, f"{padding}{text}{padding}"


@PROPERTY
@given(spellings())
def test_every_accepted_spelling_normalises_to_the_same_id(case):
    period, text = case
    assert normalise_period(text) == period.id
    assert parse_period(normalise_period(text)) == period


# --- roll-up ------------------------------------------------------------------------------

KEYS = ("a", "b", "c")


@st.composite
def counted_parts(draw, *, min_size=1):
    """Parts of a ratio: x of n with 0 ≤ x ≤ n, n > 0, and their percentage."""
    rows = []
    for _ in range(draw(st.integers(min_size, 12))):
        denominator = draw(st.integers(1, 10_000))
        numerator = draw(st.integers(0, denominator))
        rows.append(
            {
                "key": draw(st.sampled_from(KEYS)),
                "value": 100.0 * numerator / denominator,
                "numerator": float(numerator),
                "denominator": float(denominator),
            }
        )
    return rows


@st.composite
def mixed_parts(draw):
    """Parts where some give their counts and some only a percentage (or nothing)."""
    rows = draw(counted_parts())
    for row in rows:
        choice = draw(st.sampled_from(["counts", "percentage", "empty"]))
        if choice == "percentage":
            row["numerator"] = row["denominator"] = math.nan
        elif choice == "empty":
            row.update(value=math.nan, numerator=math.nan, denominator=math.nan)
    return rows


def members(rows: list[dict]) -> pd.DataFrame:
    full = [
        {
            "answer": False,
            "covered": 0 if math.isnan(row["value"]) else 1,
            "expected": 1,
            **row,
        }
        for row in rows
    ]
    return pd.DataFrame(full, columns=MEMBER_COLUMNS)


def within(value: float, low: float, high: float) -> bool:
    slack = 1e-9 * max(1.0, abs(low), abs(high))
    return low - slack <= value <= high + slack


@PROPERTY
@given(st.one_of(counted_parts(), mixed_parts()), st.sampled_from(["ratio_of_sums", "mean"]))
def test_a_rolled_up_ratio_lies_between_its_parts(rows, rule):
    result = combine(members(rows), rule)
    for key, group in pd.DataFrame(rows).groupby("key"):
        values = group["value"].dropna()
        value = result.loc[key, "value"]
        if values.empty:
            assert math.isnan(value)
            continue
        assert within(value, values.min(), values.max()), (key, value, list(values))
        assert result.loc[key, "reporting"] == len(values)


@PROPERTY
@given(st.lists(st.tuples(st.sampled_from(KEYS), st.booleans()), min_size=1, max_size=20))
def test_a_share_of_yes_answers_lies_between_no_and_all(answers):
    frame = pd.DataFrame(
        [
            {
                "key": key,
                "value": 1.0 if yes else 0.0,
                "numerator": math.nan,
                "denominator": math.nan,
                "answer": True,
                "covered": 1,
                "expected": 1,
            }
            for key, yes in answers
        ],
        columns=MEMBER_COLUMNS,
    )
    result = combine(frame, "share_yes")
    for key in {key for key, _ in answers}:
        said = [yes for k, yes in answers if k == key]
        # Each answer is one of one: the share is the yes answers over all answers.
        assert result.loc[key, "value"] == 100.0 * sum(said) / len(said)
        assert 0.0 <= result.loc[key, "value"] <= 100.0
        assert result.loc[key, "denominator"] == len(said)


@PROPERTY
@given(st.one_of(counted_parts(), mixed_parts()), st.randoms(use_true_random=False))
def test_parts_in_any_order_combine_to_the_same_values(rows, random):
    rule = random.choice(["ratio_of_sums", "mean", "sum"])
    shuffled = list(rows)
    random.shuffle(shuffled)
    first = combine(members(rows), rule).sort_index()
    second = combine(members(shuffled), rule).sort_index()
    assert list(first.index) == list(second.index)
    for column in ("value", "numerator", "denominator"):
        assert np.allclose(first[column], second[column], rtol=1e-12, equal_nan=True)
    for column in ("covered", "expected", "reporting"):
        assert list(first[column]) == list(second[column])


# A tree: one province, up to four districts, up to five communes each; figures for any
# subset of the units (a ratio, with counts or as a percentage only).
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
RATIO = Rule(unit_rollup="ratio_of_sums", is_boolean=False)


@st.composite
def trees(draw):
    units = [(1, math.nan, "province")]
    for d in range(draw(st.integers(1, 4))):
        district = 10 * (d + 1)
        units.append((district, 1.0, "district"))
        for c in range(draw(st.integers(0, 5))):
            units.append((district * 10 + c + 1, float(district), "commune"))
    figures = []
    scope = draw(st.sampled_from(["self", "communes", "districts"]))
    for unit_id, _parent, level in units:
        # Officials report their own unit; a tier figure only from above the tier.
        own_scope = "self" if level == "commune" or draw(st.booleans()) else scope
        if not draw(st.booleans()):
            continue
        denominator = draw(st.integers(1, 500))
        numerator = draw(st.integers(0, denominator))
        with_counts = draw(st.booleans())
        figures.append(
            {
                "unit_id": unit_id,
                "agency_id": math.nan,
                "agency_kind": None,
                "scope": own_scope,
                "value": 100.0 * numerator / denominator,
                "numerator": float(numerator) if with_counts else math.nan,
                "denominator": float(denominator) if with_counts else math.nan,
                "figure_id": len(figures) + 1,
                "figure_period": "2024",
                "source": "",
            }
        )
    unit_frame = pd.DataFrame(units, columns=["id", "parent_id", "level"])
    figure_frame = pd.DataFrame(figures, columns=FIGURE_COLUMNS)
    for column in ("agency_id", "value", "numerator", "denominator"):
        figure_frame[column] = figure_frame[column].astype(float)
    return unit_frame, figure_frame, scope


def in_scope(units: pd.DataFrame, unit_id: int, scope: str) -> int:
    """How many units a node's coverage can count: its children for "self" (a unit with none
    counts itself), every unit of the tier below it for a tier scope."""
    children = units[units["parent_id"] == unit_id]
    if scope == "self":
        return max(len(children), 1)
    level = {"communes": "commune", "districts": "district"}[scope]
    below = children
    found = 0
    while not below.empty:
        found += int((below["level"] == level).sum())
        below = units[units["parent_id"].isin(below["id"])]
    return found


@TREE_PROPERTY
@given(trees())
def test_coverage_never_exceeds_the_units_in_scope(tree):
    units, figures, scope = tree
    nodes = evaluate_tree(units, figures, scope=scope, rule=RATIO)
    for unit_id, node in nodes.iterrows():
        level = units.set_index("id").loc[unit_id, "level"]
        assert 0 <= node["covered"] <= node["expected"], (unit_id, node.to_dict())
        if level == "commune":
            assert node["expected"] <= 1
        elif node["origin"] != REPORTED:
            assert node["expected"] <= in_scope(units, unit_id, node["node_scope"])


@TREE_PROPERTY
@given(trees())
def test_a_computed_ratio_lies_between_its_members(tree):
    units, figures, scope = tree
    nodes = evaluate_tree(units, figures, scope=scope, rule=RATIO)
    for unit_id, node in nodes[nodes["origin"] == COMPUTED].iterrows():
        children = nodes[nodes["parent_id"] == unit_id]
        # Whatever the scope, a node's members are its children's values (their own
        # figure, or what they computed in turn).
        values = children["value"].dropna()
        assert within(node["value"], values.min(), values.max()), (unit_id, list(values))
    for _unit_id, node in nodes[nodes["origin"] == NO_DATA].iterrows():
        assert math.isnan(node["value"])


@TREE_PROPERTY
@given(trees(), st.randoms(use_true_random=False))
def test_units_and_figures_in_any_order_give_the_same_tree(tree, random):
    units, figures, scope = tree
    first = evaluate_tree(units, figures, scope=scope, rule=RATIO).sort_index()
    order = list(range(len(units)))
    random.shuffle(order)
    figure_order = list(range(len(figures)))
    random.shuffle(figure_order)
    second = evaluate_tree(
        units.iloc[order].reset_index(drop=True),
        figures.iloc[figure_order].reset_index(drop=True),
        scope=scope,
        rule=RATIO,
    ).sort_index()
    assert list(first.index) == list(second.index)
    for column in ("value", "numerator", "denominator"):
        assert np.allclose(
            first[column].astype(float), second[column].astype(float), rtol=1e-12, equal_nan=True
        )
    for column in ("covered", "expected", "origin", "figure_id"):
        assert list(first[column]) == list(second[column])
