"""The DHIS2 Web API (issue 21, item 3) answered by the portal: identifiers, organisation
units of both structures, the catalogue, data value sets in and out through the one write
path, single values and analytics, on DHIS2's documented shapes."""

import base64
import datetime
import json

import pytest
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.tokens import token_create
from dhis2_api import uids
from dhis2_api.analytics import relative_periods
from indicators.models import Figure
from units.models import Unit

pytestmark = pytest.mark.django_db
API = "/dhis2/api"
OLD, NEW = datetime.date(2024, 1, 1), datetime.date(2025, 7, 2)


def basic(username: str) -> dict:
    secret = base64.b64encode(f"{username}:{DEMO_PASSWORD}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {secret}"}


def unit_uid(code: str, on: datetime.date) -> str:
    unit = Unit.objects.in_force(on).get(code=code)
    return uids.unit_uid(unit.code, unit.valid_from)


def post_values(client, user: str, body, *, query: str = "", csv: bool = False):
    return client.post(
        f"{API}/dataValueSets{query}",
        body if csv else json.dumps(body),
        content_type="application/csv" if csv else "application/json",
        **basic(user),
    )


# --- identifiers and authentication ---------------------------------------------------


def test_uids_are_dhis2_shaped_stable_and_tell_the_two_44s_apart(reference_data):
    old, new = unit_uid("44", OLD), unit_uid("44", NEW)
    assert old != new
    for uid in (old, new, uids.ROOT_UID, uids.element_uid("INF_LAN"), uids.DATA_SET_UID):
        assert uids.is_uid(uid) and uid[0].isalpha() and len(uid) == 11
    assert uids.element_uid("INF_LAN") == uids.element_uid("INF_LAN")


def test_every_request_is_signed_in_by_basic_or_a_personal_access_token(client, users):
    assert client.get(f"{API}/me").status_code == 401
    me = client.get(f"{API}/me.json", **basic("xavinhlinh.nhaplieu")).json()
    assert me["username"] == "xavinhlinh.nhaplieu"
    assert me["organisationUnits"] == [{"id": unit_uid("19363", NEW), "name": "Xã Vĩnh Linh"}]
    _record, token = token_create(users["vinhlinh.duyet"], name="script")
    assert token.startswith("d2pat_")
    answer = client.get(f"{API}/me", HTTP_AUTHORIZATION=f"ApiToken {token}")
    assert answer.json()["username"] == "vinhlinh.duyet"
    wrong = client.get(f"{API}/me", HTTP_AUTHORIZATION="ApiToken d2pat_nothing")
    assert wrong.status_code == 401
    # Refused in DHIS2's web message, as DHIS2 refuses, the challenge kept.
    assert wrong.json()["httpStatus"] == "Unauthorized" and wrong.json()["status"] == "ERROR"
    assert wrong.json()["message"] and wrong["WWW-Authenticate"] == "ApiToken"
    anonymous = client.get(f"{API}/me")
    assert anonymous.json()["httpStatusCode"] == 401 and "WWW-Authenticate" in anonymous
    _record, old = token_create(
        users["vinhlinh.duyet"], expires_on=datetime.date.today() - datetime.timedelta(days=1)
    )
    assert client.get(f"{API}/me", HTTP_AUTHORIZATION=f"ApiToken {old}").status_code == 401


def test_system_info_names_a_dhis2_version(client, users):
    info = client.get(f"{API}/system/info.json", **basic("admin")).json()
    assert info["version"].startswith("2.") and info["contextPath"].endswith("/dhis2")


# --- metadata ---------------------------------------------------------------------------


