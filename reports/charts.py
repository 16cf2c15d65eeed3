"""Dashboard data as the JSON that static/js/charts.js draws (pure: no database).

Each function returns a dict for Django's `json_script` filter:

    {"kind": "hbar" | "line" | "grouped",
     "labels": [...],                       # bars, or the periods of a line
     "datasets": [{"label": ..., "data": [number | null, ...], "marked": [...]?}],
     "suffix": "%" | "",                    # after every value shown
     "max": 100 | null,                     # the value axis' end (percentages)
     "target": {"label": ..., "value": ...} | null,   # line charts: the dashed target
     "marked_label": ...}                   # what a marked point means (line charts)

Colours are the script's (Okabe–Ito, in dataset order); every value is written on its bar
or point, so no meaning rests on colour alone.
"""

from collections.abc import Sequence

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from indicators.analytics import RolledValue
from indicators.models import Indicator
from indicators.periods import Period
from reports.index import IndexResult

PERCENT_TYPES = (Indicator.ValueType.RATIO, Indicator.ValueType.BOOLEAN)
_DECIMALS = 1


def is_percentage(indicator: Indicator) -> bool:
    return indicator.value_type in PERCENT_TYPES


def period_label(period: Period) -> str:
    """ "Quý 4/2020" or "Q4 2020", in the active language."""
    return period.label_en if (get_language() or "").startswith("en") else period.label_vi


def _number(value: float | None) -> float | None:
    return None if value is None else round(float(value), _DECIMALS)


def ranking_chart(ranking: Sequence[IndexResult]) -> dict:
    """The children's readiness index (×100), best first; units without an index left out."""
    ranked = [r for r in ranking if r.index is not None]
    return {
        "kind": "hbar",
        "labels": [r.key.name for r in ranked],
        "datasets": [
            {
                "label": _("Chỉ số sẵn sàng (0–100)"),
                "data": [_number(r.index * 100) for r in ranked],
            }
        ],
        "suffix": "",
        "max": 100,
        "target": None,
    }


def children_chart(indicator: Indicator, values: Sequence[RolledValue]) -> dict:
    """One indicator for the units below, highest first; units without a value left out."""
    shown = sorted(
        (v for v in values if v.percent_or_value is not None),
        key=lambda v: (-v.percent_or_value, v.unit.code if v.unit else ""),
    )
    percentage = is_percentage(indicator)
    return {
        "kind": "hbar",
        "labels": [v.unit.name if v.unit else "" for v in shown],
        "datasets": [
            {
                "label": indicator.localized_name,
                "data": [_number(v.percent_or_value) for v in shown],
            }
        ],
        "suffix": "%" if percentage else "",
        "max": 100 if percentage else None,
        "target": None,
    }


def trend_chart(
    indicator: Indicator,
    values: Sequence[RolledValue],
    *,
    target_value: float | None = None,
    target_label: str = "",
) -> dict:
    """One indicator over time for one unit. Values combined from the units it was formed
    from are marked; a plan target that reads on the unit is the dashed line."""
    percentage = is_percentage(indicator)
    return {
        "kind": "line",
        "labels": [period_label(v.period) for v in values],
        "datasets": [
            {
                "label": indicator.localized_name,
                "data": [_number(v.percent_or_value) for v in values],
                "marked": [v.origin == "predecessors" and v.has_value for v in values],
            }
        ],
        "suffix": "%" if percentage else "",
        "max": 100 if percentage else None,
        "target": (
            {"label": target_label or _("Mục tiêu"), "value": float(target_value)}
            if target_value is not None
            else None
        ),
        "marked_label": _("tổng hợp từ đơn vị cũ"),
    }


def axis_label(name: str, *, width: int = 18, lines: int = 3) -> list[str]:
    """A name on a few short lines under its bars (the whole name is in the tooltip): words
    kept whole, the last line ending in "…" when the name is longer."""
    rows: list[str] = []
    for word in name.split():
        if rows and len(rows[-1]) + 1 + len(word) <= width:
            rows[-1] += " " + word
        else:
            rows.append(word)
    if len(rows) > lines:
        rows = rows[:lines]
        rows[-1] += " …"
    return rows


def compare_chart(
    units: Sequence, indicators: Sequence[Indicator], values: dict[str, list[RolledValue]]
) -> dict:
    """Indicators along the axis, one bar per unit in each group (values: {code: [one
    RolledValue per unit, in the order of `units`]})."""
    return {
        "kind": "grouped",
        "labels": [axis_label(i.localized_name) for i in indicators],
        "titles": [i.localized_name for i in indicators],
        "datasets": [
            {
                "label": f"{unit.name} ({unit.code})",
                "data": [_number(values[i.code][n].percent_or_value) for i in indicators],
            }
            for n, unit in enumerate(units)
        ],
        "suffix": "%",
        "max": 100,
        "target": None,
    }
