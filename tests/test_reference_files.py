"""The reference-file reader: what it accepts, and the row it names when it refuses."""

from pathlib import Path

import pytest

from units.reference_files import (
    ReferenceFileError,
    division_type_for,
    legal_basis_in,
    official_name,
    read_province_mergers,
    read_units_file,
)

HEADER = "level,code,name,division_type,parent_code\n"


def write(tmp_path: Path, text: str, name: str = "units.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("level", "name", "file_type", "expected"),
    [
        ("province", "Thành phố Hà Nội", "tỉnh", "thanh_pho_trung_uong"),
        ("province", "Tỉnh Quảng Trị", "tỉnh", "tinh"),
        ("province", "Quảng Trị", "tỉnh", "tinh"),
        ("district", "Huyện Vĩnh Linh", "huyện", "huyen"),
        ("district", "Quận Ba Đình", "huyện", "quan"),
        ("district", "Thị xã Quảng Trị", "huyện", "thi_xa"),
        ("district", "Thành phố Đông Hà", "huyện", "thanh_pho"),
        ("commune", "Thị trấn Hồ Xá", "xã", "thi_tran"),
        ("commune", "Phường 1", "xã", "phuong"),
        ("commune", "Xã Vĩnh Long", "xã", "xa"),
        ("commune", "Đặc khu Côn Đảo", "đặc khu", "dac_khu"),
    ],
)
def test_division_type_follows_the_name(level, name, file_type, expected):
    assert division_type_for(level, name, file_type) == expected


def test_bare_province_names_get_their_title():
    assert official_name("province", "tinh", "Quảng Trị") == "Tỉnh Quảng Trị"
    assert official_name("province", "tinh", "Tỉnh Quảng Bình") == "Tỉnh Quảng Bình"
    assert official_name("province", "thanh_pho_trung_uong", "Thành phố Huế") == "Thành phố Huế"


def test_reads_a_small_three_tier_file(tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "province,45,Tỉnh Quảng Trị,tỉnh,\n"
        + "district,464,Huyện  Vĩnh Linh,huyện,45\n"
        + "commune,19363,Thị trấn Hồ Xá,xã,464\n",
    )
    rows = read_units_file(path)
    assert [(r.code, r.name, r.division_type, r.row) for r in rows] == [
        ("45", "Tỉnh Quảng Trị", "tinh", 2),
        ("464", "Huyện Vĩnh Linh", "huyen", 3),
        ("19363", "Thị trấn Hồ Xá", "thi_tran", 4),
    ]


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("commune,1936,Xã Vĩnh Long,xã,464", "cột code"),
        ("hamlet,19364,Thôn A,xã,464", "cột level"),
        ("commune,19364,,xã,464", "cột name"),
        ("commune,19364,Xã Vĩnh Long,xã,999", "cột parent_code"),
        ("commune,19363,Xã Vĩnh Long,xã,464", "đã xuất hiện"),
    ],
)
def test_names_the_file_row_and_column_of_a_bad_row(tmp_path, bad_line, message):
    path = write(
        tmp_path,
        HEADER
        + "province,45,Tỉnh Quảng Trị,tỉnh,\n"
        + "district,464,Huyện Vĩnh Linh,huyện,45\n"
        + "commune,19363,Thị trấn Hồ Xá,xã,464\n"
        + bad_line
        + "\n",
    )
    with pytest.raises(ReferenceFileError) as caught:
        read_units_file(path)
    assert caught.value.row == 5
    assert "units.csv, dòng 5" in str(caught.value)
    assert message in str(caught.value)


def test_refuses_a_file_without_its_columns(tmp_path):
    path = write(tmp_path, "code,name\n01,Hà Nội\n")
    with pytest.raises(ReferenceFileError, match="thiếu cột level"):
        read_units_file(path)


def test_refuses_a_province_listed_twice_in_the_mergers(tmp_path):
    path = write(
        tmp_path,
        "new_code,new_name,old_code,old_name\n44,Quảng Trị,45,Tỉnh Quảng Trị\n"
        "44,Quảng Trị,45,Tỉnh Quảng Trị\n",
        name="mergers.csv",
    )
    with pytest.raises(ReferenceFileError, match="dòng 3"):
        read_province_mergers(path)


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (
            "Hợp nhất xã A và xã B. Bỏ cấp huyện. Số: 1680/NQ-UBTVQH15; Ngày: 16/06/2025",
            "1680/NQ-UBTVQH15",
        ),
        ("202/2025/QH15 - 12/06/2025", "202/2025/QH15"),
        ("", ""),
    ],
)
def test_reads_the_legal_basis_of_a_note(note, expected):
    assert legal_basis_in(note) == expected
