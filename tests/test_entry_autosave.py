"""Saving the quarter's form as you go (/entry/<unit>/<period>/autosave/), and Vietnamese
numbers and Có/Không through every way figures come in: the form, the officials' file
import, the bulk API and the admin's import (docs/decisions/0018)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.services import demo_users_create
from indicators.models import Figure, Submission
from units.models import Unit

pytestmark = pytest.mark.django_db

OLD = datetime.date(2024, 1, 1)
Q1 = "2025Q1"
AMOUNT, RATIO, YES_NO = "FIN_IT_BUDGET", "APP_WORK_ONLINE", "WEB_PORTAL"


@pytest.fixture
def users(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_users_create()
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def hoxa():
    return Unit.objects.in_force(OLD).get(code="19363")


def autosave_url(unit: Unit) -> str:
    return f"/entry/{unit.pk}/{Q1}/autosave/"


def values(unit: Unit, period: str = Q1) -> dict:
    return dict(
        Figure.objects.filter(unit=unit, period=period, scope="self").values_list(
            "indicator__code", "value"
        )
    )


def test_autosave_saves_vietnamese_numbers_and_answers_how_they_show(client, users, hoxa):
    client.force_login(users["hoxa.nhaplieu"])
    page = client.get(f"/entry/{hoxa.pk}/{Q1}/").content.decode()
    assert f'data-autosave-url="{autosave_url(hoxa)}"' in page
    response = client.post(
        autosave_url(hoxa),
        {"version": "0", f"{AMOUNT}-value": "150.000.000", f"{RATIO}-value": "45,5"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] and body["saved"] == 2 and body["version"] == 1
    assert body["shown"][AMOUNT]["value"] == "150.000.000"
    assert body["shown"][RATIO]["value"] == "45,5"
    assert body["opened"] == {AMOUNT: "150000000||", RATIO: "45.5||"}
    assert values(hoxa) == {AMOUNT: Decimal(150_000_000), RATIO: Decimal("45.5")}
    # The form, opened again, shows them the same way.
    page = client.get(f"/entry/{hoxa.pk}/{Q1}/").content.decode()
    assert 'value="150.000.000"' in page and 'value="45,5"' in page
    # The unit of measure beside the inputs.
    assert '<span class="input-group-text entry-measure">đồng</span>' in page


def test_autosave_counts_the_required_left_per_pillar(client, users, hoxa):
    client.force_login(users["hoxa.nhaplieu"])
    first = client.post(autosave_url(hoxa), {"version": "0", f"{AMOUNT}-value": "1"}).json()
    second = client.post(autosave_url(hoxa), {"version": "1", f"{RATIO}-value": "50"}).json()
    # FIN_IT_BUDGET is optional: nothing left changes; APP_WORK_ONLINE is required.
    assert second["required_left"]["internal_apps"] == first["required_left"]["internal_apps"] - 1
    assert second["required_left"]["infrastructure"] == first["required_left"]["infrastructure"]


def test_autosave_reports_a_wrong_value_and_saves_the_others(client, users, hoxa):
    client.force_login(users["hoxa.nhaplieu"])
    body = client.post(
        autosave_url(hoxa), {"version": "0", f"{AMOUNT}-value": "nhiều", f"{RATIO}-value": "45,5"}
    ).json()
    assert not body["ok"]
    assert body["errors"] == {AMOUNT: {"value": ["«nhiều» không phải là số."]}}
    assert values(hoxa) == {RATIO: Decimal("45.5")}


def test_another_units_official_is_refused(client, users, hoxa):
    client.force_login(users["xavinhlinh.nhaplieu"])
    response = client.post(autosave_url(hoxa), {"version": "0", f"{AMOUNT}-value": "5"})
    assert response.status_code == 403
    assert response.json()["ok"] is False
    assert values(hoxa) == {}
    # A reviewer reads the report but does not enter it.
    client.force_login(users["vinhlinh.duyet"])
    assert client.post(autosave_url(hoxa), {"version": "0"}).status_code == 403


def test_a_save_made_meanwhile_is_a_conflict_and_nothing_is_written(client, users, hoxa):
    client.force_login(users["hoxa.nhaplieu"])
    first = client.post(autosave_url(hoxa), {"version": "0", f"{AMOUNT}-value": "1"})
    assert first.status_code == 200
    # A second tab, opened at version 0, changes the same indicator.
    response = client.post(
        autosave_url(hoxa), {"version": "0", f"{AMOUNT}-value": "2", f"{AMOUNT}-opened": ""}
    )
    assert response.status_code == 409
    assert response.json()["conflict"] == [AMOUNT]
    assert values(hoxa) == {AMOUNT: Decimal(1)}


def test_the_save_button_after_autosaves_is_not_a_conflict(client, users, hoxa):
    client.force_login(users["hoxa.nhaplieu"])
    body = client.post(autosave_url(hoxa), {"version": "0", f"{AMOUNT}-value": "150.000.000"})
    body = body.json()
    # What the page holds after the autosave: the new version and fingerprint.
    response = client.post(
        f"/entry/{hoxa.pk}/{Q1}/",
        {
            "version": str(body["version"]),
            "action": "save",
            f"{AMOUNT}-value": "150.000.000",
            f"{AMOUNT}-opened": body["opened"][AMOUNT],
            f"{RATIO}-value": "45,5",
        },
    )
    assert response.status_code == 302
    assert values(hoxa) == {AMOUNT: Decimal(150_000_000), RATIO: Decimal("45.5")}


def test_autosave_needs_the_csrf_token(users, hoxa):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["hoxa.nhaplieu"])
    refused = client.post(autosave_url(hoxa), {"version": "0", f"{AMOUNT}-value": "5"})
    assert refused.status_code == 403
    assert values(hoxa) == {}
    client.get(f"/entry/{hoxa.pk}/{Q1}/")  # sets the CSRF cookie, as the page does
    token = client.cookies["csrftoken"].value
    saved = client.post(
        autosave_url(hoxa),
        {"version": "0", f"{AMOUNT}-value": "5", "csrfmiddlewaretoken": token},
    )
    assert saved.status_code == 200
    assert values(hoxa) == {AMOUNT: Decimal(5)}


def test_autosave_of_a_submitted_report_is_refused(client, users, hoxa):
    client.force_login(users["hoxa.nhaplieu"])
    client.post(autosave_url(hoxa), {"version": "0", f"{AMOUNT}-value": "1"})
    Submission.objects.filter(unit=hoxa, period=Q1).update(status="submitted")
    response = client.post(autosave_url(hoxa), {"version": "1", f"{AMOUNT}-value": "2"})
    assert response.status_code == 409
    assert values(hoxa) == {AMOUNT: Decimal(1)}


# --- Vietnamese numbers and Có/Không in imports ---------------------------------------------

VIETNAMESE_CSV = (
    "unit_code;on;indicator;period;value;numerator;denominator\r\n"
    f"19363;01/01/2024;{AMOUNT};Quý 1/2025;150.000.000;;\r\n"
    f"19363;01/01/2024;{RATIO};Q1/2025;45,5;;\r\n"
    f"19363;01/01/2024;{YES_NO};Q1/2025;Có;;\r\n"
    "19363;01/01/2024;INF_LAN;Q1/2025;không;;\r\n"
    "19363;01/01/2024;HR_PROFICIENT;Q1/2025;;1.234;2.000\r\n"
)
EXPECTED = {
    AMOUNT: Decimal(150_000_000),
    RATIO: Decimal("45.5"),
    YES_NO: Decimal(1),
    "INF_LAN": Decimal(0),
    "HR_PROFICIENT": Decimal("61.7"),
}


def test_the_officials_import_reads_vietnamese_numbers_and_yes_no_words(client, users, hoxa):
    client.force_login(users["hoxa.nhaplieu"])
    upload = SimpleUploadedFile("so-lieu.csv", VIETNAMESE_CSV.encode("utf-8"))
    result = client.post("/entry/import/", {"file": upload}).context["result"]
    assert (result["created"], result["rejected"]) == (5, 0), result["errors"]
    assert values(hoxa) == EXPECTED


def test_the_bulk_api_reads_vietnamese_numbers_and_yes_no_words(api_client, users, hoxa):
    api_client.force_authenticate(users["admin"])
    response = api_client.post(
        "/api/v1/observations/bulk/", VIETNAMESE_CSV, content_type="text/csv; charset=utf-8"
    )
    assert response.json()["created"] == 5, response.content
    assert values(hoxa) == EXPECTED


def test_a_yes_no_word_for_a_number_is_refused_in_an_import(client, users, hoxa):
    client.force_login(users["hoxa.nhaplieu"])
    text = "unit_code;on;indicator;period;value\r\n19363;01/01/2024;HR_IT_STAFF;Q1/2025;Có\r\n"
    upload = SimpleUploadedFile("so-lieu.csv", text.encode("utf-8"))
    result = client.post("/entry/import/", {"file": upload}).context["result"]
    assert result["rejected"] == 1
    assert "«Có» không phải là số" in str(result["errors"])


def test_the_admin_import_reads_vietnamese_numbers_and_yes_no_words(client, users, hoxa):
    client.force_login(users["admin"])
    upload = SimpleUploadedFile(
        "figures.csv",
        (
            "unit_code,unit_on,agency,indicator,period,scope,value,numerator,denominator,"
            "source,source_on,note\n"
            f'19363,2024-01-01,,{AMOUNT},2024Q3,self,"150.000.000",,,,,\n'
            f'19363,2024-01-01,,{RATIO},2024Q3,self,"45,5",,,,,\n'
            f"19363,2024-01-01,,{YES_NO},2024Q3,self,Không,,,,,\n"
        ).encode(),
    )
    page = client.post(
        "/admin/indicators/figure/import/",
        {"format": "0", "resource": "0", "import_file": upload},
    )
    confirm = page.context["confirm_form"]
    client.post("/admin/indicators/figure/process_import/", confirm.initial)
    assert values(hoxa, "2024Q3") == {
        AMOUNT: Decimal(150_000_000),
        RATIO: Decimal("45.5"),
        YES_NO: Decimal(0),
    }
