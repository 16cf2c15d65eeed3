"""The laggards of a plan say who missed a mandatory target apart from who has no data for
it, and an "every unit" target nobody reported is not "no unit is behind" (issue 18.7): on
the page, its CSV, the plan's workbook; and the workbook's reporting sheet reads a year's
reports quarter by quarter (Hồ Xá's approved 2025Q1 in Vĩnh Linh's 2025)."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.html import escape

from accounts.services import demo_users_create
from entry.services import EntryValue, applicable_indicators, entry_save, submission_act
from indicators.models import Figure, Indicator, Submission
from indicators.periods import parse_period
from plans.models import Plan, Target
from plans.progress import Status, laggards_report
from reports.workbook import HEADER_ROW, plan_workbook
from units.models import Agency, Unit

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def vietnamese(settings):
    """The English page below leaves English active in the thread: each test starts, and
    ends, in the site's language."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def add(unit, code, period, value, *, agency=None):
    p = parse_period(period)
    return Figure.objects.create(
        unit=unit,
        agency=agency,
        indicator=Indicator.objects.get(code=code),
        period=p.id,
        period_start=p.start,
        period_end=p.end,
        value=Decimal(value),
        status=Figure.Status.APPROVED,
    )


@pytest.fixture
def dak_lak() -> Unit:
    return Unit.objects.in_force(D(2016, 7, 1)).get(code="66", level="province")


@pytest.fixture
def districts_plan(dak_lak) -> Plan:
    """Đắk Lắk's 2016 plan with one mandatory target every district must meet: a LAN."""
    plan = Plan.objects.create(
        code="TEST-DL-EVERY",
        kind="ke_hoach",
        title="Thử: mọi huyện có mạng LAN",
        issuer="UBND tỉnh Đắk Lắk",
        issuing_unit=dak_lak,
        year_from=2016,
        year_to=2016,
        source="test",
    )
    p = parse_period("2016")
    Target.objects.create(
        plan=plan,
        indicator=Indicator.objects.get(code="INF_LAN"),
        scope="districts",
        mode="every_unit",
        value=100,
        deadline=p.id,
        deadline_start=p.start,
        deadline_end=p.end,
        mandatory=True,
    )
    return plan


def districts(dak_lak) -> list[Unit]:
    return list(Unit.objects.in_force(D(2016, 12, 31)).filter(parent=dak_lak).order_by("code"))


def section(text: str, name: str) -> str:
    """The HTML of the page's section `name` ("missed" or "no-data"), "" if absent."""
    match = re.search(rf'<section aria-labelledby="{name}-title".*?</section>', text, re.S)
    return match.group(0) if match else ""


# --- every unit must meet it, and nobody reported ------------------------------------------


