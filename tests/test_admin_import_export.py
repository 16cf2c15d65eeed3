"""Admin import and export (django-import-export): CSV and XLSX, natural keys, never ids.

Imports go through the admin's two steps: the preview (a dry run listing each bad row with its
column and message, and no confirm button while any row is bad), then the confirm step.
"""

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from indicators.models import Figure, Indicator
from plans.models import BudgetLine, Target
from units.models import Agency, Unit

pytestmark = pytest.mark.django_db

CSV_FORMAT, XLSX_FORMAT = "0", "1"  # units.resources.FILE_FORMATS
FIGURE_COLUMNS = (
    "unit_code,unit_on,agency,indicator,period,scope,value,numerator,denominator,"
    "source,source_on,note"
)


@pytest.fixture
def user():
    return get_user_model().objects.create_superuser("root", password="x")


@pytest.fixture
def staff(client, user):
    client.force_login(user)
    return client


def export(client, url: str, file_format: str):
    """POSTs the export form with every column ticked, as the admin page does."""
    form = client.get(url).context["form"]
    data = {"format": file_format, "resource": "0"}
    data |= {
        name: "on"
        for name in form.fields
        if getattr(form.fields[name], "is_selectable_field", False)
    }
    response = client.post(url, data)
    assert response.status_code == 200, response.content[:500]
    return response


def csv_rows(response) -> list[dict]:
    # Written with a BOM so Excel shows Vietnamese; utf-8-sig reads it away.
    assert response.content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def preview(client, url: str, name: str, content: bytes, file_format: str = CSV_FORMAT):
    """The first step: upload; returns the page with its dry-run result."""
    upload = SimpleUploadedFile(name, content)
    response = client.post(url, {"format": file_format, "resource": "0", "import_file": upload})
    assert response.status_code == 200
    return response


def confirm(client, url: str, page):
    """The second step: the confirm form the preview carries (none if a row was bad)."""
    form = page.context["confirm_form"]
    response = client.post(url.replace("/import/", "/process_import/"), form.initial)
    assert response.status_code == 302
    return response


def row_errors(page) -> dict[int, dict[str, list[str]]]:
    return {row.number: row.error_dict for row in page.context["result"].invalid_rows}


def figures_file(*rows: str) -> bytes:
    return ("\n".join([FIGURE_COLUMNS, *rows]) + "\n").encode()


# --- Pages --------------------------------------------------------------------------------

IMPORT_EXPORT_PAGES = [
    ("units", "unit", True),
    ("units", "agency", True),
    ("units", "unitchange", False),
    ("indicators", "indicator", True),
    ("indicators", "figure", True),
    ("plans", "plan", True),
    ("plans", "target", True),
    ("plans", "budgetline", True),
]


@pytest.mark.parametrize(("app", "model", "imports"), IMPORT_EXPORT_PAGES)
def test_changelists_offer_import_and_export_pages(staff, app, model, imports):
    changelist = staff.get(f"/admin/{app}/{model}/").content.decode()
    assert f"/admin/{app}/{model}/export/" in changelist
    assert (f"/admin/{app}/{model}/import/" in changelist) is imports
    page = staff.get(f"/admin/{app}/{model}/export/")
    assert page.status_code == 200
    assert page.context["form"].fields["format"].choices == [
        ("", "---"),
        ("0", "csv"),
        ("1", "xlsx"),
    ]
    if imports:
        assert staff.get(f"/admin/{app}/{model}/import/").status_code == 200


def test_figures_keep_their_history_page(staff):
    figure = Figure.objects.first()
    assert staff.get(f"/admin/indicators/figure/{figure.pk}/history/").status_code == 200


# --- Export -------------------------------------------------------------------------------


def test_indicator_export_csv_and_xlsx_carry_codes_not_ids(staff):
    url = "/admin/indicators/indicator/export/"
    ids = {str(pk) for pk in Indicator.objects.values_list("pk", flat=True)}
    for rows in (
        csv_rows(export(staff, url, CSV_FORMAT)),
        xlsx_rows(export(staff, url, XLSX_FORMAT)),
    ):
        assert "id" not in rows[0]
        assert list(rows[0])[:3] == ["code", "pillar", "value_type"]
        by_code = {row["code"]: row for row in rows}
        assert len(by_code) == Indicator.objects.count()
        assert not ids & set(by_code)
        assert by_code["INF_LAN"]["applies_to_levels"] == "province;district;commune"
        assert by_code["INF_LAN"]["name_vi"] == "Có mạng nội bộ (LAN)"


