"""Downloads of the indicator page: its tables as CSV or XLSX (pandas, openpyxl)."""

from decimal import Decimal

import pandas as pd
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from egov_portal import table_files
from indicators import analytics
from indicators.models import Figure

TABLES = ("trend", "children", "figures")
# Where a value comes from (the context keeps "báo cáo" apart from the noun "report").
ORIGIN_LABELS = {
    "reported": pgettext_lazy("nguồn gốc số liệu", "báo cáo"),
    "computed": pgettext_lazy("nguồn gốc số liệu", "tổng hợp"),
    "predecessors": pgettext_lazy("nguồn gốc số liệu", "từ đơn vị cũ"),
}


def _shown(value: Decimal | None) -> float | None:
    """As the page shows it: one decimal (a file's number, as the figures' below)."""
    return None if value is None else round(float(value), 1)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


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
            _float(v.numerator),
            _float(v.denominator),
            analytics.coverage_text(v),
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
            analytics.coverage_text(v),
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
        response = HttpResponse(table_files.frame_csv(tables[table]), content_type=table_files.CSV)
        name = f"{stem}-{table}.csv"
    else:
        title = f"{indicator.code} — {indicator.localized_name} — {unit.name} ({unit.code}), "
        title += f"{_('kỳ')} {period.id}"
        sheets = {
            _("Xu hướng"): tables["trend"],
            _("Đơn vị trực thuộc"): tables["children"],
            _("Số liệu"): tables["figures"],
        }
        response = HttpResponse(
            table_files.frames_xlsx(sheets, title=title), content_type=table_files.XLSX
        )
        name = f"{stem}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
