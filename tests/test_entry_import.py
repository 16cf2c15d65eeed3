"""/entry/<unit>/<period>/template.xlsx and /entry/import/: the officials' Excel template, and
importing it (or any CSV/XLSX of figures) back, in the request or as a background job."""

import datetime
import io
import unicodedata

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl.utils import get_column_letter

from accounts.services import demo_users_create
from egov_portal.celery import app as celery_app
from entry import jobs, services, templates_xlsx
from entry.models import ImportJob
from indicators.analytics import rollup_value
from indicators.models import Figure, Indicator, Submission
from indicators.periods import parse_period
from units.models import Agency, Unit

pytestmark = pytest.mark.django_db

ON = datetime.date(2021, 1, 1)
PERIOD = "2021Q1"
HEADER = [
    "unit_code",
    "on",
    "period",
    "unit_name",
    "indicator",
    "indicator_name",
    "definition",
    "value_type",
    "previous_period",
    "previous_value",
    "target",
    "scope",
    "value",
    "numerator",
    "denominator",
    "source",
    "note",
]
REFUSED_FOR_OTHERS = "Bạn không được nhập số liệu cho đơn vị này."


@pytest.fixture
def users():
    demo_users_create()


@pytest.fixture
def vinhlinh():
    return Unit.objects.in_force(ON).get(code="464")


@pytest.fixture
def indicators(vinhlinh):
    return services.applicable_indicators(vinhlinh, None, parse_period(PERIOD))


