"""A dashboard at a glance (issue 19, item 10): each headline card's sparkline of its last
quarters and its bar towards the target that applies in the period's year, coloured by the
progress status of plans/progress.py; every unit below in the ranking's chart; and the
queries they cost, which do not grow with the quarters, indicators or units shown."""

import datetime
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import demo_users_create
from indicators import aggregates, analytics
from indicators.models import Figure, Indicator
from indicators.periods import parse_period
from plans.progress import Status
from reports import charts
from reports.dashboard import SERIES_LENGTH, dashboard_build
from units.models import Unit

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 5)
SEEDS_DAY = datetime.date(2020, 10, 13)
Q4_2020 = parse_period("2020Q4")


def unit(code: str, on: datetime.date = SEEDS_DAY) -> Unit:
    return Unit.objects.in_force(on).get(code=code)


def card(board, code: str):
    return next(c for c in board.cards if c.indicator.code == code)


def approved(who: Unit, code: str, period: str, value: float, **fraction) -> Figure:
    p = parse_period(period)
    return Figure(
        unit=who,
        indicator=Indicator.objects.get(code=code),
        period=p.id,
        period_start=p.start,
        period_end=p.end,
        value=value,
        status=Figure.Status.APPROVED,
        **fraction,
    )


def quarters_of_digital_signatures(districts: list[Unit]) -> None:
    """Each district's share of documents signed digitally, 2020Q1–Q3 (the seeds hold Vĩnh
    Linh's 70 % of 2020Q4), the live aggregates built for them as an approval would."""
    rows = [
        approved(d, "APP_DIGSIG_DOCS", q, 40 + 10 * n, numerator=40 + 10 * n, denominator=100)
        for d in districts
        for n, q in enumerate(["2020Q1", "2020Q2", "2020Q3"])
    ]
    Figure.objects.bulk_create(rows)
    aggregates.build(periods=["2020Q1", "2020Q2", "2020Q3"], unit_ids=[d.pk for d in districts])


# --- the sparklines -------------------------------------------------------------------------


def test_each_card_has_the_last_eight_quarters_ending_with_the_period():
    board = dashboard_build(unit("45"), Q4_2020, today=TODAY)
    assert [p.id for p in board.series_periods] == [
        "2019Q1",
        "2019Q2",
        "2019Q3",
        "2019Q4",
        "2020Q1",
        "2020Q2",
        "2020Q3",
        "2020Q4",
    ]
    signed = card(board, "APP_DIGSIG_DOCS")
    assert len(signed.series) == SERIES_LENGTH
    assert [v.value for v in signed.series] == [None] * 7 + [70.0]
    assert signed.series[-1] is signed.value or signed.series[-1].value == signed.value.value


def test_the_series_are_the_engines_values_from_the_table_or_the_figures():
    quang_tri = unit("45")
    vinh_linh = unit("464")
    quarters_of_digital_signatures([vinh_linh])
    board = dashboard_build(quang_tri, Q4_2020, today=TODAY)
    signed = card(board, "APP_DIGSIG_DOCS")
    assert [v.value for v in signed.series[-4:]] == [40.0, 50.0, 60.0, 70.0]
    indicator = Indicator.objects.get(code="APP_DIGSIG_DOCS")
    for value in signed.series:
        engine = analytics.rollup_value(indicator, quang_tri, value.period)
        assert (value.period.id, value.value) == (value.period.id, engine.value)
    # The previous quarter's value, read from the series, is what the change compares with.
    assert signed.previous.value == 60.0
    assert signed.change == 10.0


def test_a_communes_series_is_read_from_its_figures():
    ho_xa = unit("19363")
    Figure.objects.bulk_create([approved(ho_xa, "WEB_PORTAL", "2020Q2", 1)])
    board = dashboard_build(ho_xa, Q4_2020, today=TODAY)
    portal = [v.percent_or_value for v in card(board, "WEB_PORTAL").series]
    assert portal[5] == 100.0  # 2020Q2: yes
    assert portal[:5] == [None] * 5