def test_figure_export_csv_and_xlsx_carry_natural_keys(staff):
    url = "/admin/indicators/figure/export/"
    figure = Figure.objects.get(
        unit__code="464", indicator__code="INF_LAN", period="2020Q4", scope="communes"
    )
    wanted = {
        "unit_code": "464",
        "unit_on": "2025-06-30",  # a day the old Vĩnh Linh district was in force
        "indicator": "INF_LAN",
        "period": "2020Q4",
        "scope": "communes",
        "value": "100",
        "numerator": "18",
        "denominator": "18",
        "status": "approved",
    }
    rows = csv_rows(export(staff, url, CSV_FORMAT))
    assert "id" not in rows[0] and "unit" not in rows[0]
    found = [r for r in rows if r["indicator"] == "INF_LAN" and r["period"] == "2020Q4"]
    assert len(found) == 1 and found[0].items() >= wanted.items()
    assert str(figure.pk) not in {value for row in rows for value in row.values()}

    rows = xlsx_rows(export(staff, url, XLSX_FORMAT))
    found = [r for r in rows if r["indicator"] == "INF_LAN" and r["period"] == "2020Q4"]
    assert found[0]["unit_code"] == "464"  # text, so "064" keeps its zero too
    assert found[0]["unit_on"].date().isoformat() == "2025-06-30"
    assert found[0]["numerator"] == 18


# --- Figures import -----------------------------------------------------------------------

URL = "/admin/indicators/figure/import/"
GOOD = "464,,,HR_PROFICIENT,2024Q1,self,,45,50,Báo cáo quý,2024-04-05,"
GOOD_DECIMAL_COMMA = '464,2024-06-30,,HR_PROFICIENT,2024Q2,self,"12,5",,,Báo cáo quý,,'
BAD = "464,,,HR_PROFICIENT,2024Q3,self,,60,50,Báo cáo quý,,"


def test_a_bad_row_is_shown_in_the_preview_and_nothing_is_imported(staff):
    before = Figure.objects.count()
    page = preview(staff, URL, "figures.csv", figures_file(GOOD, BAD))
    # Row 2 of the data (line 3 of the file): the rule's own Vietnamese message, on its column.
    assert row_errors(page) == {2: {"numerator": ["Tử số (60) lớn hơn mẫu số (50)."]}}
    assert "Tử số (60) lớn hơn mẫu số (50)." in page.content.decode()
    assert "confirm_form" not in page.context
    assert Figure.objects.count() == before


def test_figure_rules_reach_the_preview_by_column(staff):
    page = preview(
        staff,
        URL,
        "figures.csv",
        figures_file(
            "464,,,HR_PROFICIENT,2024Q9,self,12,,,,,",
            "999,,,NOPE,2024Q3,self,12,,,,31/02/2024,",
            "464,,Không có,HR_PROFICIENT,2024Q3,self,120,,,,,",
            "464,,,HR_PROFICIENT,2026Q1,self,12,,,,,",
        ),
    )
    errors = row_errors(page)
    assert "không hợp lệ" in errors[1]["period"][0]
    assert errors[2]["indicator"] == ["Không có chỉ tiêu mã «NOPE»."]
    assert errors[2]["unit_code"] == ["Không có đơn vị mã «999» vào ngày 30/09/2024."]
    assert "không phải ngày" in errors[2]["source_on"][0]
    assert errors[3] == {"agency": ["Huyện Vĩnh Linh không có cơ quan «Không có»."]}
    # 464 is no longer a unit after 2025-06-30: its code names nothing in 2026.
    assert "Không có đơn vị mã «464»" in errors[4]["unit_code"][0]


def test_a_good_file_imports_and_importing_it_again_changes_nothing(staff, user):
    content = figures_file(GOOD, GOOD_DECIMAL_COMMA)
    page = preview(staff, URL, "figures.csv", content)
    assert not row_errors(page)
    assert [row.import_type for row in page.context["result"].rows] == ["new", "new"]
    mine = Figure.objects.filter(indicator__code="HR_PROFICIENT", unit__code="464")
    assert not mine.exists()  # only a dry run so far
    confirm(staff, URL, page)

    figures = mine.order_by("period")
    first, second = figures
    assert (first.unit.code, first.unit.valid_to.isoformat()) == ("464", "2025-06-30")
    assert (first.value, first.numerator, first.denominator) == (90, 45, 50)
    assert (str(first.period_start), str(first.period_end)) == ("2024-01-01", "2024-03-31")
    assert (first.status, first.entered_by, str(first.source_on)) == ("draft", user, "2024-04-05")
    assert str(second.value) == "12.5000"
    assert first.history.count() == 1 and first.history.first().history_user == user

    page = preview(staff, URL, "figures.csv", content)
    assert [row.import_type for row in page.context["result"].rows] == ["skip", "skip"]
    confirm(staff, URL, page)
    assert first.history.count() == 1

    # A changed number updates the figure in place, with its history.
    page = preview(staff, URL, "figures.csv", figures_file(GOOD.replace(",45,", ",40,")))
    assert [row.import_type for row in page.context["result"].rows] == ["update"]
    confirm(staff, URL, page)
    first.refresh_from_db()
    assert first.value == 80 and first.history.count() == 2


