"""The lineage matcher: note parsing, homonym handling, and the whole 2024 -> 2025 match."""

import csv
import time
from collections import Counter
from pathlib import Path

import pytest

from units.lineage_matching import (
    CommuneLink,
    ManualLink,
    NewCommune,
    OldCommune,
    coverage_report,
    match_communes,
    parse_note,
    read_manual_links,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
UNITS = FIXTURES / "units"
TAIL = ". Bỏ cấp huyện. Số: 1680/NQ-UBTVQH15; Ngày: 16/06/2025"


def names(note: str) -> list[tuple[str, bool]]:
    return [(i.name, i.is_partial) for i in parse_note(note).predecessors]


# --------------------------------------------------------------------------- parse_note


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (
            "Hợp nhất thị trấn Hồ Xá, xã Vĩnh Long và xã Vĩnh Chấp" + TAIL,
            [("Hồ Xá", False), ("Vĩnh Long", False), ("Vĩnh Chấp", False)],
        ),
        (
            "Hợp nhất các xã Nậm Chảy, Thanh Bình, Tung Chung Phố và xã Nấm Lư ." + TAIL,
            [
                ("Nậm Chảy", False),
                ("Thanh Bình", False),
                ("Tung Chung Phố", False),
                ("Nấm Lư", False),
            ],
        ),
        (
            "Hợp nhất phường Phú Diễn, 1 phần phường Cổ Nhuế 1, một phần phường Mai Dịch" + TAIL,
            [("Phú Diễn", False), ("Cổ Nhuế 1", True), ("Mai Dịch", True)],
        ),
        (
            "Hợp nhất xã Hàng Vịnh, phần còn lại của thị trấn Năm Căn, xã Hàm Rồng ." + TAIL,
            [("Hàng Vịnh", False), ("Năm Căn", True), ("Hàm Rồng", False)],
        ),
        (
            "Hợp nhất Phường 19, Phường 22 và Phường 25 thuộc quận Bình Thạnh" + TAIL,
            [("Phường 19", False), ("Phường 22", False), ("Phường 25", False)],
        ),
        (
            # Cut off mid-name: the stub is kept, the lone "1" is not taken for "Phường 1".
            "Hợp nhất phường Lý Thái Tổ, 1 phần phường Điện Biên, 1" + TAIL,
            [("Lý Thái Tổ", False), ("Điện Biên", True)],
        ),
        (
            "Hợp nhất phường Quán Thánh, 1 phần phường C" + TAIL,
            [("Quán Thánh", False), ("C", True)],
        ),
        (
            # "Nhất", "Hợp", "Thành" inside names are not verbs.
            "Hợp nhất xã Nhất Tiến, Tân Thành và Nhất Hòa thành" + TAIL,
            [("Nhất Tiến", False), ("Tân Thành", False), ("Nhất Hòa", False)],
        ),
        (
            "Hợp nhất thị trấn Nông trường Lệ Ninh, xã Sơn Thuỷ và xã Hoa Thuỷ" + TAIL,
            [("Nông trường Lệ Ninh", False), ("Sơn Thuỷ", False), ("Hoa Thuỷ", False)],
        ),
        (
            "Hợp nhất xã Ea Lâm và một phần diện tích tự nhiên là 22,20 km2, quy mô dân số là "
            "1.345 người của xã Ea Bar thuộc huyện Sông Hinh, tỉnh Phú Yên hiện nay" + TAIL,
            [("Ea Lâm", False), ("Ea Bar", True)],
        ),
        (
            # An opening bracket never closed must not swallow the rest of the list.
            "Hợp nhất xã Tân Đông (huyện Thạnh Hóa, xã Thủy Đông, xã Tân Tây" + TAIL,
            [("Tân Đông", False), ("Thủy Đông", False), ("Tân Tây", False)],
        ),
        (
            "Hợp nhất Phường 1, Phường 3 thuộc thành phố Tây Ninh, Phường IV, 1 phần xã Thái Bình"
            + TAIL,
            [("Phường 1", False), ("Phường 3", False), ("Phường IV", False), ("Thái Bình", True)],
        ),
        (
            "Đổi tên thành Ngự Thiên, hợp thành xã Tân Hòa xã Canh Tân, Cộng Hòa" + TAIL,
            [("Tân Hòa", False), ("Canh Tân", False), ("Cộng Hòa", False)],
        ),
        ("Giữ nguyên, không thực hiện sắp xếp" + TAIL, []),
        ("", []),
    ],
)
def test_parse_note_predecessors(note, expected):
    assert names(note) == expected


