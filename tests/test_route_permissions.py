"""Every route of the URL conf under the permission rules (accounts/policy.py): each one is in
ROUTES (with what anonymous visitors, an official of another unit, the unit's own official,
its reviewer and an administrator get) or in PUBLIC (with the reason it is open), and a new
route without an entry fails test_every_route_has_a_permission_test.

The subject is Thị trấn Hồ Xá as it was in 2024 (19363, in huyện Vĩnh Linh) and its draft
report for 2025Q1: hoxa.nhaplieu enters it, vinhlinh.duyet reviews it, xavinhlinh.nhaplieu
(today's xã Vĩnh Linh: another unit row) is the outsider, admin is the administrator.
"""

import datetime
import json
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token

from accounts.models import Membership, PersonalAccessToken
from accounts.services import demo_users_create
from accounts.tokens import token_create
from dhis2_api import uids as dhis2_uids
from entry import jobs
from entry.models import ImportJob
from indicators.models import Figure, Indicator, Submission, Transition
from indicators.periods import parse_period
from indicators.services import RowError
from notifications.models import Notification
from plans.models import BudgetLine, Plan, Target
from quality.models import Evidence, ValidationRule
from units.models import Agency, Unit

pytestmark = pytest.mark.django_db

OLD = datetime.date(2024, 1, 1)
PERIOD = "2025Q1"
# The draft's note and value: neither may reach anyone outside Hồ Xá's subtree.
SECRET_NOTE = "ghi-chu-rieng-cua-ho-xa"
SECRET_VALUE = Decimal("73.9")
SECRETS = (SECRET_NOTE, "73.9", "73,9")
# Targeted for every commune by 2025 in QD-749-2020: the plan's progress would show a draft.
SECRET_INDICATOR = "APP_WORK_ONLINE"

ACTORS = ("anonymous", "outsider", "member", "reviewer", "staff")
USERNAMES = {
    "outsider": "xavinhlinh.nhaplieu",
    "member": "hoxa.nhaplieu",
    "reviewer": "vinhlinh.duyet",
    "staff": "admin",
}
LOGIN = "login"  # a redirect to /accounts/login/
ADMIN_LOGIN = "admin login"  # staff_member_required: a redirect to /admin/login/

# Open to everyone by design: nothing here reads or writes anything of a unit.
PUBLIC = {
    "public:overview": "the provinces' readiness from approved figures: open data, no login",
    "public:province": "a province's readiness and headline series: approved figures only",
    "public:commune": "a commune's readiness and headline series: approved figures only",
    "public:package": "the open data package's descriptor: approved figures only",
    "public:resource": "an indicator's approved figures as CSV: open data",
    "public:province-package": "a province's open data package: approved figures only",
    "public:province-resource": "an indicator's approved figures in a province as CSV",
    "home": "the landing page: unit counts",
    "healthz": "the load balancer's health check (may not be in every build yet)",
    "set_language": "changes the visitor's own language (session or cookie) only",
    "login": "the login form",
    "logout": "ends one's own session",
    "password_reset": "sends a reset link to an address; says nothing about accounts",
    "password_reset_done": "a static page",
    "password_reset_confirm": "needs the token mailed to the account's owner",
    "password_reset_complete": "a static page",
    "api-root": "the API's list of endpoints",
    "api-token": "gives a token only for a right username and password (axes locks)",
    "api-schema": "the OpenAPI description",
    "api-docs": "the API's documentation page",
}
# Every admin page goes through AdminSite.admin_view (staff only): checked once, below.
ADMIN_NAMESPACE = "admin"


@dataclass(frozen=True)
class Write:
    """A request that would change something: who gets which answer, and nothing changes
    for those refused."""

    method: str
    url: Callable[[dict], str] | None = None  # the route's own URL when None
    data: Callable[[dict], object] = lambda c: {}
    json: bool = False
    expect: dict = field(default_factory=dict)  # actor → status (or LOGIN, ADMIN_LOGIN)


@dataclass(frozen=True)
class Route:
    url: Callable[[dict], str]
    get: tuple  # the answer to a GET, for each of ACTORS
    writes: tuple[Write, ...] = ()
    # Where the draft could show: "readers" (the unit's readers see it, nobody else does),
    # "nobody" (approved figures only: not even the unit's readers).
    secret: str = ""
    member: str = "member"  # the actor that plays the unit's own official


