"""The officials' Excel template for a quarter: one row per unit × applicable indicator, with
last period's value and the plan target beside the cells to fill. Its header uses the column
names of indicators.importing, so the filled-in file is imported back as it is (/entry/import/).
"""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from accounts import policy
from egov_portal.spreadsheet_cells import inert
from entry import services
from indicators.importing import COLUMNS, INFO_COLUMNS
from indicators.models import Figure, Indicator
from indicators.periods import Period, period_previous
from units.models import Agency, Unit

# The template's columns, left to right: what identifies the row, what helps to fill it in,
# then the cells to fill ("agency" only in an agency's template).
KEY_COLUMNS = ("unit_code", "agency", "on", "period")
INPUT_COLUMNS = ("value", "numerator", "denominator", "source", "note")
HEADER = (
    "unit_code",
    "agency",
    "on",
    "period",
    "unit_name",
    "indicator",
    "indicator_name",
    "definition",
    "value_type",
    "previous_period",
    "previous_value",
    "target",
    "scope",
    *INPUT_COLUMNS,
)
# Every one is a column the reader imports or knowingly ignores (no "ignored columns" notice).
KNOWN = set(COLUMNS) | set(INFO_COLUMNS)
WIDTHS = {
    "unit_code": 10,
    "agency": 30,
    "on": 12,
    "period": 9,
    "unit_name": 26,
    "indicator": 26,
    "indicator_name": 48,
    "definition": 60,
    "value_type": 12,
    "previous_period": 10,
    "previous_value": 14,
    "target": 12,
    "scope": 8,
    "value": 12,
    "numerator": 12,
    "denominator": 12,
    "source": 30,
    "note": 30,
}
SHEET = "Số liệu"
GUIDE_SHEET = "Hướng dẫn"
TITLE_ROW, HEADER_ROW = 1, 2

INSTRUCTIONS = (
    "Điền cột value (hoặc numerator và denominator); yes/no: 1 = Có, 0 = Không; "
    "số thập phân viết 12,5 được"
)
GUIDE = (
    INSTRUCTIONS + ".",
    "Chỉ tiêu tỷ lệ: điền numerator (tử số) và denominator (mẫu số); nếu không có, điền tỷ lệ "
    "phần trăm vào cột value (ví dụ 85 hoặc 85,5).",
    "Chỉ tiêu có/không: điền 1 nếu có, 0 nếu không.",
    "Chỉ tiêu số lượng, số tiền: điền số, không âm (số lượng là số nguyên).",
    "Cột source (nguồn) và note (ghi chú) không bắt buộc.",
    "Dòng nào chưa có số liệu thì để trống: dòng đó được bỏ qua khi nhập.",
    "Các cột khác (mã đơn vị, ngày, kỳ, chỉ tiêu, kỳ trước, chỉ tiêu kế hoạch…) chỉ để xem, "
    "đã được khóa: không sửa, không xóa cột, không đổi tên cột ở dòng tiêu đề.",
    "Có thể lưu thành CSV (UTF-8 hoặc Windows-1258) thay cho XLSX.",
    "Khi xong, tải tệp lên ở trang Nhập số liệu › Nhập từ tệp (/entry/import/). Có thể chọn "
    "«Chỉ kiểm tra, chưa lưu» để xem lỗi trước; nếu có dòng sai, không dòng nào được lưu, trừ "
    "khi chọn «Chỉ lưu các dòng đúng».",
    "Mỗi đơn vị chỉ nhập được số liệu của chính mình, vào báo cáo còn ở trạng thái nháp hoặc bị "
    "trả lại; số liệu đã duyệt không bị ghi đè.",
)

HEADER_FILL = PatternFill("solid", start_color="DDE7F0")
INPUT_FILL = PatternFill("solid", start_color="FFF8DC")
UNLOCKED = Protection(locked=False)


@dataclass
class TemplateRow:
    unit: Unit
    agency: Agency | None
    on: datetime.date
    indicator: Indicator
    previous: Figure | None
    target: str


# (unit, agency, period, indicators) → {indicator code: the target's label}
TargetLabels = Callable[[Unit, Agency | None, Period, list[Indicator]], dict[str, str]]


def day_in_force(unit: Unit, period: Period) -> datetime.date:
    """The period's last day, or the unit's last if it ended within the period: the day that
    names this unit by its code (a 2024 commune's code may name another unit today)."""
    return min(period.end, unit.valid_to) if unit.valid_to else period.end