def test_organisation_units_of_both_structures_as_dhis2_models_closed_units(client, users):
    found = client.get(
        f"{API}/organisationUnits.json",
        {"filter": "code:eq:44", "fields": "id,name,level,openingDate,closedDate,parent[id]"},
        **basic("admin"),
    ).json()
    assert found["pager"]["total"] == 2
    quang_binh, quang_tri = found["organisationUnits"]
    assert (quang_binh["name"], quang_binh["closedDate"][:10]) == ("Tỉnh Quảng Bình", "2025-06-30")
    assert quang_tri["name"] == "Tỉnh Quảng Trị" and "closedDate" not in quang_tri
    assert quang_tri["openingDate"].startswith("2025-07-01")
    assert quang_tri["level"] == 2 and quang_tri["parent"] == {"id": uids.ROOT_UID}
    root = client.get(f"{API}/organisationUnits/{uids.ROOT_UID}", **basic("admin")).json()
    assert root["level"] == 1 and root["path"] == f"/{uids.ROOT_UID}"
    assert len(root["children"]) == 63 + 34  # the provinces before and since 1 July 2025


def test_names_filter_without_accents_and_levels_follow_the_tree(client, users):
    found = client.get(
        f"{API}/organisationUnits",
        {"filter": ["name:ilike:vinh linh", "level:eq:4"], "fields": "id,name,path,level"},
        **basic("admin"),
    ).json()["organisationUnits"]
    # Under Huyện Vĩnh Linh (2024): its communes are level 4; Xã Vĩnh Linh (2025) is 3.
    assert found == []
    xa = client.get(
        f"{API}/organisationUnits/{unit_uid('19363', NEW)}",
        {"fields": "name,level,path"},
        **basic("admin"),
    ).json()
    assert xa == {
        "name": "Xã Vĩnh Linh",
        "level": 3,
        "path": f"/{uids.ROOT_UID}/{unit_uid('44', NEW)}/{unit_uid('19363', NEW)}",
    }
    hoxa = client.get(f"{API}/organisationUnits/{unit_uid('19363', OLD)}", **basic("admin"))
    assert hoxa.json()["level"] == 4 and hoxa.json()["name"] == "Thị trấn Hồ Xá"


def test_paging_answers_with_dhis2s_pager(client, users):
    page = client.get(
        f"{API}/organisationUnits",
        {"filter": "level:eq:2", "pageSize": 10, "page": 2},
        **basic("admin"),
    ).json()
    assert page["pager"]["total"] == 97 and page["pager"]["pageCount"] == 10
    assert page["pager"]["page"] == 2 and len(page["organisationUnits"]) == 10
    assert "page=3" in page["pager"]["nextPage"] and "page=1" in page["pager"]["prevPage"]
    everything = client.get(
        f"{API}/organisationUnits", {"filter": "level:eq:2", "paging": "false"}, **basic("admin")
    ).json()
    assert "pager" not in everything and len(everything["organisationUnits"]) == 97
    bad = client.get(f"{API}/organisationUnits", {"filter": "level:about:2"}, **basic("admin"))
    assert bad.status_code == 409 and bad.json()["httpStatusCode"] == 409


def test_the_catalogue_and_the_quarterly_data_set(client, users):
    element = client.get(f"{API}/dataElements/SVC_ONLINE_FULL", **basic("admin")).json()
    assert element["id"] == uids.element_uid("SVC_ONLINE_FULL")
    assert element["valueType"] == "PERCENTAGE" and element["aggregationType"] == "AVERAGE"
    lan = client.get(f"{API}/dataElements/{uids.element_uid('INF_LAN')}", **basic("admin"))
    assert lan.json()["valueType"] == "BOOLEAN" and lan.json()["code"] == "INF_LAN"
    data_set = client.get(f"{API}/dataSets", {"fields": "*"}, **basic("admin")).json()
    (form,) = data_set["dataSets"]
    assert form["periodType"] == "Quarterly" and form["code"] == "QUARTERLY"
    assert {"id": uids.element_uid("INF_LAN")} in [
        e["dataElement"] for e in form["dataSetElements"]
    ]


# --- data value sets --------------------------------------------------------------------