def r(name: str, **kwargs) -> Callable[[dict], str]:
    """The URL of `name`, with kwargs taken from the context when given as "ctx:key"."""

    def build(ctx: dict) -> str:
        values = {
            k: ctx[v[4:]] if isinstance(v, str) and v.startswith("ctx:") else v
            for k, v in kwargs.items()
        }
        query = values.pop("query", "")
        return reverse(name, kwargs=values) + (f"?{query}" if query else "")

    return build


OPEN = (200, 200, 200, 200, 200)
SIGNED_IN = (LOGIN, 200, 200, 200, 200)
# The unit's readers only; the others get a 403 page that says why (the unit is open data:
# a 404 would pretend it does not exist).
UNIT_PAGE = (LOGIN, 403, 200, 200, 200)
STAFF_PAGE = (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)
API_READ_ONLY = (  # POST to a read-only endpoint: only staff pass the permission check
    Write("post", json=True, expect={"anonymous": 403, "outsider": 403, "staff": 405}),
)
DHIS2_READ = (401, 200, 200, 200, 200)
DHIS2_READ_ONLY = (Write("post", json=True, expect={"anonymous": 401, "outsider": 405}),)
STAFF_FORM = (  # an empty form: refused to all but staff (who get the form back, 200)
    Write(
        "post",
        expect={
            "anonymous": ADMIN_LOGIN,
            "outsider": ADMIN_LOGIN,
            "member": ADMIN_LOGIN,
            "staff": 200,
        },
    ),
)


def _figure_json(ctx: dict) -> dict:
    return {
        "unit_code": "19363",
        "on": "2024-01-01",
        "indicator": "HR_PROFICIENT",
        "period": "2024Q4",
        "numerator": "9",
        "denominator": "10",
    }


