"""A DHIS2 client from PyPI (dhis2.py) pointed at the running portal as at a DHIS2 server
(issue 21, item 4): it lists organisation units page by page, sends a data value set and
reads it back, and asks analytics — and what it gets has DHIS2's documented shape."""

import datetime

import pytest
from dhis2 import Api

from accounts.demo import DEMO_PASSWORD
from accounts.tokens import token_create
from dhis2_api import uids
from units.models import Unit

NEW = datetime.date(2025, 7, 2)


@pytest.fixture
def api(live_server, users):
    return Api(f"{live_server.url}/dhis2", "xavinhlinh.nhaplieu", DEMO_PASSWORD)


def test_the_client_reads_the_server_and_its_organisation_units(api):
    assert api.version.startswith("2.") and api.version_int >= 40
    provinces = api.get_paged(
        "organisationUnits",
        params={"filter": "level:eq:2", "fields": "id,code,name,closedDate"},
        page_size=25,
        merge=True,
    )["organisationUnits"]
    assert len(provinces) == 97  # 63 until 30/06/2025, 34 since
    today = [p for p in provinces if "closedDate" not in p]
    assert len(today) == 34 and {"code", "id", "name"} <= set(today[0])
    # DHIS2's documented pager on a page of its own.
    page = api.get("organisationUnits", params={"pageSize": 5, "page": 2}).json()
    assert set(page["pager"]) >= {"page", "pageCount", "total", "pageSize"}
    assert page["pager"]["page"] == 2 and len(page["organisationUnits"]) == 5


def test_a_data_value_set_round_trip(api):
    commune = Unit.objects.in_force(NEW).get(code="19363")
    org_unit = uids.unit_uid(commune.code, commune.valid_from)
    sent = {
        "dataSet": uids.DATA_SET_UID,
        "period": "2025Q3",
        "orgUnit": org_unit,
        "dataValues": [
            {"dataElement": uids.element_uid("APP_WORK_ONLINE"), "value": "72.5"},
            {"dataElement": uids.element_uid("WEB_PORTAL"), "value": "true"},
        ],
    }
    summary = api.post("dataValueSets", json=sent).json()
    assert summary["httpStatusCode"] == 200
    assert summary["response"]["responseType"] == "ImportSummary"
    assert summary["response"]["importCount"] == {
        "imported": 2,
        "updated": 0,
        "ignored": 0,
        "deleted": 0,
    }
    back = api.get(
        "dataValueSets",
        params={"dataSet": uids.DATA_SET_UID, "orgUnit": org_unit, "period": "2025Q3"},
    ).json()["dataValues"]
    assert sorted((v["dataElement"], v["value"]) for v in back) == sorted(
        [
            (uids.element_uid("APP_WORK_ONLINE"), "72.5"),
            (uids.element_uid("WEB_PORTAL"), "true"),
        ]
    )
    for value in back:
        assert set(value) >= {
            "dataElement",
            "period",
            "orgUnit",
            "categoryOptionCombo",
            "attributeOptionCombo",
            "value",
            "lastUpdated",
        }


def test_analytics_through_the_client_with_a_personal_access_token(live_server, users):
    _record, token = token_create(users["admin"], name="client test")
    api = Api(f"{live_server.url}/dhis2", "", "")
    api.session.auth = None
    api.session.headers["Authorization"] = f"ApiToken {token}"
    answer = api.get(
        "analytics",
        params=[
            ("dimension", "dx:APP_DIGSIG_DOCS"),
            ("dimension", "ou:" + uids.unit_uid("464", None)),
            ("filter", "pe:2020Q4"),
        ],
    ).json()
    assert set(answer) >= {"headers", "rows", "metaData", "width", "height"}
    assert answer["rows"] == [
        [uids.element_uid("APP_DIGSIG_DOCS"), uids.unit_uid("464", None), "70"]
    ]
