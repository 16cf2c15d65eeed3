"""The DHIS2 API's queries do not grow with what it answers (national scale: ~10,000
communes × 40 indicators × many quarters): as many for one unit, indicator, period or value
as for several. An N+1 slipping in fails here."""

import base64
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
API = "/dhis2/api"
SECRET = base64.b64encode(f"admin:{DEMO_PASSWORD}".encode()).decode()
ADMIN = {"HTTP_AUTHORIZATION": f"Basic {SECRET}"}
# Indicators with figures of Quảng Trị's districts in 2020Q4 (the seeds').
SEEDED = ["APP_DIGSIG_DOCS", "INF_LAN", "INF_INTERNET", "INF_ONLINE_MEETING"]


def counted(client, url: str):
    """The queries of a GET, after the same GET once: what the API reads once and keeps (the
    org-unit directory, the units by id) is not counted, whichever test runs first."""
    client.get(url, **ADMIN)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **ADMIN)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries), response.json()


def test_organisation_units_cost_the_same_whatever_the_page(client, users):
    url = f"{API}/organisationUnits?fields=id,name,parent[id],children,path&pageSize="
    one, _answer = counted(client, url + "1")
    many, answer = counted(client, url + "500")
    assert len(answer["organisationUnits"]) == 500
    assert many <= one <= 6


def test_a_data_value_set_costs_the_same_for_one_period_or_four(client, users):
    url = f"{API}/dataValueSets?dataSet=QUARTERLY&orgUnit=45&children=true&period="
    one, first = counted(client, url + "2020Q4")
    four, answer = counted(client, url + "2020Q1&period=2020Q2&period=2020Q3&period=2020Q4")
    assert first["dataValues"] and len(answer["dataValues"]) >= len(first["dataValues"])
    assert four == one <= 8


def test_analytics_costs_the_same_for_one_indicator_or_several(client, users):
    """All the indicators of a period are rolled up at once (indicators.analytics'
    rollup_indicators), the country included, not one roll-up per indicator."""
    for ou in ("45;LEVEL-3", "VN;45"):
        url = f"{API}/analytics?dimension=pe:2020Q3;2020Q4&dimension=ou:{ou}&dimension=dx:"
        one, first = counted(client, url + SEEDED[0])
        several, answer = counted(client, url + ";".join(SEEDED))
        assert first["height"] >= 1 and answer["height"] > first["height"], ou
        assert several == one <= 20, ou


def test_an_import_costs_the_same_for_one_value_or_several(client, users):
    def body(codes: list[str], period: str = "2024Q4") -> dict:
        values = [{"dataElement": c, "value": "3"} for c in codes]
        return {"period": period, "orgUnit": "19363", "dataValues": values}

    def imported(codes: list[str]) -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(
                url, json.dumps(body(codes)), content_type="application/json", **ADMIN
            )
        assert response.status_code == 200, response.content[:300]
        # On SQLite, Django's bulk_create writes the aggregate rows in statements of at most
        # 999 parameters (about 50 rows): their number follows the rows there, as it should.
        # PostgreSQL writes them in one statement whatever their number.
        queries = [
            q
            for q in ctx.captured_queries
            if connection.vendor == "postgresql"
            or not q["sql"].startswith('INSERT INTO "indicators_aggregate"')
        ]
        return len(queries), response.json()

    url = f"{API}/dataValueSets?idScheme=CODE&status=approved"
    client.get(f"{API}/system/info", **ADMIN)  # the org-unit directory, read once and kept
    # A first import (a quarter of another year) warms what any import reads once and keeps.
    # (Of the same year, it would give HR_IT_STAFF's 2024 two quarters, and the one-value
    # import more to read than the others: a year holding one quarter reads the same figures
    # as that quarter, which analytics.same_reads answers once.)
    client.post(
        url, json.dumps(body(["HR_IT_STAFF"], "2023Q3")), content_type="application/json", **ADMIN
    )
    codes = ["HR_IT_STAFF", "HR_IT_TRAINED", "SEC_INCIDENTS", "INF_ONLINE_MEETING_COUNT"]
    one, first = imported(codes[:1])
    several, answer = imported(codes[1:])
    assert first["response"]["importCount"]["imported"] == 1
    assert answer["response"]["importCount"]["imported"] == 3, answer
    assert several == one <= 50