def test_a_row_gone_bad_before_the_confirmation_rolls_the_whole_import_back(staff):
    page = preview(staff, URL, "figures.csv", figures_file(GOOD, GOOD_DECIMAL_COMMA))
    # Between the preview and the confirmation the indicator stops applying in 2024Q2.
    Indicator.objects.filter(code="HR_PROFICIENT").update(valid_to="2024-03-31")
    response = confirm(staff, URL, page)
    assert response["Location"] == URL
    assert "Không nhập dòng nào" in staff.get(URL).content.decode()
    assert not Figure.objects.filter(indicator__code="HR_PROFICIENT", unit__code="464").exists()


def test_an_exported_xlsx_imports_back_unchanged(staff):
    exported = export(staff, "/admin/indicators/figure/export/", XLSX_FORMAT)
    page = preview(staff, URL, "figures.xlsx", exported.content, XLSX_FORMAT)
    result = page.context["result"]
    assert not result.has_errors() and not row_errors(page)
    assert {row.import_type for row in result.rows} == {"skip"}
    assert len(result.rows) == Figure.objects.count()


def test_the_seed_figures_file_imports_unchanged(staff):
    content = (Path(settings.BASE_DIR) / "fixtures" / "figures" / "seeds.csv").read_bytes()
    page = preview(staff, URL, "seeds.csv", content)
    result = page.context["result"]
    assert not result.has_errors() and not row_errors(page)
    assert {row.import_type for row in result.rows} == {"skip"}


# --- Targets, plans, budget lines ---------------------------------------------------------

TARGETS_URL = "/admin/plans/target/import/"
TARGET_COLUMNS = (
    "plan,indicator,scope,mode,comparator,value,value_max,deadline,mandatory,"
    "baseline_value,baseline_period,note"
)


def test_a_reversed_target_range_is_refused_with_target_check_message(staff):
    content = "\n".join(
        [
            TARGET_COLUMNS,
            "QB-2342-2018,APP_EDOC_EXCHANGE,self,whole_scope,between,80,60,2019,0,,,",
            'QB-2342-2018,APP_EDOC_EXCHANGE,self,whole_scope,between,"60,5",80,2020,1,,,',
        ]
    ).encode()
    page = preview(staff, TARGETS_URL, "targets.csv", content)
    assert row_errors(page) == {1: {"value_max": ["Cận dưới (80) lớn hơn cận trên (60)."]}}
    assert "confirm_form" not in page.context
    assert not Target.objects.filter(plan__code="QB-2342-2018", deadline__in=["2019", "2020"])

    page = preview(staff, TARGETS_URL, "targets.csv", content.replace(b",80,60,", b",60,80,"))
    confirm(staff, TARGETS_URL, page)
    target = Target.objects.get(plan__code="QB-2342-2018", deadline="2020")
    assert (str(target.value), target.value_max, target.mandatory) == ("60.5000", 80, True)
    assert (str(target.deadline_start), str(target.deadline_end)) == ("2020-01-01", "2020-12-31")


@pytest.mark.parametrize(
    ("url", "path"),
    [
        (TARGETS_URL, "plans/targets.csv"),
        ("/admin/plans/plan/import/", "plans/plans.csv"),
        ("/admin/plans/budgetline/import/", "plans/budget_lines.csv"),
        ("/admin/indicators/indicator/import/", "indicators/indicators.csv"),
    ],
)
def test_the_fixture_files_import_as_a_dry_run_without_errors(staff, url, path):
    content = (Path(settings.BASE_DIR) / "fixtures" / path).read_bytes()
    page = preview(staff, url, Path(path).name, content)
    result = page.context["result"]
    assert not result.has_errors() and not row_errors(page)
    assert "confirm_form" in page.context
    # The loader put them there already: the same rows, unchanged.
    assert {row.import_type for row in result.rows} == {"skip"}


