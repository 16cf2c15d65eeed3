"""/indicators/: the catalogue in both languages, and one indicator with its figures."""

import pytest

pytestmark = pytest.mark.django_db


def test_indicator_catalogue_in_vietnamese_and_english(client):
    text = client.get("/indicators/").content.decode()
    assert "Danh mục chỉ tiêu" in text
    assert "Tỷ lệ văn bản" in text
    english = client.get("/indicators/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Indicator catalogue" in english
    assert "Share of" in english


def test_indicator_page_lists_the_seed_figures_with_sources(client):
    response = client.get("/indicators/WEB_PORTAL/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Tỉnh Đắk Lắk" in text
    assert "18/29" in text
    # The article cited by its title and date, not by the corpus file's name (issue 19).
    assert "003_03567fd821d6ea94.txt" not in text
    assert "Chính phủ điện tử tỉnh Đắk Lắk giai đoạn 2016 – 2020</cite>, 13/07/2016" in text
    assert client.get("/indicators/NOPE/").status_code == 404
