"""Odd or hostile input at every entrance (issue 16, items 3 and 7): a number no column holds,
NUL characters, JSON nested too deeply, a period the calendar has nothing before, an unknown
status, a decomposed (NFD) name. Each is a 400 (or the form's message), never a 500, and the
log never carries more than a short prefix of what was sent.

The NUL cases fail only on PostgreSQL, which refuses NUL in text: run this module with
DATABASE_URL=postgres://… too.
"""

import datetime
import io
import logging
import re
import unicodedata

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from accounts.services import demo_users_create
from entry.services import applicable_indicators
from indicators.models import Figure, Indicator
from indicators.periods import parse_period
from units.models import Agency, Unit

pytestmark = pytest.mark.django_db

OLD = datetime.date(2024, 1, 1)
Q4 = "2024Q4"
BULK = "/api/v1/observations/bulk/"
SINGLE = "/api/v1/observations/"
# Huyện Vĩnh Linh's office, as a Mac or a PDF may hand its name over: decomposed.
OFFICE = "Văn phòng HĐND và UBND huyện Vĩnh Linh"
OFFICE_NFD = unicodedata.normalize("NFD", OFFICE)
# 97 bytes of JSON once made fifty million digits (+367 MB of memory, +286 MB of log).
HUGE = "1e50000000"
LONG = "9" * 100_000


@pytest.fixture
def users():
    demo_users_create()
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def admin_api(api_client, users):
    api_client.force_authenticate(users["admin"])
    return api_client


@pytest.fixture
def hoxa():
    return Unit.objects.in_force(OLD).get(code="19363")


def longest_run(text: str, char: str) -> int:
    return max((len(run) for run in re.findall(f"{re.escape(char)}+", text)), default=0)


def figure(value, **extra) -> dict:
    row = {"unit_code": "464", "on": "2024-01-01", "indicator": "INF_LAN", "period": Q4}
    return row | {"value": value} | extra


# --- item 3: a number the catalogue cannot hold --------------------------------------------


@pytest.mark.parametrize("value", [HUGE, "-1E+999999999", "1e-50000000", LONG])
def test_a_number_no_column_holds_is_a_400_from_each_api_entrance_and_not_in_the_log(
    admin_api, caplog, value
):
    header = "unit_code,on,indicator,period,value\n"
    with caplog.at_level(logging.DEBUG):
        single = admin_api.post(SINGLE, figure(value), format="json")
        bulk = admin_api.post(BULK, [figure(value)], format="json")
        csv = admin_api.post(
            BULK, f"{header}464,2024-01-01,INF_LAN,{Q4},{value}\n".encode(), content_type="text/csv"
        )
    assert single.status_code == 400
    [message] = single.json()["value"]
    assert len(message) < 200
    for response in (bulk, csv):
        assert response.status_code == 400
        [error] = response.json()["errors"]
        assert (error["field"], error["message"]) == ("value", message)
    assert not Figure.objects.filter(period=Q4, unit__code="464").exists()
    # Neither the value written out (zeros) nor the value itself, beyond a short prefix.
    assert longest_run(caplog.text, "0") < 200
    assert longest_run(caplog.text, "9") < 200


def test_the_entry_form_names_a_number_no_column_holds(client, users, hoxa, caplog):
    client.force_login(users["hoxa.nhaplieu"])
    data = {
        "version": "0",
        "action": "save",
        "FIN_IT_BUDGET-value": HUGE,
        "HR_IT_STAFF-value": LONG,
    }
    with caplog.at_level(logging.DEBUG):
        response = client.post(f"/entry/{hoxa.pk}/{Q4}/", data)
    assert response.status_code == 200  # the form again, with its messages (as for any error)
    text = response.content.decode()
    assert "«1e50000000» quá lớn: tối đa 16 chữ số trước dấu thập phân." in text
    assert f"«{'9' * 40}…» dài quá 64 ký tự: không phải một số." in text
    assert not Figure.objects.filter(unit=hoxa, period=Q4).exists()
    assert longest_run(caplog.text, "0") < 200
    assert longest_run(caplog.text, "9") < 200


# --- item 7: the smaller 500s -----------------------------------------------------------


def test_a_denominator_the_column_rounds_to_zero_is_a_400(admin_api):
    row = figure(None, indicator="HR_PROFICIENT", numerator="0.00001", denominator="0.00002")
    response = admin_api.post(SINGLE, row, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "denominator": [
            "Mẫu số 0.00002 làm tròn đến 4 chữ số thập phân thành 0: mẫu số phải lớn hơn 0."
        ]
    }
    assert not Figure.objects.filter(period=Q4, unit__code="464").exists()