def test_an_every_unit_target_nobody_reported_is_not_nobody_behind(client, districts_plan):
    assert len(districts(districts_plan.issuing_unit)) == 15
    response = client.get("/plans/TEST-DL-EVERY/laggards/", {"period": "2016"})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.missed == []
    assert report.nobody_reported
    assert [t.label for t in report.targets] == ["0/15 đơn vị báo cáo"]
    assert len(report.no_data) == 15
    assert {m.status for lag in report.no_data for m in lag.misses} == {Status.NO_DATA}
    text = response.content.decode()
    assert "0/15 đơn vị báo cáo" in text
    assert "chưa ai báo cáo, nên chưa biết ai chưa đạt" in text
    assert "Không có đơn vị nào chậm" not in text
    assert "Chưa đơn vị, cơ quan nào báo cáo các mục tiêu bắt buộc" in text
    english = client.get(
        "/plans/TEST-DL-EVERY/laggards/", {"period": "2016"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "0/15 units reported" in english
    assert "No unit or agency has reported on the mandatory targets" in english
    assert "No laggards" not in english


def test_who_missed_is_apart_from_who_has_no_data(client, districts_plan):
    first, second, *others = districts(districts_plan.issuing_unit)
    add(first, "INF_LAN", "2016Q4", 0)  # reported, and has no LAN: missed
    add(second, "INF_LAN", "2016Q4", 1)  # met
    report = laggards_report(districts_plan, parse_period("2016"))
    assert [lag.name for lag in report.missed] == [first.name]
    assert [m.status for m in report.missed[0].misses] == [Status.BEHIND]
    assert [lag.name for lag in report.no_data] == [d.name for d in others]
    assert [t.label for t in report.targets] == ["2/15 đơn vị báo cáo"]
    assert not report.nobody_reported

    text = client.get("/plans/TEST-DL-EVERY/laggards/", {"period": "2016"}).content.decode()
    missed, no_data = section(text, "missed"), section(text, "no-data")
    assert escape(first.name) in missed and escape(first.name) not in no_data
    for district in others:
        assert escape(district.name) in no_data and escape(district.name) not in missed
    assert escape(second.name) not in missed + no_data  # met: on neither list
    assert "2/15 đơn vị báo cáo" in text

    csv = client.get("/plans/TEST-DL-EVERY/laggards/", {"period": "2016", "export": "csv"})
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",Tình trạng,Nhóm")
    assert len(lines) == 1 + 1 + 13
    assert first.name in lines[1] and lines[1].endswith(",Chậm tiến độ,Chưa đạt")
    assert all(line.endswith(",Chưa có số liệu,Chưa có số liệu") for line in lines[2:])


def test_when_everyone_who_reported_met_it_the_silent_ones_are_still_named(districts_plan):
    first, *_others = districts(districts_plan.issuing_unit)
    add(first, "INF_LAN", "2016Q4", 1)
    report = laggards_report(districts_plan, parse_period("2016"))
    assert report.missed == []
    assert len(report.no_data) == 14
    assert not report.nobody_reported


# --- agencies: one with nothing entered has not missed --------------------------------------


def test_an_agency_with_nothing_entered_is_under_no_data_not_missed(client):
    plan = Plan.objects.get(code="VP-CD-2016")
    yes, no, silent = Agency.objects.filter(unit__code="26").order_by("name")
    add(yes.unit, "APP_DIGSIG_DOCS", "2016Q4", 100, agency=yes)
    add(no.unit, "APP_DIGSIG_DOCS", "2016Q4", 0, agency=no)
    report = laggards_report(plan, parse_period("2016"))
    assert [lag.agency for lag in report.missed] == [no]
    assert [lag.agency for lag in report.no_data] == [silent]
    assert [t.label for t in report.targets] == ["2/3 cơ quan báo cáo"]

    response = client.get("/plans/VP-CD-2016/laggards/", {"period": "2016"})
    text = response.content.decode()
    assert no.name in section(text, "missed")
    assert silent.name not in section(text, "missed")
    assert silent.name in section(text, "no-data")
    assert yes.name not in section(text, "missed") + section(text, "no-data")


def test_the_workbook_keeps_who_missed_apart_from_who_has_no_data():
    plan = Plan.objects.get(code="VP-CD-2016")
    unreported, no, silent = Agency.objects.filter(unit__code="26").order_by("name")
    add(no.unit, "APP_DIGSIG_DOCS", "2016Q4", 0, agency=no)
    content = plan_workbook(plan, parse_period("2016"), today=D(2025, 1, 1))
    book = openpyxl.load_workbook(io.BytesIO(content))
    missed = list(book["Đơn vị chậm"].iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    no_data = list(book["Chưa có số liệu"].iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert [r[1] for r in missed] == [no.name]
    assert {r[1] for r in no_data} == {silent.name, unreported.name}
    # Someone reported: no note that nobody did.
    assert book["Đơn vị chậm"].cell(row=HEADER_ROW - 1, column=1).value is None


# --- the workbook of Vĩnh Linh's plan for 2025 ------------------------------------------------


@pytest.fixture
def hoxa_approved_2025q1() -> Submission:
    """Hồ Xá's complete 2025Q1 report, entered by hoxa.nhaplieu and approved by
    vinhlinh.duyet (the README's "Try it" journey, as tests/test_entry_workflow.py does)."""
    demo_users_create()
    users = {u.username: u for u in get_user_model().objects.all()}
    hoxa = Unit.objects.in_force(D(2024, 1, 1)).get(code="19363")
    q1 = parse_period("2025Q1")
    values = {}
    for indicator in applicable_indicators(hoxa, None, q1):
        if indicator.value_type == Indicator.ValueType.RATIO:
            values[indicator.code] = EntryValue(numerator="1", denominator="1")
        elif indicator.value_type == Indicator.ValueType.BOOLEAN:
            values[indicator.code] = EntryValue(value="1")
        else:
            values[indicator.code] = EntryValue(value="2")
    result = entry_save(
        user=users["hoxa.nhaplieu"],
        unit=hoxa,
        agency=None,
        period=q1,
        values=values,
        version=0,
        submit=True,
    )
    assert result.submitted
    submission_act(user=users["vinhlinh.duyet"], submission=result.submission, action="approve")
    result.submission.refresh_from_db()
    assert result.submission.status == Submission.Status.APPROVED
    return result.submission


def test_vinh_linhs_2025_workbook_sees_ho_xas_approved_2025q1(hoxa_approved_2025q1):
    plan = Plan.objects.get(code="VL-KH-2021")
    content = plan_workbook(plan, parse_period("2025"), today=D(2026, 1, 15))
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book["Tình hình báo cáo"]
    header = [c.value for c in sheet[HEADER_ROW]]
    rows = [
        dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
    ]
    ho_xa = {r["Kỳ"]: r for r in rows if r["Mã đơn vị"] == "19363"}
    # Vĩnh Linh and its communes ended on 30/06/2025: 2025Q1 and 2025Q2 only.
    assert sorted(ho_xa) == ["2025Q1", "2025Q2"]
    assert {r["Kỳ"] for r in rows} == {"2025Q1", "2025Q2"}
    assert ho_xa["2025Q1"]["Tình trạng"] == "Đã duyệt"
    assert ho_xa["2025Q1"]["Trễ hạn"] != "Quá hạn"
    assert ho_xa["2025Q2"]["Tình trạng"] == "Chưa nhập"
    assert ho_xa["2025Q2"]["Hạn nộp"] == datetime.datetime(2025, 7, 15)
    # 2 agencies of the district and its 18 communes, in each of the two quarters.
    assert len(rows) == 2 * (2 + 18)


def test_vinh_linhs_workbook_for_2025q3_counts_nobody():
    plan = Plan.objects.get(code="VL-KH-2021")
    content = plan_workbook(plan, parse_period("2025Q3"), today=D(2026, 1, 15))
    book = openpyxl.load_workbook(io.BytesIO(content))
    note = "Huyện Vĩnh Linh không tồn tại trong kỳ 2025Q3."
    reporting = book["Tình hình báo cáo"]
    assert reporting.cell(row=HEADER_ROW, column=1).value == note
    assert reporting.max_row == HEADER_ROW  # no commune overdue for a quarter after its end
    assert book["Đơn vị chậm"].cell(row=HEADER_ROW - 1, column=1).value == note


def test_the_dashboard_and_the_api_say_no_data_apart_from_missed(admin_client, api_client):
    # Vĩnh Phúc in 2016: its agencies entered nothing for the directive's one target.
    vinh_phuc = Unit.objects.in_force(datetime.date(2016, 10, 3)).get(code="26")
    page = admin_client.get(f"/dashboard/{vinh_phuc.pk}/?period=2016").content.decode()
    assert 'data-laggards="no_data"' in page
    assert 'data-laggards="missed"' not in page
    assert "Sở Thông tin và Truyền thông tỉnh Vĩnh Phúc" in page.split('data-laggards="no_data"')[1]
    plan = Plan.objects.get(code="VP-CD-2016")
    body = api_client.get(f"/api/v1/plans/{plan.pk}/laggards/", {"period": "2016"}).json()
    groups = {m["group"] for lag in body["results"] for m in lag["misses"]}
    assert groups == {"no_data"}
