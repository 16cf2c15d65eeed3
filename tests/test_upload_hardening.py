"""Uploaded figure files: the size is checked before the body is read, the type comes from the
content (never the name), the bytes are never kept under a served path, and formulas are
never evaluated (indicators/importing.py, entry/views.py import_view, entry/jobs.py)."""

import io
import re
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.services import demo_users_create
from egov_portal.spreadsheets import BROKEN_XLSX
from egov_portal.upload_files import (
    BINARY_FILE,
    NOT_XLSX_ZIP,
    OLD_EXCEL,
    PDF_FILE,
    UTF16_TEXT,
    check_request_size,
    file_kind,
)
from entry import jobs
from entry.models import ImportJob
from indicators.importing import FORMULA_WITHOUT_VALUE, ImportFileError, read_figures

CSV = b"unit_code,on,indicator,period,value\n464,2021-03-31,INF_LAN,2021Q1,1\n"
HEADER = ["unit_code", "on", "indicator", "period", "value"]


def xlsx(rows, *, cached: dict[str, str] | None = None) -> bytes:
    """A workbook of `rows`; `cached` gives formula cells ("D2") the value Excel would have
    saved with them (openpyxl itself saves formulas without one)."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    if not cached:
        return out.getvalue()
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                for cell, value in cached.items():
                    start = data.index(f'<c r="{cell}">'.encode())
                    # The empty value as openpyxl writes it: "<v />" by itself, "<v></v>"
                    # through lxml (which python-docx brings).
                    empty = re.compile(rb"<v\s*/>|<v></v>").search(data, start)
                    data = data[: empty.start()] + f"<v>{value}</v>".encode() + data[empty.end() :]
            target.writestr(name, data)
    return patched.getvalue()


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


# --- The type, from the content ---------------------------------------------------------------


def test_an_xlsx_is_read_as_xlsx_and_a_csv_as_csv():
    assert file_kind(xlsx([HEADER])) == "xlsx"
    assert file_kind(CSV) == "csv"
    assert file_kind(b"Ma\xde \xf0\xf5n vi\xf2;Gi\xe1 tri\xf2\n") == "csv"  # Windows-1258


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (zipped({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<x/>"}), NOT_XLSX_ZIP),
        (b"PK\x03\x04 but the rest is not an archive", BROKEN_XLSX),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, OLD_EXCEL),
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\n", PDF_FILE),
        ("unit_code\tindicator\n".encode("utf-16"), UTF16_TEXT),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", BINARY_FILE),  # a Windows program
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", BINARY_FILE),
        (b"unit_code,indicator\n464,INF\x00LAN\n", BINARY_FILE),  # text with a NUL in it
    ],
)
def test_what_is_neither_xlsx_nor_csv_is_refused_saying_what_it_is(data, message):
    with pytest.raises(ImportFileError) as refused:
        read_figures(data)
    assert str(refused.value) == str(message)


def test_an_xlsx_that_unpacks_too_big_is_refused_before_it_is_opened(settings):
    settings.IMPORT_MAX_BYTES = 100_000  # unpacked at most 10 × that: 1 MB
    data = zipped({"xl/workbook.xml": b"<workbook/>", "xl/sharedStrings.xml": b" " * 2_000_000})
    assert len(data) < settings.IMPORT_MAX_BYTES  # a few kilobytes on the wire
    with pytest.raises(ImportFileError, match="khi giải nén quá lớn"):
        read_figures(data)
    with pytest.raises(ImportFileError, match="khi giải nén quá lớn"):
        jobs.rows_estimate(data)  # not opened to count its rows either


# --- Formulas are never evaluated -------------------------------------------------------------


def test_a_formula_is_read_as_the_value_the_file_saved_not_evaluated():
    data = xlsx([HEADER, ["464", "2021-03-31", "INF_LAN", "2021Q1", "=1+1"]], cached={"E2": "7"})
    read = read_figures(data)
    assert read.errors == []
    assert [item.value for item in read.inputs] == ["7"]


def test_a_formula_without_a_saved_value_is_named():
    read = read_figures(xlsx([HEADER, ["464", "2021-03-31", "INF_LAN", "2021Q1", "=1+1"]]))
    assert read.inputs == []
    assert [(e.row, e.field, e.message) for e in read.errors] == [
        (2, "value", str(FORMULA_WITHOUT_VALUE))
    ]


def test_a_formula_in_a_csv_is_text_not_a_number():
    read = read_figures(b"unit_code,indicator,period,value\n464,INF_LAN,2021Q1,=1+1\n")
    assert read.inputs == []
    assert read.errors[0].field == "value" and "không phải là số" in read.errors[0].message


# --- The size, before reading -----------------------------------------------------------------


def test_a_declared_body_over_the_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    check_request_size(str(2 * 1024 * 1024))  # the file and the form around it: accepted
    check_request_size("not a number")  # Django reads it as 0
    with pytest.raises(ImportFileError, match="Tệp quá lớn"):
        check_request_size(str(3 * 1024 * 1024))


@pytest.fixture
def official(db):
    demo_users_create()
    return get_user_model().objects.get(username="vinhlinh.nhaplieu")


def post_file(client, data: bytes, name: str, fields: dict | None = None, **meta):
    upload = SimpleUploadedFile(name, data)
    return client.post("/entry/import/", {"file": upload, **(fields or {})}, **meta)


def test_the_import_page_refuses_a_big_body_before_reading_it(client, official):
    client.force_login(official)
    # The body is small but says it is 100 MB: had the view (or the CSRF check) read it,
    # the file inside would have been imported.
    response = post_file(client, CSV, "so-lieu.csv", CONTENT_LENGTH=str(100 * 1024 * 1024))
    assert response.status_code == 400
    assert response.context["file_error"].startswith("Tệp quá lớn: 100.0 MB")
    assert not ImportJob.objects.exists()


def test_the_size_check_comes_before_the_csrf_check_which_still_protects(official):
    client = Client(enforce_csrf_checks=True)
    client.force_login(official)
    big = post_file(client, CSV, "so-lieu.csv", CONTENT_LENGTH=str(100 * 1024 * 1024))
    assert big.status_code == 400 and big.context["file_error"].startswith("Tệp quá lớn")
    assert post_file(client, CSV, "so-lieu.csv").status_code == 403  # no CSRF token


def test_the_import_page_names_a_binary_file_whatever_its_name(client, official):
    client.force_login(official)
    response = post_file(client, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "so-lieu.csv")
    assert response.status_code == 400
    assert response.context["file_error"] == str(PDF_FILE)
    assert "Không có gì được lưu." in response.content.decode()


def test_the_import_page_reads_by_content_not_by_name(client, official):
    client.force_login(official)
    response = post_file(client, CSV, "so-lieu.xlsx", {"dry_run": "on"})
    assert response.status_code == 200, response.context.get("file_error")
    assert response.context["result"]["errors"] == []


# --- Never under a served path ----------------------------------------------------------------


def served_paths() -> list[Path]:
    paths = [Path(p) for p in settings.STATICFILES_DIRS]
    paths.append(Path(settings.STATIC_ROOT))
    if settings.MEDIA_ROOT:
        paths.append(Path(settings.MEDIA_ROOT))
    return [p.resolve() for p in paths]


def files_under(paths: list[Path]) -> set[Path]:
    return {f for p in paths if p.exists() for f in p.rglob("*") if f.is_file()}


def test_a_background_job_keeps_the_file_in_the_database_only(
    client, official, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_SYNC_ROWS = 1
    before = files_under(served_paths())
    client.force_login(official)
    data = CSV + b"464,2021-03-31,HR_PROFICIENT,2021Q1,50\n"
    with django_capture_on_commit_callbacks(execute=False):  # queued, not run yet
        response = post_file(client, data, "lon.csv")
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert bytes(job.data) == data  # in the database row
    assert files_under(served_paths()) == before


def test_a_job_whose_file_cannot_be_read_does_not_keep_it(official):
    job = ImportJob.objects.create(user=official, filename="x.csv", data=b"%PDF-1.4\n")
    jobs.run_import_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (ImportJob.Status.FAILED, str(PDF_FILE))
    assert bytes(job.data) == b""


def test_upload_and_admin_import_temporary_files_are_outside_served_paths():
    from import_export.tmp_storages import TempFolderStorage

    # Django spools big uploads to FILE_UPLOAD_TEMP_DIR (the system's by default); the admin's
    # import keeps the file between preview and confirmation in its tmp storage.
    storage = getattr(settings, "IMPORT_EXPORT_TMP_STORAGE_CLASS", TempFolderStorage)
    assert storage in (TempFolderStorage, "import_export.tmp_storages.TempFolderStorage")
    spool = Path(settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir()).resolve()
    # (The project itself may live under the temporary folder, as a CI checkout does: a file
    # spooled there lands in the folder itself, never inside the project's served ones.)
    for served in served_paths():
        assert not spool.is_relative_to(served), served
