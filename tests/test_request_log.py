"""One log line per request (egov_portal.request): method, path, status, time, user, unit and
the request id; server errors logged with the same id as the response's X-Request-ID."""

import logging
import re
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import include, path

from accounts.services import demo_users_create
from egov_portal.middleware import LOG_LINE_MAX, LOG_VALUE_MAX, LogValueCap, user_and_unit

LOGGER = "egov_portal.request"


def boom(request):
    raise RuntimeError("something broke")


# For test_a_server_error_is_logged_with_the_request_id: the portal plus a view that fails.
urlpatterns = [path("boom/", boom), path("", include("egov_portal.urls"))]


def request_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER]


@pytest.mark.django_db
def test_one_line_with_the_user_their_unit_status_and_time(client, caplog):
    demo_users_create()
    client.force_login(get_user_model().objects.get(username="vinhlinh.nhaplieu"))
    with caplog.at_level(logging.INFO, logger=LOGGER):
        response = client.get("/entry/")
    assert response.status_code == 200
    [line] = request_lines(caplog)
    assert re.fullmatch(
        r"GET /entry/ 200 \d+\.\dms user=vinhlinh\.nhaplieu unit=464", line.getMessage()
    )
    assert line.levelno == logging.INFO
    assert line.request_id == response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", line.request_id)


@pytest.mark.django_db
def test_anonymous_requests_have_no_user_or_unit(client, caplog):
    with caplog.at_level(logging.INFO, logger=LOGGER):
        client.get("/units/")
    [line] = request_lines(caplog)
    assert line.getMessage().endswith("user=- unit=-")


@pytest.mark.django_db
def test_takes_the_proxys_request_id_and_refuses_a_forged_one(client, caplog):
    with caplog.at_level(logging.INFO, logger=LOGGER):
        given = client.get("/units/", headers={"X-Request-ID": "lb-7f3a.42"})
        forged = client.get("/units/", headers={"X-Request-ID": "x\nGET / 200 user=admin"})
    assert given["X-Request-ID"] == "lb-7f3a.42"
    assert re.fullmatch(r"[0-9a-f]{32}", forged["X-Request-ID"])
    assert [r.request_id for r in request_lines(caplog)] == [
        "lb-7f3a.42",
        forged["X-Request-ID"],
    ]


@pytest.mark.django_db
def test_hides_tokens_and_passwords_in_the_query_string(client, caplog):
    with caplog.at_level(logging.INFO, logger=LOGGER):
        client.get("/api/v1/units/?level=province&token=s3cr3t&password=hunter2&api_key=k")
    [line] = request_lines(caplog)
    message = line.getMessage()
    assert "level=province" in message
    assert "token=***" in message and "password=***" in message and "api_key=***" in message
    for secret in ("s3cr3t", "hunter2", "=k"):
        assert secret not in message


@pytest.mark.django_db
def test_a_server_error_is_logged_with_the_request_id(settings, caplog):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.INFO):
        response = client.get("/boom/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    [line] = request_lines(caplog)
    assert line.levelno == logging.ERROR
    assert line.getMessage().startswith("GET /boom/ 500 ")
    [traceback] = [r for r in caplog.records if r.name == "django.request"]
    assert traceback.exc_info is not None
    assert traceback.request_id == request_id  # the same id on the traceback's record


@pytest.mark.django_db
def test_finding_the_unit_takes_at_most_one_query(django_assert_num_queries, rf):
    demo_users_create()
    User = get_user_model()
    request = rf.get("/")
    request.user = User.objects.get(username="hoxa.nhaplieu")
    with django_assert_num_queries(1):  # the membership's unit code
        assert user_and_unit(request) == ("hoxa.nhaplieu", "19363")
    # A view that has read the membership and its unit already: nothing more to ask.
    request.user = User.objects.select_related("membership__unit").get(username="hoxa.nhaplieu")
    with django_assert_num_queries(0):
        assert user_and_unit(request) == ("hoxa.nhaplieu", "19363")
    # A user without a membership (a plain staff account).
    request.user = User.objects.create_user("staff-only", password="x-Pass-123")
    with django_assert_num_queries(1):
        assert user_and_unit(request) == ("staff-only", "-")


@pytest.mark.django_db
def test_djangos_own_record_of_a_client_error_has_the_request_id(client, caplog):
    with caplog.at_level(logging.INFO):
        response = client.get("/units/no-such-page/")
    assert response.status_code == 404
    [warning] = [r for r in caplog.records if r.name == "django.request"]
    assert warning.request_id == response["X-Request-ID"]


def test_a_log_record_carries_only_a_prefix_of_a_long_value_and_escapes_line_breaks():
    value = "7" * 100_000
    try:
        raise KeyError(value)  # as a dict lookup of a submitted value would
    except KeyError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Not Found: %s",
        (f"/x\nFORGED{value}",),
        exc_info,
    )
    # The console handler of settings.LOGGING, which every record passes through.
    [console] = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, LogValueCap) for f in h.filters)
    ]
    assert console.filter(record)
    text = console.format(record)
    assert "7" * (LOG_LINE_MAX + 1) not in text
    first, *traceback = text.split("\n")
    shown = "/x\\x0aFORGED"  # the line break escaped: no forged line
    assert first.endswith(f"Not Found: {shown}{'7' * (LOG_VALUE_MAX - len(shown))}…")
    assert traceback[-1].startswith("KeyError: '777")
    assert all(len(line) <= LOG_LINE_MAX + 1 for line in traceback)


@pytest.mark.django_db
def test_the_request_line_cuts_a_long_path(client, caplog):
    with caplog.at_level(logging.INFO, logger=LOGGER):
        client.get("/units/" + "8" * 10_000 + "/")
    [line] = request_lines(caplog)
    assert "8" * 301 not in line.getMessage()