@pytest.mark.parametrize(
    "url",
    [
        "/units/%00/",
        "/units/?q=%00",
        "/indicators/%00/",
        "/indicators/?q=x%00",
        "/plans/%00/",
        "/dashboard/compare/?codes=4%005&on=2024-01-01",
        "/api/v1/units/?q=%00",
        "/api/v1/indicators/%00/",
        "/api/v1/observations/?unit_code=%00",
    ],
)
def test_a_nul_in_a_path_or_a_parameter_is_a_400(client, users, url):
    client.force_login(users["admin"])
    response = client.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert response.json() == {"detail": "Địa chỉ hoặc tham số có ký tự NUL (mã 0)."}


def test_a_nul_in_a_bulk_rows_codes_is_named_by_column(admin_api):
    row = figure("1", unit_code="46\x004", indicator="INF_\x00LAN", agency="x\x00")
    response = admin_api.post(BULK, [row], format="json")
    assert response.status_code == 400
    errors = {(e["row"], e["field"]) for e in response.json()["errors"]}
    assert errors == {(1, "unit_code"), (1, "indicator"), (1, "agency")}


def test_a_lone_surrogate_in_a_bulk_row_is_named_by_column(admin_api, users):
    # JSON may carry half a UTF-16 pair ("\ud800"); no database text holds it (was a 500).
    body = '[{"unit_code": "464", "on": "2024-01-01", "indicator": "INF_LAN", "period": '
    body += '"2024Q4", "value": "1", "note": "\\ud800"}]'
    for user in ("admin", "vinhlinh.nhaplieu"):
        admin_api.force_authenticate(users[user])
        response = admin_api.post(BULK, body, content_type="application/json")
        assert response.status_code == 400
        assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(1, "note")]


def test_a_nul_in_a_review_reason_is_taken_out(client, users, hoxa):
    from entry.services import EntryValue, entry_save
    from indicators.models import Transition

    period = parse_period(Q4)
    values = {
        i.code: EntryValue(numerator="1", denominator="2")
        if i.value_type == "ratio"
        else EntryValue(value="1")
        for i in applicable_indicators(hoxa, None, period)
    }
    official = users["hoxa.nhaplieu"]
    report = entry_save(
        user=official,
        unit=hoxa,
        agency=None,
        period=period,
        values=values,
        version=0,
        submit=True,
    ).submission
    client.force_login(users["vinhlinh.duyet"])
    response = client.post(
        f"/entry/reports/{report.pk}/", {"action": "return", "reason": "Thi\x00ếu nguồn"}
    )
    assert response.status_code == 302
    assert Transition.objects.filter(submission=report).latest("at").reason == "Thiếu nguồn"


