"""Laggards (and other plan tables) as CSV and XLSX, through pandas."""

import io

import pandas as pd
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from egov_portal.spreadsheet_cells import inert, inert_frame
from plans.models import Plan
from plans.progress import Laggard, target_label


def laggards_frame(laggards: list[Laggard]) -> pd.DataFrame:
    """One row per unit (or agency) and missed target."""
    rows = [
        {
            _("Mã đơn vị"): laggard.code,
            _("Đơn vị, cơ quan"): laggard.name,
            _("Chỉ tiêu"): miss.progress.target.indicator.code,
            _("Tên chỉ tiêu"): miss.progress.target.indicator.localized_name,
            _("Phạm vi"): miss.progress.target.get_scope_display(),
            _("Văn bản"): miss.progress.target.plan.number or miss.progress.target.plan.code,
            _("Mục tiêu"): target_label(miss.progress.target),
            _("Giá trị"): miss.value,
            _("Còn thiếu"): miss.gap,
            _("Tình trạng"): miss.status.label,
        }
        for laggard in laggards
        for miss in laggard.misses
    ]
    columns = [
        _("Mã đơn vị"),
        _("Đơn vị, cơ quan"),
        _("Chỉ tiêu"),
        _("Tên chỉ tiêu"),
        _("Phạm vi"),
        _("Văn bản"),
        _("Mục tiêu"),
        _("Giá trị"),
        _("Còn thiếu"),
        _("Tình trạng"),
    ]
    return pd.DataFrame(rows, columns=columns)


def plan_citation(plan: Plan) -> str:
    issued = f", {plan.issued_on:%d/%m/%Y}" if plan.issued_on else ""
    document = " ".join(part for part in (plan.get_kind_display(), plan.number) if part)
    return f"{document} — {plan.title} ({plan.issuer}{issued})"


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Vietnamese text correctly; text cells
    inert (egov_portal/spreadsheet_cells.py)."""
    return inert_frame(frame).to_csv(index=False).encode("utf-8-sig")


def to_xlsx(frame: pd.DataFrame, *, title: str, sheet: str) -> bytes:
    """The table under a title line (the plan's citation and the period); text cells inert."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        inert_frame(frame).to_excel(writer, sheet_name=sheet, index=False, startrow=2)
        worksheet = writer.sheets[sheet]
        worksheet["A1"] = inert(title)
        worksheet["A1"].font = Font(bold=True)
        for column in worksheet.columns:
            width = max(len(str(cell.value or "")) for cell in column[2:]) if column else 10
            worksheet.column_dimensions[column[0].column_letter].width = min(max(width, 8), 60)
        worksheet.freeze_panes = "A4"
    return buffer.getvalue()
