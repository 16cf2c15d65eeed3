"""Reporting periods: ids in, calendar dates, neighbours and labels out; no database involved."""

import itertools
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from indicators.periods import (
    DEFAULT_PERIOD_KIND,
    Period,
    PeriodError,
    PeriodKind,
    containing,
    enclosing,
    parse_period,
    period_next,
    period_of,
    period_previous,
    periods_between,
    periods_within,
)

Y, H, Q, M = PeriodKind.YEAR, PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTH


def ids(periods: list[Period]) -> list[str]:
    return [p.id for p in periods]


def not_an_id(text: str) -> str:
    return f'"{text}" không phải mã kỳ hợp lệ (ví dụ: 2021, 2021S1, 2021Q3, 202107).'


# --- parsing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("2021", Y, date(2021, 1, 1), date(2021, 12, 31)),
        ("2021S1", H, date(2021, 1, 1), date(2021, 6, 30)),
        ("2021S2", H, date(2021, 7, 1), date(2021, 12, 31)),
        ("2021Q1", Q, date(2021, 1, 1), date(2021, 3, 31)),
        ("2021Q2", Q, date(2021, 4, 1), date(2021, 6, 30)),
        ("2021Q3", Q, date(2021, 7, 1), date(2021, 9, 30)),
        ("2021Q4", Q, date(2021, 10, 1), date(2021, 12, 31)),
        ("202101", M, date(2021, 1, 1), date(2021, 1, 31)),
        ("202104", M, date(2021, 4, 1), date(2021, 4, 30)),
        ("202107", M, date(2021, 7, 1), date(2021, 7, 31)),
        ("202112", M, date(2021, 12, 1), date(2021, 12, 31)),
        # Leap years: February and the first quarter
        ("202402", M, date(2024, 2, 1), date(2024, 2, 29)),
        ("202302", M, date(2023, 2, 1), date(2023, 2, 28)),
        ("200002", M, date(2000, 2, 1), date(2000, 2, 29)),
        ("210002", M, date(2100, 2, 1), date(2100, 2, 28)),
        ("2020Q1", Q, date(2020, 1, 1), date(2020, 3, 31)),
        ("2024", Y, date(2024, 1, 1), date(2024, 12, 31)),
        # The July 2025 cut-over falls exactly on a quarter and half-year boundary
        ("2025S1", H, date(2025, 1, 1), date(2025, 6, 30)),
        ("2025Q2", Q, date(2025, 4, 1), date(2025, 6, 30)),
        ("2025Q3", Q, date(2025, 7, 1), date(2025, 9, 30)),
        ("2025S2", H, date(2025, 7, 1), date(2025, 12, 31)),
        ("202507", M, date(2025, 7, 1), date(2025, 7, 31)),
        # The edges of the supported years
        ("1990", Y, date(1990, 1, 1), date(1990, 12, 31)),
        ("2100Q4", Q, date(2100, 10, 1), date(2100, 12, 31)),
    ],
)
def test_parse_gives_kind_and_inclusive_bounds(text, kind, start, end):
    period = parse_period(text)

    assert period.kind is kind
    assert (period.start, period.end) == (start, end)
    assert period.id == text
    assert str(period) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021q3", "2021Q3"),
        ("2021s2", "2021S2"),
        ("  2021Q3  ", "2021Q3"),
        ("\t202107\n", "202107"),
        (" 2021 ", "2021"),
    ],
)
def test_parse_ignores_case_and_surrounding_whitespace(text, expected):
    assert parse_period(text).id == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2021Q5", not_an_id("2021Q5")),
        ("2021Q0", not_an_id("2021Q0")),
        ("2021S3", not_an_id("2021S3")),
        ("2021S0", not_an_id("2021S0")),
        ("202100", not_an_id("202100")),
        ("202113", not_an_id("202113")),
        ("2021q5", not_an_id("2021q5")),
        (" 2021Q5 ", not_an_id("2021Q5")),
        ("", not_an_id("")),
        ("   ", not_an_id("")),
        ("21Q3", not_an_id("21Q3")),
        ("2021-Q3", not_an_id("2021-Q3")),
        ("2021 Q3", not_an_id("2021 Q3")),
        ("Q3/2021", not_an_id("Q3/2021")),
        ("2021Q10", not_an_id("2021Q10")),
        ("20217", not_an_id("20217")),
        ("2021071", not_an_id("2021071")),
        ("2021W27", not_an_id("2021W27")),
        ("2021H1", not_an_id("2021H1")),
        ("２０２１", not_an_id("２０２１")),  # full-width digits
        ("2021ſ1", not_an_id("2021ſ1")),  # long s, which upper-cases to "S"
        ("1989", '"1989": năm 1989 nằm ngoài khoảng hỗ trợ 1990–2100.'),
        ("2101", '"2101": năm 2101 nằm ngoài khoảng hỗ trợ 1990–2100.'),
        ("0000Q1", '"0000Q1": năm 0 nằm ngoài khoảng hỗ trợ 1990–2100.'),
        ("210101", '"210101": năm 2101 nằm ngoài khoảng hỗ trợ 1990–2100.'),
    ],
)
def test_parse_rejects_with_a_vietnamese_message(text, message):
    with pytest.raises(PeriodError) as excinfo:
        parse_period(text)

    assert str(excinfo.value) == message