def test_plan_and_budget_exports_round_trip_by_code(staff):
    rows = csv_rows(export(staff, "/admin/plans/plan/export/", CSV_FORMAT))
    plan = next(row for row in rows if row["code"] == "QB-2342-2018")
    assert plan["issuing_unit_code"] == "44" and plan["issuing_unit_on"] == "2025-06-30"
    rows = csv_rows(export(staff, "/admin/plans/budgetline/export/", CSV_FORMAT))
    wanted = {"plan": "DL-KH-2016", "source": "central_investment", "amount": "45000000000"}
    assert any(row.items() >= wanted.items() for row in rows)
    page = preview(
        staff,
        "/admin/plans/budgetline/import/",
        "budget.csv",
        b'plan,source,amount,at_least,note\nNOPE,other,12,0,\nDL-KH-2016,other,"1,5",2,\n',
    )
    errors = row_errors(page)
    assert errors[1] == {"plan": ["Không có kế hoạch mã «NOPE»."]}
    assert set(errors[2]) == {"amount", "at_least"}
    assert BudgetLine.objects.filter(source="other").count() == 0


# --- Units and agencies -------------------------------------------------------------------

UNITS_URL = "/admin/units/unit/import/"
UNIT_COLUMNS = "code,name,level,division_type,parent_code,valid_from,valid_to"


def test_unit_import_checks_the_tree_and_computes_ancestors(staff):
    commune = Unit.objects.filter(level="commune", valid_to__isnull=True).first()
    content = "\n".join(
        [
            UNIT_COLUMNS,
            # A code that Quảng Trị (44) holds from 2025-07-01: overlapping validity.
            "44,Tỉnh Mới,province,tinh,,2025-08-01,",
            f"99998,Xã Thử,commune,xa,{commune.code},2025-07-01,",
            "99999,Xã Thử Hai,commune,phuong,44,2025-07-01,",
            "9999,Xã Sai Mã,commune,xa,44,2025-07-01,",
        ]
    ).encode()
    errors = row_errors(preview(staff, UNITS_URL, "units.csv", content))
    assert "Mã 44 đã thuộc Tỉnh Quảng Trị" in errors[1]["valid_from"][0]
    assert "là đơn vị cấp xã; đơn vị cấp xã phải trực thuộc" in errors[2]["parent_code"][0]
    assert 3 not in errors
    assert "phải gồm đúng 5 chữ số" in errors[4]["code"][0]
    assert not Unit.objects.filter(code="99999").exists()

    content = f"{UNIT_COLUMNS}\n99999,Xã  Thử Hai,commune,phuong,44,2025-07-01,\n".encode()
    confirm(staff, UNITS_URL, preview(staff, UNITS_URL, "units.csv", content))
    unit = Unit.objects.get(code="99999")
    assert (unit.name, unit.search_name) == ("Xã Thử Hai", "xa thu hai")
    assert (unit.parent.name, unit.province.name, unit.district) == (
        "Tỉnh Quảng Trị",
        "Tỉnh Quảng Trị",
        None,
    )


def test_the_agencies_fixture_imports_by_unit_code_and_day(staff):
    content = (Path(settings.BASE_DIR) / "fixtures" / "units" / "agencies.csv").read_bytes()
    page = preview(staff, "/admin/units/agency/import/", "agencies.csv", content)
    assert not row_errors(page)
    assert {row.import_type for row in page.context["result"].rows} == {"skip"}
    rows = csv_rows(export(staff, "/admin/units/agency/export/", CSV_FORMAT))
    row = next(r for r in rows if r["name"] == "Ủy ban nhân dân huyện Vĩnh Linh")
    assert (row["unit_code"], row["unit_on"]) == ("464", "2025-06-30")
    assert Agency.objects.filter(name=row["name"], unit__code="464").exists()


def test_lineage_is_export_only(staff):
    with pytest.raises(NoReverseMatch):
        reverse("admin:units_unitchange_import")
    # The export honours the changelist's search: the edges of commune 19363 only.
    rows = csv_rows(export(staff, "/admin/units/unitchange/export/?q=19363", CSV_FORMAT))
    assert rows and all("19363" in (row["predecessor_code"], row["successor_code"]) for row in rows)
    assert list(rows[0])[:4] == [
        "predecessor_code",
        "predecessor_on",
        "successor_code",
        "successor_on",
    ]


def test_import_needs_add_and_change_permission(client):
    viewer = get_user_model().objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_figure"))
    client.force_login(viewer)
    assert client.get("/admin/indicators/figure/import/").status_code == 403
    assert client.get("/admin/indicators/figure/export/").status_code == 200


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(staff, settings):
    settings.IMPORT_MAX_BYTES = 10
    before = Figure.objects.count()
    upload = SimpleUploadedFile("figures.csv", figures_file(GOOD) + b"x" * (2 * 1024 * 1024))
    response = staff.post(URL, {"format": CSV_FORMAT, "resource": "0", "import_file": upload})
    assert response.status_code == 302
    assert response["Location"] == URL
    page = staff.get(URL)
    assert "Tệp quá lớn" in page.content.decode()
    assert Figure.objects.count() == before
