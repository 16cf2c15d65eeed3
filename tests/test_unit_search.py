"""Search for units (issue 19, item 3): ranked in the database, the same count on the page and
in the API, with or without tone marks and the type word."""

import datetime

import pytest

from units.names import DIVISION_PREFIXES, fold
from units.selectors import unit_list

pytestmark = pytest.mark.django_db

ON = "2020-10-13"
DAY = datetime.date.fromisoformat(ON)
API = "/api/v1/units/"
FOLDED_PREFIXES = [fold(p) for p in DIVISION_PREFIXES]


@pytest.fixture(autouse=True)
def _reference(reference_data):
    """The real GSO units (loaded once for the session, reloaded if a test flushed them)."""


def expected_rank(search_name: str, q: str) -> int:
    """The rank the database should compute, written again in Python."""
    folded = fold(q)
    with_type = [f"{p} {folded}" for p in FOLDED_PREFIXES]
    if search_name == folded:
        return 0
    if search_name in with_type:
        return 1
    if search_name.startswith(folded) or any(search_name.startswith(n) for n in with_type):
        return 2
    return 3


@pytest.mark.parametrize("q", ["ho xa", "hồ xá", "Hồ Xá", "thị trấn hồ xá", "thi tran ho xa"])
def test_ho_xa_comes_first_on_the_page(client, q):
    response = client.get("/units/", {"q": q, "on": ON})
    assert response.status_code == 200
    assert response.context["units"][0].name == "Thị trấn Hồ Xá"


@pytest.mark.parametrize("q", ["ho xa", "hồ xá", "thị trấn hồ xá"])
def test_ho_xa_comes_first_in_the_api(api_client, q):
    response = api_client.get(API, {"q": q, "on": ON})
    assert response.status_code == 200
    assert response.json()["results"][0]["name"] == "Thị trấn Hồ Xá"


@pytest.mark.parametrize("q", ["ho xa", "hồ xá", "vinh", "thị trấn hồ xá", "464"])
def test_the_page_counts_what_the_api_counts(client, api_client, q):
    page = client.get("/units/", {"q": q, "on": ON})
    api = api_client.get(API, {"q": q, "on": ON}).json()
    assert page.context["found"] == api["count"]
    assert page.context["found"] == unit_list(on=DAY, q=q).count()
    # The page shows the same first rows as the API, in the same order.
    shown = [u.pk for u in page.context["units"]]
    assert shown[: len(api["results"])] == [u["id"] for u in api["results"]][: len(shown)]


def test_the_page_says_the_true_count_not_its_limit(client):
    response = client.get("/units/", {"q": "ho xa", "on": ON})
    found = response.context["found"]
    assert found > 200  # more matches than the page shows: "ho" is in "Hồng", "Hoà"...
    assert len(response.context["units"]) == 200
    text = response.content.decode()
    assert f"{found:,}".replace(",", ".") + " đơn vị khớp" in text
    assert "200 đơn vị khớp với" not in text


def test_a_prefix_match_ranks_above_a_contains_match():
    units = list(unit_list(on=DAY, q="vinh"))
    ranks = [u.search_rank for u in units]
    assert ranks == sorted(ranks)
    assert ranks == [expected_rank(u.search_name, "vinh") for u in units]
    names = [u.name for u in units]
    assert names[0] == "Thành phố Vinh"  # the name without its type word
    # "Vĩnh Linh" starts with "vinh"; "Bảo Vinh" and "Khánh Vĩnh" only have it.
    prefix = names.index("Huyện Vĩnh Linh")
    assert units[prefix].search_rank == 2
    for contains in ("Phường Bảo Vinh", "Huyện Khánh Vĩnh"):
        assert units[names.index(contains)].search_rank == 3
        assert prefix < names.index(contains)


def test_ranks_exact_then_without_type_word_then_contains():
    ranked = {u.name: u.search_rank for u in unit_list(on=DAY, q="ho xa")}
    assert ranked["Thị trấn Hồ Xá"] == 1
    assert ranked["Thị xã Buôn Hồ"] == 3  # "ho" and "xa" are in it, apart
    exact = list(unit_list(on=DAY, q="thị trấn hồ xá"))
    assert [(u.name, u.search_rank) for u in exact] == [("Thị trấn Hồ Xá", 0)]


def test_a_code_is_an_exact_match():
    units = list(unit_list(on=DAY, q="464"))
    assert units[0].name == "Huyện Vĩnh Linh"
    assert units[0].search_rank == 0


def test_search_costs_two_queries(client, django_assert_max_num_queries):
    # The count and the page (parents joined), whatever the number of rows: no query per row.
    with django_assert_max_num_queries(2):
        response = client.get("/units/", {"q": "ho xa", "on": ON})
        response.content  # noqa: B018 (render the rows)
