"""An import's errors: its summary lists the first ERRORS_LISTED, counts them all, and the full
list is downloaded as CSV from the job's page (indicators/writes/bulk.py ImportSummary.as_dict,
entry/jobs.py errors_file, entry/views.py import_job_errors) (issue 16, item 8)."""

import csv
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import demo_users_create
from entry import jobs
from entry.models import ImportJob
from indicators.models import Figure
from indicators.services import RowError
from indicators.writes.bulk import ERRORS_LISTED, ImportSummary

pytestmark = pytest.mark.django_db

HEADER = b"unit_code,on,indicator,period,value\n"


def bad_rows(n: int) -> bytes:
    """A CSV of `n` rows whose values are not numbers: row 2 says «x2», row 3 «x3»…"""
    lines = (f"464,2021-03-31,INF_LAN,2021Q1,x{row}\n" for row in range(2, n + 2))
    return HEADER + "".join(lines).encode()


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


@pytest.fixture
def users():
    demo_users_create()
    return {u.username: u for u in get_user_model().objects.all()}


def login(client, user):
    client.force_login(user)
    return client


def test_a_summary_lists_the_first_errors_by_row_and_counts_them_all():
    errors = [RowError(row, "value", "«x» không phải là số.") for row in range(2, 2 + 250)]
    summary = ImportSummary(rows=250, rejected=250, errors=errors).as_dict()
    assert [e["row"] for e in summary["errors"]] == list(range(2, 2 + ERRORS_LISTED))
    assert (summary["errors_total"], summary["errors_truncated"]) == (250, True)
    assert summary["rejected"] == 250  # rows, all of them
    few = ImportSummary(rows=1, rejected=1, errors=errors[:1]).as_dict()
    assert (len(few["errors"]), few["errors_total"], few["errors_truncated"]) == (1, 1, False)


def test_a_job_of_ten_thousand_bad_rows_keeps_a_small_summary_and_every_error(client, users):
    owner = users["vinhlinh.nhaplieu"]
    job = ImportJob.objects.create(user=owner, filename="sai.csv", data=bad_rows(10_000))
    jobs.run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    summary = job.summary
    assert (summary["rows"], summary["rejected"], summary["stored"]) == (10_000, 10_000, False)
    assert (summary["errors_total"], summary["errors_truncated"]) == (10_000, True)
    assert len(summary["errors"]) == ERRORS_LISTED
    assert len(json.dumps(summary)) < 40_000  # every error listed: about 1 MB
    assert len(bytes(job.errors_file)) < 100_000  # all of them, compressed

    page = login(client, owner).get(f"/entry/import/{job.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert len(page.content) < 150_000  # a page of every error: about 4 MB
    assert text.count("<tr>") == ERRORS_LISTED + 1  # and the table's header
    assert "10.000 lỗi" in text
    assert "Dưới đây là 200 lỗi đầu tiên trong 10.000 lỗi." in text
    assert f'href="/entry/import/{job.pk}/errors.csv"' in text

    download = client.get(f"/entry/import/{job.pk}/errors.csv")
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == f'attachment; filename="loi-nhap-{job.pk}.csv"'
    header, *rows = csv_rows(download)
    assert header == ["row", "field", "message"]
    assert [int(row) for row, _field, _message in rows] == list(range(2, 10_002))
    assert rows[-1] == ["10001", "value", "«x10001» không phải là số."]


def test_the_errors_of_a_job_are_seen_by_whoever_sees_the_job(client, users):
    job = ImportJob.objects.create(
        user=users["vinhlinh.nhaplieu"], filename="sai.csv", data=bad_rows(3)
    )
    jobs.run_import_job(job.pk)
    url = f"/entry/import/{job.pk}/errors.csv"
    assert client.get(url).status_code == 302  # to the login page
    assert login(client, users["hoxa.nhaplieu"]).get(url).status_code == 403
    assert len(csv_rows(login(client, users["admin"]).get(url))) == 1 + 3


def test_a_job_without_errors_has_no_errors_file(client, users):
    owner = users["vinhlinh.nhaplieu"]
    job = ImportJob.objects.create(
        user=owner, filename="a.csv", data=HEADER + b"464,2021-03-31,INF_LAN,2021Q1,1\n"
    )
    jobs.run_import_job(job.pk)
    job.refresh_from_db()
    assert (job.summary["errors_total"], bytes(job.errors_file)) == (0, b"")
    login(client, owner)
    assert "errors.csv" not in client.get(f"/entry/import/{job.pk}/").content.decode()
    assert client.get(f"/entry/import/{job.pk}/errors.csv").status_code == 404


def test_an_import_in_the_request_with_more_errors_than_listed_keeps_them_for_download(
    client, users
):
    owner = users["vinhlinh.nhaplieu"]
    before = Figure.objects.count()
    upload = SimpleUploadedFile("sai.csv", bad_rows(300))
    response = login(client, owner).post("/entry/import/", {"file": upload})
    assert response.status_code == 400  # refused: nothing stored
    result = response.context["result"]
    assert (len(result["errors"]), result["errors_total"], result["rejected"]) == (200, 300, 300)
    job = ImportJob.objects.get(user=owner)  # the result, kept as a finished job
    assert (job.status, job.filename, bytes(job.data)) == (ImportJob.Status.DONE, "sai.csv", b"")
    assert response.context["errors_url"] == f"/entry/import/{job.pk}/errors.csv"
    assert len(csv_rows(client.get(response.context["errors_url"]))) == 1 + 300
    assert Figure.objects.count() == before


def test_an_import_in_the_request_with_few_errors_keeps_no_job(client, users):
    response = login(client, users["vinhlinh.nhaplieu"]).post(
        "/entry/import/", {"file": SimpleUploadedFile("sai.csv", bad_rows(3))}
    )
    assert response.status_code == 400
    assert response.context["result"]["errors_total"] == 3
    assert "errors_url" not in response.context
    assert not ImportJob.objects.exists()


def test_the_bulk_api_lists_the_first_errors_and_says_how_many_there_are(api_client):
    api_client.force_authenticate(get_user_model().objects.create_user("kho", is_staff=True))
    response = api_client.post(
        "/api/v1/observations/bulk/", bad_rows(5_000), content_type="text/csv"
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["rows"], body["rejected"], body["stored"]) == (5_000, 5_000, False)
    assert (body["errors_total"], body["errors_truncated"]) == (5_000, True)
    assert [e["row"] for e in body["errors"]] == list(range(2, 2 + ERRORS_LISTED))
    assert len(response.content) < 40_000