ROUTES: dict[str, Route] = {
    # --- open data: units, indicators, plans ---
    "units:unit-browse": Route(r("units:unit-browse"), OPEN),
    "units:unit-detail": Route(r("units:unit-detail", code="19363", query="on=2024-01-01"), OPEN),
    "indicators:indicator-list": Route(r("indicators:indicator-list"), OPEN),
    "indicators:indicator-detail": Route(
        r("indicators:indicator-detail", code=SECRET_INDICATOR), OPEN, secret="readers"
    ),
    "plans:plan-list": Route(r("plans:plan-list"), OPEN),
    "plans:plan-detail": Route(r("plans:plan-detail", code="ctx:plan"), OPEN),
    "plans:plan-laggards": Route(r("plans:plan-laggards", code="ctx:plan"), OPEN),
    "plan-workbook": Route(r("plan-workbook", code="ctx:plan"), OPEN),
    # --- staff pages for plans ---
    "plans:plan-create": Route(r("plans:plan-create"), STAFF_PAGE, STAFF_FORM),
    "plans:plan-edit": Route(r("plans:plan-edit", code="ctx:plan"), STAFF_PAGE, STAFF_FORM),
    "plans:target-create": Route(r("plans:target-create", code="ctx:plan"), STAFF_PAGE, STAFF_FORM),
    "plans:target-edit": Route(r("plans:target-edit", pk="ctx:target"), STAFF_PAGE, STAFF_FORM),
    # --- data entry and review ---
    "entry:entry-list": Route(r("entry:entry-list"), SIGNED_IN),
    "entry:review-inbox": Route(r("entry:review-inbox"), SIGNED_IN),
    "entry:completeness": Route(r("entry:completeness", query="ctx:unit_query"), UNIT_PAGE),
    # POST only; each report chosen is checked by the review step (accounts.policy.can_review):
    # one refused, and nothing changes; the answer is the inbox again, saying why.
    "entry:review-act": Route(
        r("entry:review-act"),
        (LOGIN, 405, 405, 405, 405),
        (
            Write(
                "post",
                data=lambda c: {"action": "approve", "reports": f"{c['submission']}:0"},
                expect={"anonymous": LOGIN, "outsider": 302, "member": 302},
            ),
        ),
    ),
    "entry:submission-detail": Route(
        r("entry:submission-detail", pk="ctx:submission"),
        UNIT_PAGE,
        (
            Write(
                "post",
                data=lambda c: {"action": "approve"},
                expect={"anonymous": LOGIN, "outsider": 403},
            ),
        ),
        secret="readers",
    ),
    "entry:entry-form": Route(
        r("entry:entry-form", unit_id="ctx:hoxa", period=PERIOD),
        UNIT_PAGE,
        (
            Write(
                "post",
                data=lambda c: {"HR_PROFICIENT-value": "99"},
                expect={"anonymous": LOGIN, "outsider": 403, "reviewer": 403},
            ),
        ),
        secret="readers",
    ),
    "entry:entry-template": Route(
        r("entry:entry-template", unit_id="ctx:hoxa", period=PERIOD), UNIT_PAGE
    ),
    # Saving as you go (POST only): the unit's own officials; another unit's gets a 403.
    "entry:entry-autosave": Route(
        r("entry:entry-autosave", unit_id="ctx:hoxa", period=PERIOD),
        (LOGIN, 405, 405, 405, 405),
        (
            Write(
                "post",
                data=lambda c: {"version": "0", "HR_PROFICIENT-value": "99"},
                expect={"anonymous": LOGIN, "outsider": 403, "reviewer": 403},
            ),
        ),
    ),
    "entry:entry-autosave-agency": Route(
        r("entry:entry-autosave-agency", agency_id="ctx:agency", period=PERIOD),
        (LOGIN, 405, 405, 405, 405),
        (Write("post", expect={"anonymous": LOGIN, "outsider": 403}),),
        member="district_official",
    ),
    "entry:entry-form-agency": Route(
        r("entry:entry-form-agency", agency_id="ctx:agency", period=PERIOD),
        UNIT_PAGE,
        (Write("post", expect={"anonymous": LOGIN, "outsider": 403}),),
        member="district_official",
    ),
    "entry:entry-template-agency": Route(
        r("entry:entry-template-agency", agency_id="ctx:agency", period=PERIOD),
        UNIT_PAGE,
        member="district_official",
    ),
    "entry:entry-import": Route(
        r("entry:entry-import"),
        SIGNED_IN,
        # An outsider may upload, but every row for Hồ Xá is refused (nothing stored, 400).
        (
            Write(
                "post",
                data=lambda c: {"file": _csv_upload()},
                expect={"anonymous": LOGIN, "outsider": 400},
            ),
        ),
    ),
    "entry:import-job": Route(r("entry:import-job", pk="ctx:job"), (LOGIN, 403, 200, 403, 200)),
    # POST only; a job is run again by its owner (or an administrator) only.
    "entry:import-job-rerun": Route(
        r("entry:import-job-rerun", pk="ctx:job"),
        (LOGIN, 405, 405, 405, 405),
        (Write("post", expect={"anonymous": LOGIN, "outsider": 403, "reviewer": 403}),),
    ),
    "entry:import-job-status": Route(
        r("entry:import-job-status", pk="ctx:job"), (LOGIN, 403, 200, 403, 200)
    ),
    # Every error of a job's file: seen as the job's page is.
    "entry:import-job-errors": Route(
        r("entry:import-job-errors", pk="ctx:done_job"), (LOGIN, 403, 200, 403, 200)
    ),
    # --- notifications: each person's own ---
    "notifications:notification-list": Route(
        r("notifications:notification-list"),
        SIGNED_IN,
        (Write("post", expect={"anonymous": LOGIN, "outsider": 302}),),  # marks their own read
    ),
    # Hồ Xá's official's notification: it redirects to the report for them, 404 for others.
    "notifications:notification-open": Route(
        r("notifications:notification-open", pk="ctx:notification"), (LOGIN, 404, 302, 404, 404)
    ),
    "notifications:notification-settings": Route(
        r("notifications:notification-settings"),
        SIGNED_IN,
        (Write("post", expect={"anonymous": LOGIN, "outsider": 302}),),  # their own setting
    ),
    # --- dashboards ---
    "reports:dashboard-home": Route(r("reports:dashboard-home"), (LOGIN, 302, 302, 302, 302)),
    # Approved figures only, for every signed-in user (docs/decisions/0006): Hồ Xá's draft
    # shows to nobody, its own official included.
    "reports:dashboard": Route(
        r("reports:dashboard", unit_id="ctx:hoxa", query=f"period={PERIOD}"),
        SIGNED_IN,
        secret="nobody",
    ),
    # The Word report: approved figures for every signed-in user; completeness left out
    # for those who may not read the unit's reports.
    "reports:report-docx": Route(
        r("reports:report-docx", unit_id="ctx:hoxa", query=f"period={PERIOD}"),
        SIGNED_IN,
        secret="nobody",
    ),
    "reports:indicator": Route(
        r("reports:indicator", unit_id="ctx:hoxa", code=SECRET_INDICATOR, query=f"period={PERIOD}"),
        SIGNED_IN,
        secret="nobody",
    ),
    # A unit the user may not read is refused by name on the page itself (403, a message).
    "reports:compare": Route(
        r("reports:compare", query="ctx:compare_query"),
        SIGNED_IN,
        secret="nobody",
        member="district_official",
    ),
    "reports:compare-children": Route(
        r("reports:compare-children", unit_id="ctx:vinhlinh", query="ctx:children_query"),
        SIGNED_IN,
        secret="nobody",  # approved figures only: Hồ Xá's draft is in none of its cells
        member="district_official",
    ),
    # --- the API: open data read by all, figures filtered, writes checked ---
    # --- the DHIS2 Web API: signed in (Basic, ApiToken or session), DHIS2's 401 otherwise ---
    "dhis2:system-info": Route(r("dhis2:system-info"), DHIS2_READ, DHIS2_READ_ONLY),
    "dhis2:me": Route(r("dhis2:me"), DHIS2_READ, DHIS2_READ_ONLY),
    "dhis2:org-units": Route(
        r("dhis2:org-units", query="filter=code:eq:19363"), DHIS2_READ, DHIS2_READ_ONLY
    ),
    "dhis2:org-unit": Route(r("dhis2:org-unit", uid="ctx:hoxa_uid"), DHIS2_READ, DHIS2_READ_ONLY),
    "dhis2:data-elements": Route(r("dhis2:data-elements"), DHIS2_READ, DHIS2_READ_ONLY),
    "dhis2:data-element": Route(
        r("dhis2:data-element", uid=SECRET_INDICATOR), DHIS2_READ, DHIS2_READ_ONLY
    ),
    "dhis2:data-sets": Route(r("dhis2:data-sets"), DHIS2_READ, DHIS2_READ_ONLY),
    "dhis2:data-set": Route(r("dhis2:data-set", uid="QUARTERLY"), DHIS2_READ, DHIS2_READ_ONLY),
    "dhis2:cocs": Route(r("dhis2:cocs"), DHIS2_READ, DHIS2_READ_ONLY),
    # Hồ Xá's draft: its readers see it, the others (an official elsewhere) do not.
    "dhis2:data-value-sets": Route(
        r("dhis2:data-value-sets", query=f"dataSet=QUARTERLY&orgUnit=19363&period={PERIOD}"),
        DHIS2_READ,
        (
            Write(
                "post",
                data=lambda c: {
                    "period": "2024Q4",
                    "orgUnit": c["hoxa_uid"],
                    "dataValues": [{"dataElement": "HR_PROFICIENT", "value": "50"}],
                },
                json=True,
                expect={"anonymous": 401, "outsider": 409, "staff": 200},
            ),
        ),
        secret="readers",
    ),
    "dhis2:data-values": Route(
        r("dhis2:data-values", query=f"de={SECRET_INDICATOR}&pe={PERIOD}&ou=19363"),
        DHIS2_READ,
        (
            Write(
                "delete",
                url=r("dhis2:data-values", query=f"de={SECRET_INDICATOR}&pe={PERIOD}&ou=19363"),
                expect={"anonymous": 401, "outsider": 409},
            ),
        ),
        secret="readers",
    ),
    # A user's own personal access tokens: every signed-in user lists and makes their own
    # (a JSON body: a form makes nothing); revoking another's is a 404 (not theirs to see).
    "dhis2:api-tokens": Route(
        r("dhis2:api-tokens"),
        DHIS2_READ,
        (Write("post", json=True, expect={"anonymous": 401, "staff": 201}),),
    ),
    "dhis2:api-token": Route(
        r("dhis2:api-token", uid="ctx:token_uid"),
        (401, 404, 404, 404, 200),
        (Write("delete", expect={"anonymous": 401, "outsider": 404, "member": 404}),),
    ),
    # Approved figures only: the draft's own indicator, unit and period.
    "dhis2:analytics": Route(
        r(
            "dhis2:analytics",
            query=f"dimension=dx:{SECRET_INDICATOR}&dimension=ou:19363&filter=pe:{PERIOD}",
        ),
        DHIS2_READ,
        DHIS2_READ_ONLY,
        secret="nobody",
    ),
    "api-analytics": Route(
        r("api-analytics", query="ctx:analytics_query"), OPEN, API_READ_ONLY, secret="nobody"
    ),
    # Hồ Xá's draft quarter: the index counts approved figures only.
    "api-readiness": Route(
        r("api-readiness", query=f"unit=19363&on=2024-01-01&period={PERIOD}"),
        OPEN,
        API_READ_ONLY,
        secret="nobody",
    ),
    # Validation rules: read by signed-in users, written by administrators (an empty rule is
    # refused to them: 400).
    "validation-rule-list": Route(
        r("validation-rule-list"),
        (403, 200, 200, 200, 200),
        (
            Write(
                "post",
                json=True,
                expect={"anonymous": 403, "outsider": 403, "member": 403, "staff": 400},
            ),
        ),
    ),
    "validation-rule-detail": Route(
        r("validation-rule-detail", pk="ctx:rule"),
        (403, 200, 200, 200, 200),
        (
            Write(
                "delete",
                expect={"anonymous": 403, "outsider": 403, "member": 403, "reviewer": 403},
            ),
        ),
    ),
    "unit-list": Route(r("unit-list"), OPEN, API_READ_ONLY),
    "unit-detail": Route(r("unit-detail", pk="ctx:hoxa"), OPEN, API_READ_ONLY),
    "indicator-list": Route(r("indicator-list"), OPEN, API_READ_ONLY),
    "indicator-detail": Route(r("indicator-detail", code="HR_PROFICIENT"), OPEN, API_READ_ONLY),
    "plan-list": Route(r("plan-list"), OPEN, API_READ_ONLY),
    "plan-detail": Route(r("plan-detail", pk="ctx:plan_id"), OPEN, API_READ_ONLY),
    "plan-laggards": Route(r("plan-laggards", pk="ctx:plan_id", query="period=2020"), OPEN),
    "plan-progress": Route(
        r("plan-progress", pk="ctx:national_plan_id", query="ctx:progress_query"),
        OPEN,
        secret="nobody",
    ),
    "observation-list": Route(
        r("observation-list", query="ctx:figures_query"),
        OPEN,
        (
            Write(
                "post",
                data=_figure_json,
                json=True,
                expect={"anonymous": 403, "outsider": 403, "reviewer": 403},
            ),
        ),
        secret="readers",
    ),
    "observation-detail": Route(
        r("observation-detail", pk="ctx:draft"),
        (404, 404, 200, 200, 200),
        (
            Write(
                "patch",
                data=lambda c: {"value": "1"},
                json=True,
                expect={"anonymous": 403, "outsider": 404},
            ),
            Write("delete", expect={"anonymous": 403, "outsider": 404, "reviewer": 403}),
            # An approved figure is open data: read by all, written only by its unit.
            Write(
                "patch",
                url=r("observation-detail", pk="ctx:approved"),
                data=lambda c: {"value": "1"},
                json=True,
                expect={"anonymous": 403, "outsider": 403, "reviewer": 403},
            ),
            Write(
                "delete",
                url=r("observation-detail", pk="ctx:approved"),
                expect={"anonymous": 403, "outsider": 403, "reviewer": 403},
            ),
        ),
        secret="readers",
    ),
    # Comments, follow-ups and evidence of a figure: those who see the draft (others: 404).
    "observation-comments": Route(
        r("observation-comments", pk="ctx:draft"),
        (404, 404, 200, 200, 200),
        (
            Write(
                "post",
                data=lambda c: {"text": "x"},
                json=True,
                expect={"anonymous": 403, "outsider": 404},
            ),
        ),
    ),
    "observation-evidence": Route(
        r("observation-evidence", pk="ctx:draft"),
        (404, 404, 200, 200, 200),
        (
            Write(
                "post",
                data=lambda c: {"link": "https://a.vn/b"},
                json=True,
                expect={"anonymous": 403, "outsider": 404},
            ),
        ),
    ),
    "observation-follow-up": Route(
        r("observation-follow-up", pk="ctx:draft"),
        (405, 405, 405, 405, 405),  # POST only
        (
            Write(
                "post",
                data=lambda c: {"action": "open", "text": "x"},
                json=True,
                expect={"anonymous": 403, "outsider": 404, "member": 403},
            ),
        ),
    ),
    "observation-bulk": Route(
        r("observation-bulk"),
        (405, 405, 405, 405, 405),  # POST only
        (
            Write(
                "post",
                data=lambda c: [_figure_json(c)],
                json=True,
                expect={"anonymous": 403, "outsider": 400, "reviewer": 400},
            ),
        ),
    ),
    "observation-export": Route(
        r("observation-export", query="ctx:figures_query"), OPEN, secret="readers"
    ),
    "quality:quality": Route(r("quality:quality", query="ctx:unit_query"), UNIT_PAGE),
    "quality:follow-ups": Route(r("quality:follow-ups", query="ctx:unit_query"), UNIT_PAGE),
    "quality:figure": Route(
        r("quality:figure", pk="ctx:draft"),
        (LOGIN, 404, 200, 200, 200),
        (
            Write(
                "post",
                data=lambda c: {"action": "comment", "text": "x"},
                expect={"anonymous": LOGIN, "outsider": 404},
            ),
        ),
        secret="readers",
    ),
    "quality:evidence": Route(
        r("quality:evidence", pk="ctx:evidence"), (LOGIN, 404, 302, 302, 302)
    ),
    "password_change": Route(r("password_change"), SIGNED_IN),
    "password_change_done": Route(r("password_change_done"), SIGNED_IN),
}


