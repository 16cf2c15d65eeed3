"""A plan's report as an Excel workbook: its four sheets on the real plans and units, its
formatting, the download on the plan page, and a bounded number of queries."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership
from egov_portal.table_files import XLSX
from indicators.models import Figure, Indicator, Submission
from indicators.periods import parse_period
from plans import exports
from plans.models import Plan
from reports.workbook import HEADER_ROW, plan_workbook
from units.models import Agency, Unit

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2025, 1, 1)
SHEETS = ["Tiến độ", "Đơn vị chậm", "Chưa có số liệu", "Tình hình báo cáo", "Số liệu"]
QB = "/plans/QB-2342-2018/"


def workbook(code: str, period: str, unit: Unit | None = None, **options):
    plan = Plan.objects.get(code=code)
    content = plan_workbook(plan, parse_period(period), unit, today=TODAY, **options)
    return openpyxl.load_workbook(io.BytesIO(content))


def table(sheet) -> list[dict]:
    """The rows under the header, as {header: value}."""
    header = [cell.value for cell in sheet[HEADER_ROW]]
    return [
        dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
    ]


def cell_of(sheet, row_number: int, header: str):
    """The cell of `header` on the `row_number`-th row of the table (0: the first)."""
    column = [cell.value for cell in sheet[HEADER_ROW]].index(header) + 1
    return sheet.cell(row=HEADER_ROW + 1 + row_number, column=column)


def quang_binh() -> Unit:
    return Unit.objects.in_force(D(2018, 6, 1)).get(level="province", code="44")


def qb_communes() -> list[Unit]:
    return list(
        Unit.objects.in_force(D(2018, 6, 1))
        .filter(province=quang_binh(), level="commune")
        .order_by("code")
    )


def approved(unit: Unit, code: str, period: str, value, **fields) -> Figure:
    p = parse_period(period)
    return Figure.objects.create(
        unit=unit,
        indicator=Indicator.objects.get(code=code),
        period=p.id,
        period_start=p.start,
        period_end=p.end,
        value=Decimal(value),
        status=Figure.Status.APPROVED,
        **fields,
    )


# --- The workbook -----------------------------------------------------------------------


def test_quang_binh_workbook_for_2018():
    book = workbook("QB-2342-2018", "2018")
    assert book.sheetnames == SHEETS
    plan = Plan.objects.get(code="QB-2342-2018")
    for sheet in book:
        assert sheet["A1"].value == exports.plan_citation(plan)
        assert "2342/KH-UBND" in sheet["A1"].value
        assert sheet["A2"].value == "Kỳ 2018, đánh giá cho Tỉnh Quảng Bình"
        assert sheet["A1"].font.b
        assert sheet["A2"].font.b
    progress = book["Tiến độ"]
    rows = table(progress)
    assert len(rows) == 13
    edoc = next(r for r in rows if r["Chỉ tiêu"] == "APP_EDOC_EXCHANGE")
    assert edoc["Mục tiêu"] == "60–80%"
    assert edoc["Văn bản"] == "2342/KH-UBND"
    assert edoc["Tình trạng"] == "Chưa có số liệu"
    assert edoc["Độ phủ (có số liệu/cần có)"] == "0/8 huyện"
    # The header: bold on light grey, frozen below, with filters over the table.
    header = progress.cell(row=HEADER_ROW, column=1)
    assert header.font.b
    assert header.fill.fgColor.rgb.endswith("D9D9D9")
    assert progress.freeze_panes == f"A{HEADER_ROW + 1}"
    assert progress.auto_filter.ref == f"A{HEADER_ROW}:Q{HEADER_ROW + 13}"
    assert 8 <= progress.column_dimensions["C"].width <= 60
    # The province reports through its districts and its departments, quarter by quarter;
    # nobody has yet.
    reporting = table(book["Tình hình báo cáo"])
    assert {r["Tình trạng"] for r in reporting} == {"Chưa nhập"}
    assert {r["Trễ hạn"] for r in reporting} == {"Quá hạn"}
    assert [r["Kỳ"] for r in reporting][:: len(reporting) // 4] == [
        "2018Q1",
        "2018Q2",
        "2018Q3",
        "2018Q4",
    ]
    due = cell_of(book["Tình hình báo cáo"], 0, "Hạn nộp")
    assert due.value == datetime.datetime(2018, 4, 15)
    assert due.number_format.lower() == "dd/mm/yyyy"
    last_due = cell_of(book["Tình hình báo cáo"], len(reporting) - 1, "Hạn nộp")
    assert last_due.value == datetime.datetime(2019, 1, 15)
    assert table(book["Số liệu"]) == []


def test_a_commune_figure_shows_in_the_figures_and_the_coverage():
    commune = qb_communes()[0]
    approved(
        commune, "SVC_ONE_STOP", "2018Q2", "1", source="Báo cáo của xã", source_on=D(2018, 7, 5)
    )
    book = workbook("QB-2342-2018", "2018")
    figures = book["Số liệu"]
    rows = table(figures)
    assert len(rows) == 1
    row = rows[0]
    assert row["Mã đơn vị"] == commune.code
    assert row["Đơn vị"] == commune.name
    assert row["Chỉ tiêu"] == "SVC_ONE_STOP"
    assert row["Kỳ"] == "2018Q2"
    assert row["Phạm vi"] == "Bản thân đơn vị"
    assert row["Giá trị"] == 1
    assert row["Nguồn"] == "Báo cáo của xã"
    assert cell_of(figures, 0, "Giá trị").number_format == "#,##0"  # yes/no: 1, not 1.0
    assert cell_of(figures, 0, "Ngày của nguồn").number_format.lower() == "dd/mm/yyyy"
    progress = table(book["Tiến độ"])
    one_stop = next(
        r for r in progress if r["Chỉ tiêu"] == "SVC_ONE_STOP" and r["Phạm vi"] == "Các xã"
    )
    assert one_stop["Độ phủ (có số liệu/cần có)"].startswith("1/")
    assert one_stop["Giá trị mới nhất"] == 100  # yes/no: the share of communes saying yes
    latest = cell_of(book["Tiến độ"], progress.index(one_stop), "Giá trị mới nhất")
    assert latest.number_format == "0.0"


def test_a_ratio_figure_is_a_percentage_with_one_decimal():
    approved(
        qb_communes()[0],
        "APP_EDOC_EXCHANGE",
        "2018Q4",
        "62.5",
        numerator=Decimal(125),
        denominator=Decimal(200),
    )
    figures = workbook("QB-2342-2018", "2018")["Số liệu"]
    assert table(figures)[0]["Giá trị"] == 62.5
    assert cell_of(figures, 0, "Giá trị").number_format == "0.0"
    assert cell_of(figures, 0, "Tử số").number_format == "#,##0"
    assert table(figures)[0]["Mẫu số"] == 200


def test_figures_outside_the_unit_the_period_or_unapproved_are_left_out():
    commune = qb_communes()[0]
    other = Unit.objects.in_force(D(2018, 6, 1)).get(level="province", code="26")  # Vĩnh Phúc
    approved(other, "SVC_ONE_STOP", "2018Q2", "5")
    approved(commune, "SVC_ONE_STOP", "2017Q4", "5")
    draft = approved(commune, "SVC_ONE_STOP", "2018Q3", "5")
    Figure.objects.filter(pk=draft.pk).update(status=Figure.Status.SUBMITTED)
    assert table(workbook("QB-2342-2018", "2018")["Số liệu"]) == []


def test_every_unit_targets_count_met_and_not_reported_and_inherited_ones_are_marked():
    rows = table(workbook("VP-CD-2016", "2016")["Tiến độ"])
    own = [r for r in rows if r["Văn bản"] == "VP-CD-2016"]  # the document has no number
    assert len(own) == 1  # digitally signed documents: the directive's one numeric target
    for row in own:  # every agency must have it; none of the three has reported
        assert row["Độ phủ (có số liệu/cần có)"] == "0/3 cơ quan"
        assert (row["Số đơn vị đạt"], row["Số chưa đạt"], row["Số chưa báo cáo"]) == (0, 0, 3)
    inherited = [r for r in rows if r not in own]
    assert [r["Văn bản"] for r in inherited] == ["36a/NQ-CP (kế thừa)"]
    assert inherited[0]["Số đơn vị đạt"] is None  # a whole-scope target


def test_vinh_phuc_laggards_are_its_agencies():
    vinh_phuc = Unit.objects.in_force(D(2016, 12, 31)).get(level="province", code="26")
    agencies = set(
        Agency.objects.filter(
            Q(unit=vinh_phuc) | Q(unit__province=vinh_phuc) | Q(unit__district=vinh_phuc)
        ).values_list("name", flat=True)
    )
    book = workbook("VP-CD-2016", "2016")
    # Nothing entered for any of them: they have not missed the target, they have no data.
    rows = table(book["Chưa có số liệu"])
    assert agencies
    assert {r["Đơn vị, cơ quan"] for r in rows} == agencies
    assert "Sở Thông tin và Truyền thông tỉnh Vĩnh Phúc" in agencies
    assert {r["Tình trạng"] for r in rows} == {"Chưa có số liệu"}
    assert {r["Nhóm"] for r in rows} == {"Chưa có số liệu"}
    missed = book["Đơn vị chậm"]
    assert table(missed) == []
    # An empty list of who missed says that nobody reported, not that nobody is behind.
    assert missed.cell(row=HEADER_ROW - 1, column=1).value == (
        "Chưa ai báo cáo các mục tiêu bắt buộc, nên chưa biết ai chưa đạt: "
        "APP_DIGSIG_DOCS: 0/3 cơ quan báo cáo."
    )


def test_dak_lak_reporting_lists_its_districts():
    dak_lak = Plan.objects.get(code="DL-KH-2016").issuing_unit
    districts = list(Unit.objects.in_force(D(2016, 9, 30)).filter(parent=dak_lak).order_by("code"))
    assert districts
    late = Submission.objects.create(
        unit=districts[0],
        period="2016Q3",
        period_start=D(2016, 7, 1),
        period_end=D(2016, 9, 30),
        status=Submission.Status.SUBMITTED,
        submitted_at=timezone.make_aware(datetime.datetime(2016, 10, 20, 9, 30)),
    )
    book = workbook("DL-KH-2016", "2016Q3")
    assert book["Tình hình báo cáo"]["A2"].value == "Kỳ 2016Q3, đánh giá cho Tỉnh Đắk Lắk"
    sheet = book["Tình hình báo cáo"]
    rows = table(sheet)
    names = [r["Đơn vị, cơ quan"] for r in rows]
    assert [d.name for d in districts] == [n for n in names if n in {d.name for d in districts}]
    assert {d.code for d in districts} <= {r["Mã đơn vị"] for r in rows}
    row = next(r for r in rows if r["Mã đơn vị"] == late.unit.code)
    assert row["Tình trạng"] == "Đã gửi"
    assert row["Gửi lúc"] == datetime.datetime(2016, 10, 20, 9, 30)  # the time in Vietnam
    assert row["Trễ hạn"] == "Nộp muộn"  # due 15/10/2016
    number = rows.index(row)
    assert cell_of(sheet, number, "Gửi lúc").number_format.lower().startswith("dd/mm/yyyy")
    others = [r for r in rows if r["Mã đơn vị"] != late.unit.code]
    assert {r["Tình trạng"] for r in others} == {"Chưa nhập"}


def test_reporting_is_left_out_when_not_allowed():
    sheet = workbook("DL-KH-2016", "2016Q3", reporting=False)["Tình hình báo cáo"]
    assert "thành viên" in sheet.cell(row=HEADER_ROW, column=1).value
    assert sheet.max_row == HEADER_ROW


def test_a_national_document_for_the_whole_country():
    book = workbook("NQ-17-2019", "2020")
    assert book.sheetnames == SHEETS
    assert book["Tiến độ"]["A2"].value == "Kỳ 2020, đánh giá cho Cả nước"
    reporting = book["Tình hình báo cáo"]
    assert reporting.max_row == HEADER_ROW
    assert "cả nước" in reporting.cell(row=HEADER_ROW, column=1).value
    assert table(book["Tiến độ"])


def test_a_district_assessed_under_the_provinces_plan():
    dong_hoi = Unit.objects.in_force(D(2018, 12, 31)).get(code="450")
    book = workbook("QB-2342-2018", "2018", dong_hoi)
    assert book["Tiến độ"]["A2"].value == f"Kỳ 2018, đánh giá cho {dong_hoi.name}"
    assert len(table(book["Tiến độ"])) == 11  # the departments' targets do not apply
    communes = {u.name for u in Unit.objects.in_force(D(2018, 12, 31)).filter(parent=dong_hoi)}
    assert communes <= {r["Đơn vị, cơ quan"] for r in table(book["Tình hình báo cáo"])}


def test_queries_do_not_grow_with_the_figures():
    communes = qb_communes()
    assert len(communes) >= 50
    plan = Plan.objects.get(code="QB-2342-2018")
    period = parse_period("2018")
    approved(communes[0], "SVC_ONE_STOP", "2018Q2", "1")
    plan_workbook(plan, period, today=TODAY)  # warm up (content types, translations)
    with CaptureQueriesContext(connection) as one:
        plan_workbook(plan, period, today=TODAY)
    for commune in communes[1:50]:
        approved(commune, "SVC_ONE_STOP", "2018Q2", "1")
    with CaptureQueriesContext(connection) as fifty:
        content = plan_workbook(plan, period, today=TODAY)
    assert len(fifty) <= len(one)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert len(table(book["Số liệu"])) == 50


# --- The download ------------------------------------------------------------------------


def test_the_plan_page_links_to_the_workbook(client):
    text = client.get(QB, {"period": "2018"}).content.decode()
    assert "Tải báo cáo Excel" in text
    assert f'href="{QB}workbook/?period=2018"' in text


def test_the_workbook_download(client):
    response = client.get(f"{QB}workbook/", {"period": "2018"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "QB-2342-2018" in disposition
    assert "2018" in disposition
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == SHEETS
    assert len(table(book["Tiến độ"])) == 13
    # Anyone may download it, as anyone may read the plan; reporting is for members only.
    assert "thành viên" in book["Tình hình báo cáo"].cell(row=HEADER_ROW, column=1).value


def test_the_download_for_a_member_has_the_reporting(client):
    user = get_user_model().objects.create_user("bando", password="x")
    Membership.objects.create(user=user, unit=quang_binh(), is_steering=True)
    client.force_login(user)
    response = client.get(f"{QB}workbook/", {"period": "2018"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert {r["Tình trạng"] for r in table(book["Tình hình báo cáo"])} == {"Chưa nhập"}


def test_the_download_defaults_to_the_plans_year_and_takes_a_unit(client):
    dong_hoi = Unit.objects.in_force(D(2018, 12, 31)).get(code="450")
    response = client.get(f"{QB}workbook/")
    assert response.status_code == 200
    assert "2018" in response["Content-Disposition"]
    response = client.get(f"{QB}workbook/", {"period": "2018", "unit": dong_hoi.pk})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book["Tiến độ"]["A2"].value == f"Kỳ 2018, đánh giá cho {dong_hoi.name}"


def test_a_bad_query_shows_the_plan_page_with_its_message(client):
    response = client.get(f"{QB}workbook/", {"period": "2018Q7"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "không hợp lệ" in text
    assert "2018Q7" in text
    assert client.get(f"{QB}workbook/", {"period": "2018", "unit": "999999999"}).status_code == 400
    assert client.get("/plans/NOPE-1/workbook/", {"period": "2018"}).status_code == 404
