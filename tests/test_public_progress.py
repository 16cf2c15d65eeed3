"""Progress against targets on the public pages (issue 21, item 1): each target that reads on
the unit, with its status worked out as Open SDG does — the growth observed since the base
year against the growth the target needs (plans/growth.py, docs/decisions/0026)."""

import datetime

import pytest

from indicators.periods import parse_period
from plans.growth import GrowthStatus, growth_status
from public.progress import unit_progress
from tests.test_public_overview import approved_quarter
from units.models import Unit

BASE_ON = datetime.date(2020, 12, 31)
NOW = datetime.date(2023, 12, 31)  # three years on
DUE = datetime.date(2025, 12, 31)  # five years from the base


def judged(value, *, base=20.0, goal=80.0, higher=True, met=False, **kwargs):
    return growth_status(
        value=value,
        value_on=kwargs.pop("value_on", NOW),
        base=base,
        base_on=kwargs.pop("base_on", BASE_ON),
        goal=goal,
        goal_on=kwargs.pop("goal_on", DUE),
        higher_is_better=higher,
        met=met,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("value", "status"),
    [
        # Needed: ×4 in 5 years, 31.9 % a year. Observed over 3 years:
        (50.0, GrowthStatus.ON_TRACK),  # ×2.5: 35.7 % a year, R = 1.12
        (35.0, GrowthStatus.NEEDS_ACCELERATION),  # ×1.75: 20.5 %, R = 0.64
        (25.0, GrowthStatus.OFF_TRACK),  # ×1.25: 7.7 %, R = 0.24
        (20.0, GrowthStatus.OFF_TRACK),  # no change: R = 0, "limited progress"
        (15.0, GrowthStatus.DETERIORATING),  # down: R < 0
        (0.0, GrowthStatus.DETERIORATING),  # all lost
    ],
)
def test_observed_against_required_growth(value, status):
    assert judged(value).status == status


def test_the_ratio_is_the_observed_over_the_required_rate():
    found = judged(50.0)
    assert found.observed == pytest.approx(2.5 ** (1 / 3) - 1, rel=1e-3)
    assert found.required == pytest.approx(4 ** (1 / 5) - 1, rel=1e-3)
    assert found.ratio == pytest.approx(found.observed / found.required)


def test_lower_is_better_counts_a_fall_as_progress():
    # At most 10 by 2025 from 40: ÷4 in 5 years is needed; ÷2 in 3 years is 85 % of the pace.
    found = judged(20.0, base=40.0, goal=10.0, higher=False)
    assert found.status == GrowthStatus.NEEDS_ACCELERATION
    assert found.ratio == pytest.approx(0.85, abs=0.01)
    assert judged(50.0, base=40.0, goal=10.0, higher=False).status == GrowthStatus.DETERIORATING


def test_met_is_achieved_whatever_the_trend():
    assert judged(85.0, met=True).status == GrowthStatus.ACHIEVED
    assert judged(85.0, base=95.0, met=True).status == GrowthStatus.ACHIEVED


def test_a_base_of_zero_counts_as_a_thousandth_as_open_sdg_does():
    # From nothing to 30 of 80 in 3 of 5 years: both rates enormous, their ratio still told.
    found = judged(30.0, base=0.0)
    assert found.status == GrowthStatus.ON_TRACK
    assert found.required == pytest.approx((80 / 0.001) ** (1 / 5) - 1, rel=1e-3)


def test_a_base_that_met_the_goal_and_a_value_that_fell_is_deteriorating():
    assert judged(70.0, base=90.0).status == GrowthStatus.DETERIORATING
    assert judged(70.0, base=80.0).status == GrowthStatus.DETERIORATING  # the base on the goal


@pytest.mark.parametrize(
    "case",
    [
        {"value": None},
        {"value": 50.0, "base": None},
        {"value": 50.0, "value_on": BASE_ON},  # one point in time: no growth
        {"value": -5.0},  # Open SDG's model needs values of one sign
        {"value": 50.0, "goal_on": BASE_ON},  # due before the base: no required rate
    ],
)
def test_not_enough_data_is_said_rather_than_invented(case):
    assert judged(**case).status == GrowthStatus.UNABLE


def test_a_yes_no_target_is_achieved_or_not():
    assert judged(0.0, base=0.0, goal=100.0, yes_no=True).status == GrowthStatus.NOT_ACHIEVED
    assert judged(None, yes_no=True).status == GrowthStatus.UNABLE
    assert judged(100.0, goal=100.0, yes_no=True, met=True).status == GrowthStatus.ACHIEVED


