"""Min-max ranges and outliers (quality.min_max, quality.flags): ranges from a unit's own
approved history or its peers', a value outside its range or a jump from last quarter
flagged in the form, its autosave, the review page and the API (issue 20, item 2)."""

import datetime
import io
from decimal import Decimal

import pandas as pd
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.models import Membership
from entry.services import EntryValue
from indicators.models import Figure, Indicator
from indicators.periods import parse_period
from indicators.reports import submission_get
from quality import min_max
from quality.flags import figure_flags, outliers
from quality.models import MinMax, ValidationRule
from tests.test_entry_workflow import Q1, save
from units.models import Unit

pytestmark = pytest.mark.django_db
OLD = datetime.date(2024, 1, 1)
HISTORY = ["2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4"]


def test_ranges_from_a_units_history_and_from_its_peers():
    quarters = [f"20{y}Q{q}" for y in (23, 24) for q in (1, 2, 3, 4)]
    own = [50, 52, 51, 53, 50, 52, 51, 53]
    frame = pd.DataFrame(
        {
            "unit_id": [1] * 8 + [2, 2],
            "level": ["commune"] * 10,
            "period": [*quarters, "2024Q3", "2024Q4"],
            "period_end": pd.to_datetime(range(10), unit="D", origin="2023-03-31"),
            "value": [float(v) for v in own] + [90.0, 91.0],
        }
    )
    frame["period_end"] = [pd.Period(p, freq="Q").end_time.date() for p in frame["period"]]
    found = min_max.ranges(frame, "ratio")
    one = found.loc[1]
    # Quartiles of 50..53: 50.75 and 52.25; spread max(1.5, 10% of 51.5, 5) = 5.15.
    assert one.basis == MinMax.Basis.HISTORY and one.values_used == 8
    assert one.lower == pytest.approx(50.75 - 1.5 * 5.15)
    assert one.upper == pytest.approx(52.25 + 1.5 * 5.15)
    # Changes 2,1,2,3,2,1,2: median 2, MAD 0: the floor, 5.15, is the limit.
    assert one.max_change == pytest.approx(5.15)
    # Unit 2 has two values: its level's, the ten together, stand for it.
    two = found.loc[2]
    assert two.basis == MinMax.Basis.PEERS and two.values_used == 10
    every = pd.Series([float(v) for v in own] + [90.0, 91.0])
    q1, q3 = every.quantile(0.25), every.quantile(0.75)
    spread = max(q3 - q1, 0.1 * abs(every.median()), 5.0)
    assert two.lower == pytest.approx(max(q1 - 1.5 * spread, 0))
    assert two.upper == pytest.approx(min(q3 + 1.5 * spread, 100))


@pytest.fixture
def history(users, hoxa, api_client):
    """Approved quarterly HR_IT_STAFF of Hồ Xá (3 or 4 a quarter, 2023–2024) and one
    quarter of Bến Quan, by the bulk API; then the ranges."""
    rows = ["unit_code,on,indicator,period,value,source"]
    for n, period in enumerate(HISTORY):
        rows.append(f"19363,2024-01-01,HR_IT_STAFF,{period},{3 + n % 2},test")
    rows.append("19366,2024-01-01,HR_IT_STAFF,2024Q4,2,test")
    api_client.force_authenticate(users["admin"])
    answer = api_client.post(
        "/api/v1/observations/bulk/?status=approved",
        "\n".join(rows).encode(),
        content_type="text/csv",
    )
    assert answer.status_code == 200, answer.content
    out = io.StringIO()
    call_command("generate_min_max", "--indicator", "HR_IT_STAFF", stdout=out)
    assert "HR_IT_STAFF" in out.getvalue()
    return Indicator.objects.get(code="HR_IT_STAFF")


def test_generate_min_max_stores_a_range_per_unit_with_its_basis(history, hoxa):
    mine = MinMax.objects.get(unit=hoxa, indicator=history)
    assert mine.basis == MinMax.Basis.HISTORY and mine.values_used == 8
    assert mine.lower <= Decimal(3) and mine.upper >= Decimal(4)
    assert mine.upper < Decimal(10)
    ben_quan = MinMax.objects.get(unit__code="19366", indicator=history)
    assert ben_quan.basis == MinMax.Basis.PEERS and ben_quan.values_used == 9
    # Again: replaced, not added to.
    call_command("generate_min_max", "--indicator", "HR_IT_STAFF", stdout=io.StringIO())
    assert MinMax.objects.filter(indicator=history).count() == 2


def test_generate_min_max_refuses_an_unknown_or_yes_no_indicator(reference_data):
    with pytest.raises(CommandError, match="NOPE"):
        call_command("generate_min_max", "--indicator", "NOPE", stdout=io.StringIO())
    with pytest.raises(CommandError, match="INF_LAN"):
        call_command("generate_min_max", "--indicator", "INF_LAN", stdout=io.StringIO())


def typed(users, hoxa, value: str):
    """Hồ Xá's 2025Q1 draft with HR_IT_STAFF = value."""
    return save(users["hoxa.nhaplieu"], hoxa, {"HR_IT_STAFF": EntryValue(value=value)})


