"""The load test's report (benchmarks/loadtest.py): beside locust's times, each request
kind's server time read from the portal's own log lines in gunicorn's log, so that a slow row
says whether the server worked or the request waited for a thread."""

import logging
import re
import sys
from pathlib import Path

import pytest
from django.conf import settings

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
LOCUSTFILE = BENCHMARKS / "locustfile.py"
sys.path.append(str(BENCHMARKS))

import loadtest  # noqa: E402

LOG = [
    "[2026-12-06 23:56:28 +0700] [9861] [INFO] Starting gunicorn 27.0.1",
    "2026-12-06 23:56:30,242 INFO egov_portal.request [2961e32c] GET /accounts/login/ 200 "
    "79.0ms user=- unit=-",
    "2026-12-06 23:56:30,663 INFO axes.handlers.database [69ccd425] AXES: Successful login by "
    '{username: "****"}.',
    "2026-12-06 23:56:30,675 INFO egov_portal.request [69ccd425] POST /accounts/login/ 302 "
    "419.2ms user=load.bcd001 unit=02",
    "2026-12-06 23:56:30,894 INFO egov_portal.request [9af3dd4b] GET /dashboard/103/?period="
    "2025Q2 200 217.1ms user=load.bcd001 unit=02",
    "2026-12-06 23:56:31,460 INFO egov_portal.request [befc452f] GET /dashboard/4/?period=2025Q2 "
    "200 132.7ms user=load.bcd003 unit=06",
    "2026-12-06 23:56:32,001 INFO egov_portal.request [aa] GET /entry/760/2018Q3/ 200 31.5ms "
    "user=load.xa001 unit=00001",
    "2026-12-06 23:56:32,101 INFO egov_portal.request [ab] POST /entry/760/2018Q3/ 302 14.0ms "
    "user=load.xa001 unit=00001",
    "2026-12-06 23:56:33,001 INFO egov_portal.request [ac] GET /api/v1/analytics/?indicator="
    "INF_LAN&unit=4&period=2025Q2&by=children 200 12.7ms user=load.api001 unit=-",
    "2026-12-06 23:56:33,101 INFO egov_portal.request [ad] GET /api/v1/observations/?"
    "descendants_of=4 200 17.0ms user=load.api001 unit=-",
    "2026-12-06 23:56:33,201 INFO egov_portal.request [ae] GET /api/v1/observations/?cursor="
    "cD0x&descendants_of=4 200 18.5ms user=load.api001 unit=-",
    "2026-12-06 23:56:34,001 INFO egov_portal.request [af] GET /static/app.css 200 0.4ms "
    "user=- unit=-",
]


def test_each_kind_is_named_as_the_locustfile_names_it():
    assert loadtest.server_p95(LOG, provinces={4}) == {
        "login: page": 79.0,
        "login: sign in": 419.2,
        "dashboard: district": 217.1,
        "dashboard: province": 132.7,
        "entry: open form": 31.5,
        "entry: save form": 14.0,
        "api: analytics by=children": 12.7,
        "api: observations, first page": 17.0,
        "api: observations, next page": 18.5,
        "all requests": 419.2,  # of the ten above; the static file is none of them
    }


def test_the_kinds_are_the_locustfiles_names():
    """Every name the locustfile gives its requests, and no other."""
    names = set(re.findall(r'"((?:login|entry|dashboard|api): [^"]+)"', LOCUSTFILE.read_text()))
    assert len(names) == 9
    assert set(loadtest.server_p95(LOG, provinces={4})) - {"all requests"} == names


def test_the_95th_percentile_is_the_nearest_rank():
    lines = [
        f"INFO egov_portal.request [x{n}] POST /accounts/login/ 302 {n}.0ms user=a unit=-"
        for n in range(1, 41)
    ]
    # 40 sign-ins: the 38th smallest (ceil(0.95 × 40)).
    assert loadtest.server_p95(lines, provinces=set())["login: sign in"] == 38.0


def test_the_table_shows_the_server_p95_beside_locusts():
    rows = [
        {
            "kind": "login: sign in",
            "requests": 60,
            "failures": 0,
            "p50": "490",
            "p95": "1700",
            "rps": 0.33,
        },
        {
            "kind": "all requests",
            "requests": 60,
            "failures": 0,
            "p50": "490",
            "p95": "1700",
            "rps": 0.33,
        },
    ]
    lines = loadtest.table(rows, {"login: sign in": 937.4}, {"all requests": 120.6})
    assert lines[0].split("|")[5].strip() == "p95 (ms)"
    assert lines[0].split("|")[6].strip() == "server p95 (ms)"
    assert lines[0].split("|")[7].strip() == "server p95 after the first minute (ms)"
    assert lines[2] == "| login: sign in | 60 | 0 | 490 | 1700 | 937 |  | 0.3 |"  # none after
    assert lines[3] == "| all requests | 60 | 0 | 490 | 1700 |  | 121 | 0.3 |"


def test_after_the_first_minute_leaves_out_the_requests_that_ended_in_it():
    """Counted from the first of locust's requests: a request that ended 60 s or more after
    it is kept, one that ended before is left out, and so is a line without a time."""
    lines = [
        "2026-12-06 23:56:20,000 INFO egov_portal.request [h] GET /healthz 200 1.0ms "
        "user=- unit=-",  # gunicorn asked if it is up: not one of locust's, not the start
        "2026-12-06 23:56:30,242 INFO egov_portal.request [a] GET /accounts/login/ 200 "
        "79.0ms user=- unit=-",
        "2026-12-06 23:57:30,241 INFO egov_portal.request [b] GET /dashboard/9/?period=2025Q2 "
        "200 900.0ms user=x unit=-",
        "2026-12-06 23:57:30,242 INFO egov_portal.request [c] GET /dashboard/9/?period=2025Q2 "
        "200 120.0ms user=x unit=-",
        "INFO egov_portal.request [d] GET /dashboard/9/?period=2025Q2 200 800.0ms user=x unit=-",
    ]
    assert loadtest.server_p95(lines, provinces=set(), after=60) == {
        "dashboard: district": 120.0,
        "all requests": 120.0,
    }
    assert loadtest.server_p95(lines, provinces=set())["dashboard: district"] == 900.0


@pytest.mark.django_db
def test_the_portals_own_log_line_is_read(client, caplog):
    """A request's line as the portal writes it (egov_portal.middleware, the "line" format of
    settings.LOGGING): the report reads its kind and time."""
    caplog.set_level(logging.INFO, logger="egov_portal.request")
    assert client.get("/accounts/login/").status_code == 200
    record = next(r for r in caplog.records if r.name == "egov_portal.request")
    line = logging.Formatter(settings.LOGGING["formatters"]["line"]["format"]).format(record)
    found = loadtest.server_p95([line], provinces=set())
    assert set(found) == {"login: page", "all requests"}
    assert found["login: page"] == pytest.approx(float(re.search(r" ([\d.]+)ms ", line)[1]))