def test_the_sparkline_is_drawn_from_the_values_and_says_them_in_words():
    quarters_of_digital_signatures([unit("464")])
    signed = card(dashboard_build(unit("45"), Q4_2020, today=TODAY), "APP_DIGSIG_DOCS")
    drawn = charts.sparkline(signed.indicator, signed.series)
    # One line through the four quarters with a value, none for the four without; the last
    # point is 2020Q4's 70 % (0–100 on a 32-unit-high box with a margin of 3).
    assert len(drawn["segments"]) == 1
    assert len(drawn["segments"][0].split()) == 4
    assert drawn["dots"] == []
    assert drawn["last"] == (117.0, round(32 - 3 - 26 * 0.7, 1))
    assert "Quý 4/2020: 70,0%" in drawn["label"]
    assert "Quý 1/2019: —" in drawn["label"]


# --- the bar towards the target ---------------------------------------------------------------


def test_a_province_card_reads_the_national_resolutions_target_for_its_year():
    # Resolution 17/NQ-CP: at least 20 % of applications received online by 2020, in every
    # province. Nothing reported: no data, and the bar is the target alone.
    board = dashboard_build(unit("45"), Q4_2020, today=TODAY)
    online = card(board, "SVC_ONLINE_APPS")
    assert online.target is not None
    assert online.target.plan.code == "NQ-17-2019"
    assert online.target.status == Status.NO_DATA
    bar = charts.target_bar(online.target)
    assert (bar["fill"], bar["target"], bar["colour"]) == (None, 20.0, "secondary")
    assert online.has_data  # a target to be measured against is worth a card


@pytest.mark.parametrize(
    ("value", "status", "colour"),
    [(25, Status.ACHIEVED, "success"), (10, Status.BEHIND, "warning")],
)
def test_the_bar_is_coloured_by_the_targets_progress_status(value, status, colour):
    quang_tri = unit("45")
    Figure.objects.bulk_create(
        [approved(quang_tri, "SVC_ONLINE_APPS", "2020Q4", value, numerator=value, denominator=100)]
    )
    online = card(dashboard_build(quang_tri, Q4_2020, today=TODAY), "SVC_ONLINE_APPS")
    assert online.value.value == value
    assert online.target.status == status  # no baseline in 2019: behind, never on track
    bar = charts.target_bar(online.target)
    assert (bar["fill"], bar["target"], bar["colour"]) == (float(value), 20.0, colour)
    assert status.label in bar["label"]


def test_a_range_target_of_the_provinces_own_plan_is_shaded():
    # Quảng Bình's plan 2342/KH-UBND for 2018: 60–80 % of documents exchanged electronically.
    quang_binh = unit("44", datetime.date(2018, 1, 1))
    Figure.objects.bulk_create(
        [approved(quang_binh, "APP_EDOC_EXCHANGE", "2018", 70, numerator=70, denominator=100)]
    )
    board = dashboard_build(quang_binh, parse_period("2018"), today=TODAY)
    exchange = card(board, "APP_EDOC_EXCHANGE")
    assert exchange.target.plan.code == "QB-2342-2018"
    assert exchange.target.status == Status.ACHIEVED
    bar = charts.target_bar(exchange.target)
    assert (bar["fill"], bar["target"], bar["target_span"]) == (70.0, 60.0, 20.0)


def test_cards_without_anything_to_show_are_told_apart():
    board = dashboard_build(unit("45"), Q4_2020, today=TODAY)
    silent = {c.indicator.code for c in board.cards if not c.has_data}
    assert "INF_BROADBAND" in silent
    assert "APP_DIGSIG_DOCS" not in silent


# --- the ranking --------------------------------------------------------------------------


def test_the_ranking_chart_lists_every_district_those_not_reporting_last():
    board = dashboard_build(unit("45"), Q4_2020, today=TODAY)
    districts = Unit.objects.in_force(SEEDS_DAY).filter(parent=unit("45"))
    assert len(board.ranking) == districts.count() == 10
    chart = charts.ranking_chart(board.ranking)
    assert len(chart["labels"]) == 10
    # Vĩnh Linh has figures, too few for an index; the nine others none.
    assert chart["labels"][0] == "Huyện Vĩnh Linh"
    assert chart["datasets"][0]["data"] == [None] * 10
    assert chart["notes"] == ["chưa đủ số liệu"] + ["chưa có số liệu đã duyệt"] * 9


# --- what it costs ------------------------------------------------------------------------


def queries(build) -> int:
    with CaptureQueriesContext(connection) as captured:
        build()
    return len(captured)


