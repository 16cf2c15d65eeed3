"""The articles the seeds' figures, targets and plans come from, as a reader cites them
(issue 19, item 9): title, publisher, date, and a link where there is one.

A figure's source is stored as the loader wrote it ("000_98ee4c67b2729a11.txt — <title>"):
the corpus file names the article. What each article says of itself is written here, each
fact with the words of the article it was read from (tests/test_sources.py finds them in
../shared/seeds/). Where an article does not say (no publisher, no date, no address), nothing
is made up: the citation leaves it out. None of the five gives its web address.
"""

import datetime
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Article:
    file: str
    title: str
    publisher: str = ""
    published_on: datetime.date | None = None
    url: str = ""
    # The article's own words each fact is read from, for the test that checks them.
    evidence: tuple[str, ...] = ()


ARTICLES = {
    a.file: a
    for a in (
        Article(
            "000_98ee4c67b2729a11.txt",
            "Vĩnh Linh ban hành Kế hoạch ứng dụng CNTT giai đoạn 2021-2025",
            publisher="Cổng Thông tin Điện tử huyện Vĩnh Linh",
            published_on=datetime.date(2020, 10, 14),
            evidence=(
                "Copyright 2021 by Cổng Thông tin Điện tử huyện Vĩnh Linh",
                "Ngày cập nhật: 14/10/2020",
            ),
        ),
        Article(
            "001_fac3dfc65dbaa1ae.txt",
            "BCĐ xây dựng Chính quyền điện tử huyện họp, đánh giá kết quả xây dựng chính quyền "
            "điện tử 7 tháng đầu năm và đề ra giải pháp 5 tháng cuối năm 2021",
        ),
        Article(
            "002_f27cecebfc345aad.txt",
            "Tăng cường ứng dụng CNTT trong hoạt động của các cơ quan nhà nước",
            publisher="Trung tâm Công nghệ thông tin và Truyền thông Vĩnh Phúc",
            published_on=datetime.date(2016, 10, 10),
            evidence=(
                "TRUNG TÂM CÔNG NGHỆ THÔNG TIN VÀ TRUYỀN THÔNG VĨNH PHÚC",
                "Ngày đăng: 10/10/2016",
            ),
        ),
        Article(
            "003_03567fd821d6ea94.txt",
            "Phát triển và ứng dụng công nghệ thông tin xây dựng Chính phủ điện tử tỉnh Đắk Lắk "
            "giai đoạn 2016 – 2020",
            published_on=datetime.date(2016, 7, 13),
            evidence=("17:12, 13/07/2016",),
        ),
        Article(
            "004_9d3f90d52301eb61.txt",
            "Quảng Bình: 100% cơ quan Nhà nước sử dụng hệ thống phần mềm dùng chung năm 2018",
        ),
    )
}

_CORPUS_FILE = re.compile(r"^(\d{3}_[0-9a-f]{16}\.txt)\s+—\s+")


@dataclass(frozen=True)
class Citation:
    title: str
    publisher: str = ""
    published_on: datetime.date | None = None
    url: str = ""
    # The loader's words after the file name, where they say more than the title (which part
    # of the article: "tin liên quan: 70% văn bản đi", the document it reports).
    detail: str = ""


def cite(source: str) -> Citation:
    """How a stored source reads: the article's own title, publisher and date for a seed's
    article (the loader's words after the file name describe the document the article
    reports, not the article); the text as typed (a document's number, an official's note)
    otherwise."""
    source = (source or "").strip()
    found = _CORPUS_FILE.match(source)
    if found is None:
        return Citation(title=source)
    article = ARTICLES.get(found.group(1))
    words = source[found.end() :].strip()
    if article is None:
        return Citation(title=words)
    return Citation(
        title=article.title,
        detail="" if " ".join(words.split()) == " ".join(article.title.split()) else words,
        publisher=article.publisher,
        published_on=article.published_on,
        url=article.url,
    )
