"""/api/v1/analytics/ and staff writes on /api/v1/observations/."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from indicators.models import Figure
from units.models import Unit

pytestmark = pytest.mark.django_db


def unit_id(code: str, on: str) -> int:
    return Unit.objects.in_force(datetime.date.fromisoformat(on)).get(code=code).pk


@pytest.fixture
def staff_client(api_client):
    # An administrator: the figures written here are approved, which only an administrator
    # changes or deletes afterwards (tests/test_published_figures.py).
    user = get_user_model().objects.create_superuser("staff", password="x")
    api_client.force_authenticate(user)
    api_client.user = user
    return api_client


def test_cho_don_example(api_client):
    cho_don = unit_id("064", "2021-07-31")
    own = api_client.get(
        "/api/v1/analytics/",
        {
            "indicator": "APP_DIGSIG_DOCS",
            "unit": cho_don,
            "period": "2021Q3",
            "scope": "district_offices",
        },
    ).json()
    communes = api_client.get(
        "/api/v1/analytics/",
        {"indicator": "APP_DIGSIG_DOCS", "unit": cho_don, "period": "2021Q3", "scope": "communes"},
    ).json()
    assert own["results"][0]["value"] == 90
    assert own["results"][0]["origin"] == "reported"
    assert own["results"][0]["approximate"] is True
    assert communes["results"][0]["value"] == 60
    assert communes["scope"] == "communes"


def test_dak_lak_example(api_client):
    body = api_client.get(
        "/api/v1/analytics/",
        {
            "indicator": "WEB_PORTAL",
            "unit": unit_id("66", "2016-07-13"),
            "period": "2016Q3",
            "scope": "departments",
        },
    ).json()
    result = body["results"][0]
    assert (result["numerator"], result["denominator"]) == (18, 29)
    assert round(result["value"], 1) == 62.1
    # The province's own report of 18 of 29: it says so, not "29/29".
    assert result["coverage"]["label"] == "báo cáo của đơn vị"
    assert (result["coverage"]["covered"], result["coverage"]["expected"]) == (29, 29)
    assert result["unit"]["name"] == "Tỉnh Đắk Lắk"


def test_unit_code_with_on_and_by_children(api_client):
    body = api_client.get(
        "/api/v1/analytics/",
        {
            "indicator": "INF_LAN",
            "unit_code": "45",
            "on": "2020-10-13",
            "period": "2020Q4",
            "scope": "communes",
            "by": "children",
        },
    ).json()
    by_code = {r["unit"]["code"]: r for r in body["results"]}
    assert body["unit"]["name"] == "Tỉnh Quảng Trị"
    assert by_code["464"]["value"] == 100
    assert by_code["464"]["coverage"]["label"] == "báo cáo của đơn vị"
    others = [r for code, r in by_code.items() if code != "464"]
    assert others and all(r["value"] is None and r["origin"] == "none" for r in others)


def test_a_2025_province_before_july_2025_lists_its_predecessors(api_client):
    body = api_client.get(
        "/api/v1/analytics/",
        {
            "indicator": "INF_LAN",
            "unit_code": "44",
            "on": "2026-01-01",
            "period": "2020Q4",
            "scope": "communes",
        },
    ).json()
    result = body["results"][0]
    assert result["origin"] == "predecessors"
    assert {p["name"] for p in result["predecessors"]} == {"Tỉnh Quảng Bình", "Tỉnh Quảng Trị"}


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"indicator": "INF_LAN", "unit": 1, "period": "2021X"}, 400, "period"),
        ({"indicator": "INF_LAN", "period": "2021"}, 400, "unit"),
        ({"indicator": "INF_LAN", "unit": 1, "period": "2021", "scope": "x"}, 400, "scope"),
        ({"indicator": "INF_LAN", "unit": 1, "period": "2021", "by": "x"}, 400, "by"),
        ({"indicator": "NOPE", "unit": 1, "period": "2021"}, 404, "detail"),
        ({"indicator": "INF_LAN", "unit": 10**9, "period": "2021"}, 404, "detail"),
    ],
)
def test_bad_requests_say_what_is_wrong(api_client, params, status, field):
    response = api_client.get("/api/v1/analytics/", params, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == status
    assert field in response.json()


def test_messages_in_english_on_request(api_client):
    response = api_client.get(
        "/api/v1/analytics/",
        {"indicator": "NOPE", "unit": 1, "period": "2021"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.json()["detail"] == "There is no indicator with code «NOPE»."


# --- Staff writes on observations -----------------------------------------------------

NEW_FIGURE = {
    "unit_code": "464",
    "on": "2024-01-01",
    "indicator": "HR_PROFICIENT",
    "period": "2024Q1",
    "numerator": "45",
    "denominator": "50",
    "status": "approved",
    "source": "Báo cáo quý I/2024",
}


def test_anonymous_and_non_staff_cannot_write(api_client):
    assert api_client.post("/api/v1/observations/", NEW_FIGURE).status_code == 403
    official = get_user_model().objects.create_user("official", password="x")
    api_client.force_authenticate(official)
    assert api_client.post("/api/v1/observations/", NEW_FIGURE).status_code == 403
    assert not Figure.objects.filter(period="2024Q1").exists()


def test_staff_create_then_the_same_again_changes_nothing(staff_client):
    first = staff_client.post("/api/v1/observations/", NEW_FIGURE, format="json")
    assert first.status_code == 201
    body = first.json()
    assert Decimal(body["value"]) == 90
    assert body["unit"]["code"] == "464"
    again = staff_client.post("/api/v1/observations/", NEW_FIGURE, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    figure = Figure.objects.get(pk=body["id"])
    assert figure.history.count() == 1
    assert figure.entered_by == staff_client.user


def test_staff_write_rejected_with_field_messages(staff_client):
    bad = {**NEW_FIGURE, "numerator": "60"}
    response = staff_client.post("/api/v1/observations/", bad, format="json")
    assert response.status_code == 400
    assert "numerator" in response.json() or "value" in response.json()
    wrong_unit = {**NEW_FIGURE, "unit_code": "99999"}
    response = staff_client.post("/api/v1/observations/", wrong_unit, format="json")
    assert response.status_code == 400
    assert "unit_code" in response.json()
    assert not Figure.objects.filter(period="2024Q1").exists()


def test_staff_patch_changes_the_value_and_keeps_history(staff_client):
    created = staff_client.post("/api/v1/observations/", NEW_FIGURE, format="json").json()
    response = staff_client.patch(
        f"/api/v1/observations/{created['id']}/", {"value": "80"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert Decimal(body["value"]) == 80
    assert body["numerator"] is None
    figure = Figure.objects.get(pk=created["id"])
    assert [Decimal(h.value) for h in figure.history.order_by("history_date")] == [90, 80]
    assert figure.history.latest().history_user == staff_client.user
    too_much = staff_client.patch(
        f"/api/v1/observations/{created['id']}/", {"value": "180"}, format="json"
    )
    assert too_much.status_code == 400
    assert Figure.objects.get(pk=created["id"]).value == 80


def test_staff_delete(staff_client):
    created = staff_client.post("/api/v1/observations/", NEW_FIGURE, format="json").json()
    assert staff_client.delete(f"/api/v1/observations/{created['id']}/").status_code == 204
    assert not Figure.objects.filter(pk=created["id"]).exists()
