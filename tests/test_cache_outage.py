"""Redis down: with the cache pointing at a closed port, reads, pages, signing in and API
writes answer as usual (no cache, no throttling), the outage is logged once, and a process
leaves Redis alone for a while after a failure (egov_portal/redis_cache.py). Run on SQLite
and on PostgreSQL (DATABASE_URL)."""

import logging
import socket
import uuid

import pytest
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.throttling import SimpleRateThrottle

from accounts.demo import DEMO_PASSWORD
from accounts.services import demo_users_create
from egov_portal import health, redis_cache
from egov_portal import settings as project_settings
from indicators.models import Figure
from units.models import Unit

pytestmark = pytest.mark.django_db

LOGGER = "egov_portal.redis_cache"
REDIS = "redis://127.0.0.1:6379/15"
ROLLUP = {
    "indicator": "APP_DIGSIG_DOCS",
    "unit_code": "064",
    "on": "2021-07-31",
    "scope": "district_offices",  # about 90% at district level
}


def closed_port() -> int:
    """A port nothing listens on: one the system just gave out, and that was closed."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def no_outage_yet():
    redis_cache.outages_forget()
    yield
    redis_cache.outages_forget()


@pytest.fixture
def redis_down(settings):
    """The project's Redis cache settings, with Redis unreachable."""
    settings.CACHES = project_settings.redis_caches(f"redis://127.0.0.1:{closed_port()}/1")


def outage_warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]


def test_pages_sign_in_and_api_writes_work_with_redis_down(redis_down, client, caplog):
    demo_users_create()
    caplog.set_level(logging.WARNING, logger=LOGGER)
    # Anonymous reads: the API (throttled), a roll-up, a plan and its workbook.
    assert client.get("/api/v1/units/", {"level": "province"}).status_code == 200
    analytics = client.get("/api/v1/analytics/", {**ROLLUP, "period": "2021Q3"})
    assert analytics.status_code == 200
    assert analytics.json()["results"][0]["value"] == 90
    assert client.get("/plans/QB-2342-2018/", {"period": "2018"}).status_code == 200
    assert client.get("/plans/QB-2342-2018/workbook/", {"period": "2018"}).status_code == 200
    # Signing in (django-axes counts failures in the database; sessions live there too).
    signed_in = client.post(
        "/accounts/login/", {"username": "vinhlinh.duyet", "password": DEMO_PASSWORD}
    )
    assert signed_in.status_code == 302
    dashboard = client.get(f"/dashboard/{Unit.objects.get(code='464', valid_to__isnull=False).pk}/")
    assert dashboard.status_code == 200
    # A write through the API, by a data-entry official with a token.
    client.logout()
    token = client.post(
        "/api/v1/token/", {"username": "vinhlinh.nhaplieu", "password": DEMO_PASSWORD}
    )
    assert token.status_code == 200
    written = client.post(
        "/api/v1/observations/bulk/",
        b"unit_code,on,indicator,period,value\n464,2021-01-01,INF_LAN,2021Q1,1\n",
        content_type="text/csv",
        HTTP_AUTHORIZATION=f"Token {token.json()['token']}",
    )
    assert written.status_code == 200, written.content
    assert written.json()["created"] == 1
    assert Figure.objects.filter(unit__code="464", period="2021Q1").count() == 1

    warnings = outage_warnings(caplog)
    assert len(warnings) == 1  # once, however many requests met the outage
    assert "Cache unavailable" in warnings[0].getMessage()


def test_throttles_let_requests_through_with_redis_down(redis_down, client, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "1/min", "user": "1/min"})
    answers = [client.get("/api/v1/units/", {"level": "province"}).status_code for _ in range(3)]
    assert answers == [200, 200, 200]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(redis_cache.time, "monotonic", clock)
    return clock


@pytest.fixture
def calls(monkeypatch) -> list:
    """The GETs that reached the Redis client."""
    made = []
    real = RedisCacheClient.get

    def counted(self, key, default):
        made.append(key)
        return real(self, key, default)

    monkeypatch.setattr(RedisCacheClient, "get", counted)
    return made


def unreachable_cache() -> redis_cache.DegradingRedisCache:
    params = project_settings.redis_caches(f"redis://127.0.0.1:{closed_port()}/1")["default"]
    return redis_cache.DegradingRedisCache(params["LOCATION"], params)


def test_each_operation_acts_as_a_miss_while_redis_is_unreachable(clock, caplog):
    down = unreachable_cache()
    assert down.get("k", "default") == "default"
    # Within RETRY_SECONDS Redis is not tried again; after it, every call is.
    for _ in range(2):
        assert down.set("k", 1) is None
        assert down.add("k", 1) is False
        assert down.get_many(["k", "l"]) == {}
        assert down.has_key("k") is False
        assert down.touch("k") is False
        assert down.delete("k") is False
        assert down.set_many({"k": 1, "l": 2}) == ["k", "l"]
        assert down.delete_many(["k", "l"]) is None
        assert down.get_or_set("k", 5) == 5
        assert down.clear() is False
        with pytest.raises(ValueError, match="not found"):
            down.incr("k")
        clock.now += redis_cache.RETRY_SECONDS


def test_redis_is_left_alone_for_a_while_after_a_failure(clock, calls, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    down = unreachable_cache()
    for _ in range(5):
        assert down.get("k") is None
    assert len(calls) == 1  # one attempt, then misses without trying
    clock.now += redis_cache.RETRY_SECONDS
    assert down.get("k") is None
    assert len(calls) == 2
    assert len(outage_warnings(caplog)) == 1
    # A long outage is mentioned again, rarely.
    clock.now += redis_cache.LOG_EVERY_SECONDS
    down.get("k")
    warnings = outage_warnings(caplog)
    assert len(warnings) == 2 and "still unavailable" in warnings[1].getMessage()


@pytest.mark.skipif(not health.redis_answers(REDIS), reason="no Redis on 127.0.0.1:6379")
def test_with_redis_up_the_cache_works_and_its_return_is_logged(clock, monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    # An instance of its own, with a prefix of its own: this Redis may be shared.
    up = redis_cache.DegradingRedisCache(REDIS, {"KEY_PREFIX": f"egov-test-{uuid.uuid4().hex}"})
    up.set("k", {"value": 1}, 60)
    assert up.get("k") == {"value": 1}

    real = RedisCacheClient.get

    def lost(self, key, default):
        raise RedisConnectionError("Connection lost")

    monkeypatch.setattr(RedisCacheClient, "get", lost)
    assert up.get("k") is None
    monkeypatch.setattr(RedisCacheClient, "get", real)
    assert up.get("k") is None  # not tried again yet
    clock.now += redis_cache.RETRY_SECONDS
    assert up.get("k") == {"value": 1}
    up.delete("k")
    messages = [r.getMessage() for r in outage_warnings(caplog)]
    assert len(messages) == 2
    assert "Cache unavailable" in messages[0] and "Cache available again" in messages[1]