@pytest.mark.parametrize(
    ("note", "renamed_from"),
    [
        ("Đổi tên từ xã Yên Sơn thành xã Đô Lương, hợp nhất xã Bắc Sơn" + TAIL, "Yên Sơn"),
        ("Đổi loại hình, đổi tên từ thị trấn Năm Căn thành xã Năm Căn" + TAIL, "Năm Căn"),
        ("Đổi tên Phường 2 thành phường Trường Long Hòa, hợp nhất Phường 2" + TAIL, "Phường 2"),
        # The source name may itself contain "Hợp" or "Thành".
        ("Đổi tên từ xã Khánh Hợp thành xã Đông Lộc, hợp nhất xã Đông Lộc" + TAIL, "Khánh Hợp"),
        ("Đổi tên từ xã Tân Thành thành xã Tân Tiến" + TAIL, "Tân Thành"),
        ("Đổi tên thành xã Trường Hà, hợp nhất xã Sóc Hà" + TAIL, None),
        ("Đổi tên mới thành Đồng Châu, hợp nhất xã Đông Hoàng" + TAIL, None),
    ],
)
def test_parse_note_rename_source(note, renamed_from):
    parsed = parse_note(note)
    got = parsed.renamed_from.name if parsed.renamed_from else None
    assert got == renamed_from


def test_parse_note_target_name_is_not_a_predecessor():
    note = (
        "Đổi tên từ phường Tân Long thành phường Quang Triều và hợp nhất phường Tân Long, "
        "xã Sơn Cẩm"
    )
    assert names(note + TAIL) == [("Tân Long", False), ("Sơn Cẩm", False)]


@pytest.mark.parametrize(
    ("note", "qualifier"),
    [
        ("Hợp nhất Phường 8 (thành phố Bến Tre), phường Phú Khương" + TAIL, "thành phố Bến Tre"),
        (
            "Hợp nhất 1 phần xã Kim Chung thuộc huyện Đông Anh (trước khi thực hiện sắp xếp)"
            + TAIL,
            "huyện Đông Anh",
        ),
        ("Hợp nhất Phường 3, Phường 10, 1 phần Phường 8 thuộc Quận 11" + TAIL, "Quận 11"),
    ],
)
def test_parse_note_qualifiers(note, qualifier):
    parsed = parse_note(note)
    assert qualifier in parsed.qualifiers
    assert qualifier in {i.qualifier for i in parsed.predecessors}


@pytest.mark.parametrize(
    ("note", "legal_basis"),
    [
        ("Hợp nhất xã A và xã B" + TAIL, "1680/NQ-UBTVQH15"),
        ("Giữ nguyên. Số: 1656/NQ-UBTVQH15; Ngày: 16/06/2025", "1656/NQ-UBTVQH15"),
        ("Hợp nhất xã A và xã B.", ""),
        ("", ""),
    ],
)
def test_parse_note_legal_basis(note, legal_basis):
    assert parse_note(note).legal_basis == legal_basis


def test_parse_note_kept_and_whole_district():
    kept = parse_note("Giữ nguyên, không sắp xếp" + TAIL)
    assert kept.kept and not kept.kept_partial
    adjusted = parse_note(
        "Giữ nguyên mã, điều chỉnh 1 phần diện tích tự nhiên nhập vào xã X" + TAIL
    )
    assert adjusted.kept and adjusted.kept_partial
    island = parse_note(
        "Sắp xếp toàn bộ diện tích tự nhiên, quy mô dân số của huyện Cồn Cỏ thành đặc khu có tên "
        "gọi là đặc khu Cồn Cỏ" + TAIL
    )
    assert island.whole_districts == ("Cồn Cỏ",)
    assert island.predecessors == ()


# --------------------------------------------------------------------------- match_communes