def xa_values(period: str = "2025Q3", value: str = "80") -> dict:
    return {
        "dataSet": uids.DATA_SET_UID,
        "period": period,
        "orgUnit": unit_uid("19363", NEW),
        "dataValues": [
            {"dataElement": uids.element_uid("APP_WORK_ONLINE"), "value": value},
            {"dataElement": uids.element_uid("WEB_PORTAL"), "value": "true", "comment": "cổng mới"},
        ],
    }


def stored(code: str, period: str, unit_code="19363", on=NEW):
    unit = Unit.objects.in_force(on).get(code=unit_code)
    return Figure.objects.filter(unit=unit, indicator__code=code, period=period).first()


def test_a_data_value_set_goes_in_through_the_write_path(client, users):
    answer = post_values(client, "xavinhlinh.nhaplieu", xa_values())
    assert answer.status_code == 200, answer.content
    summary = answer.json()
    assert summary["status"] == "OK" and summary["response"]["status"] == "SUCCESS"
    assert summary["response"]["importCount"] == {
        "imported": 2,
        "updated": 0,
        "ignored": 0,
        "deleted": 0,
    }
    figure = stored("APP_WORK_ONLINE", "2025Q3")
    assert (figure.value, figure.status) == (80, Figure.Status.DRAFT)  # the official's draft
    assert stored("WEB_PORTAL", "2025Q3").value == 1
    assert stored("WEB_PORTAL", "2025Q3").note == "cổng mới"
    again = post_values(client, "xavinhlinh.nhaplieu", xa_values(value="85")).json()
    assert again["response"]["importCount"]["updated"] == 1
    assert again["response"]["importCount"]["ignored"] == 1  # WEB_PORTAL unchanged


def test_one_bad_value_stores_nothing_and_names_the_value_and_why(client, users):
    body = xa_values()
    body["dataValues"].append({"dataElement": "NO_SUCH_ELEMENT", "value": "1"})
    body["dataValues"].append(
        {"dataElement": uids.element_uid("APP_EDOC_EXCHANGE"), "value": "140"}
    )
    answer = post_values(client, "xavinhlinh.nhaplieu", body)
    assert answer.status_code == 409
    response = answer.json()["response"]
    assert response["status"] == "ERROR" and response["importCount"]["imported"] == 0
    conflicts = response["conflicts"]
    assert conflicts[0]["object"] == "NO_SUCH_ELEMENT" and conflicts[0]["indexes"] == [2]
    assert conflicts[0]["property"] == "dataElement"
    assert stored("APP_WORK_ONLINE", "2025Q3") is None
    body["dataValues"].pop(2)  # the unknown element: now the percentage over 100 is found
    response = post_values(client, "xavinhlinh.nhaplieu", body).json()["response"]
    assert [c["indexes"] for c in response["conflicts"]] == [[2]]
    assert "100" in response["conflicts"][0]["value"]
    assert stored("APP_WORK_ONLINE", "2025Q3") is None


def test_dry_run_checks_and_stores_nothing(client, users):
    answer = post_values(client, "xavinhlinh.nhaplieu", xa_values(), query="?dryRun=true")
    assert answer.json()["response"]["importCount"]["imported"] == 2
    assert stored("APP_WORK_ONLINE", "2025Q3") is None


def test_an_official_writes_only_their_own_unit(client, users):
    body = xa_values()
    body["orgUnit"] = unit_uid("44", NEW)
    answer = post_values(client, "xavinhlinh.nhaplieu", body)
    assert answer.status_code == 409
    assert answer.json()["response"]["conflicts"]
    assert not Figure.objects.filter(period="2025Q3", unit__code="44").exists()