def children_in_force(unit: Unit, period: Period, user) -> list[Unit]:
    """The units directly below, as they stood within the period, that the user may view."""
    below = Unit.objects.in_force(day_in_force(unit, period)).filter(parent=unit).order_by("code")
    return [child for child in below if policy.can_view_unit(user, child)]


def template_rows(
    reporters: list[tuple[Unit, Agency | None]], period: Period, target_labels: TargetLabels
) -> list[TemplateRow]:
    """One row per unit (or agency) × indicator it reports in the period."""
    previous_period = period_previous(period)
    previous: dict[tuple, Figure] = {}
    figures = Figure.objects.filter(
        unit__in={unit for unit, _agency in reporters},
        period=previous_period.id,
        scope=Figure.Scope.SELF,
    ).select_related("indicator")
    for figure in figures:
        previous[(figure.unit_id, figure.agency_id, figure.indicator.code)] = figure
    rows = []
    by_level: dict[tuple, list[Indicator]] = {}
    for unit, agency in reporters:
        key = (agency.kind if agency else None, unit.level)
        if key not in by_level:
            by_level[key] = services.applicable_indicators(unit, agency, period)
        indicators = by_level[key]
        targets = target_labels(unit, agency, period, indicators)
        on = day_in_force(unit, period)
        for indicator in indicators:
            rows.append(
                TemplateRow(
                    unit=unit,
                    agency=agency,
                    on=on,
                    indicator=indicator,
                    previous=previous.get((unit.pk, agency.pk if agency else None, indicator.code)),
                    target=targets.get(indicator.code, ""),
                )
            )
    return rows


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _previous_text(figure: Figure | None, indicator: Indicator):
    if figure is None:
        return None
    if indicator.value_type == Indicator.ValueType.BOOLEAN:
        return _("Có") if figure.value else _("Không")
    if indicator.value_type == Indicator.ValueType.RATIO:
        if figure.numerator is not None and figure.denominator is not None:
            fraction = f"{_number(figure.numerator)}/{_number(figure.denominator)}"
            return f"{_number(figure.value)}% ({fraction})"
        return f"{_number(figure.value)}%"
    return _number(figure.value)


def title_text(reporter, period: Period, with_children: bool) -> str:
    name = f"{reporter.name} ({reporter.code})" if isinstance(reporter, Unit) else reporter.name
    title = _("Mẫu nhập số liệu: %(name)s — %(period)s") % {"name": name, "period": period.label_vi}
    if with_children:
        title += _(" (kèm các đơn vị trực thuộc)")
    return title