@pytest.mark.parametrize("value", [None, 2021, b"2021Q3"])
def test_parse_rejects_what_is_not_text(value):
    with pytest.raises(PeriodError, match="không phải mã kỳ hợp lệ"):
        parse_period(value)


def test_period_error_is_a_value_error():
    # Forms and serializers already turn ValueError into a validation message.
    assert issubclass(PeriodError, ValueError)


@pytest.mark.parametrize("text", ["1990", "2021S2", "2021Q3", "202107", "2100Q4", "210012"])
def test_an_id_round_trips(text):
    period = parse_period(text)

    assert parse_period(period.id) == period
    assert period_of(period.kind, period.start) == period
    assert period_of(period.kind, period.end) == period


# --- kinds and construction -------------------------------------------------------------


def test_kinds_are_ranked_from_widest_to_narrowest():
    assert sorted(PeriodKind, key=lambda kind: kind.rank) == [Y, H, Q, M]
    assert [kind.months for kind in (Y, H, Q, M)] == [12, 6, 3, 1]


def test_quarterly_is_the_default_and_kinds_read_from_their_values():
    assert DEFAULT_PERIOD_KIND is Q
    assert PeriodKind("quarter") is Q
    assert Q == "quarter"


@pytest.mark.parametrize(
    ("start", "end", "kind", "period_id"),
    [
        (date(2021, 7, 1), date(2021, 9, 30), Q, "2021Q4"),  # id of another quarter
        (date(2021, 7, 1), date(2021, 9, 29), Q, "2021Q3"),  # end a day short
        (date(2021, 7, 2), date(2021, 9, 30), Q, "2021Q3"),  # not the first day
        (date(2021, 2, 1), date(2021, 4, 30), Q, "2021Q1"),  # not a quarter's first month
        (datetime(2021, 7, 1), date(2021, 9, 30), Q, "2021Q3"),  # a timestamp, not a day
        (date(1989, 1, 1), date(1989, 12, 31), Y, "1989"),  # out of range
    ],
)
def test_an_inconsistent_period_cannot_be_built(start, end, kind, period_id):
    with pytest.raises(PeriodError):
        Period(start, end, kind, period_id)


def test_a_consistent_period_can_be_built_directly():
    period = Period(date(2021, 7, 1), date(2021, 9, 30), PeriodKind("quarter"), "2021Q3")

    assert period == parse_period("2021Q3")
    assert period.kind is Q


def test_equal_periods_hash_alike_and_kinds_keep_apart():
    assert parse_period("2021q3") == period_of(Q, date(2021, 8, 15))
    assert (
        len({parse_period("2021Q3"), parse_period(" 2021Q3"), period_of(Q, date(2021, 9, 30))}) == 1
    )
    assert parse_period("2021") != parse_period("2021S1")
    assert parse_period("2021S1") != parse_period("2021Q1")
    assert parse_period("2021Q1") != parse_period("202101")


# --- period_of ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "day", "expected"),
    [
        (Q, date(2021, 7, 31), "2021Q3"),
        (Q, date(2021, 1, 1), "2021Q1"),
        (Q, date(2020, 12, 31), "2020Q4"),
        (Q, date(2025, 6, 30), "2025Q2"),
        (Q, date(2025, 7, 1), "2025Q3"),
        (H, date(2025, 6, 30), "2025S1"),
        (H, date(2025, 7, 1), "2025S2"),
        (Y, date(2021, 12, 31), "2021"),
        (M, date(2021, 7, 31), "202107"),
        (M, date(2024, 2, 29), "202402"),
        (Q, datetime(2021, 9, 30, 23, 59), "2021Q3"),
    ],
)
def test_period_of_is_the_period_containing_the_day(kind, day, expected):
    assert period_of(kind, day).id == expected


