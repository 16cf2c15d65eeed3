"""Downloads of the indicator page: its tables as CSV or XLSX (pandas, openpyxl)."""

import io

import pandas as pd
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from openpyxl.styles import Font

from egov_portal.spreadsheet_cells import inert, inert_frame
from indicators import analytics
from indicators.models import Figure
from plans.exports import to_csv

TABLES = ("trend", "children", "figures")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Where a value comes from (the context keeps "báo cáo" apart from the noun "report").
ORIGIN_LABELS = {
    "reported": pgettext_lazy("nguồn gốc số liệu", "báo cáo"),
    "computed": pgettext_lazy("nguồn gốc số liệu", "tổng hợp"),
    "predecessors": pgettext_lazy("nguồn gốc số liệu", "từ đơn vị cũ"),
}


def _coverage(value: analytics.RolledValue) -> str:
    return analytics.coverage_label(value) if value.expected else ""


def _shown(value: float | None) -> float | None:
    """As the page shows it: one decimal."""
    return None if value is None else round(value, 1)


def _answer(value: analytics.RolledValue) -> str:
    if not value.is_answer or value.value is None:
        return ""
    return _("Có") if value.value else _("Không")


def trend_frame(values: list[analytics.RolledValue]) -> pd.DataFrame:
    columns = [_("Kỳ"), _("Giá trị"), _("Có/không"), _("Tử số"), _("Mẫu số"), _("Độ phủ")]
    columns.append(_("Nguồn gốc"))
    rows = [
        (
            v.period.id,
            _shown(v.percent_or_value),
            _answer(v),
            v.numerator,
            v.denominator,
            _coverage(v),
            str(ORIGIN_LABELS.get(v.origin, "")),
        )
        for v in values
    ]
    return pd.DataFrame(rows, columns=columns)


def values_frame(values: list[analytics.RolledValue]) -> pd.DataFrame:
    columns = [_("Mã đơn vị"), _("Đơn vị"), _("Giá trị"), _("Có/không"), _("Độ phủ")]
    columns.append(_("Nguồn gốc"))
    rows = [
        (
            v.unit.code,
            v.unit.name,
            _shown(v.percent_or_value),
            _answer(v),
            _coverage(v),
            str(ORIGIN_LABELS.get(v.origin, "")),
        )
        for v in values
    ]
    return pd.DataFrame(rows, columns=columns)


def figures_frame(figures: list[Figure]) -> pd.DataFrame:
    columns = [_("Kỳ"), _("Mã đơn vị"), _("Đơn vị"), _("Cơ quan"), _("Phạm vi"), _("Giá trị")]
    columns += [_("Tử số"), _("Mẫu số"), _("Nguồn"), _("Ngày của nguồn")]
    rows = [
        (
            f.period,
            f.unit.code,
            f.unit.name,
            f.agency.name if f.agency else "",
            f.get_scope_display(),
            _shown(float(f.value)),
            float(f.numerator) if f.numerator is not None else None,
            float(f.denominator) if f.denominator is not None else None,
            f.source,
            f.source_on.strftime("%d/%m/%Y") if f.source_on else "",
        )
        for f in figures
    ]
    return pd.DataFrame(rows, columns=columns)


def download(request, export: str, tables: dict, *, unit, indicator, period) -> HttpResponse:
    """CSV: one table (?table=trend|children|figures); XLSX: the three, one sheet each."""
    stem = f"{indicator.code}-{unit.code}-{period.id}"
    if export == "csv":
        table = request.GET.get("table")
        table = table if table in TABLES else "trend"
        response = HttpResponse(to_csv(tables[table]), content_type="text/csv; charset=utf-8")
        name = f"{stem}-{table}.csv"
    else:
        title = f"{indicator.code} — {indicator.localized_name} — {unit.name} ({unit.code}), "
        title += f"{_('kỳ')} {period.id}"
        sheets = {
            _("Xu hướng"): tables["trend"],
            _("Đơn vị trực thuộc"): tables["children"],
            _("Số liệu"): tables["figures"],
        }
        response = HttpResponse(_xlsx(sheets, title=title), content_type=XLSX)
        name = f"{stem}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _xlsx(sheets: dict[str, pd.DataFrame], *, title: str) -> bytes:
    """Each table on its sheet, under a title line (as plans/exports.py does); text cells
    inert (egov_portal/spreadsheet_cells.py)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet, frame in sheets.items():
            inert_frame(frame).to_excel(writer, sheet_name=sheet, index=False, startrow=2)
            worksheet = writer.sheets[sheet]
            worksheet["A1"] = inert(title)
            worksheet["A1"].font = Font(bold=True)
            for column in worksheet.columns:
                width = max(len(str(cell.value or "")) for cell in column[2:]) if column else 10
                worksheet.column_dimensions[column[0].column_letter].width = min(max(width, 8), 60)
            worksheet.freeze_panes = "A4"
    return buffer.getvalue()