def test_every_status_has_a_label_and_a_colour():
    for status in GrowthStatus:
        assert status.label and status.colour


# --- on the public pages, from approved figures -----------------------------------------


def bulk(api_client, admin, rows: list[str]) -> None:
    api_client.force_authenticate(admin)
    answer = api_client.post(
        "/api/v1/observations/bulk/?status=approved",
        "\n".join(["unit_code,on,indicator,period,numerator,denominator,value", *rows]).encode(),
        content_type="text/csv",
    )
    assert answer.status_code == 200, answer.content
    api_client.force_authenticate(None)


@pytest.mark.django_db
def test_a_province_page_shows_the_national_targets_with_their_status(users, client, api_client):
    """Resolution 76/NQ-CP (2021): SVC_ONLINE_FULL at least 80 % by 2025 and 90 % by 2030
    for every province. Today's Quảng Trị (44, formed 1 July 2025) reads its 2021 base from
    the provinces it was formed from (Quảng Bình 44 and the old Quảng Trị 45, 40 % each)."""
    bulk(
        api_client,
        users["admin"],
        [
            "44,2021-12-31,SVC_ONLINE_FULL,2021Q4,40,100,",
            "45,2021-12-31,SVC_ONLINE_FULL,2021Q4,40,100,",
        ],
    )
    approved_quarter(api_client, users["admin"], "44", 65)  # 2025Q3, every percentage
    province = Unit.objects.in_force(datetime.date(2025, 7, 2)).get(code="44", level="province")
    groups = unit_progress(province, parse_period("2025Q3"))
    # Every national document in force in 2025 applies, listed oldest first.
    assert [g.plan.code for g in groups] == [
        "NQ-17-2019",
        "QD-749-2020",
        "NQ-76-2021",
        "QD-942-2021",
    ]
    found = {
        (g.plan.code, r.target.indicator.code, r.target.deadline): r for g in groups for r in g.rows
    }
    by_2025 = found[("NQ-76-2021", "SVC_ONLINE_FULL", "2025")]
    by_2030 = found[("NQ-76-2021", "SVC_ONLINE_FULL", "2030")]
    assert (by_2025.baseline, by_2025.baseline_period, by_2025.value) == (40.0, "2021", 65.0)
    # 40 → 65 in 3.75 years is 13.8 % a year; 80 by 2025 needs 18.9 %, 90 by 2030 9.4 %.
    assert by_2025.growth.status == GrowthStatus.NEEDS_ACCELERATION
    assert by_2025.growth.ratio == pytest.approx(0.73, abs=0.01)
    assert by_2030.growth.status == GrowthStatus.ON_TRACK
    # A yes/no the province answers itself (approved_quarter says yes to every one): Có.
    axis = found[("NQ-17-2019", "APP_DOC_AXIS", "2020")]
    assert (axis.yes_no, axis.value, axis.growth.status) == (True, 100.0, GrowthStatus.ACHIEVED)
    # A target over every agency is not on the public page (docs/decisions/0026).
    assert not any(r.target.scope == "all_agencies" for r in found.values())

    page = client.get("/public/44/?period=2025Q3")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-plan="NQ-76-2021"' in html
    assert 'data-growth="needs_acceleration"' in html and "Cần đẩy nhanh" in html
    assert "Đúng hướng" in html
    english = client.get("/public/44/?period=2025Q3&lang=en").content.decode()
    assert "Needs acceleration" in english and "On track" in english


@pytest.mark.django_db
def test_drafts_never_move_a_status(users, client, api_client):
    bulk(
        api_client,
        users["admin"],
        [
            "44,2021-12-31,SVC_ONLINE_FULL,2021Q4,40,100,",
            "45,2021-12-31,SVC_ONLINE_FULL,2021Q4,40,100,",
        ],
    )
    before = client.get("/public/44/?period=2025Q3").content
    # A draft of 2025Q3 for the province: not approved, not read.
    api_client.force_authenticate(users["admin"])
    answer = api_client.post(
        "/api/v1/observations/bulk/",
        b"unit_code,on,indicator,period,numerator,denominator,value\n"
        b"44,2025-07-02,SVC_ONLINE_FULL,2025Q3,99,100,",
        content_type="text/csv",
    )
    assert answer.status_code == 200, answer.content
    assert client.get("/public/44/?period=2025Q3").content == before
