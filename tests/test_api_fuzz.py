"""The REST API fuzzed from its own OpenAPI schema (/api/v1/schema/, drf-spectacular) with
schemathesis: every operation, as an anonymous visitor, a data-entry official and an
administrator, answers without a server error and as its schema says.

Each operation × role is one test (one database transaction, rolled back after it), so a
DELETE or PATCH in one never reaches another and nothing is excluded. Examples are bounded
and derandomised: the run is the same on every machine. EGOV_FUZZ_EXAMPLES raises the bound
for a longer local hunt (e.g. EGOV_FUZZ_EXAMPLES=200).
"""

import datetime
import os

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.services import demo_users_create
from entry.services import EntryValue, applicable_indicators, entry_save
from indicators.models import Figure, Indicator
from indicators.periods import parse_period
from plans.models import Plan
from units.models import Unit

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
# The coverage phase (every parameter's boundary and type variants, deterministic) sends only
# valid variants: its invalid ones are hundreds of requests per operation, and the fuzzing
# phase already sends invalid data (both modes) on a bounded budget.
schema.config.phases.coverage.generation.modes = [schemathesis.GenerationMode.POSITIVE]

# The official enters Huyện Vĩnh Linh's figures (a district: its own and its tiers').
ROLES = {"anonymous": None, "official": "vinhlinh.nhaplieu", "administrator": "admin"}
OFFICIAL_UNIT = "464"
MAX_EXAMPLES = int(os.environ.get("EGOV_FUZZ_EXAMPLES", "15"))
# Periods a query may name besides what the schema's "any string" gives (almost never a
# period, so progress, laggards and analytics would only ever answer 400): those with
# figures, and the calendar's first and last, which have no period before or after them.
PERIODS = ["2024Q4", "2024", "2021Q1", "2025S1", "1990Q1", "2100Q4"]

# Ids that exist in the test database, filled in by the `known` fixture for each test (the
# role's own figures first). Random ids find only 404s: the fuzzing phase draws half of its
# ids from these, and the coverage phase, which varies the body around the id 0, is given
# the first one, so its variants reach validation instead of "not found".
KNOWN: dict[str, list] = {}


def _collection(path: str) -> str:
    return path.split("/")[3]  # /api/v1/<collection>/{id}/…


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    choices = KNOWN.get(_collection(context.operation.path))
    name = "code" if "{code}" in context.operation.path else "id"
    if not path_parameters or name not in path_parameters or not choices:
        return st.just(path_parameters)
    return st.one_of(
        st.just(path_parameters),
        st.sampled_from(choices).map(lambda value: {**path_parameters, name: value}),
    )


# Query parameters naming what exists: a period, a unit's id, an indicator's code.
_QUERY_CHOICES = {
    "period": lambda: PERIODS,
    "period_from": lambda: PERIODS,
    "period_to": lambda: PERIODS,
    "unit": lambda: KNOWN.get("units"),
    "descendants_of": lambda: KNOWN.get("units"),
    "indicator": lambda: KNOWN.get("indicators"),
}


@schema.hook
def flatmap_query(context, query):
    if not isinstance(query, dict):
        return st.just(query)
    named = [(k, choices()) for k, choices in _QUERY_CHOICES.items() if k in query]
    named = [(k, c) for k, c in named if c]
    if not named:
        return st.just(query)
    real = st.fixed_dictionaries({k: st.sampled_from(c) for k, c in named})
    return st.one_of(st.just(query), real.map(lambda values: {**query, **values}))


def _given_a_real_id(case) -> None:
    choices = KNOWN.get(_collection(case.operation.path))
    if choices and case.path_parameters and case.path_parameters.get("id") in (0, "0"):
        case.path_parameters = {**case.path_parameters, "id": choices[0]}


@pytest.fixture(autouse=True)
def no_throttling(monkeypatch):
    # Throttling has tests of its own; here the bulk rate (30/min) would turn most bulk
    # requests into 429 and hide what the endpoint does with them. A rate of None lets every
    # request through without counting it.
    monkeypatch.setattr(SimpleRateThrottle, "get_rate", lambda self: None)


