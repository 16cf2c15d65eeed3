"""A plan's report as one Excel workbook: progress, laggards (who missed a mandatory target,
then who has no figure for one), reporting, and the figures.

Each sheet opens with the plan's citation and the period and unit assessed, then a table with
a bold grey header (frozen, with filters). The number of queries depends on the plan's
targets, not on how many figures or units there are: the values come from the roll-up
engine (plans.progress), the figures in one query with their unit, agency and indicator.
"""

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from egov_portal.spreadsheet_cells import inert, inert_frame
from entry import selectors as entry_selectors
from indicators.models import Figure, Indicator
from indicators.periods import Period
from indicators.selectors import figures_under
from indicators.validation import UNIT_NOT_IN_FORCE
from plans import exports, progress
from plans.models import Plan
from plans.validation import is_percentage
from units.models import Unit

HEADER_ROW = 4  # 1: citation, 2: period and unit, 3: blank or a note
PERCENT_FORMAT = "0.0"
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0###"
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill(fill_type="solid", start_color="D9D9D9", end_color="D9D9D9")
MIN_WIDTH, MAX_WIDTH = 8, 60


@dataclass
class Table:
    """One sheet: a frame, which of its columns hold values (percentages on the rows whose
    indicator is a percentage) and which hold plain counts; or, without a frame, a note
    (with one, a note on the row above the table)."""

    name: str
    frame: pd.DataFrame | None = None
    value_columns: Sequence[str] = ()
    percent_rows: Sequence[bool] = ()
    count_columns: Sequence[str] = ()
    note: str = ""


def plan_workbook(
    plan: Plan,
    period: Period,
    unit: Unit | None = None,
    *,
    today: datetime.date,
    reporting: bool = True,
) -> bytes:
    """The plan's report for `period`, assessed for `unit` (default: the issuing unit, or the
    whole country for a national document), as XLSX bytes.

    Reporting completeness is for members only (docs/decisions/0006-roles-and-entry.md):
    a page that serves the workbook to anyone passes `reporting=False` unless the user may
    read the unit (accounts.policy.can_view_unit), and the sheet then says so instead."""
    subject = unit if unit is not None else plan.issuing_unit
    rows = progress.plan_progress(plan, period, unit)
    laggards = progress.laggards_report(plan, period, unit, rows=rows)
    heading = _("Kỳ %(period)s, đánh giá cho %(name)s") % {
        "period": period.id,
        "name": subject.name if subject is not None else _("Cả nước"),
    }
    tables = [
        _progress_table(rows),
        _laggards_table(laggards),
        _no_data_table(laggards),
        _reporting_table(subject, period, today, reporting=reporting),
        _figures_table(rows, subject, period),
    ]
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for table in tables:
            _write(writer, table, title=exports.plan_citation(plan), heading=heading)
    return buffer.getvalue()


def workbook_filename(plan: Plan, period: Period, unit: Unit | None = None) -> str:
    who = f"-{unit.code}" if unit is not None else ""
    return f"bao-cao-{plan.code}-{period.id}{who}.xlsx"


# --- The sheets --------------------------------------------------------------------------


def _progress_table(rows: list[progress.TargetProgress]) -> Table:
    document, code, name, scope = _("Văn bản"), _("Chỉ tiêu"), _("Tên chỉ tiêu"), _("Phạm vi")
    target, deadline = _("Mục tiêu"), _("Thời hạn")
    baseline, baseline_period = _("Giá trị cơ sở"), _("Kỳ cơ sở")
    value, value_period = _("Giá trị mới nhất"), _("Kỳ của số liệu")
    expected, gap, status = _("Cần đạt đến nay"), _("Còn thiếu"), _("Tình trạng")
    coverage = _("Độ phủ (có số liệu/cần có)")
    met, not_met, not_reported = _("Số đơn vị đạt"), _("Số chưa đạt"), _("Số chưa báo cáo")
    records = []
    for row in rows:
        every_unit = bool(row.members)
        records.append(
            {
                document: _document(row),
                code: row.target.indicator.code,
                name: row.target.indicator.localized_name,
                scope: row.target.get_scope_display(),
                target: progress.target_label(row.target),
                deadline: row.target.deadline or _("không nêu"),
                baseline: row.baseline,
                baseline_period: row.baseline_period if row.baseline is not None else "",
                value: row.value,
                value_period: row.figure_period or "",
                expected: row.expected,
                gap: row.gap,
                status: row.status.label,
                coverage: row.coverage_label,
                met: row.met if every_unit else None,
                not_met: row.not_met if every_unit else None,
                not_reported: row.not_reported if every_unit else None,
            }
        )
    columns = [
        document,
        code,
        name,
        scope,
        target,
        deadline,
        baseline,
        baseline_period,
        value,
        value_period,
        expected,
        gap,
        status,
        coverage,
        met,
        not_met,
        not_reported,
    ]
    return Table(
        name=_("Tiến độ"),
        frame=pd.DataFrame(records, columns=columns, dtype=object),
        value_columns=(baseline, value, expected, gap),
        percent_rows=[is_percentage(row.target.indicator) for row in rows],
        count_columns=(met, not_met, not_reported),
    )