def login(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def template_url(unit: Unit, period: str = PERIOD) -> str:
    return f"/entry/{unit.pk}/{period}/template.xlsx"


def download(client, unit: Unit, query: str = "") -> bytes:
    response = client.get(template_url(unit) + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def sheet_rows(data: bytes) -> tuple[openpyxl.Workbook, list[str], list[dict]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[templates_xlsx.HEADER_ROW]]
    rows = [
        dict(zip(header, (c.value for c in row), strict=False))
        for row in sheet.iter_rows(min_row=templates_xlsx.HEADER_ROW + 1)
    ]
    return book, header, rows


def fill(data: bytes, *, bad: str | None = None) -> bytes:
    """The template filled in right; with `bad`, that (ratio) indicator's numerator is over its
    denominator."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[templates_xlsx.HEADER_ROW]]
    at = {name: header.index(name) + 1 for name in header}
    kinds = dict(Indicator.objects.values_list("code", "value_type"))
    for number in range(templates_xlsx.HEADER_ROW + 1, sheet.max_row + 1):
        code = sheet.cell(number, at["indicator"]).value
        kind = kinds[code]
        if kind == Indicator.ValueType.RATIO:
            numerator = 5 if code == bad else 3
            sheet.cell(number, at["numerator"], numerator)
            sheet.cell(number, at["denominator"], 4)
        elif kind == Indicator.ValueType.BOOLEAN:
            sheet.cell(number, at["value"], 1)
        elif kind == Indicator.ValueType.COUNT:
            sheet.cell(number, at["value"], 2)
        else:
            sheet.cell(number, at["value"], "1.500.000")
        sheet.cell(number, at["source"], "Phòng Văn hóa và Thông tin")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data: bytes, name: str = "mau.xlsx", **options):
    post = {"file": SimpleUploadedFile(name, data)}
    post.update({key: "on" for key, on in options.items() if on})
    return client.post("/entry/import/", post)


def first_ratio(indicators) -> Indicator:
    return next(i for i in indicators if i.value_type == Indicator.ValueType.RATIO)


def row_of(data: bytes, code: str) -> int:
    _book, _header, rows = sheet_rows(data)
    index = next(i for i, row in enumerate(rows) if row["indicator"] == code)
    return templates_xlsx.HEADER_ROW + 1 + index


def stored(unit: Unit):
    return Figure.objects.filter(unit=unit, agency=None, period=PERIOD)


# --- the template --------------------------------------------------------------------------


def test_template_has_the_header_a_row_per_indicator_and_its_protections(
    client, users, vinhlinh, indicators
):
    data = download(login(client, "vinhlinh.nhaplieu"), vinhlinh)
    book, header, rows = sheet_rows(data)
    sheet = book.worksheets[0]
    assert header == HEADER
    assert set(header) <= templates_xlsx.KNOWN
    title = sheet.cell(1, 1).value
    assert "Huyện Vĩnh Linh" in title and "2021" in title
    assert templates_xlsx.INSTRUCTIONS in title
    assert [r["indicator"] for r in rows] == [i.code for i in indicators]
    assert {r["unit_code"] for r in rows} == {"464"}
    assert {r["period"] for r in rows} == {PERIOD}
    assert {r["on"] for r in rows} == {"2021-03-31"}
    assert {r["scope"] for r in rows} == {"self"}
    assert {r["previous_period"] for r in rows} == {"2020Q4"}
    # Vĩnh Linh's approved 2020Q4 figures stand beside the inputs.
    assert any(r["previous_value"] not in (None, "") for r in rows)

    # Yes/no rows: a list of 1 and 0 on the value cell.
    value_column = get_column_letter(header.index("value") + 1)
    yes_no = {i.code for i in indicators if i.value_type == Indicator.ValueType.BOOLEAN}
    boolean_cells = [
        f"{value_column}{number}"
        for number, row in enumerate(rows, start=templates_xlsx.HEADER_ROW + 1)
        if row["indicator"] in yes_no
    ]
    assert boolean_cells
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert len(lists) == 1 and lists[0].formula1 == '"1,0"'
    assert all(cell in lists[0].sqref for cell in boolean_cells)
    decimals = [v for v in sheet.data_validations.dataValidation if v.type == "decimal"]
    assert decimals and all(v.formula1 == "0" for v in decimals)

    # Protected, but for the cells to fill.
    assert sheet.protection.sheet
    first = templates_xlsx.HEADER_ROW + 1
    assert sheet.cell(first, header.index("value") + 1).protection.locked is False
    assert sheet.cell(first, header.index("source") + 1).protection.locked is False
    assert sheet.cell(first, header.index("note") + 1).protection.locked is False
    assert sheet.cell(first, header.index("unit_code") + 1).protection.locked is not False
    assert sheet.cell(first, header.index("indicator_name") + 1).protection.locked is not False
    assert sheet.cell(templates_xlsx.HEADER_ROW, 1).protection.locked is not False
    ratio_row = row_of(data, first_ratio(indicators).code)
    assert sheet.cell(ratio_row, header.index("numerator") + 1).protection.locked is False
    assert sheet.freeze_panes == "A3"
    definition = get_column_letter(header.index("definition") + 1)
    assert sheet.column_dimensions[definition].width > 20
    assert book.sheetnames == ["Số liệu", "Hướng dẫn"]


def test_template_for_a_reviewer_with_children_has_the_communes(
    client, users, vinhlinh, indicators
):
    data = download(login(client, "vinhlinh.duyet"), vinhlinh, "?children=1")
    _book, _header, rows = sheet_rows(data)
    period = parse_period(PERIOD)
    communes = list(Unit.objects.in_force(period.end).filter(parent=vinhlinh))
    assert len(communes) > 5
    assert {r["unit_code"] for r in rows} == {"464", *(c.code for c in communes)}
    expected = len(indicators) + sum(
        len(services.applicable_indicators(c, None, period)) for c in communes
    )
    assert len(rows) == expected
    hoxa = next(r for r in rows if r["unit_code"] == "19363")
    assert hoxa["unit_name"] == "Thị trấn Hồ Xá"


def test_template_of_another_unit_is_refused(client, users, vinhlinh):
    login(client, "hoxa.nhaplieu")
    assert client.get(template_url(vinhlinh)).status_code == 403
    other = Unit.objects.in_force(ON).filter(level="district").exclude(pk=vinhlinh.pk).first()
    login(client, "vinhlinh.nhaplieu")
    assert client.get(template_url(other)).status_code == 403
    assert client.get(template_url(vinhlinh, "2021-13")).status_code == 404


def test_an_agencys_template_names_the_agency_and_imports_back(client, users):
    period = parse_period(PERIOD)
    agency = next(
        a
        for a in Agency.objects.select_related("unit").order_by("pk")
        if a.unit.is_in_force(period.end) and services.applicable_indicators(a.unit, a, period)
    )
    login(client, "admin")
    response = client.get(f"/entry/agency/{agency.pk}/{PERIOD}/template.xlsx")
    assert response.status_code == 200
    _book, header, rows = sheet_rows(response.content)
    assert header[:2] == ["unit_code", "agency"]
    assert {(r["unit_code"], r["agency"]) for r in rows} == {(agency.unit.code, agency.name)}
    assert len(rows) == len(services.applicable_indicators(agency.unit, agency, period))
    result = upload(client, fill(response.content), dry_run=True).context["result"]
    assert (result["created"], result["rejected"]) == (len(rows), 0), result["errors"]
    login(client, "hoxa.nhaplieu")
    assert client.get(f"/entry/agency/{agency.pk}/{PERIOD}/template.xlsx").status_code == 403


def test_entry_list_and_form_link_the_template(client, users, vinhlinh):
    login(client, "vinhlinh.nhaplieu")
    page = client.get("/entry/").content.decode()
    assert "Tải mẫu Excel" in page
    assert "/template.xlsx" in page and "/entry/import/" in page
    form = client.get(f"/entry/{vinhlinh.pk}/{PERIOD}/").content.decode()
    assert template_url(vinhlinh) in form


# --- importing it back ---------------------------------------------------------------------


def test_one_bad_row_refuses_the_file_and_names_the_row(client, users, vinhlinh, indicators):
    login(client, "vinhlinh.nhaplieu")
    template = download(client, vinhlinh)
    bad = first_ratio(indicators).code
    response = upload(client, fill(template, bad=bad))
    assert response.status_code == 400
    result = response.context["result"]
    assert result["stored"] is False
    assert result["rejected"] == 1
    assert result["errors"] == [
        {
            "row": row_of(template, bad),
            "field": "numerator",
            "message": "Tử số (5) lớn hơn mẫu số (4).",
            "label": "tử số",
        }
    ]
    page = response.content.decode()
    assert "không có số liệu nào được lưu" in page
    assert "Tử số (5) lớn hơn mẫu số (4)." in page
    assert "Số liệu" in page  # the sheet's name in the table of problems
    assert not stored(vinhlinh).exists()


def test_filled_template_is_imported_then_unchanged_when_sent_again(
    client, users, vinhlinh, indicators
):
    login(client, "vinhlinh.nhaplieu")
    filled = fill(download(client, vinhlinh))
    response = upload(client, filled)
    assert response.status_code == 200
    result = response.context["result"]
    assert (result["created"], result["updated"], result["rejected"]) == (len(indicators), 0, 0)
    assert result["stored"] is True
    assert "Đã nhập xong." in response.content.decode()
    figures = stored(vinhlinh)
    assert figures.count() == len(indicators)
    assert set(figures.values_list("status", flat=True)) == {Figure.Status.DRAFT}
    ratio = figures.get(indicator__code=first_ratio(indicators).code)
    assert (ratio.numerator, ratio.denominator, ratio.value) == (3, 4, 75)
    amount = figures.filter(indicator__value_type="amount").first()
    assert amount is None or amount.value == 1_500_000
    report = Submission.objects.get(unit=vinhlinh, agency=None, period=PERIOD)
    assert report.status == Submission.Status.DRAFT

    again = upload(client, filled).context["result"]
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, len(indicators))
    assert again["changed"] == 0


def test_valid_only_stores_the_good_rows_and_lists_the_bad_one(client, users, vinhlinh, indicators):
    login(client, "vinhlinh.nhaplieu")
    template = download(client, vinhlinh)
    bad = first_ratio(indicators).code
    response = upload(client, fill(template, bad=bad), valid_only=True)
    assert response.status_code == 200
    result = response.context["result"]
    assert result["stored"] is True
    assert result["created"] == len(indicators) - 1
    assert [(e["row"], e["field"]) for e in result["errors"]] == [
        (row_of(template, bad), "numerator")
    ]
    assert "Đã lưu các dòng đúng." in response.content.decode()
    assert stored(vinhlinh).count() == len(indicators) - 1
    assert not stored(vinhlinh).filter(indicator__code=bad).exists()


def test_dry_run_stores_nothing(client, users, vinhlinh, indicators):
    login(client, "vinhlinh.nhaplieu")
    response = upload(client, fill(download(client, vinhlinh)), dry_run=True)
    result = response.context["result"]
    assert result["dry_run"] is True and result["created"] == len(indicators)
    assert "Chỉ kiểm tra: chưa lưu gì." in response.content.decode()
    assert not stored(vinhlinh).exists()


def test_empty_rows_of_a_template_are_skipped(client, users, vinhlinh, indicators):
    login(client, "vinhlinh.nhaplieu")
    template = download(client, vinhlinh)
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[templates_xlsx.HEADER_ROW]]
    boolean = next(i for i in indicators if i.value_type == Indicator.ValueType.BOOLEAN)
    sheet.cell(row_of(template, boolean.code), header.index("value") + 1, 0)
    out = io.BytesIO()
    book.save(out)
    result = upload(client, out.getvalue()).context["result"]
    assert (result["created"], result["rejected"]) == (1, 0)
    assert any("bỏ qua" in notice for notice in result["notices"])
    assert stored(vinhlinh).get().value == 0


def test_another_official_has_every_row_refused(client, users, vinhlinh, indicators):
    filled = fill(download(login(client, "vinhlinh.nhaplieu"), vinhlinh))
    response = upload(login(client, "hoxa.nhaplieu"), filled)
    result = response.context["result"]
    assert result["stored"] is False
    assert result["rejected"] == len(indicators)
    assert {(e["field"], e["message"]) for e in result["errors"]} == {
        ("unit_code", REFUSED_FOR_OTHERS)
    }
    assert not stored(vinhlinh).exists()


def test_the_communes_rows_of_a_district_template_are_refused_to_the_district(
    client, users, vinhlinh, indicators
):
    login(client, "vinhlinh.nhaplieu")
    filled = fill(download(client, vinhlinh, "?children=1"))
    result = upload(client, filled, valid_only=True).context["result"]
    assert result["created"] == len(indicators)  # its own rows
    assert result["rejected"] > 0
    assert {e["message"] for e in result["errors"]} == {REFUSED_FOR_OTHERS}
    assert not Figure.objects.filter(unit__parent=vinhlinh, period=PERIOD).exists()


# --- CSV and broken files ---------------------------------------------------------------------

TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes Vietnamese: the letter (â, ơ, ư…) then the tone mark."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", char)
        shaped = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in TONES))
        out += (shaped + "".join(m for m in marks if m in TONES)).encode("cp1258")
    return out


def csv_text(vinhlinh_indicators, note: str) -> str:
    boolean = next(i for i in vinhlinh_indicators if i.value_type == Indicator.ValueType.BOOLEAN)
    ratio = first_ratio(vinhlinh_indicators)
    return (
        "unit_code;on;unit_name;indicator;period;value;numerator;denominator;note\r\n"
        f"464;31/03/2021;Huyện Vĩnh Linh;{boolean.code};Quý 1/2021;1;;;{note}\r\n"
        f"464;31/03/2021;Huyện Vĩnh Linh;{ratio.code};Q1/2021;;12,5;25;{note}\r\n"
    )


def test_a_windows_1258_csv_with_vietnamese_text_imports(client, users, vinhlinh, indicators):
    note = "Số liệu của Phòng Văn hóa – Thông tin huyện"
    data = cp1258(csv_text(indicators, note))
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    response = upload(login(client, "vinhlinh.nhaplieu"), data, "so-lieu.csv")
    result = response.context["result"]
    assert (result["created"], result["rejected"]) == (2, 0), result["errors"]
    assert set(stored(vinhlinh).values_list("note", flat=True)) == {note}
    ratio = stored(vinhlinh).get(indicator=first_ratio(indicators))
    assert ratio.value == 50


def test_a_csv_with_a_byte_order_mark_imports(client, users, vinhlinh, indicators):
    data = ("\ufeff" + csv_text(indicators, "Ghi chú")).encode("utf-8")
    result = upload(login(client, "vinhlinh.nhaplieu"), data, "bom.csv").context["result"]
    assert (result["created"], result["rejected"]) == (2, 0), result["errors"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Tệp trống."),
        (b"unit_code,period,value\n464,2021Q1,1\n", "Thiếu cột indicator."),
    ],
)
def test_a_file_that_cannot_be_read_says_why(client, users, data, message):
    response = upload(login(client, "vinhlinh.nhaplieu"), data, "x.csv")
    assert response.status_code == 400
    assert response.context["file_error"] == message
    assert message in response.content.decode()
    assert "Không có gì được lưu." in response.content.decode()


def test_a_file_over_the_limit_is_refused_before_reading(client, users, settings, indicators):
    settings.IMPORT_MAX_BYTES = 100
    data = csv_text(indicators, "x" * 200).encode()
    response = upload(login(client, "vinhlinh.nhaplieu"), data, "big.csv")
    assert response.status_code == 400
    assert response.context["file_error"].startswith("Tệp quá lớn")


def test_a_formula_without_its_value_is_named(client, users, vinhlinh, indicators):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["unit_code", "on", "indicator", "period", "value"])
    count = next(i for i in indicators if i.value_type == Indicator.ValueType.COUNT)
    sheet.append(["464", "2021-03-31", count.code, PERIOD, "=1+1"])
    out = io.BytesIO()
    book.save(out)
    response = upload(login(client, "vinhlinh.nhaplieu"), out.getvalue())
    result = response.context["result"]
    assert result["stored"] is False
    assert [(e["row"], e["field"]) for e in result["errors"]] == [(2, "value")]
    assert "công thức" in result["errors"][0]["message"]
    assert not stored(vinhlinh).exists()


def test_import_needs_a_login(client):
    response = client.get("/entry/import/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- in the background ----------------------------------------------------------------------


def test_a_large_file_becomes_a_job_run_in_process(
    client, users, settings, monkeypatch, vinhlinh, indicators, django_capture_on_commit_callbacks
):
    settings.IMPORT_SYNC_ROWS = 1
    # In process even where REDIS_URL happens to be set: the tests need no broker.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    login(client, "vinhlinh.nhaplieu")
    filled = fill(download(client, vinhlinh))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, filled, "lon.xlsx")
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/entry/import/{job.pk}/"
    assert (job.status, job.progress, job.error) == (ImportJob.Status.DONE, 100, "")
    # The file is kept only until it is read: the summary says what was in it.
    assert bytes(job.data) == b"" and job.filename == "lon.xlsx"
    assert job.summary["created"] == len(indicators)
    assert job.summary["sheet"] == "Số liệu"
    assert stored(vinhlinh).count() == len(indicators)

    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "Đã nhập xong." in text
    assert 'http-equiv="refresh"' not in text
    assert client.get(f"/entry/import/{job.pk}/status/").json() == {
        "status": "done",
        "status_label": "Xong",
        "progress": 100,
        "finished": True,
    }
    login(client, "hoxa.nhaplieu")
    assert client.get(f"/entry/import/{job.pk}/").status_code == 403
    assert client.get(f"/entry/import/{job.pk}/status/").status_code == 403
    login(client, "admin")
    assert client.get(f"/entry/import/{job.pk}/").status_code == 200


def test_a_job_not_finished_refreshes_its_page(client, users):
    user = get_user_model().objects.get(username="vinhlinh.nhaplieu")
    job = ImportJob.objects.create(user=user, filename="a.csv", data=b"x")
    text = login(client, "vinhlinh.nhaplieu").get(f"/entry/import/{job.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="2">' in text
    assert "js/import.js" in text
    assert "<script>" not in text  # no inline script: the CSP forbids them


def test_a_job_whose_file_cannot_be_read_fails_with_the_reason(users):
    user = get_user_model().objects.get(username="vinhlinh.nhaplieu")
    job = ImportJob.objects.create(user=user, filename="a.csv", data=b"a,b\n1,2\n")
    jobs.run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.error.startswith("Không thấy dòng tiêu đề")
    jobs.run_import_job(job.pk)  # a finished job is not run again
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED


def test_a_refused_file_in_a_job_stores_nothing(users, vinhlinh, indicators, client):
    filled = fill(download(login(client, "vinhlinh.nhaplieu"), vinhlinh))
    user = get_user_model().objects.get(username="hoxa.nhaplieu")
    job = ImportJob.objects.create(user=user, filename="t.xlsx", data=filled)
    jobs.run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.summary["stored"] is False
    assert job.summary["rejected"] == len(indicators)
    assert not stored(vinhlinh).exists()


# --- and on to the dashboard ----------------------------------------------------------------


def test_imported_figures_reach_the_dashboard_once_approved(client, users, vinhlinh, indicators):
    login(client, "vinhlinh.nhaplieu")
    upload(client, fill(download(client, vinhlinh)))
    ratio = first_ratio(indicators)
    period = parse_period(PERIOD)
    assert rollup_value(ratio, vinhlinh, period).value is None  # a draft is not published

    User = get_user_model()
    report = Submission.objects.get(unit=vinhlinh, agency=None, period=PERIOD)
    services.submission_act(
        user=User.objects.get(username="vinhlinh.nhaplieu"), submission=report, action="submit"
    )
    services.submission_act(
        user=User.objects.get(username="admin"), submission=report, action="approve"
    )
    rolled = rollup_value(ratio, vinhlinh, period)
    assert rolled.value == 75
    assert rolled.origin == "reported"