@pytest.fixture(autouse=True)
def connection_kept_open():
    # As Django's test client does: the WSGI handler closes the database connection at the
    # end of each request, and the test's connection holds the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db) -> dict[str, str | None]:
    """A DRF token for each role's demo account (none for the anonymous visitor)."""
    demo_users_create()
    names = [name for name in ROLES.values() if name]
    users = get_user_model().objects.in_bulk(names, field_name="username")
    return {
        role: Token.objects.get_or_create(user=users[name])[0].key if name else None
        for role, name in ROLES.items()
    }


@pytest.fixture
def known(tokens, role):
    """The official's own draft report (figures they may edit), and the ids path parameters
    may name, the role's own figures first."""
    official = get_user_model().objects.get(username=ROLES["official"])
    unit = Unit.objects.in_force(datetime.date(2024, 1, 1)).get(code=OFFICIAL_UNIT)
    period = parse_period("2024Q4")
    # "1" is a value every kind of indicator takes: yes, 1 %, one, one đồng.
    indicators = applicable_indicators(unit, None, period)[:3]
    result = entry_save(
        user=official,
        unit=unit,
        agency=None,
        period=period,
        values={i.code: EntryValue(value="1") for i in indicators},
        version=0,
    )
    assert result.saved == len(indicators) > 0
    own = list(Figure.objects.filter(unit=unit).values_list("pk", flat=True))
    others = list(Figure.objects.exclude(unit=unit).values_list("pk", flat=True))
    units = Unit.objects.filter(code__in=["44", "45", "464", "19363"])
    KNOWN.update(
        observations=own + others if role == "official" else others + own,
        indicators=list(Indicator.objects.values_list("code", flat=True)),
        plans=list(Plan.objects.values_list("pk", flat=True)),
        units=list(units.values_list("pk", flat=True)),
    )
    yield
    KNOWN.clear()


@pytest.mark.parametrize("role", list(ROLES))
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    # Each example is a request on the real database; fixtures are per test, on purpose.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
def test_api(case, role, tokens, known):
    _given_a_real_id(case)
    token = tokens[role]
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"} if token else {},
        checks=[not_a_server_error, response_schema_conformance],
    )


# What the fuzzer found, kept as plain examples: an id beyond what a 64-bit column holds made
# the database driver overflow (a 500); it is a 400 naming the parameter.
@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/plans/?issuing_unit=-1.7976931348623157e%2B308", "issuing_unit"),
        ("/api/v1/units/?parent=1e30", "parent"),
        ("/api/v1/observations/?unit=99999999999999999999", "unit"),
        ("/api/v1/observations/?descendants_of=-1e300", "descendants_of"),
    ],
)
def test_an_id_too_large_for_the_database_is_refused_naming_the_parameter(
    db, api_client, url, parameter
):
    response = api_client.get(url)
    assert response.status_code == 400
    assert list(response.json()) == [parameter]


# What the fuzzer found once it could name a real period: three answers the schema described
# as something else (a paged list with a required `count`, a bare list), kept as examples.
@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/plans/{id}/progress/", {"period": "2024"}),
        ("/api/v1/plans/{id}/laggards/", {"period": "2024"}),
        (
            "/api/v1/analytics/",
            {"indicator": "INF_LAN", "unit_code": "45", "on": "2024-01-01", "period": "2024"},
        ),
    ],
)
def test_progress_laggards_and_analytics_answer_as_the_schema_says(db, path, query):
    plan = Plan.objects.filter(targets__isnull=False).order_by("pk").first()
    operation = schema[path]["GET"]
    case = operation.Case(path_parameters={"id": plan.pk} if "{id}" in path else {}, query=query)
    response = case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
    assert response.status_code == 200
    assert response.json()["results"] or "laggards" in path
