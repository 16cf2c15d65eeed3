"""Open data as a Frictionless Data Package (issue 21, item 2): /public/data/datapackage.json
and a province's, each indicator a CSV of its approved figures with a Table Schema, the
license and the sources; `frictionless validate` passes on what the portal serves."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from indicators.models import Indicator
from public.datapackage import HEADER

FRICTIONLESS = Path(sys.executable).parent / "frictionless"

pytestmark = pytest.mark.django_db


def bulk(api_client, admin, rows: list[str], *, approved: bool = True) -> None:
    api_client.force_authenticate(admin)
    answer = api_client.post(
        "/api/v1/observations/bulk/" + ("?status=approved" if approved else ""),
        "\n".join(["unit_code,on,indicator,period,numerator,denominator,value", *rows]).encode(),
        content_type="text/csv",
    )
    assert answer.status_code == 200, answer.content
    api_client.force_authenticate(None)


@pytest.fixture
def figures(users, api_client):
    """Approved: Quảng Bình (44 until 30/06/2025) and the old Quảng Trị (45), 2021Q4;
    today's Quảng Trị (44) and Hà Nội (01), 2025Q3; Xã Vĩnh Linh (19363), a yes. A draft of
    Hà Nội's 2025Q4 that must never be published."""
    bulk(
        api_client,
        users["admin"],
        [
            "44,2021-12-31,SVC_ONLINE_FULL,2021Q4,40,100,",
            "45,2021-12-31,SVC_ONLINE_FULL,2021Q4,30,100,",
            "44,2025-07-02,SVC_ONLINE_FULL,2025Q3,65,100,",
            "01,2025-07-02,SVC_ONLINE_FULL,2025Q3,70,100,",
            "19363,2025-07-02,WEB_PORTAL,2025Q3,,,1",
        ],
    )
    bulk(
        api_client,
        users["admin"],
        ["01,2025-10-02,SVC_ONLINE_FULL,2025Q4,99,100,"],
        approved=False,
    )


def csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert not text.startswith("\ufeff")  # plain UTF-8, as the descriptor says
    return list(csv.DictReader(io.StringIO(text)))


def test_the_descriptor_has_a_resource_per_indicator_with_its_schema(client, figures):
    response = client.get("/public/data/datapackage.json")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300" and response.has_header("ETag")
    descriptor = json.loads(response.content)
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert any("Tổng cục Thống kê" in s["title"] for s in descriptor["sources"])
    assert any("Vĩnh Linh" in s["title"] for s in descriptor["sources"])  # a seed's article
    names = [r["name"] for r in descriptor["resources"]]
    assert len(names) == Indicator.objects.count() and "svc_online_full" in names
    full = next(r for r in descriptor["resources"] if r["name"] == "svc_online_full")
    assert full["path"] == "svc_online_full.csv" and full["encoding"] == "utf-8"
    fields = {f["name"]: f for f in full["schema"]["fields"]}
    assert [f["name"] for f in full["schema"]["fields"]] == HEADER
    assert fields["value"]["type"] == "number" and fields["value"]["unit"] == "percent"
    assert fields["period_start"]["type"] == "date"
    assert fields["approximate"]["type"] == "boolean"
    assert full["schema"]["missingValues"] == [""]
    english = json.loads(client.get("/public/data/datapackage.json?lang=en").content)
    assert english["resources"][names.index("svc_online_full")]["title"] == (
        Indicator.objects.get(code="SVC_ONLINE_FULL").name_en
    )


def test_a_resource_holds_every_approved_figure_and_no_draft(client, figures):
    response = client.get("/public/data/svc_online_full.csv")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    found = {(r["unit_code"], r["unit_valid_from"], r["period"]): r for r in csv_rows(response)}
    assert set(found) == {
        ("44", "", "2021Q4"),  # Quảng Bình, in force since before 2025
        ("45", "", "2021Q4"),
        ("44", "2025-07-01", "2025Q3"),  # today's Quảng Trị: the same code, another unit
        ("01", "2025-07-01", "2025Q3"),  # Hà Nội too was formed again on 1 July 2025
    }
    new_44 = found[("44", "2025-07-01", "2025Q3")]
    assert (new_44["unit_name"], new_44["value"], new_44["numerator"]) == (
        "Tỉnh Quảng Trị",
        "65.0000",
        "65.0000",
    )
    assert found[("44", "", "2021Q4")]["unit_valid_to"] == "2025-06-30"
    assert not any(r["period"] == "2025Q4" for r in found.values())  # the draft


def test_a_province_package_holds_its_units_and_those_it_was_formed_from(client, figures):
    descriptor = json.loads(client.get("/public/44/data/datapackage.json").content)
    assert descriptor["name"] == "egov-readiness-44"
    rows = csv_rows(client.get("/public/44/data/svc_online_full.csv"))
    assert sorted((r["unit_code"], r["period"]) for r in rows) == [
        ("44", "2021Q4"),  # Quảng Bình
        ("44", "2025Q3"),  # today's Quảng Trị
        ("45", "2021Q4"),  # the old Quảng Trị
    ]
    portals = csv_rows(client.get("/public/44/data/web_portal.csv"))
    found = {(r["unit_code"], r["province_code"], r["period"]): r["value"] for r in portals}
    # Xã Vĩnh Linh of today, and the seeds' Huyện Vĩnh Linh (old Quảng Trị, 45) of 2020.
    assert found[("19363", "44", "2025Q3")] == "1.0000"
    assert ("464", "45") in {(code, province) for code, province, _period in found}
    assert all(province in ("44", "45") for _code, province, _period in found)
    hanoi = csv_rows(client.get("/public/01/data/web_portal.csv"))
    assert not any(r["unit_code"] in ("19363", "464") for r in hanoi)


@pytest.mark.parametrize(
    "url",
    [
        "/public/data/no_such.csv",
        "/public/data/SVC_ONLINE_FULL.csv",  # names are lower case, as the descriptor's
        "/public/45/data/datapackage.json",  # not a province of today
        "/public/45/data/svc_online_full.csv",
    ],
)
def test_unknown_resources_and_provinces_are_not_found(client, url, reference_data):
    assert client.get(url).status_code == 404


def test_the_public_pages_link_the_downloads(client, figures):
    assert "/public/data/datapackage.json" in client.get("/public/").content.decode()
    assert "/public/44/data/datapackage.json" in client.get("/public/44/").content.decode()


def test_frictionless_validates_what_the_portal_serves(live_server, figures):
    """The frictionless command line, as a user runs it, against the running portal: the
    descriptor, and every resource's CSV read against its schema."""
    for url in (
        f"{live_server.url}/public/data/datapackage.json",
        f"{live_server.url}/public/44/data/datapackage.json",
    ):
        done = subprocess.run(
            [str(FRICTIONLESS), "validate", "--json", url],
            capture_output=True,
            text=True,
            timeout=300,
        )
        report = json.loads(done.stdout)
        errors = [e for task in report["tasks"] for e in task["errors"]] + report["errors"]
        assert done.returncode == 0 and report["valid"], errors[:5]
        assert len(report["tasks"]) == Indicator.objects.count()
        rows = {t["name"]: t["stats"].get("rows") for t in report["tasks"]}
        assert rows["svc_online_full"] >= 3
