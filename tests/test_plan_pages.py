"""/plans/: the list, a plan with its progress and budget, its laggards and their downloads,
and the staff forms for plans and targets."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from indicators.models import Indicator
from plans import exports
from plans.models import Plan, Target
from units.models import Unit

pytestmark = pytest.mark.django_db

QB = "/plans/QB-2342-2018/"


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_user("canbo", password="x", is_staff=True)
    client.force_login(user)
    return client


def _target_post(indicator_code: str, **fields) -> dict:
    data = {
        "indicator": Indicator.objects.get(code=indicator_code).pk,
        "scope": "self",
        "mode": "whole_scope",
        "comparator": "at_least",
        "value": "90",
        "value_max": "",
        "deadline": "2018",
        "baseline_value": "",
        "baseline_period": "",
        "note": "",
    }
    data.update(fields)
    return data


def test_list_shows_local_plans_and_national_documents(client):
    response = client.get("/plans/")
    assert response.status_code == 200
    local = {p.code for p in response.context["local_plans"]}
    national = {p.code for p in response.context["national_plans"]}
    assert local == {"QB-2342-2018", "VP-CD-2016", "DL-KH-2016", "VL-KH-2021"}
    assert {"NQ-36A-2015", "NQ-17-2019", "QD-749-2020", "CT-15-2012"} <= national
    text = response.content.decode()
    assert "2342/KH-UBND" in text
    assert "17/NQ-CP" in text
    assert 'href="/plans/QB-2342-2018/"' in text
    assert 'href="/plans/new/"' not in text  # staff only


def test_quang_binh_plan_shows_its_13_targets_for_2018(client):
    response = client.get(QB, {"period": "2018"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 13
    text = response.content.decode()
    assert text.count("<tr data-target=") == 13
    edoc = next(r for r in rows if r.target.indicator.code == "APP_EDOC_EXCHANGE")
    assert edoc.target.comparator == "between"
    assert "60–80" in text
    assert "Chưa có số liệu" in text
    assert "text-bg-secondary" in text
    assert "không rõ" in text  # the plan's date of issue is not known
    assert 'href="/indicators/APP_EDOC_EXCHANGE/"' in text
    assert "Thêm mục tiêu" not in text  # staff only
    # Whole-scope targets point to the values of the units below, through the API.
    assert "/api/v1/analytics/?indicator=APP_EDOC_EXCHANGE" in text
    assert "by=children" in text


def test_plan_page_opens_on_the_plans_year_by_default(client):
    response = client.get(QB)
    assert response.status_code == 200
    assert response.context["period"].id == "2018"  # a plan for 2018 only


def test_plan_page_for_a_district_of_the_province(client):
    dong_hoi = Unit.objects.in_force(datetime.date(2018, 12, 31)).get(code="450")
    response = client.get(QB, {"period": "2018", "unit": dong_hoi.pk})
    assert response.status_code == 200
    assert response.context["subject"] == dong_hoi
    # The departments are the province's: those two targets do not apply to a district.
    assert len(response.context["rows"]) == 11
    assert f'<option value="{dong_hoi.pk}" selected>' in response.content.decode()


def test_plan_page_in_english(client):
    response = client.get(QB, {"period": "2018"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'lang="en"' in text
    assert "Share of documents exchanged electronically" in text


def test_an_invalid_period_is_a_message_not_an_error(client):
    response = client.get(QB, {"period": "2018Q7"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "không hợp lệ" in text
    assert "2018Q7" in text
    assert response.context["rows"] == []
    assert client.get(QB, {"period": "2018", "unit": "999999999"}).status_code == 400
    assert client.get(f"{QB}laggards/", {"period": "nope"}).status_code == 400
    assert client.get("/plans/NOPE-1/").status_code == 404


def test_dak_lak_budget_and_its_total(client):
    response = client.get("/plans/DL-KH-2016/", {"period": "2018"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "309.000.000.000" in text
    assert "trên 201.000.000.000" in text
    assert "trên 555.000.000.000" in text
    assert "Ngân sách đầu tư trung ương" in text
    # It implements 36a/NQ-CP, whose province target it inherits.
    assert 'href="/plans/NQ-36A-2015/"' in text
    assert response.context["rows"][0].inherited


def test_national_document_lists_the_plans_that_implement_it(client):
    response = client.get("/plans/NQ-17-2019/", {"period": "2020"})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'href="/plans/VL-KH-2021/"' in text
    rows = response.context["rows"]
    every = next(r for r in rows if r.members)
    assert len(every.members) == 63  # each province of 2020
    assert "chưa báo cáo" in text


def test_vinh_linh_plan_has_no_target_for_a_district(client):
    response = client.get("/plans/VL-KH-2021/", {"period": "2021"})
    assert response.status_code == 200
    assert response.context["rows"] == []
    text = response.content.decode()
    assert "Không có mục tiêu nào của văn bản này áp dụng cho Huyện Vĩnh Linh" in text


def test_vinh_phuc_laggards_for_2016(client):
    response = client.get("/plans/VP-CD-2016/laggards/", {"period": "2016"})
    assert response.status_code == 200
    report = response.context["report"]
    # Nobody reported the directive's one target (digitally signed documents): no agency
    # is named as having missed it; each is listed as having no data.
    assert report.missed == []
    names = {lag.name for lag in report.no_data}
    assert "Sở Thông tin và Truyền thông tỉnh Vĩnh Phúc" in names
    assert all(lag.agency is not None for lag in report.no_data)
    assert all(len(lag.misses) == 1 for lag in report.no_data)
    text = response.content.decode()
    assert "Sở Thông tin và Truyền thông tỉnh Vĩnh Phúc" in text
    assert "0/3 cơ quan báo cáo" in text
    assert "Không có đơn vị nào chậm" not in text
    assert "?period=2016&amp;export=csv" in text
    assert "?period=2016&amp;export=xlsx" in text


def test_vinh_phuc_laggards_download_as_csv(client):
    response = client.get("/plans/VP-CD-2016/laggards/", {"period": "2016", "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert "Sở Thông tin và Truyền thông tỉnh Vĩnh Phúc" in text
    assert "APP_DIGSIG_DOCS" in text


def test_vinh_phuc_laggards_download_as_xlsx(client):
    response = client.get("/plans/VP-CD-2016/laggards/", {"period": "2016", "export": "xlsx"})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    plan = Plan.objects.get(code="VP-CD-2016")
    assert sheet["A1"].value.startswith(exports.plan_citation(plan))
    assert "2016" in sheet["A1"].value
    values = [c.value for row in sheet.iter_rows(min_row=4) for c in row]
    assert "Sở Thông tin và Truyền thông tỉnh Vĩnh Phúc" in values


@pytest.mark.parametrize(
    "url",
    ["/plans/new/", f"{QB}edit/", f"{QB}targets/new/", "/plans/targets/{pk}/edit/"],
)
def test_forms_are_for_staff_only(client, url):
    url = url.format(pk=Target.objects.filter(plan__code="QB-2342-2018").first().pk)
    response = client.get(url)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    user = get_user_model().objects.create_user("nguoidan", password="x")
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert client.post(url, {}).status_code == 302


def test_staff_sees_the_edit_links(staff_client):
    text = staff_client.get(QB, {"period": "2018"}).content.decode()
    assert "Thêm mục tiêu" in text
    assert f'href="{QB}targets/new/"' in text
    assert f'href="{QB}edit/"' in text
    assert 'href="/plans/new/"' in staff_client.get("/plans/").content.decode()
    assert staff_client.get(f"{QB}targets/new/").status_code == 200
    assert staff_client.get("/plans/new/").status_code == 200
    edit = staff_client.get(f"{QB}edit/")
    assert edit.status_code == 200
    assert edit.context["form"]["code"].value() == "QB-2342-2018"


def test_staff_adds_a_target(staff_client):
    before = Target.objects.filter(plan__code="QB-2342-2018").count()
    response = staff_client.post(
        f"{QB}targets/new/", _target_post("WEB_PORTAL", value="100", deadline="2018q4")
    )
    assert response.status_code == 302
    assert response["Location"] == QB
    target = Target.objects.get(plan__code="QB-2342-2018", indicator__code="WEB_PORTAL")
    assert target.deadline == "2018Q4"
    assert str(target.deadline_start) == "2018-10-01"
    assert str(target.deadline_end) == "2018-12-31"
    assert target.position == before + 1
    page = staff_client.get(QB, {"period": "2018"})
    assert len(page.context["rows"]) == before + 1
    assert "Đã lưu mục tiêu WEB_PORTAL" in page.content.decode()


def test_staff_edits_a_target(staff_client):
    target = Target.objects.get(
        plan__code="QB-2342-2018", indicator__code="APP_EDOC_EXCHANGE", scope="self"
    )
    url = f"/plans/targets/{target.pk}/edit/"
    form = staff_client.get(url).context["form"]
    assert (form["value"].value(), form["value_max"].value()) == (60, 80)
    data = _target_post("APP_EDOC_EXCHANGE", comparator="between", value="65", value_max="85")
    response = staff_client.post(url, data)
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.value, target.value_max) == (65, 85)


def test_a_reversed_range_is_refused_on_value_max(staff_client):
    before = Target.objects.count()
    data = _target_post("WEB_PORTAL", comparator="between", value="80", value_max="60")
    response = staff_client.post(f"{QB}targets/new/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "value_max" in form.errors
    assert "Cận dưới (80) lớn hơn cận trên (60)" in form.errors["value_max"][0]
    assert "Cận dưới (80) lớn hơn cận trên (60)" in response.content.decode()
    assert "Constraint" not in response.content.decode()
    assert Target.objects.count() == before


def test_an_indicator_retired_before_the_deadline_is_refused(staff_client):
    before = Target.objects.count()
    data = _target_post("SVC_ONLINE_L34", scope="districts", value="50", deadline="2024")
    response = staff_client.post(f"{QB}targets/new/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "indicator" in errors
    assert "SVC_ONLINE_L34" in errors["indicator"][0]
    assert Target.objects.count() == before


def test_a_duplicate_target_is_refused(staff_client):
    data = _target_post("APP_SHARED_SOFTWARE", scope="all_agencies", value="100")
    response = staff_client.post(f"{QB}targets/new/", data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_staff_creates_a_plan_and_years_must_be_ordered(staff_client):
    quang_tri = Unit.objects.filter(code="45", level="province").order_by("valid_from").first()
    data = {
        "code": "QT-KH-2019",
        "kind": "ke_hoach",
        "number": "123/KH-UBND",
        "title": "Kế hoạch ứng dụng công nghệ thông tin năm 2019",
        "issuer": "UBND tỉnh Quảng Trị",
        "issuing_unit": quang_tri.pk,
        "issued_on": "2019-01-15",
        "year_from": "2019",
        "year_to": "2018",
        "goal": "",
        "implements": [Plan.objects.get(code="NQ-17-2019").pk],
        "implements_note": "",
        "source": "Cổng thông tin điện tử tỉnh Quảng Trị",
        "source_on": "",
    }
    response = staff_client.post("/plans/new/", data)
    assert response.status_code == 200
    assert "year_to" in response.context["form"].errors
    assert not Plan.objects.filter(code="QT-KH-2019").exists()

    data["year_to"] = "2019"
    response = staff_client.post("/plans/new/", data)
    assert response.status_code == 302
    plan = Plan.objects.get(code="QT-KH-2019")
    assert plan.issuing_unit == quang_tri
    assert [p.code for p in plan.implements.all()] == ["NQ-17-2019"]
    text = staff_client.get("/plans/QT-KH-2019/").content.decode()
    assert "15/01/2019" in text
    assert 'href="/plans/NQ-17-2019/"' in text
