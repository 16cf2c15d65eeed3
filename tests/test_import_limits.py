"""The bounds of an import (egov_portal/spreadsheets.py, IMPORT_MAX_ROWS, IMPORT_MAX_COLUMNS):
workbooks that claim, or hold, far more than an import takes are refused with a message, in
bounded memory, on every way in (the entry import page, the bulk API, the admin's import), and
a file within them still reads (issue 16, item 2)."""

import io
import json
import zipfile

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import demo_users_create
from egov_portal import spreadsheets
from egov_portal.spreadsheets import ImportFileError, TooManyRows
from egov_portal.upload_files import XLSX_MAX_EXPANSION
from entry import jobs
from entry.models import ImportJob
from indicators.importing import read_figures
from indicators.models import Figure
from tests.processes import environment, run_python

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
PACKAGE_RELATIONS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" Target="xl/workbook.xml"
 Type="{RELATIONS}/officeDocument"/></Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="{MAIN}" xmlns:r="{RELATIONS}"><sheets>
<sheet name="Số liệu" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELATIONS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PACKAGE}">
<Relationship Id="rId1" Type="{RELATIONS}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{RELATIONS}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
# The shared strings of a figures sheet: its header, then one row's text.
STRINGS = ("unit_code", "on", "indicator", "period", "value", "464", "2021-03-31", "INF_LAN")
HEADER_ROW = "<row>" + "".join(f'<c t="s"><v>{i}</v></c>' for i in range(5)) + "</row>"


def figure_row(value: str = "1", number: int | None = None) -> str:
    """A row of a figure: unit 464, 2021-03-31, INF_LAN, 2021Q1, `value`."""
    attributes = f' r="{number}"' if number else ""
    cells = "".join(f'<c t="s"><v>{i}</v></c>' for i in (5, 6, 7))
    period = '<c t="inlineStr"><is><t>2021Q1</t></is></c>'
    return f"<row{attributes}>{cells}{period}<c><v>{value}</v></c></row>"