def test_codes_resolve_by_the_date_of_their_period(client, users):
    """19363 was Thị trấn Hồ Xá until 30/06/2025 and is Xã Vĩnh Linh since."""
    rows = f"{'APP_WORK_ONLINE'},2024Q4,19363,,,40\n{'APP_WORK_ONLINE'},2025Q3,19363,,,60\n"
    answer = post_values(client, "admin", rows, csv=True, query="?idScheme=CODE&status=approved")
    assert answer.status_code == 200, answer.content
    assert stored("APP_WORK_ONLINE", "2024Q4", on=OLD).value == 40  # Hồ Xá
    assert stored("APP_WORK_ONLINE", "2025Q3", on=NEW).value == 60  # Xã Vĩnh Linh
    out = client.get(
        f"{API}/dataValueSets.json",
        {
            "dataElement": "APP_WORK_ONLINE",
            "orgUnit": "19363",
            "startDate": "2024-01-01",
            "endDate": "2025-12-31",
            "orgUnitIdScheme": "CODE",
        },
        **basic("admin"),
    ).json()["dataValues"]
    assert sorted((v["orgUnit"], v["period"], v["value"]) for v in out) == [
        ("19363", "2024Q4", "40"),
        ("19363", "2025Q3", "60"),
    ]
    as_csv = client.get(
        f"{API}/dataValueSets.csv",
        {"dataElement": "APP_WORK_ONLINE", "orgUnit": "19363", "period": "2024Q4"},
        **basic("admin"),
    )
    lines = b"".join(as_csv.streaming_content).decode().splitlines()
    assert lines[0].startswith("dataelement,period,orgunit,categoryoptioncombo")
    assert lines[1].startswith(
        f"{uids.element_uid('APP_WORK_ONLINE')},2024Q4,{unit_uid('19363', OLD)},"
    )
    assert lines[1].endswith(",false")  # followup, as DHIS2 writes a boolean


def test_import_strategies_create_update_and_delete(client, users):
    post_values(client, "xavinhlinh.nhaplieu", xa_values())
    created = post_values(
        client, "xavinhlinh.nhaplieu", xa_values(value="90"), query="?importStrategy=CREATE"
    ).json()["response"]["importCount"]
    assert created == {"imported": 0, "updated": 0, "ignored": 2, "deleted": 0}
    assert stored("APP_WORK_ONLINE", "2025Q3").value == 80
    deleted = post_values(
        client, "xavinhlinh.nhaplieu", xa_values(), query="?importStrategy=DELETE"
    ).json()["response"]["importCount"]
    assert deleted["deleted"] == 2
    assert stored("APP_WORK_ONLINE", "2025Q3") is None


def test_a_value_set_is_read_by_data_set_org_unit_children_and_period(client, users):
    post_values(client, "xavinhlinh.nhaplieu", xa_values())
    asked = {
        "dataSet": uids.DATA_SET_UID,
        "orgUnit": unit_uid("44", NEW),
        "children": "true",
        "period": "2025Q3",
    }
    mine = client.get(f"{API}/dataValueSets", asked, **basic("xavinhlinh.nhaplieu")).json()
    assert {v["dataElement"] for v in mine["dataValues"]} == {
        uids.element_uid("APP_WORK_ONLINE"),
        uids.element_uid("WEB_PORTAL"),
    }
    web = next(v for v in mine["dataValues"] if v["dataElement"] == uids.element_uid("WEB_PORTAL"))
    assert web["value"] == "true" and web["categoryOptionCombo"] == uids.DEFAULT_COC
    # A draft is the unit's own: another province's official does not see it.
    theirs = client.get(f"{API}/dataValueSets", asked, **basic("vinhlinh.duyet"))
    assert theirs.json()["dataValues"] == []
    missing = client.get(f"{API}/dataValueSets", {"period": "2025Q3"}, **basic("admin"))
    assert missing.status_code == 409 and "dataSet" in missing.json()["message"]


