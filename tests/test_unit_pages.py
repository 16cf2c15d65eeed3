"""/units/ and /units/<code>/: browsing as of a date, search, lineage on the unit page."""

import pytest

pytestmark = pytest.mark.django_db


def test_home_page_shows_both_structures(client):
    response = client.get("/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "34 tỉnh, thành phố; 3.321 xã" in text
    assert "63 tỉnh, 696 huyện, 10.051 xã" in text


def test_browse_lists_todays_provinces(client):
    response = client.get("/units/")
    assert response.status_code == 200
    assert len(response.context["units"]) == 34
    assert "Tỉnh Quảng Trị" in response.content.decode()


def test_browse_the_2024_structure_down_to_vinh_linh(client, django_assert_max_num_queries):
    # The parent: its id, then it with ancestors joined and its lineage (2 prefetches);
    # then the children. Nothing per child.
    with django_assert_max_num_queries(5):
        response = client.get("/units/", {"on": "2025-06-30", "parent": "464"})
    names = [u.name for u in response.context["units"]]
    assert len(names) == 18
    assert "Thị trấn Hồ Xá" in names
    assert [a.code for a in response.context["ancestors"]] == ["45"]


def test_browse_search_without_tone_marks(client):
    response = client.get("/units/", {"q": "vinh linh", "on": "2020-10-13"})
    assert "Huyện Vĩnh Linh" in [u.name for u in response.context["units"]]


def test_a_bad_date_falls_back_to_today(client):
    response = client.get("/units/", {"on": "not-a-date"})
    assert response.status_code == 200
    assert len(response.context["units"]) == 34


def test_old_district_page_says_what_became_of_it(client):
    response = client.get("/units/464/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Huyện Vĩnh Linh" in text
    assert "Đơn vị này không còn tồn tại" in text
    assert "Xã Vĩnh Linh" in text
    assert "Xã Cửa Tùng" in text
    assert len(response.context["children"]) == 18


def test_code_44_page_depends_on_the_date(client):
    assert "Tỉnh Quảng Trị" in client.get("/units/44/").content.decode()
    old = client.get("/units/44/", {"on": "2018-06-01"}).content.decode()
    assert "Tỉnh Quảng Bình" in old
    assert "Sau sắp xếp chuyển thành" in old


def test_new_commune_page_lists_its_predecessors(client):
    response = client.get("/units/19363/")
    text = response.content.decode()
    assert "Hình thành từ" in text
    for name in ("Thị trấn Hồ Xá", "Xã Vĩnh Long", "Xã Vĩnh Chấp"):
        assert name in text


def test_unknown_code_is_404(client):
    assert client.get("/units/00000/").status_code == 404
    assert client.get("/units/464/", {"on": "2026-01-01"}).status_code == 404


def test_english_is_available(client):
    response = client.get("/units/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'lang="en"' in text
    assert "Administrative units" in text
    assert "Three tiers (until 30/06/2025)" in text
