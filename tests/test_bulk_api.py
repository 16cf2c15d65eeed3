"""POST /api/v1/observations/bulk/ and GET /api/v1/observations/export/."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from accounts.services import demo_users_create
from indicators.models import Figure, Submission

pytestmark = pytest.mark.django_db
URL = "/api/v1/observations/bulk/"
HEADER = "unit_code,on,indicator,period,value,numerator,denominator,source\n"
SEEDS = Path(settings.BASE_DIR) / "fixtures" / "figures" / "seeds.csv"


@pytest.fixture
def staff(api_client):
    user = get_user_model().objects.create_user("warehouse", is_staff=True)
    api_client.force_authenticate(user)
    return api_client


def post_csv(client, body: str, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(f"{URL}?{query}", (HEADER + body).encode(), content_type="text/csv")


def figures_2021() -> int:
    return Figure.objects.filter(period__startswith="2021Q1").count()


def test_the_seeds_file_dry_run_summary(staff):
    response = staff.post(f"{URL}?dry_run=true", SEEDS.read_bytes(), content_type="text/csv")
    assert response.status_code == 200
    body = response.json()
    assert (body["rows"], body["unchanged"], body["rejected"], body["dry_run"]) == (30, 30, 0, True)
    assert body["stored"] is False


GOOD = (
    "464,2021-01-01,INF_LAN,2021Q1,1,,,Báo cáo quý\n464,2021-01-01,HR_PROFICIENT,Q1/2021,,45,50,\n"
)


def test_good_rows_are_stored_and_sending_them_again_changes_nothing(staff):
    first = post_csv(staff, GOOD).json()
    assert (first["created"], first["stored"]) == (2, True)
    assert Figure.objects.get(indicator__code="HR_PROFICIENT", period="2021Q1").value == 90
    again = post_csv(staff, GOOD).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_corrected_rows_update_their_figures_and_history(staff):
    post_csv(staff, GOOD)
    corrected = (
        "464,2021-01-01,INF_LAN,2021Q1,0,,,Báo cáo quý (sửa)\n"
        "464,2021-01-01,HR_PROFICIENT,Q1/2021,,12,16,\n"
    )
    summary = post_csv(staff, corrected).json()
    assert (summary["updated"], summary["unchanged"], summary["stored"]) == (2, 0, True)
    lan = Figure.objects.get(indicator__code="INF_LAN", period="2021Q1")
    proficient = Figure.objects.get(indicator__code="HR_PROFICIENT", period="2021Q1")
    assert (lan.value, lan.source) == (0, "Báo cáo quý (sửa)")
    assert (proficient.value, proficient.numerator, proficient.denominator) == (75, 12, 16)
    assert proficient.updated_at > proficient.entered_at
    changed = Figure.history.filter(id=proficient.pk, history_type="~").get()
    assert (changed.value, changed.numerator, changed.history_user.username) == (
        75,
        12,
        "warehouse",
    )


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("99999,,INF_LAN,2021Q1,1,,,", "unit_code", "Không có đơn vị mã «99999»"),
        ("464,2021-01-01,NOPE,2021Q1,1,,,", "indicator", "NOPE"),
        # A 2025 commune did not exist in 2020.
        ("19363,2026-01-01,INF_LAN,2020Q4,1,,,", "unit", "không tồn tại trong kỳ"),
        ("464,2021-01-01,INF_LAN,2021/Q,1,,,", "period", "không rõ"),
        ("464,2021-01-01,HR_PROFICIENT,2021Q1,120,,,", "value", "0 đến 100"),
        ("464,2021-01-01,HR_PROFICIENT,2021Q1,,60,50,", "numerator", "lớn hơn mẫu số"),
        ("464,2021-01-01,INF_LAN,2021Q1,2,,,", "value", "có (1) hoặc không (0)"),
    ],
)
def test_a_bad_row_rejects_the_whole_file_and_says_why(staff, row, field, message):
    response = post_csv(staff, GOOD + row + "\n")
    assert response.status_code == 400
    body = response.json()
    assert body["stored"] is False
    assert body["rejected"] == 1
    (error,) = body["errors"]
    assert (error["row"], error["field"]) == (4, field)
    assert message in error["message"]
    assert figures_2021() == 0


def test_row_errors_are_in_english_for_an_english_client(staff):
    body = (HEADER + "99999,2021-01-01,INF_LAN,2021Q1,1,,,\n").encode()
    response = staff.post(URL, body, content_type="text/csv", HTTP_ACCEPT_LANGUAGE="en")
    (error,) = response.json()["errors"]
    assert error["message"] == 'No unit with code "99999" on 01/01/2021.'


def test_duplicate_rows_in_one_file(staff):
    body = post_csv(staff, GOOD + "464,2021-01-01,INF_LAN,Quý 1/2021,0,,,\n").json()
    assert body["errors"][0]["row"] == 4
    assert "dòng 2" in body["errors"][0]["message"]


def test_valid_only_stores_the_good_rows_and_lists_the_rest(staff):
    body = post_csv(
        staff, GOOD + "464,2021-01-01,HR_PROFICIENT,2021Q2,,60,50,\n", valid_only="true"
    ).json()
    assert (body["created"], body["rejected"], body["stored"]) == (2, 1, True)
    assert figures_2021() == 2


def test_dry_run_stores_nothing(staff):
    body = post_csv(staff, GOOD, dry_run="true").json()
    assert (body["created"], body["stored"]) == (2, False)
    assert figures_2021() == 0


def test_an_approved_figure_is_not_overwritten(staff):
    post_csv(staff, GOOD, status="approved")
    body = post_csv(staff, GOOD.replace(",45,50,", ",40,50,")).json()
    assert body["stored"] is False
    assert "đã được duyệt" in body["errors"][0]["message"]
    assert Figure.objects.get(indicator__code="HR_PROFICIENT", period="2021Q1").value == 90


def test_json_rows(staff):
    response = staff.post(
        URL,
        [
            {
                "unit_code": "464",
                "on": "2021-01-01",
                "indicator": "INF_LAN",
                "period": "2021Q1",
                "value": 1,
            },
            {
                "unit_code": "464",
                "on": "2021-01-01",
                "indicator": "HR_PROFICIENT",
                "period": "2021Q1",
                "numerator": 45,
                "denominator": 50,
            },
        ],
        format="json",
    )
    assert response.json()["created"] == 2


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", "text/csv"),
        (b"unit_code,period\n464,2021Q1\n", "text/csv"),
        (b"[]", "application/json"),
    ],
)
def test_files_that_cannot_be_read(staff, body, content_type):
    response = staff.post(URL, body, content_type=content_type)
    assert response.status_code == 400
    assert "file" in response.json()


def test_over_the_size_limit(staff, settings):
    settings.IMPORT_MAX_BYTES = 64
    response = post_csv(staff, GOOD * 5)
    assert response.status_code == 400
    assert "quá lớn" in response.json()["file"][0]


def test_anonymous_cannot_import(api_client):
    assert (
        api_client.post(URL, (HEADER + GOOD).encode(), content_type="text/csv").status_code == 403
    )


def test_an_official_imports_only_their_own_unit_into_their_draft(api_client):
    demo_users_create()
    api_client.force_authenticate(get_user_model().objects.get(username="vinhlinh.nhaplieu"))
    own = post_csv(api_client, GOOD, status="approved").json()
    assert own["created"] == 2
    assert set(Figure.objects.filter(period="2021Q1").values_list("status", flat=True)) == {"draft"}
    assert Submission.objects.get(unit__code="464", period="2021Q1").status == "draft"
    other = post_csv(api_client, "466,2021-01-01,INF_LAN,2021Q1,1,,,\n").json()
    assert other["errors"][0]["field"] == "unit_code"


# --- Export ----------------------------------------------------------------------------


def test_export_csv_streams_the_filtered_set(staff):
    response = staff.get("/api/v1/observations/export/", {"indicator": "APP_DIGSIG_DOCS"})
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("unit_code,on,unit_name")
    assert len(lines) == 1 + Figure.objects.filter(indicator__code="APP_DIGSIG_DOCS").count()
    assert "Huyện Vĩnh Linh" in text


def test_an_export_imports_back_unchanged(staff):
    exported = b"".join(
        staff.get(
            "/api/v1/observations/export/", {"unit_code": "064", "on": "2021-07-31"}
        ).streaming_content
    )
    body = staff.post(f"{URL}?dry_run=true", exported, content_type="text/csv").json()
    assert body["rejected"] == 0
    assert body["unchanged"] == body["rows"] > 0


def test_export_xlsx(staff):
    response = staff.get("/api/v1/observations/export/", {"file": "xlsx"})
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet["A1"].value == "unit_code"
    assert sheet.max_row == 1 + Figure.objects.filter(status="approved").count()


def test_anonymous_exports_only_approved_figures(api_client, staff):
    post_csv(staff, GOOD)  # drafts
    text = b"".join(api_client.get("/api/v1/observations/export/").streaming_content).decode()
    assert "2021Q1" not in text


def test_a_large_import_is_stored_with_its_history(staff):
    from units.models import Unit

    codes = (
        Unit.objects.filter(level="commune", valid_from__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)[:1200]
    )
    body = "".join(
        f"{code},2021-01-01,INF_LAN,2021Q1,{n % 2},,,lô lớn\n" for n, code in enumerate(codes)
    )
    summary = post_csv(staff, body).json()
    assert (summary["created"], summary["stored"]) == (1200, True)
    stored = Figure.objects.filter(period="2021Q1", source="lô lớn")
    assert stored.count() == 1200
    assert set(stored.values_list("status", flat=True)) == {"draft"}
    history = Figure.history.filter(period="2021Q1", source="lô lớn")
    assert history.count() == 1200
    assert set(history.values_list("history_type", "history_user__username")) == {
        ("+", "warehouse")
    }
    assert post_csv(staff, body).json()["unchanged"] == 1200

    # Sent again with other sources: every figure is updated, each with a "~" record.
    entered = dict(stored.values_list("id", "entered_at"))
    summary = post_csv(staff, body.replace(",lô lớn\n", ",lô lớn (sửa)\n")).json()
    assert (summary["updated"], summary["unchanged"], summary["stored"]) == (1200, 0, True)
    updated = Figure.objects.filter(period="2021Q1", source="lô lớn (sửa)")
    assert updated.count() == 1200
    assert dict(updated.values_list("id", "entered_at")) == entered
    assert all(f.updated_at > f.entered_at for f in updated)
    changes = Figure.history.filter(period="2021Q1", history_type="~")
    assert set(changes.values_list("source", "history_user__username", "status")) == {
        ("lô lớn (sửa)", "warehouse", "draft")
    }
    assert set(changes.values_list("id", flat=True)) == set(entered)


@pytest.mark.parametrize("increment", [1, 2])
def test_a_large_import_s_history_holds_each_figure_as_stored(staff, increment):
    """The "+" records of a COPY import are copied from the figures stored, by the database
    (indicators.writes.copy_write): by the run of ids taken, or, when the ids are not one run
    (another writer took some meanwhile: here the sequence steps by 2), by their list."""
    from django.db import connection

    from indicators.writes import copy_write
    from units.models import Unit

    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('indicators_figure', 'id')")
        cursor.execute(f"ALTER SEQUENCE {cursor.fetchone()[0]} INCREMENT BY {increment}")
    codes = list(
        Unit.objects.filter(level="commune", valid_from__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)[:1100]
    )
    body = "".join(
        f"{code},2021-01-01,INF_LAN,2021Q1,{n % 2},,,lô {n % 3}\n" for n, code in enumerate(codes)
    )
    statements = []

    def seen(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(seen):
        summary = post_csv(staff, body, status="approved").json()
    assert (summary["created"], summary["stored"]) == (1100, True), summary["errors"][:3]
    (history,) = [s for s in statements if "INSERT INTO indicators_historicalfigure" in s]
    assert ("id BETWEEN" in history) == (increment == 1)
    assert ("id = ANY" in history) == (increment == 2)
    shared = [c.removesuffix("_id") for c in copy_write.COLUMNS]
    figures = {row[0]: row for row in Figure.objects.filter(period="2021Q1").values_list(*shared)}
    records = Figure.history.filter(period="2021Q1")
    assert len(figures) == records.count() == 1100
    assert {row[0]: row for row in records.values_list(*shared)} == figures
    user = get_user_model().objects.get(username="warehouse")
    assert set(records.values_list("history_type", "history_user", "history_change_reason")) == {
        ("+", user.pk, None)
    }
    # Recorded when the figures were entered, as the second COPY wrote it.
    assert all(r.history_date == r.entered_at for r in records)
    ids = sorted(figures)
    assert ids[-1] - ids[0] == (len(ids) - 1) * increment


def test_a_large_import_keeps_every_character_of_its_text(staff):
    """Above 1,000 rows PostgreSQL stores by COPY (indicators.writes.copy_write): a note with a tab,
    a line break, a backslash and quotes is stored as written, in the figure and its history."""
    from units.models import Unit

    codes = (
        Unit.objects.filter(level="commune", valid_from__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)[:1100]
    )
    note = 'Theo "Báo cáo\tsố 12"\\nửa năm\r\ndòng hai'
    rows = [
        {"unit_code": code, "on": "2021-01-01", "indicator": "INF_LAN", "period": "2021Q1"}
        | {"value": 1, "source": "\\\\máy\\", "note": note}
        for code in codes
    ]
    summary = staff.post(URL, rows, format="json").json()
    assert (summary["created"], summary["stored"]) == (1100, True), summary["errors"][:3]
    stored = Figure.objects.filter(period="2021Q1", indicator__code="INF_LAN", unit__code__in=codes)
    assert set(stored.values_list("note", "source")) == {(note, "\\\\máy\\")}
    history = Figure.history.filter(id__in=stored.values("id"))
    assert set(history.values_list("note", "source", "history_type")) == {(note, "\\\\máy\\", "+")}
    assert history.count() == 1100


# --- A large file: on PostgreSQL its figures are stored by COPY as its rows are checked ---


def commune_body(count: int, *, bad: dict[int, str] = ()) -> tuple[list[str], str]:
    """`count` rows of INF_LAN for 2021Q1, one per commune; `bad` replaces some rows' value
    (by their index) with a wrong one."""
    from units.models import Unit

    codes = list(
        Unit.objects.filter(level="commune", valid_from__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)[:count]
    )
    bad = dict(bad)
    body = "".join(
        f"{code},2021-01-01,INF_LAN,2021Q1,{bad.get(n, n % 2)},,,lô lớn\n"
        for n, code in enumerate(codes)
    )
    return codes, body


def test_a_large_file_with_bad_rows_stores_nothing_and_names_every_one(staff):
    """The first bad row comes when most of the file is already on its way to the database;
    every bad row is still reported, and nothing stays behind."""
    history = Figure.history.count()
    _codes, body = commune_body(1500, bad={700: "7", 1400: "abc"})
    response = post_csv(staff, body)
    assert response.status_code == 400
    summary = response.json()
    assert (summary["stored"], summary["created"], summary["rejected"]) == (False, 0, 2)
    assert [(e["row"], e["field"]) for e in summary["errors"]] == [(702, "value"), (1402, "value")]
    assert figures_2021() == 0
    assert Figure.history.count() == history


def test_a_large_file_valid_only_stores_every_good_row(staff):
    codes, body = commune_body(1500, bad={700: "7"})
    summary = post_csv(staff, body, valid_only="true").json()
    assert (summary["stored"], summary["created"], summary["rejected"]) == (True, 1499, 1)
    stored = Figure.objects.filter(period="2021Q1", indicator__code="INF_LAN")
    assert set(stored.values_list("unit__code", flat=True)) == set(codes) - {codes[700]}
    assert Figure.history.filter(id__in=stored.values("id"), history_type="+").count() == 1499


def test_a_large_dry_run_counts_and_stores_nothing(staff):
    _codes, body = commune_body(1500)
    history = Figure.history.count()
    summary = post_csv(staff, body, dry_run="true").json()
    assert (summary["dry_run"], summary["stored"], summary["created"]) == (True, False, 1500)
    assert figures_2021() == 0
    assert Figure.history.count() == history


def test_a_large_file_sent_twice_with_a_duplicate_row(staff):
    _codes, body = commune_body(1200)
    assert post_csv(staff, body).json()["created"] == 1200
    again = post_csv(staff, body + body.splitlines(keepends=True)[5]).json()
    assert (again["stored"], again["unchanged"], again["rejected"]) == (False, 0, 1)
    assert again["errors"][0]["message"] == "Trùng với dòng 7 của tệp."
    assert post_csv(staff, body).json()["unchanged"] == 1200


def test_an_official_cannot_slip_other_units_into_a_large_file(api_client):
    demo_users_create()
    official = get_user_model().objects.get(username="hoxa.nhaplieu")
    api_client.force_authenticate(official)
    _codes, body = commune_body(1200)
    summary = post_csv(api_client, body).json()
    assert (summary["stored"], summary["rejected"]) == (False, 1200)
    assert {e["field"] for e in summary["errors"]} == {"unit_code"}
    assert figures_2021() == 0


def test_deleting_the_importing_user_empties_who_entered_the_figures(staff):
    """Neither link to the user is checked by the database (docs/decisions/0010): Django
    empties both when the user is deleted, and the figures stay."""
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Figure._meta.db_table)
    assert not [c for c in constraints.values() if c["columns"] == ["entered_by_id"]]
    post_csv(staff, GOOD)
    user = get_user_model().objects.get(username="warehouse")
    figures = Figure.objects.filter(entered_by=user)
    ids = set(figures.values_list("id", flat=True))
    assert ids and Figure.history.filter(history_user=user).exists()
    pk = user.pk
    user.delete()
    assert (
        set(Figure.objects.filter(id__in=ids, entered_by=None).values_list("id", flat=True)) == ids
    )
    assert not Figure.history.filter(history_user_id=pk).exists()
