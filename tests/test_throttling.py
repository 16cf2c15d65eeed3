"""API throttling: anonymous clients per address, signed-in users per account, and the bulk
import with a tighter rate of its own. Rates here are tiny; production's come from
THROTTLE_ANON, THROTTLE_USER and THROTTLE_BULK (see test_deploy_settings)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db

UNITS = "/api/v1/units/"
BULK = "/api/v1/observations/bulk/?dry_run=true"
CSV = b"unit_code,on,indicator,period,scope,value,numerator,denominator\n"
ROOMY = "1000/min"


@pytest.fixture(autouse=True)
def counters():
    # The counters live in the cache, which tests share: start and end with none.
    cache.clear()
    yield
    cache.clear()


def rates(monkeypatch, **scopes: str) -> None:
    # DRF reads the rates into the throttle class when it is imported.
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"anon": ROOMY, "user": ROOMY, "bulk": ROOMY, **scopes},
    )


def test_throttle_classes_and_default_rates_are_configured():
    names = [cls.__name__ for cls in api_settings.DEFAULT_THROTTLE_CLASSES]
    assert names == ["AnonRateThrottle", "UserRateThrottle", "ScopedRateThrottle"]
    assert api_settings.DEFAULT_THROTTLE_RATES == {
        "anon": "300/min",
        "user": "3000/min",
        "bulk": "30/min",
    }


def test_anonymous_clients_are_throttled_per_address(api_client, monkeypatch):
    rates(monkeypatch, anon="2/min")
    assert [api_client.get(UNITS).status_code for _ in range(2)] == [200, 200]
    refused = api_client.get(UNITS)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # Another address has its own count.
    assert api_client.get(UNITS, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_users_are_throttled_per_account(api_client, monkeypatch):
    rates(monkeypatch, user="2/min")
    User = get_user_model()
    first, second = User.objects.create_user("first"), User.objects.create_user("second")
    api_client.force_authenticate(first)
    assert [api_client.get(UNITS).status_code for _ in range(2)] == [200, 200]
    assert api_client.get(UNITS).status_code == 429
    api_client.force_authenticate(second)  # same address, another account
    assert api_client.get(UNITS).status_code == 200


def test_the_bulk_import_has_a_tighter_rate_of_its_own(api_client, monkeypatch):
    rates(monkeypatch, bulk="2/min")
    staff = get_user_model().objects.create_user("staff", is_staff=True)
    api_client.force_authenticate(staff)
    post = lambda: api_client.post(BULK, CSV, content_type="text/csv")  # noqa: E731
    # Read and answered (a file without rows is refused), then turned away unread.
    assert [post().status_code for _ in range(2)] == [400, 400]
    assert post().status_code == 429
    # Reading is another matter: the user's own rate is far from spent.
    assert api_client.get("/api/v1/observations/").status_code == 200


def test_behind_a_proxy_the_client_is_the_address_the_proxy_saw(api_client, monkeypatch, settings):
    # NUM_PROXIES=1 (production's default): X-Forwarded-For's last entry, written by our proxy;
    # what a client puts before it cannot buy it a fresh count.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    rates(monkeypatch, anon="1/min")
    forwarded = lambda chain: api_client.get(UNITS, HTTP_X_FORWARDED_FOR=chain).status_code  # noqa: E731
    assert forwarded("1.1.1.1, 203.0.113.7") == 200
    assert forwarded("2.2.2.2, 203.0.113.7") == 429
    assert forwarded("1.1.1.1, 203.0.113.8") == 200


def test_asking_for_api_tokens_is_throttled_per_address(api_client, monkeypatch):
    # django-axes locks one username after failures; this limits one address trying many.
    rates(monkeypatch, anon="2/min")

    def ask(name: str) -> int:
        return api_client.post("/api/v1/token/", {"username": name, "password": "x"}).status_code

    assert [ask("a"), ask("b")] == [400, 400]  # refused credentials, but answered
    assert ask("c") == 429