# A small made-up province "90" (old 91 + 92) with homonyms, for the matcher's rules.
OLD = [
    OldCommune("00001", "Thị trấn An Lạc", "001", "Huyện An Phú", "91"),
    OldCommune("00002", "Xã Bình Minh", "001", "Huyện An Phú", "91"),
    OldCommune("00003", "Xã Hoà Bình", "001", "Huyện An Phú", "91"),
    OldCommune("00004", "Xã Tân Lập", "001", "Huyện An Phú", "91"),
    OldCommune("00005", "Xã Tân Lập", "002", "Huyện Bắc Sơn", "92"),
    OldCommune("00006", "Xã Bắc Hà", "002", "Huyện Bắc Sơn", "92"),
    OldCommune("00007", "Phường 1", "003", "Quận 5", "92"),
    OldCommune("00008", "Phường 1", "004", "Quận 6", "92"),
    OldCommune("00009", "Phường 2", "004", "Quận 6", "92"),
    OldCommune("00010", "Xã Đông Hải", "002", "Huyện Bắc Sơn", "92"),
    OldCommune("00011", "Xã Cát Tiên", "005", "Huyện Nam Đàn", "93"),  # another province
    OldCommune("00012", "Xã Tân Lập", "006", "Huyện Cao Phong", "92"),
]
PROVINCES = {"91": "90", "92": "90", "93": "95"}


def new(code: str, name: str, note: str, province: str = "90") -> NewCommune:
    return NewCommune(code, name, province, note + TAIL if note else "")


def links_of(result, new_code: str) -> dict[str, CommuneLink]:
    return {link.old_code: link for link in result.links if link.new_code == new_code}


def test_merge_with_tone_variants_and_legal_basis():
    result = match_communes(
        old_communes=OLD,
        new_communes=[new("00001", "Xã An Lạc", "Hợp nhất thị trấn An Lạc, xã Hòa Bình")],
        province_map=PROVINCES,
    )
    got = links_of(result, "00001")
    assert set(got) == {"00001", "00003"}
    assert {link.kind for link in got.values()} == {"merge"}
    assert got["00003"].legal_basis == "1680/NQ-UBTVQH15"
    assert got["00003"].method == "note"


@pytest.mark.parametrize(
    ("note", "code", "expected"),
    [
        # Own qualifier names the district.
        ("Hợp nhất xã Bắc Hà, xã Tân Lập (huyện An Phú)", "00006", {"00006", "00004"}),
        ("Hợp nhất xã Bắc Hà, xã Tân Lập thuộc huyện Cao Phong", "00006", {"00006", "00012"}),
        # The code holder is one of the homonyms.
        ("Hợp nhất xã Tân Lập, xã Bắc Hà", "00005", {"00005", "00006"}),
        # The note's other predecessor lies in one homonym's district.
        ("Hợp nhất xã Đông Hải, xã Tân Lập", "99999", {"00010", "00005"}),
        # A qualifier after the list applies to the numbered wards before it.
        ("Hợp nhất Phường 1, Phường 2 thuộc Quận 6", "99998", {"00008", "00009"}),
    ],
)
def test_homonyms_are_told_apart(note, code, expected):
    result = match_communes(
        old_communes=OLD, new_communes=[new(code, "Xã Mới", note)], province_map=PROVINCES
    )
    assert set(links_of(result, code)) == expected
    assert result.unresolved == []


def test_ambiguous_name_is_left_unresolved():
    # Three "Tân Lập" and nothing in the note to choose between them.
    result = match_communes(
        old_communes=OLD,
        new_communes=[new("99999", "Xã Mới", "Hợp nhất xã Tân Lập")],
        province_map=PROVINCES,
    )
    assert links_of(result, "99999") == {}
    [miss] = result.unresolved
    assert miss.reason.startswith("ambiguous")
    assert "Tân Lập" in miss.fragment


def test_other_provinces_and_unknown_names_are_not_linked():
    result = match_communes(
        old_communes=OLD,
        new_communes=[new("99999", "Xã Mới", "Hợp nhất xã Bình Minh, xã Cát Tiên, xã Không Có")],
        province_map=PROVINCES,
    )
    assert set(links_of(result, "99999")) == {"00002"}
    assert {u.reason for u in result.unresolved} == {"not found"}