def template_workbook(
    reporter, period: Period, rows: list[TemplateRow], *, with_children: bool = False
) -> bytes:
    """The XLSX file: the template sheet (title, header, rows; protected but for the cells
    to fill) and the instructions sheet."""
    has_agency = any(row.agency is not None for row in rows)
    columns = [c for c in HEADER if c != "agency" or has_agency]
    at = {name: index for index, name in enumerate(columns, start=1)}
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET

    title = f"{title_text(reporter, period, with_children)}\n{INSTRUCTIONS}"
    sheet.cell(TITLE_ROW, 1, inert(title))
    sheet.cell(TITLE_ROW, 1).font = Font(bold=True, size=12)
    sheet.cell(TITLE_ROW, 1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(
        start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=len(columns)
    )
    sheet.row_dimensions[TITLE_ROW].height = 36
    for name, index in at.items():
        cell = sheet.cell(HEADER_ROW, index, name)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS[name]

    yes_no = DataValidation(
        type="list",
        formula1='"1,0"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Chỉ tiêu có/không"),
        error=_("Điền 1 (Có) hoặc 0 (Không)."),
        promptTitle=_("Có/không"),
        prompt=_("1 = Có, 0 = Không"),
        showInputMessage=True,
    )
    # A warning, not a stop: Excel in another locale may take "12,5" for text, which the
    # import still reads.
    not_negative = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle=_("Số không âm"),
        error=_("Điền một số không âm."),
    )
    percent = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle=_("Tỷ lệ phần trăm"),
        error=_("Điền tỷ lệ phần trăm, từ 0 đến 100."),
        promptTitle=_("Tỷ lệ"),
        prompt=_("Điền numerator và denominator, hoặc tỷ lệ phần trăm ở đây."),
        showInputMessage=True,
    )
    for validation in (yes_no, not_negative, percent):
        sheet.add_data_validation(validation)

    for number, row in enumerate(rows, start=HEADER_ROW + 1):
        indicator = row.indicator
        values = {
            "unit_code": row.unit.code,
            "agency": row.agency.name if row.agency else "",
            "on": row.on.isoformat(),
            "period": period.id,
            "unit_name": (row.agency or row.unit).name,
            "indicator": indicator.code,
            "indicator_name": indicator.name,
            "definition": indicator.definition,
            "value_type": indicator.get_value_type_display(),
            "previous_period": period_previous(period).id,
            "previous_value": _previous_text(row.previous, indicator),
            "target": row.target,
            "scope": Figure.Scope.SELF.value,
        }
        for name, value in values.items():
            if name in at:
                # Names, definitions and targets are typed by people: inert, so that none
                # runs as a formula (the import reads them back: indicators.importing).
                cell = sheet.cell(number, at[name], inert(value))
                if name in KEY_COLUMNS:
                    cell.number_format = "@"  # codes stay text: "01" is not 1
        kind = indicator.value_type
        is_ratio = kind == Indicator.ValueType.RATIO
        for name in INPUT_COLUMNS:
            if name in ("numerator", "denominator") and not is_ratio:
                continue  # only a ratio has a fraction: those cells stay locked
            cell = sheet.cell(number, at[name])
            cell.protection = UNLOCKED
            cell.fill = INPUT_FILL
        value_cell = sheet.cell(number, at["value"]).coordinate
        if kind == Indicator.ValueType.BOOLEAN:
            yes_no.add(value_cell)
        elif is_ratio:
            percent.add(value_cell)
            for name in ("numerator", "denominator"):
                not_negative.add(sheet.cell(number, at[name]).coordinate)
        else:
            not_negative.add(value_cell)
        sheet.cell(number, at["definition"]).alignment = Alignment(vertical="top")

    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    sheet.protection.sheet = True
    # Protected, but the columns may still be widened and the rows filtered.
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.autoFilter = False
    sheet.protection.sort = False
    if rows:
        last = get_column_letter(len(columns))
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + len(rows)}"

    guide = book.create_sheet(GUIDE_SHEET)
    guide.column_dimensions["A"].width = 110
    guide_title = inert(title_text(reporter, period, with_children))
    guide.cell(1, 1, guide_title).font = Font(bold=True, size=12)
    for line, text in enumerate(GUIDE, start=3):
        guide.cell(line, 1, f"{line - 2}. {text}").alignment = Alignment(wrap_text=True)
    explained = len(GUIDE) + 4
    guide.cell(explained, 1, _("Các cột")).font = Font(bold=True)
    for line, name in enumerate(columns, start=explained + 1):
        guide.cell(line, 1, f"{name}: {COLUMN_HELP[name]}").alignment = Alignment(wrap_text=True)

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


COLUMN_HELP = {
    "unit_code": "mã đơn vị hành chính (khóa)",
    "agency": "tên cơ quan (khóa)",
    "on": "một ngày đơn vị còn hiệu lực, để mã đơn vị không lẫn với đơn vị khác (khóa)",
    "period": "kỳ báo cáo (khóa)",
    "unit_name": "tên đơn vị (để xem)",
    "indicator": "mã chỉ tiêu (khóa)",
    "indicator_name": "tên chỉ tiêu (để xem)",
    "definition": "định nghĩa chỉ tiêu (để xem)",
    "value_type": "kiểu giá trị: tỷ lệ, số lượng, có/không, số tiền (để xem)",
    "previous_period": "kỳ trước (để xem)",
    "previous_value": "số liệu kỳ trước (để xem)",
    "target": "chỉ tiêu kế hoạch áp dụng cho kỳ này (để xem)",
    "scope": "phạm vi: self = bản thân đơn vị (khóa)",
    "value": "giá trị: tỷ lệ phần trăm, số lượng, số tiền, hoặc 1/0 cho có/không (điền)",
    "numerator": "tử số, chỉ cho chỉ tiêu tỷ lệ (điền)",
    "denominator": "mẫu số, chỉ cho chỉ tiêu tỷ lệ (điền)",
    "source": "nguồn số liệu (không bắt buộc)",
    "note": "ghi chú (không bắt buộc)",
}


def reporters_for(unit: Unit, agency: Agency | None, period: Period, user, *, children: bool):
    """Who the template has rows for: the unit (or agency), then, if asked, the units directly
    below that the user may view."""
    reporters: list[tuple[Unit, Agency | None]] = [(unit, agency)]
    if children and agency is None:
        reporters += [(child, None) for child in children_in_force(unit, period, user)]
    return reporters


def filename(unit: Unit, agency: Agency | None, period: Period, *, children: bool = False) -> str:
    who = f"{unit.code}-co-quan-{agency.pk}" if agency is not None else unit.code
    more = "-kem-truc-thuoc" if children else ""
    return f"mau-nhap-{who}-{period.id}{more}.xlsx"