# --- The walk ---------------------------------------------------------------------------------


def route_names(patterns=None, namespace: str = "") -> list[tuple[str, str]]:
    """(name, route) of every pattern, namespaced as reverse() wants it; unnamed ones "":
    the URL conf walked recursively, includes and the API router too."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            prefix = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            found += [
                (name, f"{pattern.pattern}{route}")
                for name, route in route_names(pattern.url_patterns, prefix or "")
            ]
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            found.append((name or "", str(pattern.pattern)))
    return found


def unlisted_routes() -> list[str]:
    missing = []
    for name, route in route_names():
        if name.split(":")[0] == ADMIN_NAMESPACE or route.startswith("admin/"):
            continue
        if not name:
            missing.append(f"route {route!r} has no name: name it and add it to ROUTES")
        elif name not in ROUTES and name not in PUBLIC:
            missing.append(
                f"route {name} ({route}) has no permission test: add it to ROUTES in "
                "tests/test_route_permissions.py (or to PUBLIC, with the reason)"
            )
    return missing


def test_every_route_has_a_permission_test():
    missing = unlisted_routes()
    assert not missing, "\n".join(missing)


def test_a_new_route_without_a_permission_test_is_caught(settings, monkeypatch):
    from django.urls import include, path

    from egov_portal import urls

    extra = types.ModuleType("route_walk_extra_urls")
    extra.app_name = "extra"
    extra.urlpatterns = [path("secret/", lambda request: None, name="secret")]
    conf = types.ModuleType("route_walk_urls")
    conf.urlpatterns = [*urls.urlpatterns, path("extra/", include(extra))]
    monkeypatch.setitem(sys.modules, conf.__name__, conf)
    settings.ROOT_URLCONF = conf.__name__
    assert (
        "route extra:secret (extra/secret/) has no permission test: add it to ROUTES in "
        "tests/test_route_permissions.py (or to PUBLIC, with the reason)"
    ) in unlisted_routes()


def test_the_tables_name_only_routes_that_exist():
    names = {name for name, _route in route_names()}
    stale = set(ROUTES) - names
    stale |= set(PUBLIC) - names - {"healthz"}  # healthz may not have landed in every build
    assert not stale, f"not in the URL conf any more: {sorted(stale)}"
    assert not set(ROUTES) & set(PUBLIC)


# --- The table, route by route ----------------------------------------------------------------


def _csv_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "so-lieu.csv",
        b"unit_code,on,indicator,period,numerator,denominator\n"
        b"19363,2024-01-01,HR_PROFICIENT,2024Q4,9,10\n",
    )


@pytest.fixture
def ctx():
    demo_users_create()
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=USERNAMES.values())}
    users["vinhlinh.nhaplieu"] = User.objects.get(username="vinhlinh.nhaplieu")
    hoxa = Unit.objects.in_force(OLD).get(code="19363")
    vinhlinh = Unit.objects.in_force(OLD).get(code="464")
    indicator = Indicator.objects.get(code=SECRET_INDICATOR)
    member = users["hoxa.nhaplieu"]
    period = parse_period(PERIOD)
    submission = Submission.objects.create(
        unit=hoxa, period=period.id, period_start=period.start, period_end=period.end
    )
    draft = Figure.objects.create(
        unit=hoxa,
        indicator=indicator,
        period=period.id,
        period_start=period.start,
        period_end=period.end,
        value=SECRET_VALUE,
        note=SECRET_NOTE,
        status=Figure.Status.DRAFT,
        entered_by=member,
    )
    before = parse_period("2024Q3")
    approved = Figure.objects.create(
        unit=hoxa,
        indicator=indicator,
        period=before.id,
        period_start=before.start,
        period_end=before.end,
        value=Decimal("80"),
        status=Figure.Status.APPROVED,
    )
    plan = Plan.objects.get(code="VL-KH-2021")  # Vĩnh Linh's own plan (its pages are quick)
    notification = Notification.objects.create(
        recipient=member,
        kind=Notification.Kind.RETURNED,
        submission=submission,
        unit=hoxa,
        period=period.id,
        reason="Thiếu số liệu",
    )
    return {
        "users": users,
        "hoxa": hoxa.pk,
        "vinhlinh": vinhlinh.pk,
        "notification": notification.pk,
        "agency": Agency.objects.filter(unit=vinhlinh).order_by("pk").first().pk,
        "submission": submission.pk,
        "draft": draft.pk,
        "evidence": Evidence.objects.create(
            figure=draft,
            unit=hoxa,
            indicator=indicator,
            period=period.id,
            link="https://vinhlinh.quangtri.gov.vn/qd",
        ).pk,
        "approved": approved.pk,
        # Failed with its file kept: its owner may run it again.
        "job": ImportJob.objects.create(
            user=member,
            filename="a.csv",
            data=b"unit_code,indicator,period,value\n19363,HR_PROFICIENT,2024Q4,90\n",
            status=ImportJob.Status.FAILED,
        ).pk,
        # Done, with its errors kept for download.
        "done_job": ImportJob.objects.create(
            user=member,
            filename="b.csv",
            status=ImportJob.Status.DONE,
            summary={"errors_total": 1},
            errors_file=jobs.errors_file([RowError(2, "value", "«x» không phải là số.")]),
        ).pk,
        "plan": plan.code,
        "plan_id": plan.pk,
        "rule": ValidationRule.objects.create(
            code="staff-not-negative",
            left="HR_IT_STAFF",
            operator=">=",
            right="0",
            message="Số cán bộ không âm.",
        ).pk,
        "target": Target.objects.order_by("pk").first().pk,
        "unit_query": f"unit={hoxa.pk}&period={PERIOD}",
        "figures_query": f"unit={hoxa.pk}&page_size=1000",
        "compare_query": f"units={hoxa.pk}&units={vinhlinh.pk}&period=2024",
        "children_query": f"period={PERIOD}&indicators={SECRET_INDICATOR}",
        # The draft's own indicator, unit and period: a roll-up counts approved figures only.
        "analytics_query": f"indicator={SECRET_INDICATOR}&unit={hoxa.pk}&period={PERIOD}",
        "national_plan_id": Plan.objects.get(code="QD-749-2020").pk,
        "progress_query": f"unit={hoxa.pk}&period=2025",
        "hoxa_uid": dhis2_uids.unit_uid(hoxa.code, hoxa.valid_from),
        # The administrator's token: nobody else sees or revokes it.
        "token_uid": dhis2_uids.token_uid(token_create(users["admin"], name="ctx")[0].pk),
    }


def actor_user(ctx: dict, route: Route, actor: str):
    if actor == "anonymous":
        return None
    if actor == "member" and route.member == "district_official":
        return ctx["users"]["vinhlinh.nhaplieu"]
    return ctx["users"][USERNAMES[actor]]


def answer(response) -> int | str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
        if location.startswith("/accounts/login/"):
            return LOGIN
    return response.status_code


def state() -> tuple:
    """What any write would change: rows and history rows of everything a route writes."""
    return (
        Figure.objects.count(),
        Figure.history.count(),
        Submission.objects.values_list("status", "version").order_by("pk").last(),
        Transition.objects.count(),
        tuple(ImportJob.objects.order_by("pk").values_list("status", "progress")),
        Plan.history.count(),
        Target.history.count(),
        BudgetLine.history.count(),
        Unit.history.count(),
        Agency.history.count(),
        Membership.history.count(),
        Token.objects.count(),
        PersonalAccessToken.objects.count(),
    )


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_answers_each_actor_as_the_policy_says(client, ctx, name):
    route = ROUTES[name]
    url = route.url(ctx)
    got = {}
    for actor in ACTORS:
        client.logout()
        user = actor_user(ctx, route, actor)
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        got[actor] = answer(response)
        if route.secret and response.status_code == 200:
            body = b"".join(response) if response.streaming else response.content
            shown = [s for s in SECRETS if s in body.decode("utf-8", "replace")]
            if actor in ("anonymous", "outsider") or route.secret == "nobody":
                assert not shown, f"{name}: {actor} sees Hồ Xá's draft ({shown})"
            elif actor == "member":
                assert shown, f"{name}: the unit's official does not see the draft"
    assert got == dict(zip(ACTORS, route.get, strict=True)), name


@pytest.mark.parametrize(
    ("name", "index"),
    [(name, i) for name in sorted(ROUTES) for i in range(len(ROUTES[name].writes))],
)
def test_route_refuses_writes_without_the_right(client, ctx, name, index):
    route = ROUTES[name]
    write = route.writes[index]
    url = (write.url or route.url)(ctx)
    for actor, expected in write.expect.items():
        client.logout()
        user = actor_user(ctx, route, actor)
        if user is not None:
            client.force_login(user)
        data = write.data(ctx)
        before = state()
        send = getattr(client, write.method)
        if write.json:
            response = send(url, json.dumps(data), content_type="application/json")
        else:
            response = send(url, data)
        assert answer(response) == expected, (name, write.method, actor, response.content[:300])
        if actor != "staff":
            assert state() == before, f"{name}: {write.method} by {actor} changed something"


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_changes_nothing_for_a_post_without_rights(client, ctx, name):
    """Any route, posted to by a visitor or an outsider: no row and no history row moves."""
    route = ROUTES[name]
    for actor in ("anonymous", "outsider"):
        client.logout()
        user = actor_user(ctx, route, actor)
        if user is not None:
            client.force_login(user)
        before = state()
        response = client.post(route.url(ctx), {"value": "1", "action": "approve"})
        assert response.status_code not in (201, 204), (name, actor)
        assert state() == before, f"{name}: a POST by {actor} changed something"


def test_the_admin_is_for_staff_only(client, ctx):
    for url in ("/admin/", "/admin/plans/plan/history-export/", "/admin/no/such/page/"):
        response = client.get(url)
        assert answer(response) == ADMIN_LOGIN, url
    for actor in ("outsider", "member", "reviewer"):
        client.force_login(ctx["users"][USERNAMES[actor]])
        assert answer(client.get("/admin/")) == ADMIN_LOGIN, actor
        assert answer(client.post("/admin/units/unit/add/", {"code": "99999"})) == ADMIN_LOGIN
    client.force_login(ctx["users"]["admin"])
    assert client.get("/admin/").status_code == 200


def test_public_routes_answer_anonymous_visitors(client, ctx):
    uid = urlsafe_base64_encode(force_bytes(ctx["users"]["hoxa.nhaplieu"].pk))
    token = default_token_generator.make_token(ctx["users"]["hoxa.nhaplieu"])
    names = {name for name, _route in route_names()}
    urls = {
        "home": reverse("home"),
        "login": reverse("login"),
        "password_reset": reverse("password_reset"),
        "password_reset_done": reverse("password_reset_done"),
        "password_reset_confirm": reverse(
            "password_reset_confirm", kwargs={"uidb64": uid, "token": token}
        ),
        "password_reset_complete": reverse("password_reset_complete"),
        "api-root": reverse("api-root"),
        "api-schema": reverse("api-schema"),
        "api-docs": reverse("api-docs"),
    }
    if "healthz" in names:
        urls["healthz"] = reverse("healthz")
    for name, url in urls.items():
        assert client.get(url).status_code in (200, 302), name  # the reset link redirects
    # The rest answer POSTs only, and change nothing of anyone else's.
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    bad = client.post(reverse("api-token"), {"username": "hoxa.nhaplieu", "password": "x"})
    assert bad.status_code == 400 and not Token.objects.exists()


def test_an_official_deletes_through_the_api_only_what_they_may_write(client, ctx):
    """PATCH and DELETE of one figure follow the same rule: a data-entry official writes
    their own unit's figures of scope "self" only (decision 0006)."""
    vinhlinh = Unit.objects.in_force(OLD).get(code="464")
    period = parse_period("2024Q2")
    communes = Figure.objects.create(
        unit=vinhlinh,
        indicator=Indicator.objects.get(code="HR_PROFICIENT"),
        period=period.id,
        period_start=period.start,
        period_end=period.end,
        scope=Figure.Scope.COMMUNES,
        value=Decimal("70"),
        status=Figure.Status.APPROVED,
    )
    client.force_login(ctx["users"]["vinhlinh.nhaplieu"])
    url = reverse("observation-detail", kwargs={"pk": communes.pk})
    patch = client.patch(url, json.dumps({"value": "1"}), content_type="application/json")
    assert patch.status_code == 403
    assert client.delete(url).status_code == 403
    assert Figure.objects.filter(pk=communes.pk).exists()
