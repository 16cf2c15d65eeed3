"""A flow's figures added up per member (analytics._added_up, on arrays) give exactly what
pandas' grouping gives, floats bit for bit: its compensated sums and means, `all`, `size`
and `first`, members in the order they first appear."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators import analytics

KEYS = ["indicator_id", "unit_id", "agency_id", "agency_kind", "scope"]
ADDED_UP = [
    "value",
    "mean",
    "numerator",
    "denominator",
    "counted",
    "parts",
    "figure_id",
    "figure_period",
    "source",
]


def by_pandas(frame: pd.DataFrame, several: pd.Series) -> pd.DataFrame:
    """The grouping _added_up replaced (decision 0039's form), as the reference."""
    grouped = frame.groupby(KEYS, sort=False)
    totals = pd.concat(
        [
            grouped[["value", "numerator", "denominator"]].sum(),
            grouped["value"].mean().rename("mean"),
            grouped["_counted"].all().rename("counted"),
            grouped.size().rename("parts"),
            grouped[["figure_id", "figure_period", "source"]].first(),
        ],
        axis=1,
    ).reset_index()
    totals = totals[[*KEYS, *ADDED_UP]]
    periods: dict[tuple, list[str]] = {}
    for *key, period in frame.loc[several, [*KEYS, "figure_period"]].itertuples(
        index=False, name=None
    ):
        periods.setdefault(tuple(key), []).append(period)
    if periods:
        totals["figure_period"] = [
            ", ".join(sorted(periods[key])) if key in periods else period
            for key, period in zip(
                zip(*(totals[k].tolist() for k in KEYS), strict=True),
                totals["figure_period"].tolist(),
                strict=True,
            )
        ]
    return totals


# Numbers that a compensated sum adds differently from a plain one, NULLs and infinities.
NUMBERS = st.one_of(
    st.just(np.nan),
    st.sampled_from([0.1, 0.2, 0.3, 1e16, -1e16, 1.0, 3.0, 1e-10, np.inf, -np.inf]),
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
)
ROW = st.tuples(
    st.integers(1, 3),  # indicator
    st.integers(1, 3),  # unit
    st.sampled_from([None, 10, 11]),  # agency
    st.sampled_from(["self", "communes"]),
    NUMBERS,
    NUMBERS,
    NUMBERS,
    st.sampled_from(["2024Q1", "2024Q2", "202403", "2024S1"]),
    st.sampled_from(["", "a source"]),
)


def frame_of(rows: list[tuple]) -> pd.DataFrame:
    """Rows as _flow_totals hands them to _added_up (the agency's NULLs filled)."""
    frame = pd.DataFrame(
        {
            "indicator_id": np.array([r[0] for r in rows], dtype="int64"),
            "unit_id": np.array([r[1] for r in rows], dtype="int64"),
            "agency_id": pd.array([r[2] for r in rows], dtype="Int64"),
            "agency_kind": [None if r[2] is None else "office" for r in rows],
            "scope": pd.array([r[3] for r in rows], dtype="str"),
            "value": [r[4] for r in rows],
            "numerator": [r[5] for r in rows],
            "denominator": [r[6] for r in rows],
            "figure_id": np.arange(1, len(rows) + 1, dtype="int64"),
            "figure_period": pd.array([r[7] for r in rows], dtype="str"),
            "source": pd.array([r[8] for r in rows], dtype="str"),
        }
    )
    return frame.assign(
        _counted=frame["numerator"].notna() & frame["denominator"].notna(),
        agency_id=frame["agency_id"].fillna(-1),
        agency_kind=frame["agency_kind"].fillna(""),
    )


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(ROW, min_size=1, max_size=40))
def test_members_added_up_as_pandas_groups_them(rows):
    frame = frame_of(rows)
    several = frame.duplicated(KEYS, keep=False)
    pd.testing.assert_frame_equal(
        analytics._added_up(frame, KEYS, several), by_pandas(frame, several), check_exact=True
    )


def test_a_compensated_sum_is_not_a_plain_one():
    """Figures whose plain sum, added in order, loses the small ones (0.1 + 1e16 + 0.3 -
    1e16 - ...): pandas' compensated sum, and ours, keep more of them; both the same."""
    values = (1.0, 1e16, 1.0, 1.0, -1e16)
    rows = [(1, 1, None, "self", v, np.nan, np.nan, "2024Q1", "") for v in values]
    frame = frame_of(rows)
    several = frame.duplicated(KEYS, keep=False)
    totals = analytics._added_up(frame, KEYS, several)
    plain = 0.0
    for value in values:
        plain += value
    assert totals["value"].tolist() == by_pandas(frame, several)["value"].tolist()
    assert totals["value"].tolist() != [plain]
    assert totals["parts"].tolist() == [5]
    assert totals["figure_period"].tolist() == [", ".join(["2024Q1"] * 5)]