@pytest.mark.parametrize(
    "period_id, expected",
    [
        ("2024Q3", ["2024Q3", "2024", "2024S2"]),
        ("202402", ["202402", "2024", "2024S1", "2024Q1"]),
        ("2024S1", ["2024S1", "2024"]),
        ("2024", ["2024"]),
    ],
)
def test_containing_is_the_period_then_every_longer_one_widest_first(period_id, expected):
    assert containing(period_id) == expected


@pytest.mark.parametrize("day", [date(1989, 12, 31), date(2101, 1, 1)])
def test_period_of_refuses_days_outside_the_supported_years(day):
    with pytest.raises(PeriodError, match="1990–2100"):
        period_of(Q, day)


# --- containment ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outer", "inner", "expected"),
    [
        ("2021", "2021Q3", True),
        ("2021", "202112", True),
        ("2021S2", "2021Q3", True),
        ("2021S2", "202107", True),
        ("2021S1", "2021Q3", False),
        ("2021Q3", "202109", True),
        ("2021Q3", "202110", False),
        ("2021Q3", "2021Q3", True),
        ("2021Q3", "2021", False),
        ("2021", "2022Q1", False),
        ("2020", "2021Q1", False),
    ],
)
def test_contains(outer, inner, expected):
    assert parse_period(outer).contains(parse_period(inner)) is expected


@pytest.mark.parametrize(
    ("period_id", "day", "expected"),
    [
        ("2021Q3", date(2021, 7, 1), True),
        ("2021Q3", date(2021, 9, 30), True),
        ("2021Q3", date(2021, 6, 30), False),
        ("2021Q3", date(2021, 10, 1), False),
        ("202402", date(2024, 2, 29), True),
        ("2025S1", date(2025, 6, 30), True),
        ("2025S1", date(2025, 7, 1), False),
        ("2021", date(2021, 12, 31), True),
        ("2021Q3", datetime(2021, 9, 30, 23, 59), True),
    ],
)
def test_contains_date_includes_both_ends(period_id, day, expected):
    assert parse_period(period_id).contains_date(day) is expected


# --- periods_within ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period_id", "kind", "expected"),
    [
        ("2021", Q, ["2021Q1", "2021Q2", "2021Q3", "2021Q4"]),
        ("2021", H, ["2021S1", "2021S2"]),
        ("2021", M, [f"2021{month:02d}" for month in range(1, 13)]),
        ("2021", Y, ["2021"]),
        ("2021S2", Q, ["2021Q3", "2021Q4"]),
        ("2021S1", M, ["202101", "202102", "202103", "202104", "202105", "202106"]),
        ("2021Q3", M, ["202107", "202108", "202109"]),
        ("2021Q3", Q, ["2021Q3"]),
        ("202107", Q, []),
        ("2021Q3", H, []),
        ("2021Q3", Y, []),
    ],
)
def test_periods_within(period_id, kind, expected):
    assert ids(periods_within(parse_period(period_id), kind)) == expected


# --- periods_between --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "count"),
    [
        ("2019Q1", "2025Q2", 26),
        ("2021Q3", "2021Q3", 1),
        ("2020Q4", "2021Q1", 2),
        ("2020", "2025", 6),
        ("2020S2", "2021S1", 2),
        ("202111", "202202", 4),
        ("1990Q1", "2100Q4", 444),
    ],
)
def test_periods_between_counts_both_ends(first, last, count):
    periods = periods_between(parse_period(first), parse_period(last))

    assert len(periods) == count
    assert (periods[0].id, periods[-1].id) == (first, last)
    assert periods == sorted(periods)
    # Consecutive: each period starts the day after the previous one ends.
    assert all(
        (later.start - earlier.end).days == 1 for earlier, later in itertools.pairwise(periods)
    )


def test_periods_between_crosses_years():
    assert ids(periods_between(parse_period("2020Q3"), parse_period("2021Q2"))) == [
        "2020Q3",
        "2020Q4",
        "2021Q1",
        "2021Q2",
    ]


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("2021", "2021Q4", "Không thể liệt kê từ 2021 đến 2021Q4: hai kỳ khác loại (năm và quý)."),
        ("2021Q1", "202103", "Không thể liệt kê từ 2021Q1 đến 202103: hai kỳ khác loại"),
        ("2021Q2", "2021Q1", "Kỳ đầu 2021Q2 nằm sau kỳ cuối 2021Q1."),
        ("2022", "2021", "Kỳ đầu 2022 nằm sau kỳ cuối 2021."),
    ],
)
def test_periods_between_refuses_mixed_kinds_and_reversed_ends(first, last, message):
    with pytest.raises(PeriodError) as excinfo:
        periods_between(parse_period(first), parse_period(last))

    assert str(excinfo.value).startswith(message)


