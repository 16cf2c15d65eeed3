"""/api/v1/indicators/ and /api/v1/observations/, and the seeds' figures as loaded."""

from decimal import Decimal

import pytest

from indicators.models import Figure, Indicator
from indicators.services import FigureInput, FigureRowsError
from indicators.writes.figures import figures_save_many

pytestmark = pytest.mark.django_db

CONTRACT_CODES = {
    "INF_LAN", "INF_BROADBAND", "INF_DATA_NETWORK", "INF_PC_EQUIPPED", "INF_PC_INTERNET",
    "SEC_ANTIVIRUS", "INF_ONLINE_MEETING", "HR_COMPUTER_USE", "HR_PROFICIENT", "HR_ONLINE_WORK",
    "APP_DOC_MGMT", "APP_OFFICIAL_EMAIL", "APP_SHARED_SOFTWARE", "APP_EDOC_EXCHANGE",
    "APP_DIGSIG_DOCS", "APP_DIGSIG_LEADERS", "APP_SPECIALISED", "SVC_ONE_STOP", "SVC_ONLINE_L34",
    "SVC_ONLINE_FULL", "SVC_ONLINE_APPS", "WEB_PORTAL", "WEB_PORTAL_LINKED", "WEB_INFO_PUBLISHED",
    "SVC_NATIONAL_PORTAL", "SVC_ONE_STOP_FILES", "SVC_PORTAL_MOBILE", "SVC_HELPDESK",
    "APP_WORK_ONLINE", "SVC_24_7", "HR_DIGITAL_ID", "HR_ONLINE_TRAINING",
}  # fmt: skip


def test_catalogue_has_every_contract_code_and_at_least_35():
    codes = set(Indicator.objects.values_list("code", flat=True))
    assert codes >= CONTRACT_CODES
    assert len(codes) >= 35


def test_indicator_list_and_filters(api_client):
    body = api_client.get("/api/v1/indicators/", {"page_size": 1000}).json()
    assert body["count"] == Indicator.objects.count()
    ratios = api_client.get("/api/v1/indicators/", {"value_type": "ratio", "page_size": 1000})
    assert {i["value_type"] for i in ratios.json()["results"]} == {"ratio"}
    communes = api_client.get("/api/v1/indicators/", {"applies_to": "commune", "page_size": 1000})
    assert all("commune" in i["applies_to_levels"] for i in communes.json()["results"])
    valid_2024 = api_client.get(
        "/api/v1/indicators/", {"valid_on": "2024-01-01", "page_size": 1000}
    )
    assert "SVC_ONLINE_L34" not in {i["code"] for i in valid_2024.json()["results"]}


def test_indicator_detail_by_code(api_client):
    body = api_client.get("/api/v1/indicators/APP_DIGSIG_DOCS/").json()
    assert body["value_type"] == "ratio"
    assert body["name"].startswith("Tỷ lệ")
    assert api_client.get("/api/v1/indicators/NOPE/").status_code == 404


def test_cho_don_digital_signatures_at_two_scopes(api_client):
    body = api_client.get(
        "/api/v1/observations/",
        {"indicator": "APP_DIGSIG_DOCS", "unit_code": "064", "on": "2021-07-31"},
    ).json()
    by_scope = {f["scope"]: (Decimal(f["value"]), f["approximate"]) for f in body["results"]}
    # "khoảng 90%" is the district tier's, "khoảng 60%" the communes': both approximate, and
    # neither the whole district's (issue 18).
    assert by_scope == {"district_offices": (90, True), "communes": (60, True)}
    assert {f["period"] for f in body["results"]} == {"2021Q3"}


def test_dak_lak_websites_keep_numerator_and_denominator(api_client):
    body = api_client.get(
        "/api/v1/observations/",
        {"indicator": "WEB_PORTAL", "period": "2016Q3", "scope": "departments"},
    ).json()
    (figure,) = body["results"]
    assert figure["unit"]["code"] == "66"
    assert (Decimal(figure["numerator"]), Decimal(figure["denominator"])) == (18, 29)
    assert Decimal(figure["value"]).quantize(Decimal("0.1")) == Decimal("62.1")
    assert figure["source"].startswith("003_03567fd821d6ea94.txt")
    assert figure["status"] == "approved"


def test_observations_under_a_province_and_period_range(api_client, django_assert_num_queries):
    quang_tri = api_client.get("/api/v1/units/", {"code": "45", "on": "2020-01-01"}).json()
    province_id = quang_tri["results"][0]["id"]
    # 1: the province for descendants_of; 2: its units' ids; 3: the page with unit, agency,
    # indicator (a cursor page: no COUNT); then the page's flags (quality.flags): the
    # ranges, last quarter's values and the rules (none here: no report's figures read).
    with django_assert_num_queries(3 + 3):
        body = api_client.get(
            "/api/v1/observations/",
            {"descendants_of": province_id, "period_from": "2020Q1", "period_to": "2020"},
        ).json()
    assert len(body["results"]) == 9
    assert body["next"] is None
    assert {f["unit"]["code"] for f in body["results"]} == {"464"}


def test_observations_are_paged_by_cursor_without_gaps_or_repeats(api_client):
    seen = []
    url = "/api/v1/observations/?page_size=7"
    while url:
        body = api_client.get(url).json()
        assert "count" not in body  # no COUNT over the whole table
        seen += [f["id"] for f in body["results"]]
        url = body["next"]
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == Figure.objects.filter(status="approved").count()


def test_a_malformed_period_is_a_400_naming_it(api_client):
    response = api_client.get("/api/v1/observations/", {"period": "2021Q5"})
    assert response.status_code == 400
    assert "period" in response.json()


def test_saving_rows_is_all_or_nothing_and_idempotent():
    good = FigureInput(
        unit_code="464", unit_on=None, indicator="APP_DIGSIG_DOCS", period="2021Q1", value="75"
    )
    bad = FigureInput(
        unit_code="464",
        unit_on=None,
        indicator="APP_DIGSIG_DOCS",
        period="2021Q2",
        numerator=30,
        denominator=29,
        row=3,
    )
    with pytest.raises(FigureRowsError) as caught:
        figures_save_many(inputs=[good, bad])
    assert [str(e) for e in caught.value.errors] == [
        "dòng 3, cột numerator: Tử số (30) lớn hơn mẫu số (29)."
    ]
    assert not Figure.objects.filter(period="2021Q1", unit__code="464").exists()
    first = figures_save_many(inputs=[good])
    second = figures_save_many(inputs=[good])
    assert (first.created, second.created, second.updated, second.unchanged) == (1, 0, 0, 1)


def test_every_change_is_kept_in_the_history():
    row = dict(unit_code="464", unit_on=None, indicator="APP_DIGSIG_DOCS", period="2021Q1")
    figures_save_many(inputs=[FigureInput(**row, value="75")])
    figures_save_many(inputs=[FigureInput(**row, value="80")])
    figure = Figure.objects.get(unit__code="464", period="2021Q1")
    values = [h.value for h in figure.history.order_by("history_date")]
    assert values == [Decimal(75), Decimal(80)]
