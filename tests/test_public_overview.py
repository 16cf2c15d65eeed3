"""The public national overview (/public/, issue 21 item 1, first part): open without a
login, the 34 provinces of today in a tile map and a sortable table, their readiness index
from approved figures only, the same page for everyone, cached at the edge (Cache-Control
public, an ETag, 304), in Vietnamese and English."""

import datetime

import pytest

from entry.services import EntryValue, entry_save
from indicators.models import Indicator
from indicators.periods import parse_period
from indicators.validation import indicator_valid_in
from public.overview import overview
from public.tiles import TILES
from units.models import Unit

pytestmark = pytest.mark.django_db
NEW = datetime.date(2025, 7, 2)
Q3 = parse_period("2025Q3")


def approved_quarter(api_client, admin, code: str, percent: int, level="province") -> None:
    """Every percentage a province (or commune) reports, at `percent`, approved (the bulk
    API, as an administrator)."""
    rows = ["unit_code,on,indicator,period,numerator,denominator,value"]
    for indicator in Indicator.objects.filter(levels__contains=f",{level},").order_by("code"):
        if not indicator_valid_in(indicator, Q3):
            continue
        if indicator.value_type == Indicator.ValueType.RATIO:
            rows.append(f"{code},{NEW},{indicator.code},{Q3.id},{percent},100,")
        elif indicator.value_type == Indicator.ValueType.BOOLEAN:
            rows.append(f"{code},{NEW},{indicator.code},{Q3.id},,,1")
    api_client.force_authenticate(admin)
    answer = api_client.post(
        "/api/v1/observations/bulk/?status=approved",
        "\n".join(rows).encode(),
        content_type="text/csv",
    )
    assert answer.status_code == 200, answer.content
    api_client.force_authenticate(None)


def test_every_province_of_today_has_a_tile(reference_data):
    codes = set(Unit.objects.in_force(NEW).filter(level="province").values_list("code", flat=True))
    assert len(codes) == 34
    assert codes == set(TILES)
    assert len(set(TILES.values())) == 34  # no two in one cell


def test_the_overview_is_open_and_ranks_the_provinces_that_reported(users, client, api_client):
    approved_quarter(api_client, users["admin"], "44", 80)  # Quảng Trị
    approved_quarter(api_client, users["admin"], "01", 40)  # Hà Nội
    page = client.get(f"/public/?period={Q3.id}")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("data-province=") == 34 and html.count("data-tile=") == 34
    found = {r.unit.code: r for r in overview(period_id=Q3.id).rows}
    assert (found["44"].rank, found["01"].rank) == (1, 2)
    assert found["44"].index > found["01"].index
    assert found["44"].band == 80 and found["48"].index is None
    # Ranked first, then those without an index.
    order = [r.unit.code for r in overview(period_id=Q3.id).rows]
    assert order[:2] == ["44", "01"]


def test_drafts_never_reach_the_public_page(users, client, api_client):
    approved_quarter(api_client, users["admin"], "44", 80)
    before = client.get(f"/public/?period={Q3.id}")
    # A draft of Xã Vĩnh Linh (in today's Quảng Trị): every value at 0 %.
    commune = Unit.objects.in_force(NEW).get(code="19363")
    values = {
        i.code: EntryValue(numerator="0", denominator="10")
        for i in Indicator.objects.filter(value_type="ratio", levels__contains=",commune,")
    }
    entry_save(
        user=users["xavinhlinh.nhaplieu"],
        unit=commune,
        agency=None,
        period=Q3,
        values=values,
        version=0,
    )
    after = client.get(f"/public/?period={Q3.id}")
    assert after.content == before.content
    assert after["ETag"] == before["ETag"]


def test_the_page_is_cached_at_the_edge_and_the_same_for_everyone(users, client):
    page = client.get("/public/")
    assert page["Cache-Control"] == "public, max-age=300"
    assert page.has_header("ETag")
    assert "Cookie" not in page.get("Vary", "")
    assert client.get("/public/", HTTP_IF_NONE_MATCH=page["ETag"]).status_code == 304
    client.force_login(users["admin"])
    signed_in = client.get("/public/")
    assert signed_in.content == page.content  # no user menu, no CSRF token, no name
    assert "csrfmiddlewaretoken" not in signed_in.content.decode()


def test_the_table_sorts_by_query_and_says_how(reference_data, client):
    by_name = client.get("/public/?sort=name").content.decode()
    assert 'aria-sort="ascending"' in by_name
    rows = overview(sort="code", descending=True).rows
    assert [r.unit.code for r in rows][:2] == ["96", "92"]
    assert client.get("/public/?sort=strange").status_code == 200  # the default order


def test_english_through_the_url_and_bad_periods(reference_data, client):
    english = client.get("/public/?lang=en")
    assert english["Content-Language"] == "en"
    assert '<html lang="en">' in english.content.decode()
    assert "readiness" in english.content.decode()
    assert client.get("/public/?period=2025Q9").status_code == 404


def test_a_provinces_page_shows_its_index_pillars_and_headline_series(users, client, api_client):
    approved_quarter(api_client, users["admin"], "44", 80)
    overview_page = client.get(f"/public/?period={Q3.id}").content.decode()
    assert 'href="/public/44/"' in overview_page
    page = client.get(f"/public/44/?period={Q3.id}")
    assert page.status_code == 200 and page["Cache-Control"] == "public, max-age=300"
    html = page.content.decode()
    assert "<h1" in html and "Tỉnh Quảng Trị" in html
    index_text = html.split("data-index>")[1].split("<")[0].strip()
    assert float(index_text.replace(",", ".")) > 60  # "89,8": Vietnamese decimals
    assert html.count("data-pillars") == 1
    # The headline percentages read 80% for the quarter.
    card = html.split('data-indicator="HR_PROFICIENT"')[1].split("</article>")[0]
    assert "80" in card
    assert client.get("/public/44/", HTTP_IF_NONE_MATCH=page["ETag"]).status_code in (200, 304)


def test_an_unknown_province_is_not_found(reference_data, client):
    assert client.get("/public/99/").status_code == 404
    assert client.get("/public/45/").status_code == 404  # old Quảng Trị: not in force today
    assert client.get("/public/44/?period=2025Q9").status_code == 404


def test_a_communes_page_and_the_provinces_list_of_communes(users, client, api_client):
    approved_quarter(api_client, users["admin"], "19363", 70, level="commune")
    province = client.get("/public/44/").content.decode()
    assert 'href="/public/44/19363/"' in province and "Xã Vĩnh Linh" in province
    page = client.get("/public/44/19363/")
    assert page.status_code == 200 and page["Cache-Control"] == "public, max-age=300"
    html = page.content.decode()
    assert "Xã Vĩnh Linh" in html and 'href="/public/44/"' in html  # the breadcrumb
    assert f"Kỳ {Q3.id}" in html  # a commune's latest quarter: its own figures
    card = html.split('data-indicator="HR_PROFICIENT"')[1].split("</article>")[0]
    assert "70" in card
    assert client.get("/public/01/19363/").status_code == 404  # not Hà Nội's
    assert client.get("/public/44/99999/").status_code == 404
