"""The load test's users: officials saving their commune's quarterly form, steering committee
members opening dashboards, and API clients pulling analytics and figures.

Run by benchmarks/loadtest.py (`make loadtest`), which creates the accounts, writes them to the
JSON file named by LOADTEST_ACCOUNTS and starts the server; locust alone needs the same file:

    LOADTEST_ACCOUNTS=accounts.json locust -f benchmarks/locustfile.py --host http://127.0.0.1:8000

(LOADTEST_STATS, if set, names a CSV file for the final statistics.)

The users are locust's FastHttpUser (geventhttpclient), lighter per request than HttpUser
(python-requests): locust shares the two cores with the server it measures.

Each simulated user takes an account of its own (officials: each a different commune, so no
two save the same report and no save is a version conflict). Every request is named by its
kind; a request counts as failed when its answer is not the one a person would get.
"""

import csv
import itertools
import json
import os
import random
import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import urlsplit

from locust import FastHttpUser, between, events, task
from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

with open(os.environ["LOADTEST_ACCOUNTS"], encoding="utf-8") as _file:
    ACCOUNTS = json.load(_file)

PASSWORD = ACCOUNTS["password"]
ENTRY_PERIOD = ACCOUNTS["entry_period"]  # the quarter officials save
VIEW_PERIOD = ACCOUNTS["view_period"]  # the quarter dashboards and the API read
INDICATOR = ACCOUNTS["indicator"]

# Each kind of user takes the next account of its list (locust runs users in one process,
# on gevent: no two take the same one).
_NEXT = {kind: itertools.count() for kind in ("officials", "committees", "api_clients")}

# What simulated people type and pick: no secret depends on it.
RNG = random.Random()  # noqa: S311

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

_RUN = {}  # locust's environment, for the statistics at the end


@events.init.add_listener
def remember_environment(environment, **kwargs):
    _RUN["environment"] = environment


@events.quit.add_listener
def stats_write(**kwargs):
    """The final statistics, in the format of locust's --csv stats file, to LOADTEST_STATS.

    --csv rewrites its file once a second, so requests that end while locust stops are not
    in it; this runs after the last one."""
    path = os.environ.get("LOADTEST_STATS")
    if path:
        with open(path, "w", encoding="utf-8", newline="") as file:
            StatsCSV(_RUN["environment"], PERCENTILES_TO_REPORT).requests_csv(csv.writer(file))


def take(kind: str) -> dict:
    pool = ACCOUNTS[kind]
    index = next(_NEXT[kind])
    if index >= len(pool):
        raise RuntimeError(f"Only {len(pool)} {kind} accounts: run more through loadtest.py.")
    return pool[index]


def sign_in(client, username: str) -> None:
    """Through the login page, as a person does (django-axes counts failed logins)."""
    with client.get("/accounts/login/", name="login: page", catch_response=True) as page:
        token = CSRF_INPUT.search(page.text)
        if page.status_code != 200 or token is None:
            page.failure(f"no login form (status {page.status_code})")
            return
    with client.post(
        "/accounts/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        name="login: sign in",
        allow_redirects=False,
        catch_response=True,
    ) as response:
        # A wrong password shows the page again (200); a success redirects.
        if response.status_code != 302:
            response.failure(f"login of {username} answered {response.status_code}")


