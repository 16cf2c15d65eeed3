"""Issue 18.4, lineage complete: coverage, special zones, Kim Liên / Văn Miếu, the rules for
new communes without a note, the manual file, and `method` in the API and on the unit page."""

import csv
import io
import time
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.management import call_command

from units.lineage_matching import (
    METHODS,
    NewCommune,
    OldCommune,
    OldDistrict,
    coverage_report,
    match_communes,
    read_manual_links,
)
from units.models import Unit, UnitChange

UNITS = Path(__file__).resolve().parents[1] / "fixtures" / "units"
TAIL = ". Bỏ cấp huyện. Số: 1680/NQ-UBTVQH15; Ngày: 16/06/2025"


def read_csv(name: str) -> list[dict[str, str]]:
    with open(UNITS / name, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def real():
    rows = read_csv("admin_units_2024.csv")
    districts = {r["code"]: r for r in rows if r["level"] == "district"}
    old = [
        OldCommune(
            r["code"],
            r["name"],
            r["parent_code"],
            districts[r["parent_code"]]["name"],
            districts[r["parent_code"]]["parent_code"],
        )
        for r in rows
        if r["level"] == "commune"
    ]
    old_districts = [OldDistrict(c, r["name"], r["parent_code"]) for c, r in districts.items()]
    new = [
        NewCommune(r["code"], r["name"], r["parent_code"], r["note"])
        for r in read_csv("admin_units_2025.csv")
        if r["level"] == "commune"
    ]
    provinces = {r["old_code"]: r["new_code"] for r in read_csv("province_mergers_2025.csv")}
    manual = read_manual_links(UNITS / "lineage_manual.csv")
    started = time.perf_counter()
    result = match_communes(
        old_communes=old,
        new_communes=new,
        province_map=provinces,
        manual=manual,
        old_districts=old_districts,
    )
    elapsed = time.perf_counter() - started
    return old, new, provinces, manual, result, elapsed


def preds(result, new_code: str) -> dict:
    return {link.old_code: link for link in result.links if link.new_code == new_code}


# --------------------------------------------------------------------------- the real files


def test_coverage_reaches_99_5_percent(real):
    old, _, _, _, result, elapsed = real
    report = coverage_report(result, old)
    assert report["old_total"] == 10051
    assert report["old_with_successor"] / report["old_total"] >= 0.995
    assert elapsed < 10  # about a second: the matcher reads no database


def test_every_link_says_how_it_was_found(real):
    _, _, _, _, result, _ = real
    assert {link.method for link in result.links} <= set(METHODS)
    assert {"note", "note-fuzzy", "code", "name", "residue", "manual"} <= {
        link.method for link in result.links
    }


@pytest.mark.parametrize(
    ("district", "special_zone"),
    [
        ("318", "11948"),  # Huyện Bạch Long Vĩ -> Đặc khu Bạch Long Vĩ
        ("471", "19742"),  # Huyện Cồn Cỏ -> Đặc khu Cồn Cỏ
        ("498", "20333"),  # Huyện Hoàng Sa -> Đặc khu Hoàng Sa
        ("536", "21548"),  # Huyện Lý Sơn -> Đặc khu Lý Sơn
        ("755", "26732"),  # Huyện Côn Đảo -> Đặc khu Côn Đảo
    ],
)
def test_island_districts_become_their_special_zones(real, district, special_zone):
    _, _, _, _, result, _ = real
    [link] = [d for d in result.district_links if d.old_code == district]
    assert (link.new_code, link.method, link.is_partial) == (special_zone, "note", False)
    assert link.legal_basis.endswith("/NQ-UBTVQH15")


def test_only_the_island_districts_are_linked_directly(real):
    _, _, _, _, result, _ = real
    assert sorted(d.old_code for d in result.district_links) == ["318", "471", "498", "536", "755"]


def test_kim_lien_and_van_mieu_are_untangled(real):
    _, _, _, _, result, _ = real
    # The note on Phường Kim Liên (00226) forms Văn Miếu – Quốc Tử Giám (00196), which has none.
    assert result.notes_moved["00226"] == "00196"
    van_mieu = preds(result, "00196")
    for old_code in ("00202", "00205", "00193"):  # Khâm Thiên, Thổ Quan, Văn Chương, whole
        assert van_mieu[old_code].method == "note"
        assert not van_mieu[old_code].is_partial
    for old_code in ("00019", "00196", "00181", "00073"):  # Điện Biên, Hàng Bột, VM-QTG, Cửa Nam
        assert van_mieu[old_code].is_partial
    assert van_mieu["00226"].is_partial  # Phương Liên - Trung Tự, renamed: part of it
    assert van_mieu["00202"].legal_basis == "1656/NQ-UBTVQH15"
    kim_lien = preds(result, "00226")
    assert kim_lien["00229"].method == "name"  # Phường Kim Liên of 2024
    assert kim_lien["00226"].method == "code" and kim_lien["00226"].is_partial
    assert not {"00202", "00205", "00193"} & set(kim_lien)


def test_hoang_mai_reads_the_note_left_on_yen_so(real):
    _, _, _, _, result, _ = real
    assert result.notes_moved["00331"] == "00319"
    hoang_mai = preds(result, "00319")
    assert {"00325", "00337", "00322", "00319", "00331", "00313"} <= set(hoang_mai)
    assert hoang_mai["00334"].method == "note-fuzzy"  # "1 phần phường Tr" cut off: Trần Phú
    yen_so = preds(result, "00331")
    assert yen_so["00340"].method == "name" and yen_so["00340"].is_partial
    assert "09856" not in yen_so  # Xã Yên Sở of Hoài Đức is another commune


def test_the_rest_of_a_divided_commune_is_linked(real):
    _, _, _, _, result, _ = real
    # Xã Kiên Mộc: "... phần còn lại của xã Bính Xá sau khi sắp xếp theo quy định tại khoản 40"
    bính_xá = {link.new_code: link for link in result.links if link.old_code == "06622"}
    assert set(bính_xá) == {"06613", "06625"}
    assert all(link.is_partial and link.method == "note" for link in bính_xá.values())


def test_every_part_a_note_names_is_linked(real):
    """No "1 phần" / "một phần" / "phần còn lại" left unread but names cut off too short."""
    _, _, _, _, result, _ = real
    unread = {u.fragment for u in result.unresolved if "phần" in u.fragment}
    # "1 phần p. Bỏ cấp huyện", "1 phần x", "một phần phường Đông" (a dozen Đông… wards) and
    # "một phần xã . Bỏ cấp huyện": the notes stop there.
    assert unread == {"1 phần p", "1 phần x", "một phần phường Đông", "một phần xã"}


def test_elimination_links_only_where_one_noteless_commune_can_take_it(real):
    _, _, _, _, result, _ = real
    residue = [link for link in result.links if link.method == "residue"]
    assert len(residue) > 100
    # Phường Quan Hoa (Q. Cầu Giấy), in no note; Phường Cầu Giấy kept Phường Nghĩa Tân's code.
    assert preds(result, "00167")["00169"].method == "residue"
    # Q. Hoàn Kiếm: the notes of Hoàn Kiếm and Ba Đình are cut off, so no elimination there;
    # Đồng Xuân goes where the manual file says (Hoàn Kiếm and Ba Đình), not to Cửa Nam.
    dong_xuan = {link.new_code: link.method for link in result.links if link.old_code == "00040"}
    assert dong_xuan == {"00070": "manual", "00004": "manual"}


def test_manual_lines_have_reasons_and_real_codes(real):
    old, new, provinces, manual, _, _ = real
    old_province = {o.code: o.province_code for o in old}
    new_province = {n.code: n.province_code for n in new}
    assert len(manual) > 100
    for line in manual:
        assert len(line.note) > 40, line  # what the note says and why this old commune
        assert line.old_code in old_province, line
        assert provinces[old_province[line.old_code]] == new_province[line.new_code], line
    assert len({(m.old_code, m.new_code) for m in manual}) == len(manual)


def test_a_commune_with_several_manual_successors_is_partial_in_each(real):
    _, _, _, manual, _, _ = real
    successors = defaultdict(list)
    for line in manual:
        successors[line.old_code].append(line)
    for lines in successors.values():
        if len(lines) > 1:
            assert all(line.is_partial for line in lines), lines


# --------------------------------------------------------------------------- the rules, small

OLD = [
    OldCommune("00001", "Xã An Lạc", "001", "Huyện An Phú", "91"),
    OldCommune("00002", "Xã Bình Minh", "001", "Huyện An Phú", "91"),
    OldCommune("00003", "Xã Hoà Bình", "001", "Huyện An Phú", "91"),
    OldCommune("00004", "Xã Tân Lập", "001", "Huyện An Phú", "91"),
    OldCommune("00005", "Xã Đông Hải", "002", "Huyện Bắc Sơn", "91"),
    OldCommune("00006", "Xã Tây Hải", "002", "Huyện Bắc Sơn", "91"),
    OldCommune("00007", "Xã Nam Hải", "002", "Huyện Bắc Sơn", "91"),
    OldCommune("00008", "Xã Trung Hải", "002", "Huyện Bắc Sơn", "91"),
]
ISLAND = OldDistrict("009", "Huyện Cồn Mới", "91")
PROVINCES = {"91": "90"}


def new(code: str, name: str, note: str = "") -> NewCommune:
    return NewCommune(code, name, "90", note + TAIL if note else "")


def match(*news: NewCommune, manual=()):
    return match_communes(
        old_communes=OLD,
        new_communes=list(news),
        province_map=PROVINCES,
        manual=manual,
        old_districts=[ISLAND],
    )


def test_a_district_without_communes_becomes_a_special_zone():
    result = match(
        new(
            "00099",
            "Đặc khu Cồn Mới",
            "Sắp xếp toàn bộ diện tích tự nhiên, quy mô dân số của huyện Cồn Mới thành đặc khu",
        )
    )
    [link] = result.district_links
    assert (link.old_code, link.new_code, link.kind, link.method) == (
        "009",
        "00099",
        "kept",
        "note",
    )
    assert result.links == []


def test_the_only_noteless_commune_of_a_district_takes_what_no_note_names():
    result = match(
        new("00001", "Xã An Lạc", "Hợp nhất xã An Lạc, xã Bình Minh"),
        new("00003", "Xã Hoà Bình"),  # no note: keeps 00003 by code, 00004 by elimination
    )
    got = preds(result, "00003")
    assert got["00003"].method == "code"
    assert got["00004"].method == "residue" and not got["00004"].is_partial


def test_no_elimination_between_two_noteless_communes():
    result = match(new("00005", "Xã Đông Hải"), new("00006", "Xã Tây Hải"))
    assert {link.old_code for link in result.links} == {"00005", "00006"}


def test_no_elimination_where_a_note_of_the_district_is_cut_off():
    result = match(
        new("00005", "Xã Đông Hải", "Hợp nhất xã Đông Hải, 1 phần xã X"),
        new("00006", "Xã Tây Hải"),
    )
    assert "00007" not in {link.old_code for link in result.links}


def test_a_manual_line_wins_over_elimination():
    from units.lineage_matching import ManualLink

    result = match(
        new("00001", "Xã An Lạc", "Hợp nhất xã An Lạc, xã Bình Minh"),
        new("00003", "Xã Hoà Bình"),
        new("00005", "Xã Đông Hải", "Hợp nhất xã Đông Hải, xã Tây Hải, xã Nam Hải, xã Trung Hải"),
        manual=[ManualLink("00004", "00005", False, "the note of Đông Hải is incomplete")],
    )
    assert {link.new_code for link in result.links if link.old_code == "00004"} == {"00005"}


def test_a_note_that_describes_another_noteless_commune_moves_to_it():
    result = match(
        new(
            "00004",
            "Xã Tân Lập",
            "Đổi tên từ xã Tân Lập thành xã Hải Thành, hợp nhất xã Tây Hải, 1 phần xã Đông Hải",
        ),
        new("00005", "Xã Hải Thành"),  # no note; kept Đông Hải's code, named in the note
    )
    assert result.notes_moved == {"00004": "00005"}
    assert set(preds(result, "00005")) == {"00004", "00005", "00006"}
    assert preds(result, "00005")["00006"].method == "note"
    assert preds(result, "00004")["00004"].method == "code"  # the rest of Tân Lập stayed


def test_a_cut_off_last_name_is_read_when_only_one_commune_fits():
    result = match(new("00005", "Xã Đông Hải", "Hợp nhất xã Đông Hải, xã Tây Hải, 1 phần xã Tr"))
    link = preds(result, "00005")["00008"]  # Trung Hải, the only Tr… of the note's district
    assert (link.method, link.is_partial) == ("note-fuzzy", True)


# --------------------------------------------------------------------------- loaded data


@pytest.mark.django_db
def test_the_special_zones_are_stored(django_db_setup):
    for district, special_zone in (("471", "19742"), ("755", "26732"), ("318", "11948")):
        change = UnitChange.objects.get(
            predecessor__code=district, predecessor__level=Unit.Level.DISTRICT
        )
        assert change.successor.code == special_zone
        assert change.successor.division_type == Unit.DivisionType.DAC_KHU
        assert (change.method, change.is_partial) == (UnitChange.Method.NOTE, False)


@pytest.mark.django_db
def test_the_load_summary_shows_coverage_and_lists_what_is_unmatched(django_db_setup):
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    text = out.getvalue()
    line = next(x for x in text.splitlines() if x.startswith("Xã cũ có đơn vị kế thừa:"))
    covered, total = line.split(":")[1].split("(")[0].strip().split("/")
    assert int(total) == 10051 and int(covered) / int(total) >= 0.995
    assert "residue:" in line and "manual:" in line
    assert "xã cũ chưa có đơn vị kế thừa:" in text
    assert "25102 Xã Đạ M'ri (Huyện Đạ Huoai)" in text  # code, name and district


@pytest.mark.django_db
def test_api_gives_each_links_method(api_client, django_db_setup):
    van_mieu = Unit.objects.get(code="00196", valid_to__isnull=True)
    detail = api_client.get(f"/api/v1/units/{van_mieu.pk}/").json()
    methods = {p["code"]: p["method"] for p in detail["predecessors"]}
    assert methods["00202"] == "note"  # Khâm Thiên, read from the note
    kim_lien = Unit.objects.get(code="00226", valid_to__isnull=True)
    detail = api_client.get(f"/api/v1/units/{kim_lien.pk}/").json()
    methods = {p["code"]: p["method"] for p in detail["predecessors"]}
    assert methods == {
        "00226": "code",
        "00229": "name",
        "00238": "manual",
        "00232": "manual",
        "006": "derived",  # Quận Đống Đa, from its communes
    }
    con_co = Unit.objects.get(code="471")
    detail = api_client.get(f"/api/v1/units/{con_co.pk}/").json()
    assert [(s["code"], s["method"]) for s in detail["successors"]] == [("19742", "note")]


@pytest.mark.django_db
def test_the_schema_documents_the_method(client, django_db_setup):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    text = str(schema)
    assert "residue" in text and "lineage_manual.csv" in text


@pytest.mark.django_db
def test_unit_page_shows_how_each_link_was_found(client, django_db_setup):
    text = client.get("/units/00196/").content.decode()
    assert 'data-method="note"' in text
    assert "đọc từ ghi chú" in text
