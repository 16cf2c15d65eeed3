"""/api/v1/units/: filters, detail with lineage, 404s, paging, who may write."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

URL = "/api/v1/units/"


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_code_and_date_find_vinh_linh_with_its_parent(api_client):
    (unit,) = results(api_client.get(URL, {"code": "464", "on": "2020-10-13"}))
    assert unit["name"] == "Huyện Vĩnh Linh"
    assert unit["level"] == "district"
    assert unit["division_type"] == "huyen"
    assert unit["parent"]["code"] == "45"
    assert unit["parent"]["name"] == "Tỉnh Quảng Trị"
    assert unit["valid_to"] == "2025-06-30"


@pytest.mark.parametrize(
    ("on", "name"), [("2018-06-01", "Tỉnh Quảng Bình"), ("2026-01-01", "Tỉnh Quảng Trị")]
)
def test_code_44_names_the_unit_of_the_day(api_client, on, name):
    (unit,) = results(api_client.get(URL, {"code": "44", "on": on}))
    assert unit["name"] == name


def test_without_a_date_lists_units_in_force_today(api_client):
    assert results(api_client.get(URL, {"code": "464"})) == []
    response = api_client.get(URL, {"level": "province", "page_size": 100})
    assert response.json()["count"] == 34


def test_filters_by_parent_and_level(api_client):
    (vinh_linh,) = results(api_client.get(URL, {"code": "464", "on": "2020-10-13"}))
    response = api_client.get(
        URL, {"parent": vinh_linh["id"], "on": "2020-10-13", "level": "commune"}
    )
    assert response.json()["count"] == 18


def test_q_searches_without_tone_marks(api_client):
    names = {u["name"] for u in results(api_client.get(URL, {"q": "quang tri"}))}
    assert "Tỉnh Quảng Trị" in names


def test_bad_filter_values_are_refused_with_the_field(api_client):
    response = api_client.get(URL, {"on": "2020-13-45", "level": "hamlet"})
    assert response.status_code == 400
    assert set(response.json()) == {"on", "level"}


def test_page_size_is_capped_at_1000(api_client):
    response = api_client.get(URL, {"on": "2024-01-01", "level": "commune", "page_size": 5000})
    body = response.json()
    assert body["count"] == 10051
    assert len(body["results"]) == 1000


def test_list_query_count_does_not_grow_with_the_page(api_client, django_assert_num_queries):
    # 1: COUNT for the paginator; 2: the page, parents joined.
    with django_assert_num_queries(2):
        response = api_client.get(URL, {"on": "2024-01-01", "level": "commune", "page_size": 500})
    assert len(response.json()["results"]) == 500


def test_detail_has_children_count_and_lineage(api_client, django_assert_num_queries):
    (unit,) = results(api_client.get(URL, {"code": "464", "on": "2020-10-13"}))
    # 1: the unit with parents and children count; 2: changes in; 3: changes out.
    with django_assert_num_queries(3):
        detail = api_client.get(f"{URL}{unit['id']}/").json()
    assert detail["children_count"] == 18
    assert detail["predecessors"] == []
    successors = {s["code"]: s for s in detail["successors"]}
    assert {"19363", "19366", "19414"} <= set(successors)
    assert successors["19363"]["name"] == "Xã Vĩnh Linh"
    assert successors["19363"]["changed_on"] == "2025-07-01"
    assert successors["19363"]["partial"] is True


def test_detail_of_the_new_province_lists_both_predecessors(api_client):
    (unit,) = results(api_client.get(URL, {"code": "44", "on": "2026-01-01"}))
    detail = api_client.get(f"{URL}{unit['id']}/").json()
    assert sorted(p["name"] for p in detail["predecessors"]) == [
        "Tỉnh Quảng Bình",
        "Tỉnh Quảng Trị",
    ]
    assert {p["kind"] for p in detail["predecessors"]} == {"merge"}
    assert {p["legal_basis"] for p in detail["predecessors"]} == {"202/2025/QH15"}


def test_unknown_unit_is_404(api_client):
    assert api_client.get(f"{URL}999999999/").status_code == 404
    assert api_client.get(f"{URL}abc/").status_code == 404


def test_anonymous_and_officials_cannot_write(api_client):
    (unit,) = results(api_client.get(URL, {"code": "44"}))
    assert api_client.post(URL, {"code": "99", "name": "X"}).status_code in (401, 403)
    user = get_user_model().objects.create_user("official", password="x-Pass-123")
    api_client.force_authenticate(user)
    assert api_client.patch(f"{URL}{unit['id']}/", {"name": "X"}).status_code == 403


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/units/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