def workbook(rows, *, dimension: str = "", parts: dict[str, bytes] | None = None) -> bytes:
    """An XLSX written by hand, as a program could write it (openpyxl would take minutes over
    a million rows, and never writes a lie): `rows` are the sheet's XML rows (str or bytes,
    or one bytes of them all); `parts` replaces or adds parts of the archive."""
    out = io.BytesIO()
    strings = "".join(f"<si><t>{s}</t></si>" for s in STRINGS)
    files = {
        "[Content_Types].xml": CONTENT_TYPES.encode(),
        "_rels/.rels": PACKAGE_RELATIONS.encode(),
        "xl/workbook.xml": WORKBOOK.encode(),
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELATIONS.encode(),
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">{strings}</sst>'.encode(),
    }
    files.update(parts or {})
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        if "xl/worksheets/sheet1.xml" not in files:
            with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
                sheet.write(f'<worksheet xmlns="{MAIN}">'.encode())
                if dimension:
                    sheet.write(f'<dimension ref="{dimension}"/>'.encode())
                sheet.write(b"<sheetData>")
                for row in [rows] if isinstance(rows, bytes) else rows:
                    sheet.write(row if isinstance(row, bytes) else row.encode())
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def sheet_part(body: bytes) -> dict[str, bytes]:
    return {"xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN}">'.encode() + body}


def unpacked(data: bytes) -> int:
    return sum(m.file_size for m in zipfile.ZipFile(io.BytesIO(data)).infolist())


# --- Hostile workbooks, each a few kilobytes to half a megabyte ------------------------------


def huge_dimension() -> bytes:
    """Declares a sheet of 1,048,576 rows × 16,384 columns, and has a cell at its far end."""
    rows = [HEADER_ROW, *(figure_row() for _ in range(3))]
    rows.append('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    return workbook(rows, dimension="A1:XFD1048576")


def million_rows() -> bytes:
    """1.2 million rows of figures, under the unpacked-size limit."""
    return workbook(HEADER_ROW.encode() + figure_row().encode() * 1_200_000)


def million_rows_declaring_three() -> bytes:
    """The same, under a dimension that says A1:E4 (a file can lie both ways)."""
    return workbook(HEADER_ROW.encode() + figure_row().encode() * 1_200_000, dimension="A1:E4")


def tiny_shared_strings() -> bytes:
    """Four million empty shared strings: openpyxl keeps an element and a string of each."""
    strings = f'<sst xmlns="{MAIN}">'.encode() + b"<si/>" * 4_000_000 + b"</sst>"
    return workbook([HEADER_ROW], parts={"xl/sharedStrings.xml": strings})


def junk_in_the_sheet() -> bytes:
    """Five million unknown elements amid the rows: openpyxl keeps every one."""
    body = b"<sheetData>" + HEADER_ROW.encode() + b"<x/>" * 5_000_000 + b"</sheetData></worksheet>"
    return workbook([], parts=sheet_part(body))


def empty_rows_with_heights() -> bytes:
    """A million empty rows, each with a height: openpyxl keeps a dictionary for each."""
    empty = b'<row ht="20" customHeight="1"/>' * 1_000_000
    return workbook([], parts=sheet_part(b"<sheetData>" + empty + b"</sheetData></worksheet>"))


def one_wide_row() -> bytes:
    """One row of five million empty cells."""
    body = b"<sheetData><row>" + b"<c/>" * 5_000_000 + b"</row></sheetData></worksheet>"
    return workbook([], parts=sheet_part(body))


def styles_bomb() -> bytes:
    """Four million cell formats: openpyxl builds the whole stylesheet."""
    styles = f'<styleSheet xmlns="{MAIN}"><cellXfs>'.encode() + b"<xf/>" * 4_000_000
    return workbook([HEADER_ROW], parts={"xl/styles.xml": styles + b"</cellXfs></styleSheet>"})


def billion_laughs() -> bytes:
    """Entities that expand to a billion characters."""
    entities = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )
    sheet = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'
        f'<worksheet xmlns="{MAIN}"><sheetData>{HEADER_ROW}'
        f'<row><c t="inlineStr"><is><t>&a9;</t></is></c></row></sheetData></worksheet>'
    )
    return workbook([], parts={"xl/worksheets/sheet1.xml": sheet.encode()})


def one_huge_cell() -> bytes:
    """Sixty million characters in one inline string: openpyxl holds a row's cells whole."""
    cell = b'<row><c t="inlineStr"><is><t>' + b"x" * 60_000_000 + b"</t></is></c></row>"
    return workbook([HEADER_ROW.encode(), cell])


def spaces_between_rows() -> bytes:
    """Sixty million spaces between two rows: openpyxl keeps them as it parses."""
    return workbook([HEADER_ROW.encode(), b" " * 60_000_000, HEADER_ROW.encode()])


HOSTILE = {
    "huge_dimension": (
        huge_dimension,
        "Bảng tính khai báo vùng dữ liệu A1:XFD1048576 (1.048.576 dòng, 16.384 cột), quá giới "
        "hạn 100.000 dòng số liệu và 100 cột",
    ),
    "million_rows": (million_rows, "Tệp có hơn 100.000 dòng số liệu"),
    "million_rows_declaring_three": (million_rows_declaring_three, "Tệp có hơn 100.000 dòng"),
    "tiny_shared_strings": (tiny_shared_strings, "hơn 200.040 chuỗi dùng chung"),
    "junk_in_the_sheet": (junk_in_the_sheet, "sheet1.xml của tệp XLSX quá lớn"),
    "empty_rows_with_heights": (empty_rows_with_heights, "hơn 20.000 dòng trống"),
    "one_wide_row": (one_wide_row, "phần tử XML trong một dòng"),
    "styles_bomb": (styles_bomb, "Phần xl/styles.xml của tệp XLSX quá lớn"),
    "billion_laughs": (billion_laughs, "DOCTYPE"),
    "one_huge_cell": (one_huge_cell, "một ô có hơn 32.767 ký tự"),
    "spaces_between_rows": (spaces_between_rows, "hơn 5.000.000 ký tự ngoài các ô"),
}