def _document(row: progress.TargetProgress) -> str:
    plan = row.target.plan
    label = plan.number or plan.code
    return f"{label} ({_('kế thừa')})" if row.inherited else label


def _laggards_table(report: progress.LaggardsReport) -> Table:
    """Who reported and is below a mandatory target; who reported nothing is on the next
    sheet, and an empty table says why when nobody reported."""
    return _lag_table(_("Đơn vị chậm"), report.missed, note=_missed_note(report))


def _no_data_table(report: progress.LaggardsReport) -> Table:
    """Who has nothing reported for a mandatory target: not known to have missed it."""
    return _lag_table(_("Chưa có số liệu"), report.no_data)


def _lag_table(name: str, laggards: list[progress.Laggard], *, note: str = "") -> Table:
    return Table(
        name=name,
        frame=exports.laggards_frame(laggards).astype(object),
        value_columns=(_("Giá trị"), _("Còn thiếu")),
        percent_rows=[
            is_percentage(miss.progress.target.indicator)
            for _laggard, miss in exports.laggard_rows(laggards)
        ],
        note=note,
    )


def _missed_note(report: progress.LaggardsReport) -> str:
    """Above the laggards: nobody reported (0/15 đơn vị báo cáo), not nobody is behind; or
    the unit did not exist in the period."""
    if not report.in_force:
        return UNIT_NOT_IN_FORCE % {"unit": report.subject.name, "period": report.period.id}
    silent = report.silent_targets
    if not silent:
        return ""
    counts = "; ".join(f"{t.progress.target.indicator.code}: {t.label}" for t in silent)
    if report.nobody_reported:
        message = _("Chưa ai báo cáo các mục tiêu bắt buộc, nên chưa biết ai chưa đạt: %(counts)s.")
    else:
        message = _("Mục tiêu bắt buộc chưa ai báo cáo: %(counts)s.")
    return message % {"counts": counts}


def _reporting_table(
    subject: Unit | None, period: Period, today: datetime.date, *, reporting: bool
) -> Table:
    name = _("Tình hình báo cáo")
    if subject is not None and not reporting:
        return Table(
            name=name,
            # Also what a signed-in official of another unit gets: telling them to sign in
            # would be wrong, so the note says whose account shows it.
            note=_(
                "Tình hình báo cáo chỉ dành cho thành viên của đơn vị và của đơn vị cấp trên: "
                "đăng nhập bằng tài khoản của các đơn vị ấy để xem."
            ),
        )
    if subject is None:
        return Table(
            name=name,
            note=_(
                "Không tính tình hình báo cáo cho cả nước: chọn một tỉnh, thành phố để xem "
                "đơn vị nào đã gửi báo cáo."
            ),
        )
    if not progress.in_force_during(subject, period):
        return Table(
            name=name,
            note=UNIT_NOT_IN_FORCE % {"unit": subject.name, "period": period.id},
        )
    code, who, status = _("Mã đơn vị"), _("Đơn vị, cơ quan"), _("Tình trạng")
    quarter, due, submitted, late = _("Kỳ"), _("Hạn nộp"), _("Gửi lúc"), _("Trễ hạn")
    # Quarter by quarter: reports are quarterly, and a year's are its quarters' (Hồ Xá's
    # approved 2025Q1 in Vĩnh Linh's 2025), each unit only in the quarters it existed in.
    records = [
        {
            code: row.unit.code,
            who: row.name,
            quarter: row.period.id,
            status: _status_label(row.status),
            due: row.due_on,
            submitted: _local(row.submission.submitted_at if row.submission else None),
            late: _("Nộp muộn") if row.is_late else _("Quá hạn") if row.is_overdue else "",
        }
        for row in entry_selectors.completeness(subject, period, today)
    ]
    columns = [code, who, quarter, status, due, submitted, late]
    return Table(name=name, frame=pd.DataFrame(records, columns=columns, dtype=object))


def _status_label(status: str) -> str:
    if status in Figure.Status.values:
        return str(Figure.Status(status).label)
    return _("Chưa nhập")


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    """Excel has no time zones: the time in Vietnam, without its zone."""
    if moment is None:
        return None
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.replace(tzinfo=None)


