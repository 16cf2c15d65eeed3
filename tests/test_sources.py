"""Sources a person can read (issue 19, item 9): a seed's article is cited by its title, its
publisher and its date, each read from the article itself; nothing is made up where the
article does not say; pages and the API show the citation, not the corpus file name."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings

from indicators.models import Figure
from indicators.sources import ARTICLES, cite

SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seeds"


def _text(name: str) -> str:
    return " ".join((SEEDS / name).read_text(encoding="utf-8").split())


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_every_fact_of_an_article_is_in_its_own_words(name):
    article = ARTICLES[name]
    text = _text(name)
    assert " ".join(article.title.split()) in text
    for words in article.evidence:
        assert words in text, f"{name}: «{words}» is not in the article"
    said = " ".join(article.evidence)
    if article.publisher:
        assert article.publisher.upper() in said.upper()
    if article.published_on:
        assert f"{article.published_on:%d/%m/%Y}" in said


def test_every_seed_article_is_in_the_list():
    assert sorted(p.name for p in SEEDS.glob("*.txt")) == sorted(ARTICLES)


def test_a_citation_reads_like_one():
    vinh_linh = cite("000_98ee4c67b2729a11.txt — Vĩnh Linh ban hành Kế hoạch")
    assert vinh_linh.title == "Vĩnh Linh ban hành Kế hoạch ứng dụng CNTT giai đoạn 2021-2025"
    assert vinh_linh.publisher == "Cổng Thông tin Điện tử huyện Vĩnh Linh"
    assert vinh_linh.published_on == datetime.date(2020, 10, 14)
    # An article that names no publisher and no date: nothing is made up.
    quang_binh = cite("004_9d3f90d52301eb61.txt — Quảng Bình: 100% cơ quan")
    assert (quang_binh.publisher, quang_binh.published_on, quang_binh.url) == ("", None, "")
    # What an official typed stays as typed.
    assert cite("Báo cáo số 12/BC-UBND").title == "Báo cáo số 12/BC-UBND"
    assert cite("").title == ""


@pytest.mark.django_db
def test_pages_and_the_api_cite_the_article(admin_client):
    figure = Figure.objects.filter(source__startswith="000_").select_related("indicator").first()
    assert figure is not None
    page = admin_client.get(f"/indicators/{figure.indicator.code}/").content.decode()
    assert "000_98ee4c67b2729a11.txt" not in page
    assert "Cổng Thông tin Điện tử huyện Vĩnh Linh" in page
    body = admin_client.get(f"/api/v1/observations/{figure.pk}/").json()
    assert body["source"].startswith("000_98ee4c67b2729a11.txt")  # as stored
    assert body["citation"]["publisher"] == "Cổng Thông tin Điện tử huyện Vĩnh Linh"
    assert body["citation"]["published_on"] == "2020-10-14"
    assert "000_" not in body["citation"]["title"]