@pytest.mark.parametrize(
    ("new_commune", "kind", "partial"),
    [
        (new("00002", "Xã Bình Minh", "Giữ nguyên, không sắp xếp"), "kept", False),
        (new("00002", "Xã Bình Yên", "Đổi tên từ xã Bình Minh thành xã Bình Yên"), "rename", False),
        (new("00002", "Xã Bình Minh", "Hợp nhất 1 phần xã Bình Minh"), "split", True),
    ],
)
def test_kinds(new_commune, kind, partial):
    result = match_communes(old_communes=OLD, new_communes=[new_commune], province_map=PROVINCES)
    [link] = result.links
    assert (link.old_code, link.kind, link.is_partial) == ("00002", kind, partial)


def test_noteless_commune_keeps_its_code_holder():
    result = match_communes(
        old_communes=OLD,
        new_communes=[new("00006", "Xã Bắc Hà", ""), new("00011", "Xã Cát Tiên", "", "90")],
        province_map=PROVINCES,
    )
    methods = {(link.old_code, link.new_code): link.method for link in result.links}
    # 00011 lies in another province: no link. Bắc Hà, the one note-less commune of Huyện Bắc
    # Sơn, also takes by elimination the communes of that district no note names.
    assert methods == {
        ("00006", "00006"): "code",
        ("00005", "00006"): "residue",
        ("00010", "00006"): "residue",
    }


def test_a_commune_shared_by_two_notes_is_partial_in_both():
    result = match_communes(
        old_communes=OLD,
        new_communes=[
            new("00002", "Xã Bình Minh", "Hợp nhất xã Bình Minh, 1 phần xã Hoà Bình"),
            new("00004", "Xã Tân Lập", "Hợp nhất xã Tân Lập, phần còn lại của xã Hoà Bình"),
        ],
        province_map=PROVINCES,
    )
    shared = [link for link in result.links if link.old_code == "00003"]
    assert len(shared) == 2
    assert all(link.is_partial for link in shared)


def test_manual_links_add_and_override(tmp_path):
    path = tmp_path / "manual.csv"
    path.write_text(
        "old_code,new_code,is_partial,note\n00005,99999,1,typo in the note\n00002,99999,0,\n",
        encoding="utf-8",
    )
    manual = read_manual_links(path)
    assert manual[0] == ManualLink("00005", "99999", True, "typo in the note")
    result = match_communes(
        old_communes=OLD,
        new_communes=[new("99999", "Xã Mới", "Hợp nhất xã Tân Lập")],
        province_map=PROVINCES,
        manual=manual,
    )
    got = links_of(result, "99999")
    assert set(got) == {"00002", "00005"}
    assert got["00005"].method == "manual" and got["00005"].is_partial
    assert result.unresolved == []  # the ambiguous "Tân Lập" is settled by the manual link


def test_coverage_report_counts():
    result = match_communes(
        old_communes=OLD,
        new_communes=[new("00001", "Xã An Lạc", "Hợp nhất thị trấn An Lạc, xã Hòa Bình")],
        province_map=PROVINCES,
    )
    report = coverage_report(result, OLD)
    assert report["old_with_successor"] == 2
    assert report["old_total"] == len(OLD)
    assert report["links_by_method"] == {"note": 2}
    assert report["unresolved"] == 0


MANUAL_FILES = [UNITS / "lineage_manual.csv", FIXTURES / "lineage_manual.csv"]


def manual_links() -> list[ManualLink]:
    # The hand-checked links live in fixtures/units/ (beside the CSVs the loader reads) or,
    # until moved there, in fixtures/.
    links: list[ManualLink] = []
    for path in MANUAL_FILES:
        if path.exists():
            links.extend(read_manual_links(path))
    return links


def test_manual_fixture_is_well_formed():
    manual = manual_links()
    assert manual
    assert all(len(m.old_code) == 5 and len(m.new_code) == 5 and m.note for m in manual)
    assert len({(m.old_code, m.new_code) for m in manual}) == len(manual)


# --------------------------------------------------------------------------- the real data


