"""Small things that looked unfinished (issue 19, item 12): the workbook's reporting sheet
for a signed-in official, the completeness table as XLSX, the admin's Vietnamese names and
the API docs' way back to the portal."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from accounts.services import demo_users_create
from egov_portal.table_files import XLSX
from reports.workbook import HEADER_ROW
from units.models import Unit

pytestmark = pytest.mark.django_db

REPORTING = "Tình hình báo cáo"


@pytest.fixture
def users():
    demo_users_create()


def login(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def reporting_sheet(response):
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return book[REPORTING]


# --- (a) the plan workbook's reporting sheet ---------------------------------------------


def test_the_workbook_lists_reporting_for_a_signed_in_committee_member(client, users):
    login(client, "quangtri.bcd")  # the steering committee of Quảng Trị (until 2025)
    sheet = reporting_sheet(client.get("/plans/VL-KH-2021/workbook/", {"period": "2024"}))
    header = [cell.value for cell in sheet[HEADER_ROW]]
    assert header[:2] == ["Mã đơn vị", "Đơn vị, cơ quan"]
    assert sheet.max_row > HEADER_ROW  # Vĩnh Linh's communes, quarter by quarter


def test_a_signed_in_official_of_another_unit_is_not_told_to_sign_in(client, users):
    login(client, "quangtri.bcd")  # Quảng Bình's plan: not their unit
    sheet = reporting_sheet(client.get("/plans/QB-2342-2018/workbook/", {"period": "2018"}))
    note = sheet.cell(row=HEADER_ROW, column=1).value
    assert "thành viên" in note
    assert "hãy đăng nhập" not in note
    assert sheet.max_row == HEADER_ROW


# --- (b) completeness as XLSX ----------------------------------------------------------


def test_completeness_downloads_as_xlsx(client, users):
    vinhlinh = Unit.objects.in_force(datetime.date(2024, 1, 1)).get(code="19363").parent
    login(client, "vinhlinh.duyet")
    url = f"/entry/completeness/?unit={vinhlinh.pk}&period=2025Q1"
    page = client.get(url).content.decode()
    assert "export=xlsx" in page and "export=csv" in page

    response = client.get(url + "&export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book[REPORTING]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0][:3] == ("Mã", "Đơn vị, cơ quan", "Kỳ")
    names = {row[1] for row in rows[1:]}
    assert "Thị trấn Hồ Xá" in names
    assert len(rows) - 1 == len(client.get(url).context["rows"])


# --- (c) the admin's names ---------------------------------------------------------------


def test_the_admin_is_in_vietnamese(admin_client):
    text = admin_client.get("/admin/").content.decode()
    assert "Quản trị cổng chính quyền điện tử" in text
    assert "Django administration" not in text and "Quản trị Django" not in text
    assert "Chống dò mật khẩu" in text and "Các lần đăng nhập sai" in text
    assert "Axes" not in text and "AXES" not in text and "Access attempts" not in text


def test_the_admin_in_english(admin_client):
    text = admin_client.get("/admin/", headers={"accept-language": "en"}).content.decode()
    assert "E-government portal administration" in text
    assert "Login protection" in text and "Failed logins" in text


# --- (d) the API docs link back ---------------------------------------------------------


def test_the_api_docs_link_back_to_the_portal(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'href="/"' in text
    assert "Về trang chủ egov-portal" in text
    assert "swagger-ui" in text  # still the package's page
