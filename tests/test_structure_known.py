"""Units counted only while they exist, and the structures the reference data knows (issue
18, point 3: the parts in the roll-ups and the API)."""

import datetime

import pytest

from units.models import Unit

pytestmark = pytest.mark.django_db

ANALYTICS = "/api/v1/analytics/"


def unit(code: str, on: str) -> Unit:
    return Unit.objects.in_force(datetime.date.fromisoformat(on)).get(code=code)


def test_before_2024_the_api_says_the_structure_is_not_known(reference_data, api_client):
    params = {"indicator": "INF_LAN", "unit_code": "66", "on": "2016-07-13", "scope": "communes"}
    old = api_client.get(ANALYTICS, {**params, "period": "2016Q3"}).json()
    assert old["structure_known"] is False
    assert "cơ cấu năm 2024" in old["structure_note"]
    recent = api_client.get(ANALYTICS, {**params, "period": "2024Q1"}).json()
    assert (recent["structure_known"], recent["structure_note"]) == (True, "")
    # A unit of 2025 asked about 2016: its predecessors are read through the 2024 tree.
    merged = api_client.get(
        ANALYTICS, {**params, "on": "2026-01-01", "period": "2016Q3", "scope": "self"}
    ).json()
    assert merged["structure_known"] is False


def test_the_pages_say_so_too(reference_data, admin_client):
    dak_lak = unit("66", "2016-07-13")
    old = admin_client.get(f"/dashboard/{dak_lak.pk}/?period=2016Q3").content.decode()
    assert 'data-banner="structure"' in old
    recent = admin_client.get(f"/dashboard/{dak_lak.pk}/?period=2024Q4").content.decode()
    assert 'data-banner="structure"' not in recent
    page = admin_client.get(
        f"/dashboard/{dak_lak.pk}/indicator/INF_LAN/?period=2016Q3"
    ).content.decode()
    assert 'data-banner="structure"' in page


def test_a_district_has_no_children_after_it_ended(reference_data, api_client):
    params = {"indicator": "INF_LAN", "unit_code": "464", "on": "2020-10-13", "by": "children"}
    during = api_client.get(ANALYTICS, {**params, "period": "2025Q2"}).json()
    assert len(during["results"]) == 18
    after = api_client.get(ANALYTICS, {**params, "period": "2025Q3"}).json()
    assert after["results"] == []