def test_a_value_out_of_range_and_a_jump_are_flagged(history, users, hoxa):
    typed(users, hoxa, "40")
    figure = Figure.objects.get(unit=hoxa, indicator=history, period=Q1.id)
    flags = figure_flags([figure])[figure.pk]
    assert [f.flag for f in flags] == ["outlier", "outlier"]
    assert "ngoài khoảng hợp lý" in flags[0].message
    assert "so với quý trước (4)" in flags[1].message
    typed(users, hoxa, "4")
    figure.refresh_from_db()
    assert figure_flags([figure])[figure.pk] == []


def test_the_api_filters_and_flags_outliers_as_the_pages_do(history, users, hoxa, api_client):
    typed(users, hoxa, "40")
    api_client.force_authenticate(users["hoxa.nhaplieu"])
    listed = api_client.get("/api/v1/observations/?flag=outlier&indicator=HR_IT_STAFF").json()
    codes = [(r["unit"]["code"], r["period"]) for r in listed["results"]]
    assert codes == [("19363", Q1.id)]
    assert [f["flag"] for f in listed["results"][0]["flags"]] == ["outlier", "outlier"]
    # The SQL filter and the flags of every figure agree.
    every = list(Figure.objects.select_related("indicator"))
    flagged = {
        pk for pk, flags in figure_flags(every).items() if any(f.flag == "outlier" for f in flags)
    }
    assert set(outliers(Figure.objects.all()).values_list("pk", flat=True)) == flagged
    # Each observation carries its flags, empty when none.
    plain = api_client.get("/api/v1/observations/?indicator=HR_IT_STAFF&period=2024Q4").json()
    assert all(r["flags"] == [] for r in plain["results"])
    bad = api_client.get("/api/v1/observations/?flag=strange")
    assert bad.status_code == 400 and "outlier" in bad.json()["flag"][0]


def test_drafts_of_other_units_never_show_through_the_flag_filter(history, users, hoxa, api_client):
    typed(users, hoxa, "40")
    api_client.force_authenticate(None)  # anyone: approved figures only
    assert api_client.get("/api/v1/observations/?flag=outlier").json()["results"] == []
    # A neighbouring commune's official: not their draft (the district's would see it).
    neighbour = get_user_model().objects.create_user("benquan", password="x")
    Membership.objects.create(
        user=neighbour, unit=Unit.objects.in_force(OLD).get(code="19366"), is_data_entry=True
    )
    api_client.force_authenticate(neighbour)
    assert api_client.get("/api/v1/observations/?flag=outlier").json()["results"] == []


def test_the_form_the_autosave_and_the_review_page_flag_an_outlier(history, users, hoxa, client):
    typed(users, hoxa, "4")
    client.force_login(users["hoxa.nhaplieu"])
    report = submission_get(hoxa, None, Q1)
    answer = client.post(
        f"/entry/{hoxa.pk}/{Q1.id}/autosave/",
        {"version": report.version, "HR_IT_STAFF-value": "40"},
    ).json()
    assert [f["flag"] for f in answer["flags"]["HR_IT_STAFF"]] == ["outlier", "outlier"]
    page = client.get(f"/entry/{hoxa.pk}/{Q1.id}/").content.decode()
    assert page.count('data-flag="outlier"') == 2
    save(users["hoxa.nhaplieu"], hoxa, {}, submit=True)
    client.force_login(users["vinhlinh.duyet"])
    desk = client.get(f"/entry/reports/{report.pk}/").content.decode()
    assert 'data-outlier-count="1"' in desk
    assert desk.count('data-flag="outlier"') == 2


@pytest.mark.parametrize(
    "reports",
    [
        # Read by period (two conditions): 19363 and 19366 in 2024Q4, 19363 in 2025Q1.
        [("19363", "2024Q4", 150), ("19366", "2024Q4", 50), ("19363", "2025Q1", 150)],
        # Read by unit (two conditions): 19363 in three quarters, 19366 in one.
        [
            ("19363", "2024Q3", 50),
            ("19363", "2024Q4", 150),
            ("19363", "2025Q1", 50),
            ("19366", "2025Q1", 150),
        ],
    ],
)
def test_a_page_of_several_units_and_periods_flags_each_report_that_breaks_a_rule(
    reference_data, reports
):
    """figure_flags reads the page's reports in a few conditions (by period or by unit):
    each figure gets the flags of its own report's broken rules, none of another's."""
    ValidationRule.objects.create(
        code="skills-within-staff",
        left="HR_PROFICIENT",
        operator="<=",
        right="100",
        severity=ValidationRule.Severity.ERROR,
        message="quá 100",
        message_en="over 100",
    )
    page, broken = [], set()
    for code, period, value in reports:
        p = parse_period(period)
        figure = Figure.objects.create(
            unit=Unit.objects.in_force(p.start).get(code=code),
            indicator=Indicator.objects.get(code="HR_PROFICIENT"),
            period=p.id,
            period_start=p.start,
            period_end=p.end,
            value=value,
            status=Figure.Status.APPROVED,
        )
        page.append(Figure.objects.select_related("indicator").get(pk=figure.pk))
        if value > 100:
            broken.add(figure.pk)
    flagged = {
        pk
        for pk, flags in figure_flags(page).items()
        if any(f.flag == "rule:skills-within-staff" for f in flags)
    }
    assert flagged == broken and len(broken) == 2
