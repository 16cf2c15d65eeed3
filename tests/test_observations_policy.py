"""/api/v1/observations/ under the permission policy: who reads what, who writes what."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from accounts.services import demo_users_create
from indicators.models import Figure, Indicator, Submission
from indicators.periods import parse_period
from units.models import Unit

pytestmark = pytest.mark.django_db
OLD = datetime.date(2024, 1, 1)


@pytest.fixture
def demo():
    demo_users_create()
    return {u.username: u for u in get_user_model().objects.all()}


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def draft(code: str, indicator: str = "HR_PROFICIENT", period: str = "2025Q1") -> Figure:
    p = parse_period(period)
    return Figure.objects.create(
        unit=Unit.objects.in_force(OLD).get(code=code),
        indicator=Indicator.objects.get(code=indicator),
        period=p.id,
        period_start=p.start,
        period_end=p.end,
        value=50,
        status=Figure.Status.DRAFT,
    )


HO_XA = {
    "unit_code": "19363",
    "on": "2024-01-01",
    "indicator": "HR_PROFICIENT",
    "period": "2025Q1",
    "numerator": "9",
    "denominator": "10",
    "status": "approved",  # an official cannot choose: their report's status applies
}


def ids(response) -> set[int]:
    return {f["id"] for f in response.json()["results"]}


@pytest.mark.parametrize(
    ("username", "sees_draft"),
    [
        (None, False),
        ("hoxa.nhaplieu", True),
        ("vinhlinh.duyet", True),
        ("quangtri.bcd", True),
        ("xavinhlinh.nhaplieu", False),  # today's commune: another unit row
        ("quangtri2025.bcd", False),
        ("admin", True),
    ],
)
def test_drafts_are_seen_only_within_ones_unit(api_client, demo, username, sees_draft):
    figure = draft("19363")
    if username:
        as_user(api_client, demo[username])
    listed = ids(api_client.get("/api/v1/observations/", {"page_size": 1000}))
    assert (figure.pk in listed) == sees_draft
    detail = api_client.get(f"/api/v1/observations/{figure.pk}/")
    assert detail.status_code == (200 if sees_draft else 404)
    # Approved figures are open data: the seeds' figures are listed for everyone.
    assert Figure.objects.filter(status="approved").count() <= len(listed)


def test_an_official_writes_their_own_units_figure_into_a_draft_report(api_client, demo):
    response = as_user(api_client, demo["hoxa.nhaplieu"]).post(
        "/api/v1/observations/", HO_XA, format="json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == "draft"
    report = Submission.objects.get(unit__code="19363", period="2025Q1")
    assert (report.status, report.version) == ("draft", 1)


@pytest.mark.parametrize(
    ("username", "overrides"),
    [
        ("hoxa.nhaplieu", {"unit_code": "19366"}),  # another commune of Vĩnh Linh
        ("hoxa.nhaplieu", {"unit_code": "464", "scope": "communes"}),  # the district's line
        ("vinhlinh.nhaplieu", {"scope": "communes", "unit_code": "464"}),  # not its own self
        ("vinhlinh.duyet", {}),  # reviewers do not enter
        ("quangtri.bcd", {}),  # steering committees read only
        ("xavinhlinh.nhaplieu", {}),  # the 2025 commune is another unit
    ],
)
def test_officials_cannot_write_other_units(api_client, demo, username, overrides):
    response = as_user(api_client, demo[username]).post(
        "/api/v1/observations/", HO_XA | overrides, format="json"
    )
    assert response.status_code == 403
    assert not Figure.objects.filter(period="2025Q1", indicator__code="HR_PROFICIENT").exists()


def test_a_submitted_report_is_locked_for_api_writes(api_client, demo):
    client = as_user(api_client, demo["hoxa.nhaplieu"])
    created = client.post("/api/v1/observations/", HO_XA, format="json").json()
    Submission.objects.filter(unit__code="19363", period="2025Q1").update(status="submitted")
    again = client.post("/api/v1/observations/", HO_XA | {"numerator": "8"}, format="json")
    assert again.status_code == 409
    assert (
        client.patch(
            f"/api/v1/observations/{created['id']}/", {"value": "70"}, format="json"
        ).status_code
        == 409
    )
    assert client.delete(f"/api/v1/observations/{created['id']}/").status_code == 409
    assert Figure.objects.get(pk=created["id"]).value == 90


def test_an_official_edits_and_deletes_their_draft(api_client, demo):
    client = as_user(api_client, demo["hoxa.nhaplieu"])
    created = client.post("/api/v1/observations/", HO_XA, format="json").json()
    patched = client.patch(f"/api/v1/observations/{created['id']}/", {"value": "70"}, format="json")
    assert patched.status_code == 200
    assert float(patched.json()["value"]) == 70
    assert client.delete(f"/api/v1/observations/{created['id']}/").status_code == 204


def test_another_official_cannot_touch_a_draft_even_knowing_its_id(api_client, demo):
    figure = draft("19363")
    client = as_user(api_client, demo["xavinhlinh.nhaplieu"])
    assert client.patch(f"/api/v1/observations/{figure.pk}/", {"value": "1"}).status_code == 404
    assert client.delete(f"/api/v1/observations/{figure.pk}/").status_code == 404


def test_an_official_pushes_figures_with_a_token(api_client, demo):
    token = api_client.post(
        "/api/v1/token/", {"username": "hoxa.nhaplieu", "password": "egov-demo-2026"}
    ).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.post("/api/v1/observations/", HO_XA, format="json").status_code == 201
    other = api_client.post("/api/v1/observations/", HO_XA | {"unit_code": "19366"}, format="json")
    assert other.status_code == 403


def test_a_wrong_password_gets_no_token(api_client, demo):
    response = api_client.post("/api/v1/token/", {"username": "hoxa.nhaplieu", "password": "wrong"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("language", "wrong", "inactive"),
    [
        ("vi", "Mã truy cập không hợp lệ.", "Người dùng không còn hoạt động hoặc đã bị xoá."),
        ("en", "Invalid token.", "User inactive or deleted."),
    ],
)
def test_a_refused_token_is_told_in_the_clients_language(
    api_client, demo, language, wrong, inactive
):
    """Vietnamese first: a script's bad token is refused in Vietnamese, in English when its
    request asks for English (DRF's own Vietnamese catalogue lacks the first message)."""
    token = api_client.post(
        "/api/v1/token/", {"username": "hoxa.nhaplieu", "password": "egov-demo-2026"}
    ).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token", HTTP_ACCEPT_LANGUAGE=language)
    refused = api_client.get("/api/v1/observations/")
    # (403, not 401: the session is the first way DRF asks who a request is from.)
    assert (refused.status_code, refused.json()["detail"]) == (403, wrong)
    get_user_model().objects.filter(username="hoxa.nhaplieu").update(is_active=False)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT_LANGUAGE=language)
    refused = api_client.get("/api/v1/observations/")
    assert (refused.status_code, refused.json()["detail"]) == (403, inactive)


def test_the_indicator_page_shows_drafts_only_within_ones_unit(client, demo):
    draft("19363")
    assert "Thị trấn Hồ Xá" not in client.get("/indicators/HR_PROFICIENT/").content.decode()
    client.force_login(demo["vinhlinh.duyet"])
    assert "Thị trấn Hồ Xá" in client.get("/indicators/HR_PROFICIENT/").content.decode()