def read_csv(name: str) -> list[dict[str, str]]:
    with open(UNITS / name, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def real():
    if not (UNITS / "admin_units_2025.csv").exists():
        pytest.skip("fixtures/units/ has not been populated")
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
    new_units = [
        NewCommune(r["code"], r["name"], r["parent_code"], r["note"])
        for r in read_csv("admin_units_2025.csv")
        if r["level"] == "commune"
    ]
    provinces = {r["old_code"]: r["new_code"] for r in read_csv("province_mergers_2025.csv")}
    started = time.perf_counter()
    result = match_communes(
        old_communes=old,
        new_communes=new_units,
        province_map=provinces,
        manual=manual_links(),
    )
    elapsed = time.perf_counter() - started
    return old, new_units, provinces, result, elapsed


def test_real_data_coverage(real):
    old, _, _, result, elapsed = real
    report = coverage_report(result, old)
    assert report["old_total"] == 10051
    assert report["old_with_successor"] / report["old_total"] >= 0.995
    assert elapsed < 10  # a couple of seconds on a normal machine


def test_real_data_vinh_linh(real):
    old, new_units, _, result, _ = real
    new_by_code = {n.code: n for n in new_units}
    vinh_linh = {o.code for o in old if o.district_code == "464"}
    assert len(vinh_linh) == 18
    successors: dict[str, set[str]] = {}
    for link in result.links:
        if link.old_code in vinh_linh:
            successors.setdefault(link.old_code, set()).add(link.new_code)
            assert new_by_code[link.new_code].province_code == "44"
    assert set(successors) == vinh_linh
    assert set(links_of(result, "19363")) == {
        "19363",
        "19387",
        "19375",
    }  # Hồ Xá, Vĩnh Long, V. Chấp
    assert "19366" in links_of(result, "19366")  # Thị trấn Bến Quan -> Xã Bến Quan
    assert "19414" in links_of(result, "19414")  # Thị trấn Cửa Tùng -> Xã Cửa Tùng


def test_real_data_links_respect_provinces_and_are_unique(real):
    old, new_units, provinces, result, _ = real
    old_province = {o.code: o.province_code for o in old}
    new_province = {n.code: n.province_code for n in new_units}
    for link in result.links:
        assert provinces[old_province[link.old_code]] == new_province[link.new_code]
    pairs = Counter((link.old_code, link.new_code) for link in result.links)
    assert max(pairs.values()) == 1


def test_real_data_whole_successor_is_unique(real):
    # An old commune that went whole to one new commune cannot also go to another.
    _, _, _, result, _ = real
    per_old = Counter(link.old_code for link in result.links)
    for link in result.links:
        if per_old[link.old_code] > 1:
            assert link.is_partial, link


@pytest.mark.parametrize(
    ("new_code", "old_code"),
    [
        ("26956", "26956"),  # Thạnh Mỹ Tây <- Phường 22, quận Bình Thạnh
        ("31246", "31246"),  # Thạnh Quới <- "Thạnh Qưới" (a typo in the 2024 list)
        ("05086", "05083"),  # Dũng Tiến <- "Mỵ Hòa" is Mi Hòa of Kim Bôi, not Mỹ Hòa of Tân Lạc
        ("14698", "14695"),  # Kim Trung went to Kim Đông, whose note lists its code holder
        ("00733", "00736"),  # "Sà Phìn" is Xà Phìn (s/x), not its neighbour Tả Phìn
    ],
)
def test_real_data_known_links(real, new_code, old_code):
    _, _, _, result, _ = real
    assert old_code in links_of(result, new_code)


@pytest.mark.parametrize(
    ("new_code", "old_code"),
    [
        ("05158", "05083"),
        ("05086", "05143"),  # Mỹ Hòa (Tân Lạc) is not in Dũng Tiến
        ("14623", "14695"),  # Bình Minh's note repeats Kim Đông's list
        ("20611", "20623"),  # Thu Bồn's note repeats Duy Xuyên's list
    ],
)
def test_real_data_wrong_readings_are_avoided(real, new_code, old_code):
    _, _, _, result, _ = real
    assert old_code not in links_of(result, new_code)
