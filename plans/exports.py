"""Plan tables as frames, for the files of egov_portal.table_files."""

import pandas as pd
from django.utils.translation import gettext as _

from plans.models import Plan
from plans.progress import Laggard, Miss, target_label


def laggard_rows(laggards: list[Laggard]) -> list[tuple[Laggard, Miss]]:
    """Each unit (or agency) and target it lags on: the missed ones first (reported and below
    the target), then those with nothing reported, apart."""
    pairs = [(laggard, miss) for laggard in laggards for miss in laggard.misses]
    return sorted(pairs, key=lambda pair: pair[1].no_data)


def laggards_frame(laggards: list[Laggard]) -> pd.DataFrame:
    """One row per unit (or agency) and target: missed, then no data (the last column says
    which)."""
    rows = [
        {
            _("Mã đơn vị"): laggard.code,
            _("Đơn vị, cơ quan"): laggard.name,
            _("Chỉ tiêu"): miss.progress.target.indicator.code,
            _("Tên chỉ tiêu"): miss.progress.target.indicator.localized_name,
            _("Phạm vi"): miss.progress.target.get_scope_display(),
            _("Văn bản"): miss.progress.target.plan.number or miss.progress.target.plan.code,
            _("Mục tiêu"): target_label(miss.progress.target),
            _("Giá trị"): None if miss.value is None else float(miss.value),  # a file's number
            _("Còn thiếu"): miss.gap,
            _("Tình trạng"): miss.status.label,
            _("Nhóm"): _("Chưa có số liệu") if miss.no_data else _("Chưa đạt"),
        }
        for laggard, miss in laggard_rows(laggards)
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
        _("Nhóm"),
    ]
    return pd.DataFrame(rows, columns=columns)


def plan_citation(plan: Plan) -> str:
    issued = f", {plan.issued_on:%d/%m/%Y}" if plan.issued_on else ""
    document = " ".join(part for part in (plan.get_kind_display(), plan.number) if part)
    return f"{document} — {plan.title} ({plan.issuer}{issued})"