# The entry form and the tags in it that send something (Django writes attributes in double
# quotes). Read with regular expressions, not html.parser: the form is about 175 KB, and
# html.parser took 15 ms of locust's CPU a page, on the two cores the server uses too.
_ENTRY_FORM = re.compile(r'<form\b[^>]*class="[^"]*\bentry-form\b[^"]*"[^>]*>(.*?)</form>', re.S)
_FIELD_TAG = re.compile(r"<(input|select)\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([^\s=]+)(?:="([^"]*)")?')


@dataclass
class EntryForm:
    """The fields of the entry form (form.entry-form) as a browser would send them, and
    which indicators are yes/no (a select) or ratios (a numerator field)."""

    fields: dict[str, str]
    selects: set[str]

    @classmethod
    def read(cls, page: str) -> "EntryForm":
        fields: dict[str, str] = {}
        selects: set[str] = set()
        form = _ENTRY_FORM.search(page)
        for tag, text in _FIELD_TAG.findall(form.group(1) if form else ""):
            attributes = {k: unescape(v) for k, v in _ATTRIBUTE.findall(text)}
            name = attributes.get("name")
            if not name:
                continue
            if tag == "select":
                fields[name] = ""
                selects.add(name)
            else:
                fields[name] = attributes.get("value") or ""
        return cls(fields, selects)


def typed_values(fields: dict[str, str], selects: set[str]) -> dict[str, str]:
    """What an official types this time: every indicator of the form, with new numbers."""
    data = dict(fields)
    codes = {name.rsplit("-", 1)[0] for name in fields if name.endswith("-value")}
    for code in codes:
        if f"{code}-numerator" in fields:  # a ratio: the fraction, the percentage computed
            denominator = RNG.randint(5, 500)
            data[f"{code}-numerator"] = str(RNG.randint(0, denominator))
            data[f"{code}-denominator"] = str(denominator)
            data[f"{code}-value"] = ""
        elif f"{code}-value" in selects:  # yes/no
            data[f"{code}-value"] = RNG.choice(("0", "1"))
        else:  # a count or an amount
            data[f"{code}-value"] = str(RNG.randint(0, 1000))
        data[f"{code}-source"] = "loadtest"
    data["action"] = "save"
    return data


class Official(FastHttpUser):
    """A commune's data-entry official: opens the quarter's form, types, saves, and is shown
    the form again (the redirect after a save), over and over."""

    weight = 3
    wait_time = between(1, 3)

    def on_start(self):
        account = take("officials")
        self.form_url = f"/entry/{account['unit']}/{ENTRY_PERIOD}/"
        sign_in(self.client, account["username"])
        self.form = self.open_form()

    def open_form(self) -> EntryForm | None:
        with self.client.get(self.form_url, name="entry: open form", catch_response=True) as page:
            form = EntryForm.read(page.text or "")
            if page.status_code != 200 or "version" not in form.fields:
                page.failure(f"no editable form (status {page.status_code})")
                return None
            return form

    @task
    def save_form(self):
        if self.form is None:
            self.form = self.open_form()
            return
        data = typed_values(self.form.fields, self.form.selects)
        with self.client.post(
            self.form_url,
            data,
            name="entry: save form",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # Saved: 302 back to the form. A conflict is 409; invalid values show the form (200).
            if response.status_code != 302:
                response.failure(f"save answered {response.status_code}")
        self.form = self.open_form()


class Committee(FastHttpUser):
    """A steering committee member of a province: its dashboard, and its districts'."""

    weight = 3
    wait_time = between(1, 3)

    def on_start(self):
        account = take("committees")
        self.province = account["province"]
        self.districts = account["districts"]
        sign_in(self.client, account["username"])

    def dashboard(self, unit_id: int, name: str):
        with self.client.get(
            f"/dashboard/{unit_id}/?period={VIEW_PERIOD}", name=name, catch_response=True
        ) as page:
            if page.status_code != 200 or not page.url.endswith(f"period={VIEW_PERIOD}"):
                page.failure(f"dashboard answered {page.status_code} at {page.url}")

    @task(1)
    def province_dashboard(self):
        self.dashboard(self.province, "dashboard: province")

    @task(2)
    def district_dashboard(self):
        if self.districts:
            self.dashboard(RNG.choice(self.districts), "dashboard: district")


class ApiClient(FastHttpUser):
    """A script with an API token: a province's indicator by district, and its figures
    (first page and the next, by the cursor)."""

    weight = 4
    wait_time = between(1, 3)

    def on_start(self):
        account = take("api_clients")
        self.headers = {"Authorization": f"Token {account['token']}"}
        self.provinces = ACCOUNTS["provinces"]

    @task
    def analytics(self):
        province = RNG.choice(self.provinces)["id"]
        self.client.get(
            f"/api/v1/analytics/?indicator={INDICATOR}&unit={province}"
            f"&period={VIEW_PERIOD}&by=children",
            name="api: analytics by=children",
            headers=self.headers,
        )

    @task
    def observations(self):
        province = RNG.choice(self.provinces)["id"]
        first = self.client.get(
            f"/api/v1/observations/?descendants_of={province}",
            name="api: observations, first page",
            headers=self.headers,
        )
        following = first.json().get("next") if first.ok else None
        if following:
            # `next` is absolute; the host is the one locust was pointed at.
            parts = urlsplit(following)
            self.client.get(
                f"{parts.path}?{parts.query}",
                name="api: observations, next page",
                headers=self.headers,
            )