# Run in a process of its own, with a ceiling on its address space: what Django, pandas and
# openpyxl need (about 300 MB of it, mostly libraries mapped but not resident) and room to
# spare, so that a reader growing without bound dies of MemoryError instead of taking the
# machine. Each file goes to every reader of XLSX: the entry page's estimate, the reader of
# figure files (entry page, jobs, bulk API) and the admin's import format.
CHILD = """
import json, resource, sys

import django

django.setup()
import pandas  # noqa: F401  (loaded in every web and worker process)

from entry import jobs
from indicators.importing import read_figures
from egov_portal.spreadsheets import ImportFileError
from units.resources import XLSXFormat

limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
readers = {
    "estimate": jobs.rows_estimate,
    "figures": read_figures,
    "admin": XLSXFormat().create_dataset,
}
results = {}
for path in sys.argv[2:]:
    data = open(path, "rb").read()
    for name, reader in readers.items():
        try:
            reader(data)
            outcome = "read"
        except ImportFileError as exc:
            outcome = str(exc)
        except MemoryError:
            outcome = "MemoryError"
        results.setdefault(path, {})[name] = outcome
# The peak resident memory of this program: getrusage's ru_maxrss would count the parent's,
# which Linux carries over through exec.
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
peak = int(status["VmHWM"].split()[0]) // 1024
print(json.dumps({"results": results, "peak_mb": peak}))
"""
ADDRESS_SPACE = 1024 * 1024 * 1024


