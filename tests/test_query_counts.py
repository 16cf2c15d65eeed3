"""The benchmark's workloads (benchmarks/run.py), guarded by their number of queries at small
scale rather than by time: an N+1 slipping in fails here. The roll-up (tests/test_rollup_
engine.py), the province dashboard (tests/test_dashboard_pages.py) and the observations'
first page (tests/test_indicators_api.py) are pinned where they are tested."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from accounts.services import demo_users_create
from entry.services import applicable_indicators
from indicators.models import Figure, Indicator
from indicators.periods import parse_period
from units.models import Unit

pytestmark = pytest.mark.django_db
Q4_2020 = parse_period("2020Q4")


def unit(code: str, on: str) -> Unit:
    return Unit.objects.in_force(datetime.date.fromisoformat(on)).get(code=code)


@pytest.fixture
def admin(client):
    demo_users_create()
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def queries(work) -> int:
    with CaptureQueriesContext(connection) as ctx:
        work()
    return len(ctx.captured_queries)


def test_analytics_by_children(admin, django_assert_max_num_queries):
    quang_tri = unit("45", "2020-10-01")
    url = f"/api/v1/analytics/?indicator=INF_LAN&unit={quang_tri.pk}&period=2020Q4&by=children"
    # The session and user, the unit, the indicator, the children, the engine's queries.
    with django_assert_max_num_queries(16):
        response = admin.get(url)
    assert response.status_code == 200
    assert (
        len(response.json()["results"])
        == Unit.objects.in_force(Q4_2020.end).filter(parent=quang_tri).count()
    )


def test_a_district_dashboard(admin, django_assert_max_num_queries):
    vinh_linh = unit("464", "2020-10-13")
    with django_assert_max_num_queries(60):
        response = admin.get(f"/dashboard/{vinh_linh.pk}/?period=2020Q4")
    assert response.status_code == 200


def test_a_deep_observations_page_costs_what_the_first_does(api_client):
    url = "/api/v1/observations/?page_size=5"
    first = queries(lambda: api_client.get(url))
    for _ in range(3):
        url = api_client.get(url).json()["next"]
    assert url is not None
    assert queries(lambda: api_client.get(url)) == first


def test_a_bulk_import_does_not_cost_a_query_per_row(api_client):
    staff = get_user_model().objects.create_user("warehouse", is_staff=True)
    api_client.force_authenticate(staff)
    communes = list(
        Unit.objects.in_force(Q4_2020.end).filter(level="commune").order_by("code")[:200]
    )

    def post(rows: list[Unit], period: str):
        body = "unit_code,on,indicator,period,value\n" + "".join(
            f"{c.code},{Q4_2020.end},INF_LAN,{period},1\n" for c in rows
        )
        response = api_client.post(
            "/api/v1/observations/bulk/", body.encode(), content_type="text/csv"
        )
        assert response.json()["created"] == len(rows)

    few = queries(lambda: post(communes[:10], "2020Q4"))
    many = queries(lambda: post(communes, "2020Q3"))
    # A query per row would add 190. Inserts go in batches (SQLite's limit on parameters
    # makes them about 60 rows each: figures and history, 4 batches each for 200 rows).
    assert many - few < 10


def test_saving_a_quarterly_form(client, django_assert_max_num_queries):
    commune = unit("19363", "2024-01-01")  # Thị trấn Hồ Xá
    period = parse_period("2024Q1")
    user = get_user_model().objects.create_user("hoxa.test")
    Membership.objects.create(user=user, unit=commune, is_data_entry=True)
    client.force_login(user)
    indicators = applicable_indicators(commune, None, period)
    data = {"version": 0, "action": "save"}
    for i in indicators:
        if i.value_type == Indicator.ValueType.RATIO:
            data |= {f"{i.code}-numerator": "1", f"{i.code}-denominator": "2"}
        else:
            data[f"{i.code}-value"] = "1"
    # However many indicators the form has: session, user, unit, indicators, report (locked),
    # its figures, one INSERT each for figures and their history, the report's version.
    with django_assert_max_num_queries(20):
        response = client.post(f"/entry/{commune.pk}/{period.id}/", data)
    assert response.status_code == 302
    assert Figure.objects.filter(unit=commune, period=period.id).count() == len(indicators)