def test_a_nul_in_the_single_post_is_refused_by_field(admin_api):
    response = admin_api.post(SINGLE, figure("1", unit_code="46\x004"), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["unit_code"]


def test_a_nul_in_an_entry_forms_note_is_dropped(client, users, hoxa):
    client.force_login(users["hoxa.nhaplieu"])
    data = {
        "version": "0",
        "action": "save",
        "HR_IT_STAFF-value": "3",
        "HR_IT_STAFF-note": "a\x00b",
    }
    response = client.post(f"/entry/{hoxa.pk}/{Q4}/", data)
    assert response.status_code == 302
    assert Figure.objects.get(unit=hoxa, period=Q4, indicator__code="HR_IT_STAFF").note == "ab"


@pytest.mark.parametrize("url", [SINGLE, BULK])
def test_json_nested_fifty_thousand_deep_is_a_400(admin_api, url):
    response = admin_api.post(url, "[" * 50_000, content_type="application/json")
    assert response.status_code == 400
    # Too deep for Python's parser, or (below a file's bound) too many arrays to build.
    assert response.json()["detail"] in {
        "JSON lồng nhau quá sâu.",
        "JSON có quá nhiều phần tử (tối đa 1000 mảng và đối tượng).",
    }


@pytest.mark.parametrize("period", ["1990Q1", "1990", "1990S1", "199001"])
def test_a_dashboard_of_the_calendars_first_period_is_a_400_saying_why(client, users, period):
    client.force_login(users["admin"])
    vinh_linh = Unit.objects.in_force(OLD).get(code="464")
    response = client.get(f"/dashboard/{vinh_linh.pk}/?period={period}")
    assert response.status_code == 400
    assert f"Kỳ {period} không có kỳ trước (lịch bắt đầu từ năm 1990)" in response.content.decode()


@pytest.mark.parametrize("suffix", ["", "template.xlsx"])
def test_an_entry_form_of_the_calendars_first_quarter_is_not_found(client, users, suffix):
    client.force_login(users["admin"])
    vinh_linh = Unit.objects.in_force(OLD).get(code="464")
    assert client.get(f"/entry/{vinh_linh.pk}/1990Q1/{suffix}").status_code == 404
    office = Agency.objects.get(unit=vinh_linh, name=OFFICE)
    assert client.get(f"/entry/agency/{office.pk}/1990Q1/{suffix}").status_code == 404


def test_a_bulk_status_not_in_the_list_is_a_400_listing_the_statuses(admin_api):
    response = admin_api.post(f"{BULK}?status=bogus", [figure("1")], format="json")
    assert response.status_code == 400
    assert response.json() == {
        "status": [
            "Trạng thái «bogus» không có: chọn một trong draft, submitted, approved, returned."
        ]
    }
    assert not Figure.objects.filter(period=Q4, unit__code="464").exists()
    stored = admin_api.post(f"{BULK}?status=approved", [figure("1")], format="json")
    assert stored.status_code == 200
    assert Figure.objects.get(period=Q4, unit__code="464").status == "approved"


def _nfd_agency_row():
    vinh_linh = Unit.objects.in_force(OLD).get(code="464")
    office = Agency.objects.get(unit=vinh_linh, name=OFFICE)
    [indicator, *_] = applicable_indicators(vinh_linh, office, parse_period(Q4))
    row = figure("1", indicator=indicator.code, agency=OFFICE_NFD)
    return office, indicator, row


def _xlsx(row: dict) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(list(row))
    book.active.append(list(row.values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("entrance", ["csv", "xlsx", "json", "single"])
def test_an_agency_named_in_nfd_is_found_from_every_entrance(admin_api, entrance):
    office, indicator, row = _nfd_agency_row()
    if entrance == "csv":
        body = ",".join(row) + "\n" + ",".join(row.values()) + "\n"
        response = admin_api.post(BULK, body.encode(), content_type="text/csv")
    elif entrance == "xlsx":
        upload = io.BytesIO(_xlsx(row))
        upload.name = "figures.xlsx"
        response = admin_api.post(BULK, {"file": upload}, format="multipart")
    elif entrance == "json":
        response = admin_api.post(BULK, [row], format="json")
    else:
        response = admin_api.post(SINGLE, row, format="json")
    assert response.status_code in (200, 201), response.json()
    stored = Figure.objects.get(period=Q4, indicator=indicator, agency=office)
    assert stored.value == 1


def test_the_single_posts_text_is_stored_composed(admin_api):
    row = figure("1", note=unicodedata.normalize("NFD", "Ghi chú của huyện"))
    assert admin_api.post(SINGLE, row, format="json").status_code == 201
    assert Figure.objects.get(period=Q4, unit__code="464").note == "Ghi chú của huyện"


def test_the_catalogue_search_finds_a_name_typed_decomposed(client):
    name = Indicator.objects.get(code="INF_LAN").name
    response = client.get("/indicators/", {"q": unicodedata.normalize("NFD", name)})
    assert response.status_code == 200
    assert "INF_LAN" in [i.code for i in response.context["indicators"]]


def test_a_username_longer_than_its_column_is_refused_before_the_login_is_recorded(api_client, db):
    # django-axes records every failed login; its column holds 255 characters, and a longer
    # username was a 500 on PostgreSQL (found by tests/test_api_fuzz.py).
    response = api_client.post(
        "/api/v1/token/", {"username": "x" * 300, "password": "y"}, format="json"
    )
    assert response.status_code == 400
    assert "username" in response.json()
    response = api_client.post(
        "/api/v1/token/", {"username": "someone", "password": "y" * 5000}, format="json"
    )
    assert response.status_code == 400


def test_a_json_body_of_too_many_arrays_is_refused_before_python_builds_them(admin_api):
    from rest_framework.test import APIClient

    # 9 MB of "[]," to the anonymous token endpoint once grew a worker by 229 MB.
    body = "[" + ",".join(["[]"] * 5000) + "]"
    response = APIClient().post("/api/v1/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert "quá nhiều phần tử" in response.json()["detail"]
    # A file sent as JSON to the bulk import has a file's bound: a row per object.
    rows = [figure("1", period=f"20{n % 25:02d}Q{n % 4 + 1}") for n in range(1500)]
    response = admin_api.post(BULK, rows, format="json")
    assert response.status_code in (200, 400)
    assert response.json()["rows"] == 1500
