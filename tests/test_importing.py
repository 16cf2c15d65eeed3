"""Reading figure files as people fill them (no database): periods, numbers, encodings,
columns, formulas, sizes."""

import io
import unicodedata

import openpyxl
import pytest

from indicators.importing import (
    ImportFileError,
    normalise_period,
    parse_number,
    read_figures,
    read_records,
)

HEADER = "unit_code,on,indicator,period,value,numerator,denominator,source\n"


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2021Q3", "2021Q3"),
        ("2021q3", "2021Q3"),
        ("Q3/2021", "2021Q3"),
        ("Q3-2021", "2021Q3"),
        ("2021-Q3", "2021Q3"),
        ("2021 Q3", "2021Q3"),
        ("Quý 3/2021", "2021Q3"),
        ("quý III/2021", "2021Q3"),
        ("Quý 3 năm 2021", "2021Q3"),
        ("2021", "2021"),
        ("2021S1", "2021S1"),
        ("S2/2021", "2021S2"),
        ("H1 2021", "2021S1"),
        ("07/2021", "202107"),
        ("tháng 7/2021", "202107"),
        ("2021-07", "202107"),
        ("202107", "202107"),
    ],
)
def test_period_spellings(text, period):
    if period is None:
        with pytest.raises(ValueError):
            normalise_period(text)
    else:
        assert normalise_period(text) == period


@pytest.mark.parametrize("text", ["Q5/2021", "3/21", "2021/Q", "quarter three", "13/2021", ""])
def test_ambiguous_or_wrong_periods_are_refused_with_the_accepted_forms(text):
    with pytest.raises(ValueError, match="2021Q3"):
        normalise_period(text)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12,5", "12.5"),
        ("12.5", "12.5"),
        ("1.234", "1234"),
        ("1.234.567", "1234567"),
        ("1.234,5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("85%", "85"),
        ("85 %", "85"),
        ("0.125", "0.125"),
        ("", ""),
        (" 7 ", "7"),
    ],
)
def test_vietnamese_number_formats(text, number):
    assert parse_number(text) == number


def test_not_a_number():
    with pytest.raises(ValueError, match="không phải là số"):
        parse_number("mười")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e50000000", "«1e50000000» quá lớn"),
        ("1,5e50000000", "«1,5e50000000» quá lớn"),
        ("1e-50000000", "«1e-50000000» có quá nhiều chữ số sau dấu thập phân"),
        ("1" * 100_000, "dài quá 64 ký tự"),
    ],
)
def test_a_number_no_column_holds_is_refused_before_it_is_written_out(text, message):
    # Before: "1e50000000" came back as fifty million digits, kept in the cache.
    with pytest.raises(ValueError, match=message) as caught:
        parse_number(text)
    assert len(str(caught.value)) < 200


def test_zero_is_zero_whatever_its_exponent():
    assert parse_number("0e-50000000") == "0"


def test_a_long_period_is_refused_with_its_start_only():
    with pytest.raises(ValueError, match="2021Q3") as caught:
        normalise_period("2021Q3" * 20_000)
    assert len(str(caught.value)) < 200


def test_json_and_xlsx_text_is_read_composed_and_a_nul_is_named():
    agency = unicodedata.normalize("NFD", "Văn phòng UBND")
    read = read_records(
        [
            {"unit_code": "464", "indicator": "INF_LAN", "period": "2021Q1", "agency": agency},
            {"unit_code": "46\x004", "indicator": "INF_LAN", "period": "2021Q1", "value": 1},
        ]
    )
    assert [i.agency for i in read.inputs] == ["Văn phòng UBND"]
    assert [(e.row, e.field) for e in read.errors] == [(2, "unit_code")]


