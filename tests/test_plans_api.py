"""/api/v1/plans/, the plans loader and the target rules."""

import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from indicators.models import Indicator
from plans.models import Plan, Target
from plans.services import plans_load
from plans.validation import target_check
from units.models import Unit
from units.reference_files import ReferenceFileError

pytestmark = pytest.mark.django_db

PLANS_DIR = Path(settings.BASE_DIR) / "fixtures" / "plans"


def plan_id(code: str) -> int:
    return Plan.objects.get(code=code).pk


# --- API -----------------------------------------------------------------------------


def test_list_has_the_seeds_plans_and_the_national_documents(api_client):
    body = api_client.get("/api/v1/plans/").json()
    numbers = {p["number"] for p in body["results"]}
    assert {"2342/KH-UBND", "36a/NQ-CP", "17/NQ-CP"} <= numbers
    assert {p["code"] for p in body["results"]} >= {"VP-CD-2016", "DL-KH-2016", "VL-KH-2021"}
    national = api_client.get("/api/v1/plans/", {"national": "true"}).json()
    assert all(p["is_national"] and p["issuing_unit"] is None for p in national["results"])


def test_list_filters(api_client):
    quang_binh = Plan.objects.get(code="QB-2342-2018").issuing_unit
    by_unit = api_client.get("/api/v1/plans/", {"issuing_unit": quang_binh.pk}).json()
    assert [p["code"] for p in by_unit["results"]] == ["QB-2342-2018"]
    y2018 = {p["code"] for p in api_client.get("/api/v1/plans/", {"year": 2018}).json()["results"]}
    assert "QB-2342-2018" in y2018 and "VL-KH-2021" not in y2018
    kinds = api_client.get("/api/v1/plans/", {"kind": "nghi_quyet"}).json()["results"]
    assert {p["kind"] for p in kinds} == {"nghi_quyet"}


def test_detail_with_targets_budget_and_links(api_client):
    body = api_client.get(f"/api/v1/plans/{plan_id('DL-KH-2016')}/").json()
    assert {b["source"] for b in body["budget_lines"]} == {
        "central_investment",
        "provincial_investment",
        "provincial_recurrent",
    }
    assert [p["number"] for p in body["implements"]] == ["36a/NQ-CP"]
    assert body["issuing_unit"]["name"] == "Tỉnh Đắk Lắk"
    national = api_client.get(f"/api/v1/plans/{plan_id('NQ-36A-2015')}/").json()
    assert {p["code"] for p in national["implemented_by"]} == {"DL-KH-2016", "VP-CD-2016"}


def test_progress_of_quang_binh_2018_answers_every_target(api_client):
    body = api_client.get(
        f"/api/v1/plans/{plan_id('QB-2342-2018')}/progress/", {"period": "2018"}
    ).json()
    assert body["unit"]["name"] == "Tỉnh Quảng Bình"
    assert len(body["results"]) == 13
    assert {r["status"] for r in body["results"]} == {"no_data"}
    exchange = next(r for r in body["results"] if r["target"]["indicator"] == "APP_EDOC_EXCHANGE")
    assert (exchange["target"]["value"], exchange["target"]["value_max"]) == ("60.0000", "80.0000")
    assert exchange["status_label"] == "Chưa có số liệu"


def test_progress_for_another_unit(api_client):
    district = Unit.objects.filter(parent=Plan.objects.get(code="QB-2342-2018").issuing_unit)[0]
    body = api_client.get(
        f"/api/v1/plans/{plan_id('QB-2342-2018')}/progress/",
        {"period": "2018", "unit": district.pk},
    ).json()
    assert body["unit"]["id"] == district.pk
    # Departments are provincial: those targets do not apply to a district.
    assert {r["target"]["scope"] for r in body["results"]} == {
        "self",
        "districts",
        "communes",
        "all_agencies",
    }


@pytest.mark.parametrize(
    ("params", "status"),
    [({"period": "2018X"}, 400), ({}, 400), ({"period": "2018", "unit": 10**9}, 404)],
)
def test_progress_bad_requests(api_client, params, status):
    url = f"/api/v1/plans/{plan_id('QB-2342-2018')}/progress/"
    assert api_client.get(url, params).status_code == status


