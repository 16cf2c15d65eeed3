"""/dashboard/: a unit's dashboard, one indicator for a unit (with its downloads), several
units compared; who may open them; the seeds' figures as the pages show them."""

import datetime
import io
import json
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.db.models import Value
from django.db.models.functions import Replace

from accounts.services import demo_users_create
from indicators.models import Indicator
from units.models import Unit

pytestmark = pytest.mark.django_db

OLD = datetime.date(2024, 1, 1)


@pytest.fixture
def users():
    demo_users_create()


def login(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def admin(client, users):
    return login(client, "admin")


def unit(code: str, on: str) -> Unit:
    return Unit.objects.in_force(datetime.date.fromisoformat(on)).get(code=code)


def dashboard_url(u: Unit, period: str | None = None) -> str:
    return f"/dashboard/{u.pk}/" + (f"?period={period}" if period else "")


def card(text: str, code: str) -> str:
    """The HTML of one headline card."""
    match = re.search(rf'<article[^>]*data-indicator="{code}".*?</article>', text, re.S)
    assert match, f"no card for {code}"
    return match.group(0)


def tier(card_html: str, scope: str) -> str:
    match = re.search(rf'<li[^>]*data-scope="{scope}".*?</li>', card_html, re.S)
    assert match, f"no {scope} tier"
    return re.sub(r"<[^>]+>", "", match.group(0))


# --- who may see what ----------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(client):
    vinh_linh = unit("464", "2020-10-13")
    for url in (
        "/dashboard/",
        dashboard_url(vinh_linh, "2020Q4"),
        f"/dashboard/{vinh_linh.pk}/indicator/APP_DIGSIG_DOCS/",
        "/dashboard/compare/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url


def test_my_dashboard_is_my_units_one(client, users):
    login(client, "vinhlinh.nhaplieu")
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == dashboard_url(unit("464", "2020-10-13"))


def test_a_user_without_a_unit_is_told_so(client):
    user = get_user_model().objects.create_user("khach", password="x")
    client.force_login(user)
    response = client.get("/dashboard/", follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "chưa gắn với đơn vị nào" in response.content.decode()


def test_a_commune_official_opens_every_dashboard_with_approved_figures(client, users):
    """Issue 19, item 1: approved figures are open data, so hoxa.nhaplieu opens its own
    district's and province's dashboards and another district's (no 404 that pretends the
    unit does not exist); who has reported stays with the readers of each unit's reports."""
    login(client, "hoxa.nhaplieu")
    ho_xa = unit("19363", OLD.isoformat())
    response = client.get(dashboard_url(ho_xa, "2020Q4"))
    assert response.status_code == 200
    assert "Thị trấn Hồ Xá" in response.content.decode()
    gio_linh = Unit.objects.in_force(OLD).filter(parent=ho_xa.province, level="district")
    other = gio_linh.exclude(pk=ho_xa.district_id).first()
    for above in (ho_xa.province, ho_xa.district, other):
        response = client.get(dashboard_url(above, "2020Q4"))
        assert response.status_code == 200, above
        text = response.content.decode()
        assert above.name in text
        # Completeness comes from reports: not shown above one's own unit.
        assert "data-reports-hidden" in text
        assert "/entry/completeness/" not in text
    assert client.get(f"/dashboard/{other.pk}/indicator/INF_LAN/").status_code == 200
    # The ancestors are linked in the breadcrumb now that their dashboards open.
    text = client.get(dashboard_url(ho_xa, "2020Q4")).content.decode()
    assert f'href="{dashboard_url(ho_xa.province)}' in text
    assert "data-reports-hidden" not in text


def test_the_2025_committee_opens_the_dashboards_of_the_units_it_was_formed_from(client, users):
    login(client, "quangtri2025.bcd")
    for code in ("45", "464"):  # old Quảng Trị and Vĩnh Linh
        old = unit(code, "2020-10-13")
        response = client.get(dashboard_url(old, "2020Q4"))
        assert response.status_code == 200, code
        assert old.name in response.content.decode()


def test_a_refusal_is_a_403_page_that_says_why_and_what_to_do(client, users):
    login(client, "hoxa.nhaplieu")
    vinh_linh = unit("464", "2020-10-13")
    response = client.get(f"/entry/completeness/?unit={vinh_linh.pk}&period=2020Q4")
    assert response.status_code == 403
    text = response.content.decode()
    assert 'data-refusal="403"' in text
    assert "egov-portal" in text and 'id="main-nav"' in text  # the portal's own page
    assert "chỉ dành cho cán bộ của đơn vị đó" in text  # why
    assert "/dashboard/" in text and "/units/" in text  # what to do instead


def test_an_unknown_unit_or_indicator_is_not_found(admin):
    response = admin.get("/dashboard/999999/")
    assert response.status_code == 404
    assert 'data-refusal="404"' in response.content.decode()  # the portal's own page
    vinh_linh = unit("464", "2020-10-13")
    assert admin.get(f"/dashboard/{vinh_linh.pk}/indicator/NOPE/").status_code == 404


def test_a_bad_period_is_a_message_and_a_400(admin):
    response = admin.get(dashboard_url(unit("464", "2020-10-13"), "2020Q5"))
    assert response.status_code == 400
    text = response.content.decode()
    assert "không hợp lệ" in text
    assert "alert-danger" in text


# --- the seeds, as a dashboard shows them --------------------------------------------------


def test_vinh_linh_2020q4(admin):
    vinh_linh = unit("464", "2020-10-13")
    response = admin.get(dashboard_url(vinh_linh, "2020Q4"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Huyện Vĩnh Linh" in text
    digsig = card(text, "APP_DIGSIG_DOCS")
    assert "70,0%" in digsig
    assert "báo cáo" in digsig  # its own figure
    lan = card(text, "INF_LAN")
    assert " ".join(tier(lan, "communes").split()) == "Các xã: 100,0% báo cáo của đơn vị"
    assert "Có" in card(text, "WEB_PORTAL")  # a yes/no answer, not 100%
    # The period's approved figures, with their source.
    assert "tin liên quan: 70% văn bản đi, đến được ký số" in text
    assert "18/18" in text
    # The breadcrumb and the period picker.
    assert f'href="{dashboard_url(vinh_linh.province, "2020Q4")}"' in text
    assert 'href="?period=2020Q3"' in text
    assert 'href="?period=2021Q1"' in text
    # Completeness, with the link to its page.
    assert f"/entry/completeness/?unit={vinh_linh.pk}&amp;period=2020Q4" in text


def test_children_link_to_their_own_dashboards(admin):
    vinh_linh = unit("464", "2020-10-13")
    text = admin.get(dashboard_url(vinh_linh, "2020Q4")).content.decode()
    ho_xa = Unit.objects.in_force(datetime.date(2020, 12, 31)).get(code="19363")
    assert f'href="{dashboard_url(ho_xa, "2020Q4")}"' in text
    assert "Thị trấn Hồ Xá" in text
    # And the drill-down opens.
    assert admin.get(dashboard_url(ho_xa, "2020Q4")).status_code == 200


def test_cho_don_2021q3(admin):
    text = admin.get(dashboard_url(unit("064", "2021-07-31"), "2021Q3")).content.decode()
    digsig = card(text, "APP_DIGSIG_DOCS")
    # About 90% at district level and about 60% at commune level: two tiers, neither the
    # whole district's.
    assert "90,0%" in tier(digsig, "district_offices")
    assert "60,0%" in tier(digsig, "communes")
    # "biết sử dụng và sử dụng thành thạo" 99% is not proficiency: listed with the figures
    # under its own indicator, and the headline card of proficiency has nothing.
    assert "99,0%" not in card(text, "HR_PROFICIENT")
    assert "biết sử dụng hoặc sử dụng thành thạo máy tính" in text


def test_dak_lak_2016q3_in_vietnamese_and_in_english(admin):
    url = dashboard_url(unit("66", "2016-07-13"), "2016Q3")
    text = admin.get(url).content.decode()
    web = card(text, "WEB_PORTAL")
    assert "Các sở, ban, ngành: 62,1%" in tier(web, "departments")
    assert "18/29" in text  # the figure's fraction, in the table of figures
    assert "Các xã: 30,0%" in tier(card(text, "INF_LAN"), "communes")
    # Its 2016 plan.
    assert 'data-plan="DL-KH-2016"' in text
    english = admin.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in english
    assert "62.1%" in card(english, "WEB_PORTAL")
    assert "62,1" not in english


def test_quang_binh_2018_shows_its_plan_and_targets(admin):
    quang_binh = unit("44", "2018-01-01")
    text = admin.get(dashboard_url(quang_binh, "2018")).content.decode()
    assert "2342/KH-UBND" in text
    assert f'href="/plans/QB-2342-2018/?period=2018&amp;unit={quang_binh.pk}"' in text
    plan = re.search(r'data-plan="QB-2342-2018".*?</table>', text, re.S).group(0)
    assert plan.count("<tr data-target=") == 13
    assert "60–80" in plan  # APP_EDOC_EXCHANGE's range
    assert "Chưa có số liệu" in plan


def test_vinh_phuc_2016_lists_who_misses_its_mandatory_targets(admin):
    vinh_phuc = unit("26", "2016-10-03")
    text = admin.get(dashboard_url(vinh_phuc, "2016")).content.decode()
    assert 'data-plan="VP-CD-2016"' in text
    assert "Ủy ban nhân dân tỉnh Vĩnh Phúc" in text
    assert f'href="/plans/VP-CD-2016/laggards/?period=2016&amp;unit={vinh_phuc.pk}"' in text


def test_the_new_quang_tri_before_it_existed(admin):
    new = unit("44", "2026-01-01")
    text = admin.get(dashboard_url(new, "2020Q4")).content.decode()
    banner = re.search(r'data-banner="predecessors".*?</div>', text, re.S).group(0)
    assert "Số liệu trước 01/07/2025 được tổng hợp từ các đơn vị cũ:" in banner
    old_quang_binh = unit("44", "2020-10-01")
    old_quang_tri = unit("45", "2020-10-01")
    assert f'href="{dashboard_url(old_quang_binh, "2020Q4")}">Tỉnh Quảng Bình' in banner
    assert f'href="{dashboard_url(old_quang_tri, "2020Q4")}">Tỉnh Quảng Trị' in banner
    digsig = card(text, "APP_DIGSIG_DOCS")
    assert "70,0%" in digsig
    assert "từ đơn vị cũ" in digsig


def test_old_vinh_linh_shows_what_it_became(admin):
    vinh_linh = unit("464", "2020-10-13")
    text = admin.get(dashboard_url(vinh_linh, "2020Q4")).content.decode()
    banner = re.search(r'data-banner="successors".*?</div>', text, re.S).group(0)
    assert "Đơn vị này không còn từ 01/07/2025; nay thuộc:" in banner
    xa_vinh_linh = unit("19363", "2025-07-01")
    assert xa_vinh_linh.name == "Xã Vĩnh Linh"
    assert f'href="{dashboard_url(xa_vinh_linh)}">Xã Vĩnh Linh' in banner


def test_the_page_is_printable_and_draws_its_charts_without_inline_scripts(admin):
    # The district catalogue cut to four of Vĩnh Linh's figures, so that it has a readiness
    # index (decision 0016; on the whole catalogue it has too few figures for one).
    Indicator.objects.filter(levels__contains=",district,").exclude(
        code__in=["INF_ONLINE_MEETING", "HR_COMPUTER_USE", "APP_DIGSIG_DOCS", "APP_DIGSIG_LEADERS"]
    ).update(levels=Replace("levels", Value(",district,"), Value(",")))
    quang_tri = unit("45", "2020-10-01")
    text = admin.get(dashboard_url(quang_tri, "2020Q4")).content.decode()
    assert "data-print" in text
    assert 'href="/static/css/print.css" media="print"' in text
    assert '<canvas data-chart="chart-ranking"' in text
    assert '<script id="chart-ranking" type="application/json">' in text
    assert "/static/vendor/chartjs-4.6.1/chart.umd.min.js" in text
    assert "/static/js/charts.js" in text
    assert "onclick" not in text
    scripts = re.findall(r"<script(?![^>]*(?:src=|application/json))[^>]*>", text)
    assert scripts == []
    # Vĩnh Linh is the one district with figures: the only bar, at 95 — online meetings 1,
    # computer use 1, documents signed and leaders' signatures (0.70 + 1) / 2 = 0.85:
    # (1 + 1 + 0.85) / 3 = 0.95 (the old index gave a lone reporter 100).
    chart = re.search(r'<script id="chart-ranking" type="application/json">(.*?)</script>', text)
    data = json.loads(chart.group(1))
    # Every district is in the chart (issue 19, item 10): the ranked one first, the others
    # after it without a bar, each saying why.
    assert data["kind"] == "hbar"
    assert len(data["labels"]) == 10
    assert data["labels"][0] == "Huyện Vĩnh Linh"
    assert data["datasets"][0]["data"] == [95.0] + [None] * 9
    assert data["notes"] == [""] + ["chưa có số liệu đã duyệt"] * 9


def test_a_province_dashboard_has_a_bounded_number_of_queries(admin, django_assert_max_num_queries):
    # Measured: 59 queries for Tỉnh Quảng Trị (45) 2020Q4 — the session and user, the
    # dashboard's roll-ups (12 headline indicators, 5 tiers, the previous quarter, 10
    # districts ranked on 42 indicators), completeness and figures. The roll-up engine
    # (indicators/analytics.py) is being optimised: lower the bound as the count falls,
    # never raise it without a reason. Raised to 72 (66 measured) for the glance of issue 19,
    # item 10: the sparklines' seven earlier quarters (the aggregates' rows in one query, the
    # previous quarter now read there), and the two targets of Resolution 17/NQ-CP that read
    # on the province (one query for national targets, a baseline read each).
    quang_tri = unit("45", "2020-10-01")
    with django_assert_max_num_queries(72):
        response = admin.get(dashboard_url(quang_tri, "2020Q4"))
    assert response.status_code == 200


# --- one indicator for a unit -------------------------------------------------------------


def test_indicator_view_shows_the_trend_children_and_figures(admin):
    vinh_linh = unit("464", "2020-10-13")
    url = f"/dashboard/{vinh_linh.pk}/indicator/APP_DIGSIG_DOCS/?period=2020Q4"
    response = admin.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Tỷ lệ văn bản điện tử được ký số" in text
    trend = re.search(r'<tr[^>]*data-period="2020Q4".*?</tr>', text, re.S).group(0)
    assert "70,0%" in trend
    assert text.count("data-period=") == 12  # twelve quarters
    assert '<script id="chart-trend" type="application/json">' in text
    assert "tin liên quan: 70% văn bản đi, đến được ký số" in text
    ho_xa = Unit.objects.in_force(datetime.date(2020, 12, 31)).get(code="19363")
    assert f"/dashboard/{ho_xa.pk}/indicator/APP_DIGSIG_DOCS/?period=2020Q4" in text


def test_indicator_view_marks_values_from_former_units(admin):
    new = unit("44", "2026-01-01")
    text = admin.get(f"/dashboard/{new.pk}/indicator/APP_DIGSIG_DOCS/?period=2020Q4").content
    text = text.decode()
    trend = re.search(r'<tr class="from-predecessors" data-period="2020Q4".*?</tr>', text, re.S)
    assert trend and "70,0%" in trend.group(0)
    assert "từ đơn vị cũ" in trend.group(0)
    assert "Huyện Vĩnh Linh" in text  # the former units' figures


def test_indicator_csv_has_a_bom_and_the_values(admin):
    vinh_linh = unit("464", "2020-10-13")
    url = f"/dashboard/{vinh_linh.pk}/indicator/APP_DIGSIG_DOCS/"
    response = admin.get(url, {"period": "2020Q4", "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "APP_DIGSIG_DOCS-464-2020Q4-trend.csv" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Kỳ,Giá trị,")
    assert any(line.startswith("2020Q4,70.0,") for line in lines)
    figures = admin.get(url, {"period": "2020Q4", "export": "csv", "table": "figures"})
    assert "tin liên quan: 70% văn bản đi" in figures.content.decode("utf-8-sig")


def test_indicator_xlsx_holds_the_values_shown(admin):
    dak_lak = unit("66", "2016-07-13")
    url = f"/dashboard/{dak_lak.pk}/indicator/WEB_PORTAL/"
    response = admin.get(url, {"period": "2016Q3", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Xu hướng", "Đơn vị trực thuộc", "Số liệu"]
    assert "WEB_PORTAL" in book["Xu hướng"]["A1"].value
    figures = [[cell.value for cell in row] for row in book["Số liệu"].iter_rows(min_row=4)]
    departments = next(row for row in figures if row[4] == "Các sở, ban, ngành")
    assert departments[0] == "2016Q3"
    assert departments[5] == 62.1  # as the page shows it
    assert departments[6:8] == [18, 29]
    shown = admin.get(url, {"period": "2016Q3"}).content.decode()
    assert "62,1%" in shown
    assert "18/29" in shown


# --- several units compared ---------------------------------------------------------------


def test_compare_two_provinces(admin):
    quang_tri, quang_binh = unit("45", "2020-10-01"), unit("44", "2020-10-01")
    response = admin.get(
        "/dashboard/compare/",
        {"units": [quang_tri.pk, quang_binh.pk], "period": "2020Q4"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    # Indicators are the rows (tests/test_compare_page.py), units the columns.
    row = re.search(r'<tr data-indicator="APP_DIGSIG_DOCS">.*?</tr>', text, re.S).group(0)
    cells = re.findall(r"<td.*?</td>", row, re.S)
    assert "70,0%" in cells[0]  # Quảng Trị's APP_DIGSIG_DOCS, from Vĩnh Linh
    assert "1/10 huyện" in cells[0]
    assert '<canvas data-chart="chart-compare"' in text
    assert '<script id="chart-compare" type="application/json">' in text


def test_compare_by_codes_and_date_on_chosen_indicators(admin):
    response = admin.get(
        "/dashboard/compare/",
        {
            "codes": "45, 44",
            "on": "2020-10-01",
            "period": "2020Q4",
            "indicators": ["APP_DIGSIG_DOCS", "WEB_PORTAL"],
        },
    )
    assert response.status_code == 200
    assert [i.code for i in response.context["indicators"]] == ["APP_DIGSIG_DOCS", "WEB_PORTAL"]
    assert [u.code for u in response.context["units"]] == ["45", "44"]


def test_compare_needs_two_to_six_units(admin):
    assert admin.get("/dashboard/compare/").status_code == 200  # the form only
    # One unit is a step of picking them (tests/test_compare_page.py), not an error.
    one = admin.get("/dashboard/compare/", {"units": [unit("45", "2020-10-01").pk]})
    assert one.status_code == 200
    assert "Chọn ít nhất 2 đơn vị" in one.content.decode()
    seven = list(Unit.objects.in_force(OLD).filter(level="province").values_list("pk", flat=True))
    many = admin.get("/dashboard/compare/", {"units": seven[:7]})
    assert many.status_code == 400
    assert "So sánh tối đa 6 đơn vị" in many.content.decode()


def test_compare_any_unit_with_approved_figures(client, users):
    login(client, "vinhlinh.nhaplieu")
    vinh_linh = unit("464", "2020-10-13")
    ho_xa = unit("19363", OLD.isoformat())
    mine = client.get("/dashboard/compare/", {"units": [vinh_linh.pk, ho_xa.pk]})
    assert mine.status_code == 200
    other = unit("064", "2021-07-31")
    # Approved figures are open data: another province's district compares too.
    assert client.get("/dashboard/compare/", {"units": [vinh_linh.pk, other.pk]}).status_code == 200
    assert client.get("/dashboard/compare/", {"units": [vinh_linh.pk, 999999]}).status_code == 400