# --- neighbours -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period_id", "before", "after"),
    [
        ("2021Q1", "2020Q4", "2021Q2"),
        ("2021Q4", "2021Q3", "2022Q1"),
        ("2025Q2", "2025Q1", "2025Q3"),
        ("202112", "202111", "202201"),
        ("202101", "202012", "202102"),
        ("202403", "202402", "202404"),
        ("2021S1", "2020S2", "2021S2"),
        ("2021S2", "2021S1", "2022S1"),
        ("2021", "2020", "2022"),
    ],
)
def test_previous_and_next(period_id, before, after):
    period = parse_period(period_id)

    assert period_previous(period).id == before
    assert period_next(period).id == after
    assert period_next(period_previous(period)) == period


@pytest.mark.parametrize(
    ("step", "period_id"),
    [(period_previous, "1990Q1"), (period_previous, "199001"), (period_next, "2100")],
)
def test_neighbours_stop_at_the_supported_years(step, period_id):
    with pytest.raises(PeriodError, match="1990–2100"):
        step(parse_period(period_id))


# --- enclosing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period_id", "kind", "expected"),
    [
        ("2021Q3", Y, "2021"),
        ("2021Q3", H, "2021S2"),
        ("2021Q2", H, "2021S1"),
        ("2021Q3", Q, "2021Q3"),
        ("202107", Q, "2021Q3"),
        ("202106", H, "2021S1"),
        ("202112", Y, "2021"),
        ("2021S2", Y, "2021"),
    ],
)
def test_enclosing(period_id, kind, expected):
    period = parse_period(period_id)
    wider = enclosing(period, kind)

    assert wider.id == expected
    assert wider.contains(period)


@pytest.mark.parametrize(
    ("period_id", "kind", "message"),
    [
        ("2021", Q, "Không có kỳ quý nào chứa 2021: quý hẹp hơn năm."),
        ("2021Q3", M, "Không có kỳ tháng nào chứa 2021Q3: tháng hẹp hơn quý."),
        ("2021S1", Q, "Không có kỳ quý nào chứa 2021S1: quý hẹp hơn 6 tháng."),
    ],
)
def test_enclosing_refuses_a_narrower_kind(period_id, kind, message):
    with pytest.raises(PeriodError) as excinfo:
        enclosing(parse_period(period_id), kind)

    assert str(excinfo.value) == message


# --- ordering -----------------------------------------------------------------------------

CHRONOLOGICAL = [
    "2020",
    "2020Q4",
    "202012",
    "2021",
    "2021S1",
    "2021Q1",
    "202101",
    "202103",
    "2021Q2",
    "2021S2",
    "2021Q3",
    "202107",
    "2022Q1",
]


@pytest.mark.parametrize(
    "shuffled",
    [
        list(reversed(CHRONOLOGICAL)),
        [
            "2021Q3",
            "202101",
            "2022Q1",
            "2020",
            "2021S2",
            "202012",
            "2021",
            "202107",
            "2021Q2",
            "2021S1",
            "2020Q4",
            "2021Q1",
            "202103",
        ],
    ],
)
def test_sorting_is_chronological_with_the_wider_period_first(shuffled):
    assert ids(sorted(parse_period(text) for text in shuffled)) == CHRONOLOGICAL


def test_min_and_max_follow_the_calendar():
    periods = [parse_period(text) for text in ["2021Q3", "2019Q4", "2025Q2", "2020Q1"]]

    assert (min(periods).id, max(periods).id) == ("2019Q4", "2025Q2")


# --- labels ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period_id", "label_vi", "label_en"),
    [
        ("2021Q3", "Quý 3/2021", "Q3 2021"),
        ("2021Q1", "Quý 1/2021", "Q1 2021"),
        ("2021S1", "6 tháng đầu năm 2021", "H1 2021"),
        ("2021S2", "6 tháng cuối năm 2021", "H2 2021"),
        ("2021", "Năm 2021", "2021"),
        ("202107", "Tháng 7/2021", "July 2021"),
        ("202501", "Tháng 1/2025", "January 2025"),
        ("202412", "Tháng 12/2024", "December 2024"),
    ],
)
def test_labels(period_id, label_vi, label_en):
    period = parse_period(period_id)

    assert period.label_vi == label_vi
    assert period.label_en == label_en
    assert f"{period}" == period_id


# --- purity ---------------------------------------------------------------------------------


def test_the_module_imports_without_django():
    # Importers and scripts use periods without settings; a stray Django import would break them.
    code = (
        "import sys, indicators.periods; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == "[]"