def test_laggards_and_exports(api_client):
    url = f"/api/v1/plans/{plan_id('VP-CD-2016')}/laggards/"
    body = api_client.get(url, {"period": "2016"}).json()
    names = {lag["name"] for lag in body["results"]}
    assert "Sở Thông tin và Truyền thông tỉnh Vĩnh Phúc" in names
    assert all(len(lag["misses"]) == 1 for lag in body["results"])
    csv = api_client.get(url, {"period": "2016", "export": "csv"})
    assert csv["Content-Disposition"].endswith('.csv"')
    assert csv.content.startswith("\ufeff".encode())
    assert "Sở Thông tin và Truyền thông tỉnh Vĩnh Phúc" in csv.content.decode("utf-8-sig")
    xlsx = api_client.get(url, {"period": "2016", "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert "Văn bản chỉ đạo" in sheet["A1"].value
    assert sheet["A3"].value == "Mã đơn vị"
    assert sheet.max_row == 3 + 3  # title, blank, header; 3 agencies × 1 target


def test_plans_are_read_only_through_the_api(api_client):
    assert api_client.post("/api/v1/plans/", {}).status_code in (403, 405)


# --- Loader --------------------------------------------------------------------------


def test_loading_twice_changes_nothing():
    assert plans_load(directory=PLANS_DIR).changed == 0


def test_a_bad_target_row_loads_nothing(tmp_path):
    directory = tmp_path / "plans"
    shutil.copytree(PLANS_DIR, directory)
    targets = directory / "targets.csv"
    lines = targets.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace(",at_least,", ",between,", 1)
    targets.write_text("\n".join(lines) + "\n", encoding="utf-8")
    Plan.objects.filter(code="QB-2342-2018").update(title="Cũ")
    plans_csv = directory / "plans.csv"
    plans_csv.write_text(
        plans_csv.read_text(encoding="utf-8").replace("Kế hoạch ứng dụng công nghệ", "Mới", 1),
        encoding="utf-8",
    )
    with pytest.raises(ReferenceFileError) as caught:
        plans_load(directory=directory)
    assert "targets.csv, dòng 6" in str(caught.value)
    assert "value_max" in str(caught.value)
    assert Plan.objects.get(code="QB-2342-2018").title == "Cũ"


def test_an_unknown_indicator_is_named(tmp_path):
    directory = tmp_path / "plans"
    shutil.copytree(PLANS_DIR, directory)
    targets = directory / "targets.csv"
    text = targets.read_text(encoding="utf-8").replace("SVC_HELPDESK", "SVC_HELLDESK", 1)
    targets.write_text(text, encoding="utf-8")
    with pytest.raises(ReferenceFileError, match="SVC_HELLDESK"):
        plans_load(directory=directory)


# --- Target rules --------------------------------------------------------------------


def check(**overrides):
    quang_binh = Plan.objects.get(code="QB-2342-2018").issuing_unit
    values = {
        "indicator": Indicator.objects.get(code="APP_EDOC_EXCHANGE"),
        "issuing_unit": quang_binh,
        "scope": "self",
        "mode": "whole_scope",
        "comparator": "at_least",
        "value": "60",
        "deadline": "2018",
    } | overrides
    return target_check(**values)


def errors_of(**overrides) -> dict:
    with pytest.raises(ValidationError) as caught:
        check(**overrides)
    return caught.value.message_dict


def test_a_good_target_passes():
    checked = check(comparator="between", value="60", value_max="80,5")
    assert (checked.value, str(checked.value_max), checked.deadline.id) == (60, "80.5", "2018")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"comparator": "between", "value": "80", "value_max": "60"}, "value_max"),
        ({"comparator": "between"}, "value_max"),
        ({"value_max": "80"}, "value_max"),
        ({"value": "120"}, "value"),
        ({"value": "-1"}, "value"),
        ({"value": "abc"}, "value"),
        ({"deadline": "2018X"}, "deadline"),
        ({"scope": "provinces"}, "scope"),
        ({"mode": "every_unit"}, "mode"),
        ({"baseline_value": "40"}, "baseline_period"),
        ({"baseline_value": "40", "baseline_period": "2019"}, "baseline_period"),
    ],
)
def test_bad_targets_are_refused_with_the_field(overrides, field):
    assert field in errors_of(**overrides)


def test_indicator_must_be_valid_by_the_deadline():
    level_34 = Indicator.objects.get(code="SVC_ONLINE_L34")
    assert "indicator" in errors_of(indicator=level_34, deadline="2024")
    assert check(indicator=level_34, deadline="2022").deadline.id == "2022"


def test_national_documents_set_targets_for_tiers_not_self():
    assert "scope" in errors_of(issuing_unit=None, scope="self")
    assert check(issuing_unit=None, scope="provinces").value == 60


def test_a_district_cannot_set_department_targets():
    district = Unit.objects.get(code="464", valid_from__isnull=True)
    assert "scope" in errors_of(issuing_unit=district, scope="departments")


def test_database_refuses_a_reversed_range():
    from django.db import IntegrityError, transaction

    target = Target.objects.filter(comparator="between").first()
    target.value, target.value_max = 90, 60
    with pytest.raises(IntegrityError), transaction.atomic():
        target.save()