def test_the_glance_costs_the_same_however_many_quarters_and_units_have_figures(
    django_assert_max_num_queries,
):
    quang_tri = unit("45")
    districts = list(Unit.objects.in_force(SEEDS_DAY).filter(parent=quang_tri).order_by("code"))

    def build():
        return dashboard_build(quang_tri, Q4_2020, today=TODAY)

    quarters_of_digital_signatures(districts[:1])
    # The table holds every district's rows (a row it lacks is computed: slower, not wrong).
    aggregates.build(periods=["2020Q1", "2020Q2", "2020Q3"], unit_ids=[d.pk for d in districts])
    few = queries(build)
    quarters_of_digital_signatures(districts[1:])  # three more quarters in nine more districts
    assert queries(build) == few
    # The series of twelve headline indicators over eight quarters: the live aggregates' rows
    # of the seven earlier quarters in one query, and which of those the table lacks hold a
    # figure (two); the two national targets' baselines; the rest as before (decision 0021).
    with django_assert_max_num_queries(64):
        board = build()
    assert len(board.ranking) == 10


@pytest.fixture
def committee(client):
    demo_users_create()
    client.force_login(get_user_model().objects.get(username="quangtri.bcd"))
    return client


def test_the_page_names_indicators_without_their_codes(committee):
    text = committee.get(f"/dashboard/{unit('45').pk}/?period=2020Q4").content.decode()
    headline = re.search(r'<section aria-labelledby="cards-title".*?</section>', text, re.S)
    headline = headline.group(0)
    assert "Tỷ lệ văn bản điện tử được ký số" in headline
    # Codes only in a tooltip or a link, never as text.
    assert "APP_DIGSIG_DOCS" not in re.sub(r"<[^>]+>", "", headline)
    assert 'title="Mã chỉ tiêu: APP_DIGSIG_DOCS"' in headline
    assert headline.count("data-sparkline") >= 2
    assert headline.count("data-target-bar") >= 1
    # Those with nothing to show are one quiet list, not cards of "—".
    silent = re.search(r'data-cards="no-data".*?</div>', text, re.S).group(0)
    assert "Có kết nối Internet băng thông rộng" in silent
    assert "dashboard-value" not in silent


def test_the_trend_chart_offers_the_indicators_with_data_and_their_targets(committee):
    quang_tri = unit("45")
    Figure.objects.bulk_create(
        [approved(quang_tri, "SVC_ONLINE_APPS", "2020Q4", 25, numerator=25, denominator=100)]
    )
    url = f"/dashboard/{quang_tri.pk}/?period=2020Q4"
    text = committee.get(url).content.decode()
    every = json.loads(
        re.search(
            r'<script id="chart-trend-all" type="application/json">(.*?)</script>', text
        ).group(1)
    )
    assert "SVC_ONLINE_APPS" in every and "INF_BROADBAND" not in every
    assert every["SVC_ONLINE_APPS"]["target"]["value"] == 20.0
    assert every["SVC_ONLINE_APPS"]["datasets"][0]["data"][-1] == 25.0
    shown = re.search(r'<script id="chart-trend" type="application/json">(.*?)</script>', text)
    assert json.loads(shown.group(1))["datasets"][0]["label"] == "Tỷ lệ văn bản điện tử được ký số"
    # Without a script, the select's form asks the page for another indicator.
    text = committee.get(url + "&trend=SVC_ONLINE_APPS").content.decode()
    shown = re.search(r'<script id="chart-trend" type="application/json">(.*?)</script>', text)
    assert json.loads(shown.group(1))["target"]["value"] == 20.0
    assert '<option value="SVC_ONLINE_APPS" selected>' in text


def test_the_series_of_every_headline_indicator_costs_three_queries(django_assert_num_queries):
    from reports.dashboard import KEY_INDICATORS, _indicators, series_periods

    quang_tri = unit("45")
    quarters_of_digital_signatures([unit("464")])
    indicators = _indicators(KEY_INDICATORS, Q4_2020)
    periods = series_periods(Q4_2020)
    # The table's rows of the eight quarters (one query); the quarters it lacks a row of
    # (2019, nobody reported): the province's subtree and which of them hold a figure (two).
    with django_assert_num_queries(3):
        series = analytics.rollup_series(indicators, quang_tri, periods)
    assert len(series) == len(indicators) == 12
    assert [v.value for v in series["APP_DIGSIG_DOCS"]][-4:] == [40.0, 50.0, 60.0, 70.0]
