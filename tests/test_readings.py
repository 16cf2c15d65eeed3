"""Two readings of history, per request (issue 18, point 5): as reported (the units of the
time) or rebased (today's units), on /api/v1/analytics/ and /api/v1/observations/."""

import datetime
import re

import pytest

from indicators.models import Figure
from indicators.services import FigureInput
from indicators.writes.figures import figures_save_many
from units.models import Unit, UnitChange

pytestmark = pytest.mark.django_db

ANALYTICS = "/api/v1/analytics/"
NEW_QUANG_TRI = {"unit_code": "44", "on": "2026-01-01"}


def unit(code: str, on: str) -> Unit:
    return Unit.objects.in_force(datetime.date.fromisoformat(on)).get(code=code)


def approve(rows: list[tuple[Unit, str]], indicator: str = "HR_COMPUTER_USE") -> None:
    figures_save_many(
        inputs=[
            FigureInput(
                unit_code=u.code,
                unit_on=u.valid_to,
                indicator=indicator,
                period="2020Q4",
                value=value,
            )
            for u, value in rows
        ],
        status=Figure.Status.APPROVED,
        reference_files=True,
    )


def ask(api_client, **params) -> dict:
    response = api_client.get(ANALYTICS, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_rebased_children_of_a_2025_province_take_their_predecessors_values(
    reference_data, api_client
):
    xa_vinh_linh = unit("19363", "2026-01-01")
    formed_from = [c.predecessor for c in UnitChange.objects.filter(successor=xa_vinh_linh)]
    assert {u.name for u in formed_from} >= {"Thị trấn Hồ Xá"}
    approve([(u, "80") for u in formed_from])
    # A 2025 commune formed in part from an old commune.
    partial = (
        UnitChange.objects.filter(is_partial=True, predecessor__level="commune")
        .filter(successor__level="commune")
        .select_related("predecessor", "successor")
        .order_by("successor__code")
        .first()
    )
    approve([(partial.predecessor, "50")])
    body = ask(
        api_client, indicator="HR_COMPUTER_USE", period="2020Q4", by="children", **NEW_QUANG_TRI
    )
    assert body["reading"] == "rebased"  # the default for a unit in force today
    by_code = {r["unit"]["code"]: r for r in body["results"]}
    assert all(len(code) == 5 for code in by_code)  # today's communes
    whole = by_code["19363"]
    assert (whole["value"], whole["origin"], whole["partial"]) == (80, "predecessors", False)
    # Never split by a guess: the part's unit takes the whole value, marked partial.
    (part,) = ask(
        api_client,
        indicator="HR_COMPUTER_USE",
        period="2020Q4",
        unit=partial.successor.pk,
    )["results"]
    assert part["origin"] == "predecessors" and part["partial"] is True


def test_as_reported_a_2025_province_is_answered_by_the_units_of_the_time(
    reference_data, api_client
):
    body = ask(
        api_client,
        indicator="INF_LAN",
        period="2020Q4",
        scope="communes",
        reading="as_reported",
        **NEW_QUANG_TRI,
    )
    assert body["reading"] == "as_reported"
    assert [r["unit"]["name"] for r in body["results"]] == ["Tỉnh Quảng Bình", "Tỉnh Quảng Trị"]
    children = ask(
        api_client,
        indicator="INF_LAN",
        period="2020Q4",
        scope="communes",
        by="children",
        reading="as_reported",
        **NEW_QUANG_TRI,
    )
    by_code = {r["unit"]["code"]: r for r in children["results"]}
    assert all(len(code) == 3 for code in by_code)  # the districts of 2020
    assert by_code["464"]["value"] == 100  # Vĩnh Linh's own report of its communes


def test_an_ended_unit_is_read_as_reported_by_default_and_rebased_onto_what_it_became(
    reference_data, api_client
):
    params = {"indicator": "INF_LAN", "unit_code": "464", "on": "2020-10-13", "period": "2020Q4"}
    as_reported = ask(api_client, **params)
    assert as_reported["reading"] == "as_reported"
    assert [r["unit"]["code"] for r in as_reported["results"]] == ["464"]
    rebased = ask(api_client, reading="rebased", **params)
    codes = [r["unit"]["code"] for r in rebased["results"]]
    assert "19363" in codes and all(len(c) == 5 for c in codes)


def test_observations_of_a_2025_province_list_its_old_units_figures_when_rebased(
    reference_data, api_client
):
    new_quang_tri = unit("44", "2026-01-01")
    params = {"descendants_of": new_quang_tri.pk, "page_size": 100}
    rebased = api_client.get("/api/v1/observations/", params).json()
    codes = {f["unit"]["code"] for f in rebased["results"]}
    assert "464" in codes  # Vĩnh Linh's seeds, in old Quảng Trị
    as_reported = api_client.get(
        "/api/v1/observations/", {**params, "reading": "as_reported"}
    ).json()
    assert as_reported["results"] == []


def test_the_dashboards_offer_the_same_switch(reference_data, admin_client):
    new_quang_tri = unit("44", "2026-01-01")
    page = admin_client.get(f"/dashboard/{new_quang_tri.pk}/?period=2020Q4").content.decode()
    assert 'data-reading="rebased"' in page
    assert "reading=as_reported" in page
    # As reported, 2020Q4 was the time of Quảng Bình and old Quảng Trị: named, with links.
    page = admin_client.get(
        f"/dashboard/{new_quang_tri.pk}/?period=2020Q4&reading=as_reported"
    ).content.decode()
    assert 'data-banner="reading"' in page
    assert "Tỉnh Quảng Bình" in page and "Tỉnh Quảng Trị" in page
    # Old Quảng Trị rebased is the new one: the dashboard goes there.
    old_quang_tri = unit("45", "2020-10-13")
    response = admin_client.get(f"/dashboard/{old_quang_tri.pk}/?period=2020Q4&reading=rebased")
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/{new_quang_tri.pk}/?period=2020Q4&reading=rebased"
    # The indicator page's children follow the reading: the districts of the time.
    page = admin_client.get(
        f"/dashboard/{new_quang_tri.pk}/indicator/INF_LAN/?period=2020Q4&reading=as_reported"
    ).content.decode()
    assert "Huyện Vĩnh Linh" in page
    page = admin_client.get(
        f"/dashboard/{new_quang_tri.pk}/indicator/INF_LAN/?period=2020Q4"
    ).content.decode()
    children = re.search(r'class="[^"]*dashboard-children".*?</table>', page, re.S).group(0)
    assert "Huyện Vĩnh Linh" not in children and "Xã Vĩnh Linh" in children


def test_the_switch_keeps_to_what_the_user_may_see_and_follows_every_link(reference_data, client):
    from django.contrib.auth import get_user_model

    from accounts.services import demo_users_create

    demo_users_create()
    client.force_login(get_user_model().objects.get(username="quangtri2025.bcd"))
    new_quang_tri = unit("44", "2026-01-01")
    base = f"/dashboard/{new_quang_tri.pk}/"
    # As reported, the new province's cards would be its predecessors' figures: not shown,
    # only the units of the time.
    page = client.get(base, {"period": "2020Q4", "reading": "as_reported"}).content.decode()
    assert 'data-banner="reading"' in page and "dashboard-card" not in page
    page = client.get(
        f"{base}indicator/INF_LAN/", {"period": "2020Q4", "reading": "as_reported"}
    ).content.decode()
    children = re.search(r'class="[^"]*dashboard-children".*?</table>', page, re.S).group(0)
    # The districts of 2020 are named and linked: approved figures are open to every
    # signed-in user (issue 19, item 1), the 2025 province's committee included.
    assert "Huyện Vĩnh Linh" in children
    assert "/indicator/INF_LAN/?period=2020Q4" in children
    # Every link of the page keeps the reading: the exports and the picker.
    assert "reading=as_reported&amp;export=xlsx" in page
    assert '<input type="hidden" name="reading" value="as_reported">' in page


def test_rebased_children_of_a_gone_district_are_the_communes_it_went_into(
    reference_data, api_client
):
    params = {"indicator": "INF_LAN", "unit_code": "464", "on": "2020-10-13", "period": "2020Q4"}
    body = ask(api_client, reading="rebased", by="children", **params)
    codes = [r["unit"]["code"] for r in body["results"]]
    assert "19363" in codes and all(len(c) == 5 for c in codes)


def test_a_2025_province_opens_on_its_old_provinces_latest_figures(reference_data, admin_client):
    from reports.dashboard import default_period

    new_quang_tri = unit("44", "2026-01-01")
    # No figure under the new province itself: the seeds of Vĩnh Linh (old Quảng Trị),
    # the latest of them 2020Q4, not the unfinished current quarter.
    assert default_period(new_quang_tri, datetime.date(2026, 12, 4)).id == "2020Q4"