def to_cp1258(text: str) -> bytes:
    """Vietnamese the way Windows-1258 stores it: base letters (ă, â, ơ…) precomposed, tone
    marks as combining characters."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", parts[:2])
            try:
                out += base.encode("cp1258") + parts[2:].encode("cp1258")
            except UnicodeEncodeError:
                out += parts.encode("cp1258")
    return out


def csv_file(body: str, encoding: str = "utf-8") -> bytes:
    if encoding == "cp1258":
        return to_cp1258(HEADER + body)
    return (HEADER + body).encode(encoding)


def test_csv_rows_become_inputs_with_their_row_numbers():
    read = read_figures(csv_file("464,2021-01-01,INF_LAN,Q1/2021,1,,,Báo cáo\n"))
    (item,) = read.inputs
    assert (item.unit_code, item.indicator, item.period, item.value, item.row) == (
        "464",
        "INF_LAN",
        "2021Q1",
        "1",
        2,
    )


def test_a_bad_cell_is_reported_with_its_row_and_column():
    read = read_figures(csv_file("464,,INF_LAN,2021/Q,1,,,\n464,,INF_LAN,2021Q1,abc,,,\n"))
    assert read.inputs == []
    assert [(e.row, e.field) for e in read.errors] == [(2, "period"), (3, "value")]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1258"])
def test_excel_csv_encodings(encoding):
    read = read_figures(csv_file("464,,INF_LAN,2021Q1,1,,,Báo cáo của Văn phòng\n", encoding))
    assert read.inputs[0].source == "Báo cáo của Văn phòng"


def test_semicolons_and_vietnamese_headers():
    text = "Mã đơn vị;Ngày;Mã chỉ tiêu;Kỳ;Giá trị\n464;31/03/2021;INF_LAN;Quý 1/2021;1\n"
    (item,) = read_figures(text.encode()).inputs
    assert (item.unit_code, str(item.unit_on), item.period) == ("464", "2021-03-31", "2021Q1")


def test_empty_file():
    with pytest.raises(ImportFileError, match="trống"):
        read_figures(b"  \n")


def test_header_only():
    with pytest.raises(ImportFileError, match="không có dòng"):
        read_figures(HEADER.encode())


def test_a_line_csv_cannot_read_is_a_file_error_not_a_crash():
    # Python's csv refuses a field over 128 KiB; the file is read row by row, so it shows
    # up while the rows are read, and must still be said in words.
    line = '464,2021-03-31,INF_LAN,2021Q1,1,,,"' + "x" * 200_000 + '"\n'
    with pytest.raises(ImportFileError, match="Không đọc được tệp CSV"):
        read_figures((HEADER + line).encode())


def test_missing_columns_are_named():
    with pytest.raises(ImportFileError, match="indicator"):
        read_figures(b"unit_code,period,value\n464,2021Q1,1\n")


def test_extra_columns_are_ignored_and_said():
    read = read_figures(b"unit_code,indicator,period,value,colour\n464,INF_LAN,2021Q1,1,red\n")
    assert len(read.inputs) == 1
    assert "colour" in read.notices[0]


def test_over_the_size_limit_before_reading(settings):
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportFileError, match="quá lớn"):
        read_figures(csv_file("464,,INF_LAN,2021Q1,1,,,x\n" * 10))


def xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Số liệu"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_a_title_above_the_header_and_numbers_as_numbers():
    data = xlsx(
        [
            ["Báo cáo quý I/2021"],
            ["unit_code", "indicator", "period", "value"],
            [464, "INF_LAN", "2021Q1", 1],
            ["464", "HR_PROFICIENT", "2021Q1", 95.5],
        ]
    )
    read = read_figures(data)
    assert read.sheet == "Số liệu"
    assert [(i.unit_code, i.value, i.row) for i in read.inputs] == [
        ("464", "1", 3),
        ("464", "95.5", 4),
    ]


def test_a_formula_without_a_saved_value_is_named():
    read = read_figures(
        xlsx([["unit_code", "indicator", "period", "value"], ["464", "INF_LAN", "2021Q1", "=1+0"]])
    )
    assert read.inputs == []
    assert read.errors[0].field == "value" and "công thức" in read.errors[0].message


def test_a_file_that_is_neither_csv_nor_xlsx():
    with pytest.raises(ImportFileError):
        read_figures(b"PK\x03\x04not really a zip")


def test_json_records_are_read_with_the_same_rules():
    read = read_records(
        [
            {"unit_code": "464", "indicator": "INF_LAN", "period": "Q1/2021", "value": 1},
            {"unit_code": "464", "indicator": "HR_PROFICIENT", "period": "2021Q1", "value": "9x"},
            "not an object",
        ]
    )
    assert [i.period for i in read.inputs] == ["2021Q1"]
    assert [(e.row, e.field) for e in read.errors] == [(2, "value"), (3, "row")]