def test_one_value_read_written_and_deleted(client, users):
    key = {"de": "APP_WORK_ONLINE", "pe": "2025Q3", "ou": unit_uid("19363", NEW)}
    official = basic("xavinhlinh.nhaplieu")
    assert client.post(f"{API}/dataValues?value=55&" + _query(key), **official).status_code == 201
    assert client.get(f"{API}/dataValues", key, **official).json() == ["55"]
    assert client.delete(f"{API}/dataValues?" + _query(key), **official).status_code == 204
    assert client.get(f"{API}/dataValues", key, **official).json() == []


def _query(params: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


# --- analytics ------------------------------------------------------------------------


def test_relative_periods_are_counted_from_today():
    today = datetime.date(2025, 8, 15)
    assert [p.id for p in relative_periods("THIS_QUARTER", today)] == ["2025Q3"]
    assert [p.id for p in relative_periods("LAST_QUARTER", today)] == ["2025Q2"]
    assert [p.id for p in relative_periods("LAST_4_QUARTERS", today)] == [
        "2024Q3",
        "2024Q4",
        "2025Q1",
        "2025Q2",
    ]
    assert [p.id for p in relative_periods("LAST_5_YEARS", today)] == [
        "2020",
        "2021",
        "2022",
        "2023",
        "2024",
    ]


def test_analytics_gives_the_portals_roll_ups(client, users, api_client):
    """Vĩnh Linh's seeds (2020Q4): the DHIS2 answer is the portal's own analytics value."""
    vinh_linh = Unit.objects.in_force(datetime.date(2020, 12, 31)).get(code="464")
    answer = client.get(
        f"{API}/analytics.json",
        {
            "dimension": ["dx:APP_DIGSIG_DOCS;INF_LAN", "ou:" + uids.unit_uid("464", None)],
            "filter": "pe:2020Q4",
        },
        **basic("admin"),
    ).json()
    assert [h["name"] for h in answer["headers"]] == ["dx", "ou", "value"]
    assert answer["width"] == 3 and answer["height"] == len(answer["rows"])
    values = {row[0]: float(row[2]) for row in answer["rows"]}
    api_client.force_authenticate(users["admin"])
    portal = api_client.get(
        "/api/v1/analytics/",
        {"indicator": "APP_DIGSIG_DOCS", "unit": vinh_linh.pk, "period": "2020Q4"},
    ).json()
    assert values[uids.element_uid("APP_DIGSIG_DOCS")] == pytest.approx(
        portal["results"][0]["value"]
    )
    assert answer["metaData"]["items"][uids.element_uid("INF_LAN")]["code"] == "INF_LAN"
    assert answer["metaData"]["dimensions"]["pe"] == ["2020Q4"]


def test_analytics_levels_user_org_unit_and_codes(client, users):
    def rows(user, ou):
        return client.get(
            f"{API}/analytics",
            {
                "dimension": ["dx:APP_DIGSIG_DOCS", "pe:2020Q4", f"ou:{ou}"],
                "outputIdScheme": "CODE",
                "skipMeta": "true",
            },
            **basic(user),
        ).json()

    # Level 3 within the reviewer's own unit (Huyện Vĩnh Linh): the district itself, by code.
    answer = rows("vinhlinh.duyet", "USER_ORGUNIT;LEVEL-3")
    assert "metaData" not in answer
    assert [(r[0], r[1], r[2]) for r in answer["rows"]] == [("APP_DIGSIG_DOCS", "2020Q4", "464")]
    assert float(answer["rows"][0][3]) == pytest.approx(70.0)
    # The provinces of 2020 (level 2 under the country): the old Quảng Trị holds Vĩnh Linh.
    provinces = {r[2] for r in rows("admin", f"{uids.ROOT_UID};LEVEL-2")["rows"]}
    assert "45" in provinces
    wrong = client.get(f"{API}/analytics", {"dimension": "dx:INF_LAN"}, **basic("admin"))
    assert wrong.status_code == 409


def test_dhis2s_documented_examples_are_understood(client, users):
    """The shapes of DHIS2's Web API documentation (developer/web-api/data.md, "Sending bulks
    of data values"), our identifiers in place of the demo's: values each with their own
    period and org unit, in JSON and in CSV with the documented short header; booleans in
    any of DHIS2's spellings; id schemes given in the payload winning over the URL's."""
    hoxa, xa = unit_uid("19363", OLD), unit_uid("19363", NEW)
    documented_json = {
        "dataValues": [
            {
                "dataElement": uids.element_uid("APP_WORK_ONLINE"),
                "period": "2024Q4",
                "orgUnit": hoxa,
                "value": "12",
            },
            {
                "dataElement": uids.element_uid("WEB_PORTAL"),
                "period": "2024Q4",
                "orgUnit": hoxa,
                "value": "T",
            },
            {
                "dataElement": uids.element_uid("APP_WORK_ONLINE"),
                "period": "2025Q3",
                "orgUnit": xa,
                "value": "16",
            },
        ]
    }
    summary = post_values(client, "admin", documented_json).json()
    assert set(summary) >= {"httpStatus", "httpStatusCode", "status", "message", "response"}
    response = summary["response"]
    assert set(response) >= {"responseType", "status", "importCount", "conflicts"}
    assert set(response["importCount"]) == {"imported", "updated", "ignored", "deleted"}
    assert response["importCount"]["imported"] == 3
    assert stored("WEB_PORTAL", "2024Q4", on=OLD).value == 1
    documented_csv = (
        '"dataelement","period","orgunit","catoptcombo","attroptcombo","value","strby","lstupd","cmt"\n'
        f'"APP_WORK_ONLINE","2024Q4","19363","{uids.DEFAULT_COC}","{uids.DEFAULT_COC}","14","admin","2025-01-01","sửa"\n'
    )
    answer = post_values(client, "admin", documented_csv, csv=True, query="?idScheme=code")
    assert answer.json()["response"]["importCount"]["updated"] == 1, answer.content
    assert stored("APP_WORK_ONLINE", "2024Q4", on=OLD).note == "sửa"
    by_code = {
        "idScheme": "CODE",
        "dataValues": [
            {
                "dataElement": "APP_WORK_ONLINE",
                "period": "2025Q3",
                "orgUnit": "19363",
                "value": "18",
            }
        ],
    }
    answer = post_values(client, "admin", by_code, query="?idScheme=UID")
    assert answer.json()["response"]["importCount"]["updated"] == 1, answer.content
    assert stored("APP_WORK_ONLINE", "2025Q3").value == 18


def test_a_value_set_too_large_to_answer_whole_asks_to_narrow_the_query(client, users, monkeypatch):
    from dhis2_api import datavalues

    post_values(client, "xavinhlinh.nhaplieu", xa_values())
    monkeypatch.setattr(datavalues, "MAX_VALUES", 1)
    answer = client.get(
        f"{API}/dataValueSets",
        {"dataSet": uids.DATA_SET_UID, "orgUnit": unit_uid("19363", NEW), "period": "2025Q3"},
        **basic("xavinhlinh.nhaplieu"),
    )
    assert answer.status_code == 409 and "/api/v1/observations/export/" in answer.json()["message"]


def test_hostile_bodies_are_refused_with_a_clear_message(client, users, settings):
    """As every import of the portal: a JSON body with more objects than rows an import
    takes (counted before it is parsed), nesting past the parser's depth, a CSV field past
    the csv module's limit, a body declared too big (before it is read): each a 400 saying
    why, nothing stored. Small bodies here (the bounds made small); the large ones are read
    in a process with a memory ceiling below."""
    official = basic("xavinhlinh.nhaplieu")
    settings.IMPORT_MAX_ROWS = 10
    many = json.dumps({"dataValues": [{"value": "1"} for _ in range(20)]})
    deep = "[" * 5_000 + "]" * 5_000
    for body in (many, deep):
        answer = client.post(
            f"{API}/dataValueSets", body, content_type="application/json", **official
        )
        assert answer.status_code == 400 and answer.json()["message"], body[:20]
    field = "dataelement,period,orgunit,coc,aoc,value\n" + "x" * 200_000 + ",2025Q3,a,b,c,1\n"
    answer = client.post(f"{API}/dataValueSets", field, content_type="application/csv", **official)
    assert answer.status_code == 400 and "field" in answer.json()["message"]
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    answer = client.post(
        f"{API}/dataValueSets",
        "x",
        content_type="application/csv",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
        **official,
    )
    assert answer.status_code == 400 and "MB" in answer.json()["message"]
    assert not Figure.objects.filter(period="2025Q3").exists()


# The DHIS2 API's readers of a body, fed the largest hostile bodies Django lets through (20
# MB), in a process of their own with a ceiling on its address space and a time limit.
CHILD = r"""
import io, json, resource, sys

import django

django.setup()
from rest_framework.exceptions import ParseError

from dhis2_api.datavalues import read_csv
from egov_portal.spreadsheets import ImportFileError
from indicators.api import BoundedJSONParser

resource.setrlimit(resource.RLIMIT_AS, (1024 ** 3, 1024 ** 3))
size = 20 * 1024 * 1024
bodies = {
    "objects": b"[" + b"{}," * (size // 3 - 1) + b"{}]",
    "nesting": b"[" * (size // 2) + b"]" * (size // 2),
}
results = {}
for name, body in bodies.items():
    try:
        BoundedJSONParser().parse(io.BytesIO(body))
        results[name] = "read"
    except (ParseError, ImportFileError) as exc:
        results[name] = "refused: " + str(getattr(exc, "detail", exc))[:80]
    except Exception as exc:  # noqa: BLE001 - what broke is the result
        results[name] = type(exc).__name__
try:
    read_csv("a,b\n" + "x," * (size // 2))
    results["csv"] = "read"
except Exception as exc:  # noqa: BLE001
    results["csv"] = type(exc).__name__
print(json.dumps(results))
"""


def test_the_largest_hostile_bodies_are_refused_in_bounded_memory(reference_data):
    from tests.processes import environment, run_python

    result = run_python(["-c", CHILD], environment(drop=("IMPORT_",)), timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["objects"].startswith("refused") and found["nesting"].startswith("refused")
    assert found["csv"] in ("read", "Error")  # csv.Error, or read within the ceiling


def test_analytics_refuses_more_values_than_one_request_may_ask(client, users):
    answer = client.get(
        f"{API}/analytics",
        {
            "dimension": [
                "dx:INF_LAN;WEB_PORTAL;APP_WORK_ONLINE",
                "pe:LAST_5_YEARS",
                "ou:VN;LEVEL-4",
            ]
        },
        **basic("admin"),
    )
    assert answer.status_code == 409 and "20000" in answer.json()["message"].replace(
        ",", ""
    ).replace(".", "")


def test_a_unit_renamed_elsewhere_is_seen_by_the_next_request(client, users):
    """The directory is kept by the process; a rename made by another process (here, an
    update that sends no signal, then a history record as any ORM save writes) is seen."""
    from dhis2_api import directory

    url = f"{API}/organisationUnits/{unit_uid('19363', NEW)}"
    assert client.get(url, **basic("admin")).json()["name"] == "Xã Vĩnh Linh"
    unit = Unit.objects.in_force(NEW).get(code="19363")
    Unit.objects.filter(pk=unit.pk).update(name="Xã Vĩnh Linh (đổi tên)")
    unit.refresh_from_db()
    fields = {f.attname: getattr(unit, f.attname) for f in Unit._meta.concrete_fields}
    unit.history.create(**fields, history_date=timezone.now(), history_type="~")
    assert directory._cached is not None  # no signal cleared it
    assert client.get(url, **basic("admin")).json()["name"] == "Xã Vĩnh Linh (đổi tên)"


def test_a_csv_header_is_dropped_as_dhis2_drops_it(client, users):
    """DHIS2 takes the first line of a CSV for a header: any header spelled as DHIS2's
    clients spell it is dropped, firstRowIsHeader=true drops any first line, =false keeps
    it as a value; a file without a header and without the option loses no value."""
    value = "APP_WORK_ONLINE,2025Q3,19363,,,{}\n"
    query = "?idScheme=CODE"  # drafts: an approved value is not overwritten by an import
    for n, header in enumerate(("Data element,Period,Org unit\n", "de,pe,ou,co,ao,value\n")):
        answer = post_values(client, "admin", header + value.format(20 + n), csv=True, query=query)
        assert answer.status_code == 200, (header, answer.content)
        assert stored("APP_WORK_ONLINE", "2025Q3").value == 20 + n
    # Dropped whatever it says with firstRowIsHeader=true, kept with false.
    two = value.format(30) + value.format(31)
    answer = post_values(client, "admin", two, csv=True, query=query + "&firstRowIsHeader=true")
    assert answer.json()["response"]["importCount"]["updated"] == 1, answer.content
    assert stored("APP_WORK_ONLINE", "2025Q3").value == 31
    answer = post_values(
        client, "admin", value.format(32), csv=True, query=query + "&firstRowIsHeader=false"
    )
    assert answer.json()["response"]["importCount"]["updated"] == 1, answer.content
    assert stored("APP_WORK_ONLINE", "2025Q3").value == 32
    wrong = post_values(client, "admin", two, csv=True, query=query + "&firstRowIsHeader=maybe")
    assert wrong.status_code == 409 and "firstRowIsHeader" in wrong.json()["message"]


def test_a_uid_names_one_unit_whatever_the_period(client, users):
    """Xã Vĩnh Linh's UID (since 01/07/2025) with 2024Q4 is refused, not written to the unit
    that bore code 19363 then (Thị trấn Hồ Xá), as Hồ Xá's UID is refused with 2025Q3."""
    for on, period in ((NEW, "2024Q4"), (OLD, "2025Q3")):
        value = {
            "dataElement": "APP_WORK_ONLINE",
            "period": period,
            "orgUnit": unit_uid("19363", on),
        }
        answer = post_values(client, "admin", {"dataValues": [{**value, "value": "5"}]})
        assert answer.status_code == 409, (period, answer.content)
        (conflict,) = answer.json()["response"]["conflicts"]
        assert conflict["property"] == "orgUnit" and f"trong kỳ {period}" in conflict["value"]
    assert not Figure.objects.filter(indicator__code="APP_WORK_ONLINE").exists()


def test_analytics_resolves_a_code_by_each_periods_date(client, users):
    """ou:19363 over 2024Q4 and 2025Q3: Thị trấn Hồ Xá's value for the first, Xã Vĩnh
    Linh's for the second, each under its own UID."""
    rows = "APP_WORK_ONLINE,2024Q4,19363,,,40\nAPP_WORK_ONLINE,2025Q3,19363,,,60\n"
    stored_ = post_values(client, "admin", rows, csv=True, query="?idScheme=CODE&status=approved")
    assert stored_.status_code == 200, stored_.content
    answer = client.get(
        f"{API}/analytics",
        {"dimension": ["dx:APP_WORK_ONLINE", "pe:2024Q4;2025Q3", "ou:19363"]},
        **basic("admin"),
    ).json()
    got = {(r[1], r[2]): float(r[3]) for r in answer["rows"]}
    assert got == {("2024Q4", unit_uid("19363", OLD)): 40, ("2025Q3", unit_uid("19363", NEW)): 60}
    assert set(answer["metaData"]["dimensions"]["ou"]) == {
        unit_uid("19363", OLD),
        unit_uid("19363", NEW),
    }
