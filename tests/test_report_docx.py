"""The quarterly report as a Word document (reports/report_document.py): read back with
python-docx — the Decree 30/2020/NĐ-CP layout, the dashboard's figures in its tables, who may
download it, and a bounded number of queries."""

import datetime
import io

import docx
import pytest
from django.contrib.auth import get_user_model
from docx.shared import Pt

from accounts.services import demo_users_create
from units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    demo_users_create()


def login(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def unit(code: str, on: str) -> Unit:
    return Unit.objects.in_force(datetime.date.fromisoformat(on)).get(code=code)


def url(u: Unit, period: str) -> str:
    return f"/dashboard/{u.pk}/report.docx?period={period}"


def read(response) -> docx.Document:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return docx.Document(io.BytesIO(response.content))


def table(document, kind: str):
    for t in document.tables:
        found = t._tbl.tblPr.find(docx.oxml.ns.qn("w:tblDescription"))
        if found is not None and found.get(docx.oxml.ns.qn("w:val")) == kind:
            return [[c.text for c in row.cells] for row in t.rows]
    raise AssertionError(f"no {kind} table")


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


@pytest.fixture
def vinh_linh_report(client, users):
    login(client, "quangtri.bcd")
    response = client.get(url(unit("464", "2020-10-13"), "2020Q4"))
    return response, read(response)


def test_the_layout_is_decree_30s(vinh_linh_report):
    response, document = vinh_linh_report
    disposition = response["Content-Disposition"]
    assert 'filename="bao-cao-cntt-464-2020Q4.docx"' in disposition
    assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o" in disposition
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert 20 <= round(section.top_margin.mm) <= 25
    assert 20 <= round(section.bottom_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35
    assert 15 <= round(section.right_margin.mm) <= 20
    left, right = (cell.text.split("\n") for cell in document.tables[0].rows[0].cells)
    assert left[0] == "UBND TỈNH QUẢNG TRỊ"
    assert left[1] == "ỦY BAN NHÂN DÂN HUYỆN VĨNH LINH"
    assert "Số:      /BC-UBND" in left
    assert right[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert right[3].startswith("Quảng Trị, ngày")
    motto = document.tables[0].rows[0].cells[1].paragraphs
    assert motto[0].runs[0].bold and Pt(12) <= motto[0].runs[0].font.size <= Pt(13)
    assert motto[1].runs[0].bold and Pt(13) <= motto[1].runs[0].font.size <= Pt(14)
    assert motto[3].runs[0].italic
    lines = texts(document)
    assert "BÁO CÁO" in lines
    assert (
        "Tình hình ứng dụng công nghệ thông tin, phát triển chính quyền điện tử quý 4 năm 2020"
        in lines
    )
    assert any(line.startswith("Kính gửi:") for line in lines)
    for heading in ("I. ", "II. ", "III. ", "IV. "):
        assert any(line.startswith(heading) for line in lines), heading
    assert sum(line.startswith("[Đánh giá, nhận xét") for line in lines) == 4
    signer = document.tables[-1].rows[0].cells
    assert signer[0].paragraphs[0].text == "Nơi nhận:"
    assert signer[0].paragraphs[0].runs[0].bold and signer[0].paragraphs[0].runs[0].italic
    assert signer[0].paragraphs[1].runs[0].font.size == Pt(11)
    assert signer[1].text.split("\n")[:2] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    # Times New Roman throughout: body 13–14 pt, tables 12–13 pt.
    assert document.styles["Normal"].font.name == "Times New Roman"
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            assert run.font.name == "Times New Roman"
            assert Pt(13) <= run.font.size <= Pt(14)
    for t in document.tables[1:-1]:
        assert t._tbl.tr_lst[0].trPr.find(docx.oxml.ns.qn("w:tblHeader")) is not None
        for row in t.rows:
            for cell in row.cells:
                for run in cell.paragraphs[0].runs:
                    assert run.font.name == "Times New Roman"
                    assert Pt(12) <= run.font.size <= Pt(13)


def test_the_tables_hold_the_dashboards_figures(vinh_linh_report):
    _response, document = vinh_linh_report
    headline = table(document, "headline")
    assert headline[0][:3] == ["TT", "Chỉ tiêu", "Giá trị"]
    rows = {r[1]: r for r in headline[1:]}
    # The seed's figures of October 2020, as the dashboard shows them.
    assert rows["Tỷ lệ văn bản điện tử được ký số"][2:4] == ["70", "%"]
    assert rows["Có Cổng/Trang thông tin điện tử"][2:4] == ["Có", "Có/không"]
    # The 2021–2025 plan does not apply to 2020Q4: no target, said so.
    assert {r[6] for r in headline[1:]} == {"Không có mục tiêu"}
    assert "Không có kế hoạch nào áp dụng cho đơn vị trong kỳ." in texts(document)
    ranking = table(document, "ranking")
    vinh_linh = unit("464", "2020-10-13")
    children = Unit.objects.in_force(datetime.date(2020, 12, 31)).filter(parent=vinh_linh)
    assert len(ranking) - 1 == children.count() > 0
    assert {r[1] for r in ranking[1:]} == set(children.values_list("name", flat=True))
    completeness = table(document, "completeness")
    assert all("/" in r[2] for r in completeness[1:])
    assert table(document, "laggards")[0][1] == "Đơn vị, cơ quan"


def test_who_may_download_it(client, users):
    """Every signed-in user, as the dashboard (approved figures are open data); who has
    reported only for the unit's readers (issue 19, item 1)."""
    vinh_linh = unit("464", "2020-10-13")
    login(client, "hoxa.nhaplieu")  # an official of a commune below: not the district's
    response = client.get(url(vinh_linh, "2020Q4"))
    assert response.status_code == 200
    outsider = read(response)
    assert any("chỉ dành cho cán bộ của đơn vị" in t for t in texts(outsider))
    with pytest.raises(AssertionError, match="no completeness table"):
        table(outsider, "completeness")
    login(client, "vinhlinh.nhaplieu")
    reader = read(client.get(url(vinh_linh, "2020Q4")))
    assert not any("chỉ dành cho cán bộ của đơn vị" in t for t in texts(reader))
    assert table(reader, "completeness")
    client.logout()
    assert client.get(url(vinh_linh, "2020Q4")).status_code == 302
    login(client, "admin")
    assert client.get("/dashboard/999999/report.docx").status_code == 404


def test_a_2025_province_and_a_commune_without_children(
    client, users, django_assert_max_num_queries
):
    login(client, "admin")
    quang_tri = unit("44", "2026-01-01")
    with django_assert_max_num_queries(70):
        document = read(client.get(url(quang_tri, "2025Q3")))
    left = document.tables[0].rows[0].cells[0].text.split("\n")
    assert left[0] == "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ"  # no body above a province
    assert len(table(document, "ranking")) > 1
    commune = unit("19363", "2025-07-01")
    document = read(client.get(url(commune, "2025Q3")))
    assert table(document, "ranking") == [["Hạng", "Đơn vị", "Chỉ số sẵn sàng (0–100)", "Độ phủ"]]
    assert "Đơn vị không có đơn vị trực thuộc trong kỳ." in texts(document)


def test_queries_do_not_grow_with_the_units_below(client, users, django_assert_max_num_queries):
    login(client, "quangtri.bcd")
    quang_tri = unit("45", "2020-10-13")
    # Measured: 57 queries for Tỉnh Quảng Trị 2020Q4 (its districts and communes below), as
    # many as its dashboard page; 50 for Huyện Vĩnh Linh. Not one per unit below.
    with django_assert_max_num_queries(70):
        document = read(client.get(url(quang_tri, "2020Q4")))
    assert len(table(document, "ranking")) > 5
    # The tiers the dashboard's cards show: Vĩnh Linh's 70% of documents digitally signed.
    headline = {r[1]: r for r in table(document, "headline")[1:]}
    signed = headline["Tỷ lệ văn bản điện tử được ký số"][2].split("\n")
    assert signed == ["70 (độ phủ thấp: 1/10 huyện)", "Các huyện: 70 (độ phủ thấp: 1/10 huyện)"]


def test_targets_and_laggards_where_a_plan_applies(client, users):
    login(client, "admin")
    document = read(client.get(url(unit("44", "2018-01-01"), "2018")))
    title = "Tình hình ứng dụng công nghệ thông tin, phát triển chính quyền điện tử năm 2018"
    assert title in texts(document)
    headline = table(document, "headline")
    targeted = [r for r in headline[1:] if r[4] != "—"]
    assert targeted, headline
    assert all("2342/KH-UBND" in r[4] for r in targeted)
    assert {r[6] for r in targeted} <= {
        "Đã đạt",
        "Đúng tiến độ",
        "Chậm tiến độ",
        "Không tiến triển",
        "Chưa có số liệu",
    }
    document = read(client.get(url(unit("26", "2016-10-03"), "2016")))
    laggards = table(document, "laggards")
    assert len(laggards) > 1
    assert {r[5] for r in laggards[1:]} <= {"Chậm tiến độ", "Không tiến triển", "Chưa có số liệu"}


def test_the_document_follows_the_requests_language(client, users):
    login(client, "quangtri.bcd")
    vinh_linh = unit("464", "2020-10-13")
    english = read(client.get(url(vinh_linh, "2020Q4"), HTTP_ACCEPT_LANGUAGE="en"))
    vietnamese = read(client.get(url(vinh_linh, "2020Q4")))
    # The indicators' names are translated in the catalogue: the English file has those.
    names = {r[1] for r in table(english, "headline")[1:]}
    assert names.isdisjoint(r[1] for r in table(vietnamese, "headline")[1:])