@pytest.fixture(scope="module")
def hostile_read(tmp_path_factory):
    """Every hostile workbook read in one child process: its outcomes and peak memory."""
    folder = tmp_path_factory.mktemp("hostile")
    paths = {}
    for name, (build, _message) in HOSTILE.items():
        data = build()
        assert len(data) < 1_000_000, (name, len(data))  # small on the wire…
        assert unpacked(data) < XLSX_MAX_EXPANSION * settings.IMPORT_MAX_BYTES, name  # …and in
        paths[name] = folder / f"{name}.xlsx"
        paths[name].write_bytes(data)
    result = run_python(
        ["-c", CHILD, str(ADDRESS_SPACE), *map(str, paths.values())],
        environment(drop=("IMPORT_",)),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    read = json.loads(result.stdout.strip().splitlines()[-1])
    return {name: read["results"][str(path)] for name, path in paths.items()}, read["peak_mb"]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_workbook_is_refused_by_every_reader_in_bounded_memory(hostile_read, name):
    outcomes, peak_mb = hostile_read
    message = HOSTILE[name][1]
    for reader, outcome in outcomes[name].items():
        assert message in outcome, (reader, outcome)
    assert peak_mb < 300


def test_the_huge_dimension_is_a_few_kilobytes_and_refused_before_a_row_is_read():
    data = huge_dimension()
    assert len(data) < 5 * 1024
    with pytest.raises(TooManyRows, match=r"1\.048\.576 dòng, 16\.384 cột"):
        read_figures(data)


# --- Within the bounds, a file reads; past them, by one row, it does not ----------------------


@pytest.fixture
def small_limits(settings):
    settings.IMPORT_MAX_ROWS = 5
    settings.IMPORT_MAX_COLUMNS = 10


def test_a_workbook_at_the_row_limit_reads_and_one_row_more_is_refused(small_limits):
    read = read_figures(workbook([HEADER_ROW, *(figure_row(str(i)) for i in range(5))]))
    assert [item.value for item in read.inputs] == ["0", "1", "2", "3", "4"]
    with pytest.raises(TooManyRows, match="Tệp có hơn 5 dòng số liệu"):
        read_figures(workbook([HEADER_ROW, *(figure_row(str(i)) for i in range(6))]))


def test_a_csv_at_the_row_limit_reads_and_one_row_more_is_refused(small_limits):
    header = b"unit_code,on,indicator,period,value\n"
    line = b"464,2021-03-31,INF_LAN,2021Q1,1\n"
    assert len(read_figures(header + line * 5).inputs) == 5
    with pytest.raises(TooManyRows, match="Tệp có hơn 5 dòng số liệu"):
        read_figures(header + line * 6)


def test_titles_above_the_header_and_blank_rows_do_not_count(small_limits):
    titles = [f'<row><c t="inlineStr"><is><t>Tiêu đề {i}</t></is></c></row>' for i in range(3)]
    blank = '<row ht="30" customHeight="1"><c s="1"/></row>'
    rows = [*titles, HEADER_ROW, *(figure_row() + blank for _ in range(5)), blank * 1000]
    assert len(read_figures(workbook(rows)).inputs) == 5


def test_a_dimension_that_says_less_than_the_sheet_holds_is_not_trusted(small_limits):
    rows = [HEADER_ROW, *(figure_row(str(i)) for i in range(4))]
    read = read_figures(workbook(rows, dimension="A1:B2"))
    assert [item.value for item in read.inputs] == ["0", "1", "2", "3"]


def test_a_dimension_past_the_bounds_is_refused_however_few_its_rows(small_limits):
    with pytest.raises(TooManyRows, match="A1:E26 \\(26 dòng, 5 cột\\)"):
        read_figures(workbook([HEADER_ROW, figure_row()], dimension="A1:E26"))
    with pytest.raises(TooManyRows, match="A1:K2 \\(2 dòng, 11 cột\\)"):
        read_figures(workbook([HEADER_ROW, figure_row()], dimension="A1:K2"))


def test_a_value_past_the_last_column_is_refused_and_empty_cells_there_are_not(small_limits):
    styled = '<row><c r="A9"><v>1</v></c><c r="Z9" s="1"/></row>'
    assert len(read_figures(workbook([HEADER_ROW, figure_row(), styled])).errors) == 1
    with pytest.raises(ImportFileError, match="có dữ liệu ở cột K, quá giới hạn 10 cột"):
        read_figures(workbook([HEADER_ROW, figure_row(), '<row><c r="K9"><v>1</v></c></row>']))


def test_a_row_past_excels_last_row_is_refused():
    with pytest.raises(ImportFileError, match=r"dòng số 1\.048\.577"):
        read_figures(workbook([HEADER_ROW, '<row r="1048577"><c><v>1</v></c></row>']))


def test_a_workbook_of_formulas_without_values_is_refused_past_a_few(monkeypatch):
    monkeypatch.setattr(spreadsheets, "FORMULAS_WITHOUT_VALUE", 2)
    formula = "<row><c><f>1+1</f></c><c><f>2+2</f></c><c><v>3</v><f>1+2</f></c></row>"
    assert read_figures(workbook([HEADER_ROW, figure_row(), formula])).errors  # two: read
    with pytest.raises(ImportFileError, match="hơn 2 ô công thức không lưu giá trị"):
        read_figures(workbook([HEADER_ROW, figure_row(), formula, formula]))


def test_binary_parts_are_not_scanned_as_xml():
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    data = workbook([HEADER_ROW, figure_row()], parts={"xl/media/image1.png": png})
    assert len(read_figures(data).inputs) == 1


def test_the_header_is_looked_for_among_the_first_rows_only():
    rows = ['<row><c t="inlineStr"><is><t>Tiêu đề</t></is></c></row>'] * 25 + [HEADER_ROW]
    with pytest.raises(ImportFileError, match="Không thấy dòng tiêu đề"):
        read_figures(workbook([*rows, figure_row()]))


def test_the_estimate_counts_rows_without_reading_them():
    data = workbook([HEADER_ROW, *(figure_row() for _ in range(2500))])
    assert jobs.rows_estimate(data) == 2501
    assert jobs.rows_estimate(b"unit_code,value\n1,2\n3,4") == 3


# --- Every way in refuses them, storing nothing -----------------------------------------------


@pytest.fixture
def official(client, db):
    demo_users_create()
    client.force_login(get_user_model().objects.get(username="vinhlinh.nhaplieu"))
    return client


@pytest.mark.parametrize("build", [huge_dimension, million_rows], ids=lambda f: f.__name__)
def test_the_entry_import_page_refuses_them_in_the_request(official, build):
    before = Figure.objects.count()
    response = official.post("/entry/import/", {"file": SimpleUploadedFile("x.xlsx", build())})
    assert response.status_code == 400
    assert HOSTILE[build.__name__][1] in response.context["file_error"]
    assert not ImportJob.objects.exists()  # refused here, not handed to a job
    assert Figure.objects.count() == before


def test_a_job_refuses_a_workbook_that_hid_its_rows_from_the_estimate(official, settings):
    # Past the estimate's count (a file read in the request has at most IMPORT_SYNC_ROWS),
    # the job reads to IMPORT_MAX_ROWS and refuses.
    settings.IMPORT_SYNC_ROWS, settings.IMPORT_MAX_ROWS = 1, 3
    user = get_user_model().objects.get(username="vinhlinh.nhaplieu")
    data = workbook([HEADER_ROW, *(figure_row() for _ in range(4))])
    job = ImportJob.objects.create(user=user, filename="x.xlsx", data=data)
    jobs.run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.error.startswith("Tệp có hơn 3 dòng số liệu")
    assert bytes(job.data) == b""  # never readable: not kept for a rerun


@pytest.fixture
def staff_api(api_client, db):
    api_client.force_authenticate(get_user_model().objects.create_user("kho", is_staff=True))
    return api_client


@pytest.mark.parametrize("build", [huge_dimension, million_rows], ids=lambda f: f.__name__)
def test_the_bulk_api_refuses_them(staff_api, build):
    before = Figure.objects.count()
    upload = SimpleUploadedFile("x.xlsx", build())
    response = staff_api.post("/api/v1/observations/bulk/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    (message,) = response.json()["file"]
    assert HOSTILE[build.__name__][1] in message
    assert Figure.objects.count() == before


def test_the_bulk_api_refuses_more_json_rows_than_the_limit_before_parsing(staff_api, settings):
    settings.IMPORT_MAX_ROWS = 3
    row = {"unit_code": "464", "on": "2021-03-31", "indicator": "INF_LAN", "period": "2021Q1"}
    row["value"] = 1
    response = staff_api.post("/api/v1/observations/bulk/", [row] * 4, format="json")
    assert response.status_code == 400
    assert response.json()["file"] == [
        "Tệp có hơn 3 dòng số liệu, quá giới hạn của một lần nhập: chia thành nhiều tệp, "
        "mỗi tệp tối đa 3 dòng."
    ]
    response = staff_api.post("/api/v1/observations/bulk/?dry_run=true", [row] * 3, format="json")
    assert response.json()["rows"] == 3  # read (two rows repeat the first: a row error)


@pytest.fixture
def superuser(client, db):
    client.force_login(get_user_model().objects.create_superuser("root", password="x"))
    return client


def test_the_admin_import_refuses_them_with_the_reason(superuser):
    before = Figure.objects.count()
    url = "/admin/indicators/figure/import/"
    upload = SimpleUploadedFile("x.xlsx", huge_dimension())
    response = superuser.post(url, {"format": "1", "resource": "0", "import_file": upload})
    assert response.status_code == 200
    (error,) = response.context["form"].errors["import_file"]
    assert HOSTILE["huge_dimension"][1] in error
    assert Figure.objects.count() == before


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_the_admin_import_counts_a_csvs_rows_whatever_its_line_ends(superuser, settings, line_end):
    # csv reads a lone CR as a line end too: a file of CR-only lines once went past the count.
    settings.IMPORT_MAX_ROWS = 3
    header = "unit_code,unit_on,agency,indicator,period,scope,value"
    rows = [f"464,2024-01-01,,INF_LAN,20{n:02d}Q1,self,1" for n in range(30)]
    upload = SimpleUploadedFile("x.csv", line_end.join([header, *rows]).encode())
    response = superuser.post(
        "/admin/indicators/figure/import/",
        {"format": "0", "resource": "0", "import_file": upload},
    )
    assert response.status_code == 200
    assert "import_file" in response.context["form"].errors
