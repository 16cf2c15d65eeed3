"""Units counted only while they exist, in entry and plans (issue 18.3): completeness, due
dates and laggards count a unit (and its agencies) only in the periods it was in force, and a
unit's period menus offer only periods within its life. Huyện Vĩnh Linh and its communes
ended on 30/06/2025; the new Tỉnh Quảng Trị (code 44) exists from 01/07/2025."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from accounts.services import demo_users_create
from entry import selectors
from entry.selectors import ReportRow
from indicators.models import Indicator
from indicators.periods import parse_period
from plans.models import Plan, Target
from plans.progress import laggards_report, plan_laggards
from units import selectors as unit_selectors
from units.models import Agency, Unit

pytestmark = pytest.mark.django_db

D = datetime.date
OLD, NEW = D(2024, 1, 1), D(2026, 1, 1)
TODAY = D(2026, 1, 15)


@pytest.fixture
def vinh_linh() -> Unit:
    return Unit.objects.in_force(OLD).get(code="464")


@pytest.fixture
def new_quang_tri() -> Unit:
    return Unit.objects.in_force(NEW).get(code="44")


@pytest.fixture
def users() -> dict:
    demo_users_create()
    return {u.username: u for u in get_user_model().objects.all()}


def login(client, user):
    client.force_login(user)
    return client


def plan_of(unit: Unit, code: str, *, year: int, scope: str, mode: str) -> Plan:
    """A plan of `unit` for `year` with one mandatory target (LAN) on `scope`."""
    plan = Plan.objects.create(
        code=code,
        kind="ke_hoach",
        title="Thử",
        issuer=f"UBND {unit.name}",
        issuing_unit=unit,
        year_from=year,
        year_to=year,
        source="test",
    )
    p = parse_period(str(year))
    Target.objects.create(
        plan=plan,
        indicator=Indicator.objects.get(code="INF_LAN"),
        scope=scope,
        mode=mode,
        value=100,
        deadline=p.id,
        deadline_start=p.start,
        deadline_end=p.end,
        mandatory=True,
    )
    return plan


# --- completeness and due dates ---------------------------------------------------------------


def test_vinh_linhs_communes_are_not_overdue_for_2025q3(vinh_linh):
    assert selectors.completeness(vinh_linh, parse_period("2025Q3"), TODAY) == []
    q2 = selectors.completeness(vinh_linh, parse_period("2025Q2"), TODAY)
    assert len(q2) == 2 + 18  # its two agencies and its 18 communes, all overdue
    assert all(row.is_overdue for row in q2)


def test_the_new_quang_tri_owes_nothing_for_2025q2(new_quang_tri):
    # It has an agency of its own (its People's Committee): not overdue either.
    assert Agency.objects.filter(unit=new_quang_tri).exists()
    assert selectors.completeness(new_quang_tri, parse_period("2025Q2"), TODAY) == []
    q3 = selectors.completeness(new_quang_tri, parse_period("2025Q3"), TODAY)
    assert {row.period.id for row in q3} == {"2025Q3"}
    assert any(row.agency is not None for row in q3)


def test_a_years_completeness_is_its_quarters_within_the_units_life(vinh_linh, new_quang_tri):
    old_year = selectors.completeness(vinh_linh, parse_period("2025"), TODAY)
    assert sorted({row.period.id for row in old_year}) == ["2025Q1", "2025Q2"]
    assert {row.due_on for row in old_year} == {D(2025, 4, 15), D(2025, 7, 15)}
    new_year = selectors.completeness(new_quang_tri, parse_period("2025"), TODAY)
    assert sorted({row.period.id for row in new_year}) == ["2025Q3", "2025Q4"]
    assert {row.due_on for row in new_year} == {D(2025, 10, 15), D(2026, 1, 15)}
    # Each child in the quarters it existed in: none of the 2025 communes before July.
    assert all(row.unit.is_in_force_during(row.period.start, row.period.end) for row in new_year)


def test_a_years_completeness_costs_what_a_quarters_does(vinh_linh, django_assert_max_num_queries):
    # The children, the agencies, the reports, the due dates' overrides.
    with django_assert_max_num_queries(4):
        rows = selectors.completeness(vinh_linh, parse_period("2024"), TODAY)
    assert len(rows) == 4 * (2 + 18)


def test_a_report_row_outside_the_units_life_is_never_overdue(vinh_linh):
    q3 = parse_period("2025Q3")
    row = ReportRow(vinh_linh, None, q3, D(2025, 10, 15), None, TODAY)
    assert not row.is_overdue
    q2 = parse_period("2025Q2")
    assert ReportRow(vinh_linh, None, q2, D(2025, 7, 15), None, TODAY).is_overdue


# --- the period menus ----------------------------------------------------------------------


def test_the_completeness_menu_offers_only_the_units_quarters(client, users, vinh_linh):
    login(client, users["vinhlinh.duyet"])
    response = client.get("/entry/completeness/", {"unit": vinh_linh.pk, "period": "2025Q3"})
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "2025Q3" not in [p.id for p in response.context["periods"]]
    assert response.context["periods"][0].id == "2025Q2"
    text = response.content.decode()
    assert "Huyện Vĩnh Linh không tồn tại trong kỳ 2025Q3." in text
    assert "quá hạn" not in text.lower()


def test_the_new_quang_tris_completeness_page_for_2025q2_lists_nobody(client, users, new_quang_tri):
    login(client, users["quangtri2025.bcd"])
    response = client.get("/entry/completeness/", {"unit": new_quang_tri.pk, "period": "2025Q2"})
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert response.context["total"] == 0
    assert [p.id for p in response.context["periods"]][-1] == "2025Q3"
    csv = client.get(
        "/entry/completeness/",
        {"unit": new_quang_tri.pk, "period": "2025Q2", "export": "csv"},
    )
    assert len(csv.content.decode("utf-8-sig").splitlines()) == 1  # the header only


def test_the_dashboard_for_the_new_quang_tri_in_2025q2_counts_no_report(
    client, users, new_quang_tri
):
    login(client, users["admin"])
    response = client.get(f"/dashboard/{new_quang_tri.pk}/", {"period": "2025Q2"})
    assert response.status_code == 200
    assert response.context["board"].completeness == []
    assert response.context["completeness_total"] == 0


def test_the_dashboards_period_picker_stays_within_the_units_life(
    client, users, vinh_linh, new_quang_tri
):
    login(client, users["admin"])
    text = client.get(f"/dashboard/{vinh_linh.pk}/", {"period": "2025Q2"}).content.decode()
    assert 'href="?period=2025Q1"' in text
    assert 'href="?period=2025Q3"' not in text  # Vĩnh Linh ended on 30/06/2025
    text = client.get(f"/dashboard/{new_quang_tri.pk}/", {"period": "2025Q3"}).content.decode()
    assert 'href="?period=2025Q4"' in text
    assert 'href="?period=2025Q2"' not in text  # it exists from 01/07/2025
    # Asked for a period before it existed (read through its predecessors), the picker
    # offers the way into its life, not further out of it.
    text = client.get(f"/dashboard/{new_quang_tri.pk}/", {"period": "2020Q4"}).content.decode()
    assert 'href="?period=2025Q3"' in text
    assert 'href="?period=2020Q3"' not in text
    assert 'href="?period=2021Q1"' not in text
    code = "INF_LAN"
    text = client.get(
        f"/dashboard/{vinh_linh.pk}/indicator/{code}/", {"period": "2025Q2"}
    ).content.decode()
    assert 'href="?period=2025Q3"' not in text


def test_a_plan_page_offers_only_the_years_the_unit_existed_in(
    client, monkeypatch, vinh_linh, new_quang_tri
):
    monkeypatch.setattr(unit_selectors, "today", lambda: D(2026, 6, 1))
    old_quang_tri = vinh_linh.province
    response = client.get("/plans/QD-749-2020/", {"unit": old_quang_tri.pk})
    assert response.status_code == 200
    assert list(response.context["years"]) == list(range(2020, 2026))
    assert response.context["period"].id == "2025"  # not 2026: it ended in 2025
    response = client.get("/plans/QD-749-2020/laggards/", {"unit": new_quang_tri.pk})
    assert list(response.context["years"]) == list(range(2025, 2031))
    assert response.context["period"].id == "2026"
    text = response.content.decode()
    assert f'href="?period=2024&amp;unit={new_quang_tri.pk}"' not in text
    assert f'href="?period=2025&amp;unit={new_quang_tri.pk}"' in text


# --- laggards ----------------------------------------------------------------------------------


def test_vinh_linhs_communes_do_not_lag_after_they_ended(vinh_linh):
    plan = plan_of(vinh_linh, "TEST-VL-2025", year=2025, scope="communes", mode="every_unit")
    assert plan_laggards(plan, parse_period("2025Q3")) == []
    report = laggards_report(plan, parse_period("2025Q3"))
    assert (report.in_force, report.targets, report.no_data) == (False, [], [])
    assert len(plan_laggards(plan, parse_period("2025Q2"))) == 18
    assert len(plan_laggards(plan, parse_period("2025"))) == 18  # partly in its life: counts


def test_the_new_quang_tri_and_its_agencies_do_not_lag_before_it_existed(client, new_quang_tri):
    plan = plan_of(
        new_quang_tri, "TEST-QT-2025", year=2025, scope="all_agencies", mode="every_unit"
    )
    Target.objects.create(
        plan=plan,
        indicator=Indicator.objects.get(code="WEB_PORTAL"),
        scope="self",
        mode="whole_scope",
        value=100,
        deadline="2025",
        deadline_start=D(2025, 1, 1),
        deadline_end=D(2025, 12, 31),
        mandatory=True,
    )
    assert plan_laggards(plan, parse_period("2025Q2")) == []
    q3 = {lag.name for lag in plan_laggards(plan, parse_period("2025Q3"))}
    assert "Ủy ban nhân dân tỉnh Quảng Trị" in q3  # its agency, with no data
    assert new_quang_tri.name in q3  # its own portal, with no data
    response = client.get("/plans/TEST-QT-2025/laggards/", {"period": "2025Q2"})
    assert response.context["unit_choices"] == []  # its communes exist from July too
    text = response.content.decode()
    assert "Tỉnh Quảng Trị không tồn tại trong kỳ 2025Q2." in text
    assert "Không có đơn vị nào chậm" not in text
    assert "Ủy ban nhân dân tỉnh Quảng Trị" not in text
    q3_page = client.get("/plans/TEST-QT-2025/laggards/", {"period": "2025Q3"})
    assert len(q3_page.context["unit_choices"]) == 78
    assert "Ủy ban nhân dân tỉnh Quảng Trị" in q3_page.content.decode()