def _figures_table(
    rows: list[progress.TargetProgress], subject: Unit | None, period: Period
) -> Table:
    indicator_ids = {row.target.indicator_id for row in rows}
    figures = Figure.objects.filter(
        status=Figure.Status.APPROVED,
        indicator_id__in=indicator_ids,
        period_start__gte=period.start,
        period_end__lte=period.end,
    )
    if subject is not None:
        figures = figures_under(figures, unit=subject)
    figures = figures.select_related("unit", "agency", "indicator").order_by(
        "indicator__position", "indicator__code", "unit__code", "agency__name", "period_start"
    )
    unit_code, unit, agency = _("Mã đơn vị"), _("Đơn vị"), _("Cơ quan")
    code, name, period_label, scope = _("Chỉ tiêu"), _("Tên chỉ tiêu"), _("Kỳ"), _("Phạm vi")
    value, numerator, denominator = _("Giá trị"), _("Tử số"), _("Mẫu số")
    source, source_on = _("Nguồn"), _("Ngày của nguồn")
    records, percent_rows = [], []
    for figure in figures:
        records.append(
            {
                unit_code: figure.unit.code,
                unit: figure.unit.name,
                agency: figure.agency.name if figure.agency else "",
                code: figure.indicator.code,
                name: figure.indicator.localized_name,
                period_label: figure.period,
                scope: figure.get_scope_display(),
                value: _float(figure.value),
                numerator: _float(figure.numerator),
                denominator: _float(figure.denominator),
                source: figure.source,
                source_on: figure.source_on,
            }
        )
        # A figure's yes/no is 1 or 0; only a ratio is a percentage.
        percent_rows.append(figure.indicator.value_type == Indicator.ValueType.RATIO)
    columns = [
        unit_code,
        unit,
        agency,
        code,
        name,
        period_label,
        scope,
        value,
        numerator,
        denominator,
        source,
        source_on,
    ]
    return Table(
        name=_("Số liệu"),
        frame=pd.DataFrame(records, columns=columns, dtype=object),
        value_columns=(value,),
        percent_rows=percent_rows,
        count_columns=(numerator, denominator),
    )


def _float(number) -> float | None:
    return float(number) if number is not None else None


# --- Writing and formatting --------------------------------------------------------------


def _write(writer: pd.ExcelWriter, table: Table, *, title: str, heading: str) -> None:
    name = table.name[:31]  # Excel's limit on sheet names
    if table.frame is None:
        pd.DataFrame().to_excel(writer, sheet_name=name, index=False)
        sheet = writer.sheets[name]
        sheet.cell(row=HEADER_ROW, column=1, value=inert(table.note))
    else:
        # Text cells inert (egov_portal/spreadsheet_cells.py): a plan's title, a unit's name,
        # a figure's source or note never runs as a formula.
        frame = inert_frame(table.frame)
        frame.to_excel(writer, sheet_name=name, index=False, startrow=HEADER_ROW - 1)
        sheet = writer.sheets[name]
        _format_table(sheet, table)
        if table.note:  # what the table cannot say by itself, on the row above it
            sheet.cell(row=HEADER_ROW - 1, column=1, value=inert(table.note))
    sheet["A1"] = inert(title)
    sheet["A2"] = inert(heading)
    sheet["A1"].font = sheet["A2"].font = Font(bold=True)


def _format_table(sheet, table: Table) -> None:
    frame = table.frame
    columns = list(frame.columns)
    last_row = HEADER_ROW + len(frame)
    for number, column in enumerate(columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=number)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        for row, value in enumerate(frame[column], start=HEADER_ROW + 1):
            if isinstance(value, datetime.date):  # a datetime is a date too
                sheet.cell(row=row, column=number).number_format = (
                    DATETIME_FORMAT if isinstance(value, datetime.datetime) else DATE_FORMAT
                )
    for column in table.value_columns:
        position = columns.index(column) + 1
        for offset, percent in enumerate(table.percent_rows):
            cell = sheet.cell(row=HEADER_ROW + 1 + offset, column=position)
            cell.number_format = _number_format(cell.value, percent=percent)
    for column in table.count_columns:
        position = columns.index(column) + 1
        for row in range(HEADER_ROW + 1, last_row + 1):
            cell = sheet.cell(row=row, column=position)
            cell.number_format = _number_format(cell.value, percent=False)
    last_column = get_column_letter(len(columns))
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{last_row}"
    for number, column in enumerate(columns, start=1):
        width = max([len(str(column)), *(_shown_length(v) for v in frame[column])])
        letter = get_column_letter(number)
        sheet.column_dimensions[letter].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)


def _number_format(value, *, percent: bool) -> str:
    if percent:
        return PERCENT_FORMAT
    if isinstance(value, int | float | Decimal) and float(value).is_integer():
        return INTEGER_FORMAT
    return DECIMAL_FORMAT


def _shown_length(value) -> int:
    """About how many characters a cell shows (its width in Excel's units)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return 0
    if isinstance(value, datetime.datetime):
        return len("dd/mm/yyyy hh:mm")
    if isinstance(value, datetime.date):
        return len("dd/mm/yyyy")
    if isinstance(value, float):
        return len(f"{value:,.1f}")
    return len(str(value))
