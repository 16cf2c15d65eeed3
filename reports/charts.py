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
from decimal import Decimal

from django.utils import formats
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from indicators.analytics import RolledValue
from indicators.models import Indicator
from indicators.periods import Period
from plans.progress import TargetProgress, target_label
from reports.index import IndexResult

PERCENT_TYPES = (Indicator.ValueType.RATIO, Indicator.ValueType.BOOLEAN)
_DECIMALS = 1


def is_percentage(indicator: Indicator) -> bool:
    return indicator.value_type in PERCENT_TYPES


def period_label(period: Period) -> str:
    """ "Quý 4/2020" or "Q4 2020", in the active language."""
    return period.label_en if (get_language() or "").startswith("en") else period.label_vi


def _number(value: Decimal | float | None) -> float | None:
    return None if value is None else round(float(value), _DECIMALS)


def _float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def ranking_chart(ranking: Sequence[IndexResult]) -> dict:
    """Every child's readiness index (×100), best first; those without one after them, in
    their order, each with why instead of a bar ("notes"): too few figures to score it, or
    none at all."""
    return {
        "kind": "hbar",
        "labels": [r.key.name for r in ranking],
        "datasets": [
            {
                "label": _("Chỉ số sẵn sàng (0–100)"),
                "data": [None if r.index is None else _number(r.index * 100) for r in ranking],
            }
        ],
        "notes": [unranked_note(r) for r in ranking],
        "suffix": "",
        "max": 100,
        "target": None,
    }


def unranked_note(result: IndexResult) -> str:
    """Why a unit has no index: "" when it has one."""
    if result.index is not None:
        return ""
    if not result.coverage:
        return str(NOT_REPORTED)
    return str(TOO_FEW)


# No approved figure at all: a report may be submitted and not yet approved.
NOT_REPORTED = gettext_lazy("chưa có số liệu đã duyệt")
TOO_FEW = gettext_lazy("chưa đủ số liệu")

# The sparkline's box (SVG user units): wide and low; the bar towards a target's.
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 32, 3
BAR_WIDTH = 100


def _top(indicator: Indicator, values: Sequence[float | None]) -> float:
    """The value at the top of a small chart: 100 for a percentage, else the largest."""
    if is_percentage(indicator):
        return 100.0
    return max([v for v in values if v is not None] + [1.0])


def sparkline(indicator: Indicator, values: Sequence[RolledValue]) -> dict:
    """A card's sparkline, drawn by the template as inline SVG (no script: it prints and
    reads without one): a polyline per run of consecutive values, a dot for a value alone,
    the last value marked; its words for screen readers."""
    # (Drawn in floats: a point's place, not a figure.)
    numbers = [_float(v.percent_or_value) for v in values]
    top = _top(indicator, numbers)
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(numbers) - 1, 1)
    inner = SPARK_HEIGHT - 2 * SPARK_PAD

    def point(n: int, value: float) -> tuple[float, float]:
        x = SPARK_PAD + n * step if len(numbers) > 1 else SPARK_WIDTH / 2
        return round(x, 1), round(SPARK_HEIGHT - SPARK_PAD - inner * min(value, top) / top, 1)

    segments, run, dots = [], [], []
    for n, value in enumerate([*numbers, None]):
        if value is not None:
            run.append(point(n, value))
            continue
        if len(run) > 1:
            segments.append(" ".join(f"{x},{y}" for x, y in run))
        elif run:
            dots.append(run[0])
        run = []
    last = point(len(numbers) - 1, numbers[-1]) if numbers and numbers[-1] is not None else None
    suffix = "%" if is_percentage(indicator) else ""
    words = "; ".join(
        f"{period_label(v.period)}: "
        + ("—" if n is None else formats.number_format(round(n, _DECIMALS), _DECIMALS) + suffix)
        for v, n in zip(values, numbers, strict=True)
    )
    return {
        "width": SPARK_WIDTH,
        "height": SPARK_HEIGHT,
        "segments": segments,
        "dots": dots,
        "last": last,
        "label": words,
        "any": any(n is not None for n in numbers),
    }


def target_bar(row: TargetProgress) -> dict:
    """A bar towards a target: the value filled (coloured by its progress status, which is
    also written beside it), the target marked (a range shaded), on 0–100 for a percentage,
    else up to the larger of value and target."""
    target = row.target
    low = float(target.value)
    high = _float(target.value_max)
    now = _float(row.value)
    top = _top(target.indicator, [now, low, high])
    if not is_percentage(target.indicator):
        top *= 1.1

    def x(value: float) -> float:
        return round(BAR_WIDTH * max(0.0, min(value, top)) / top, 1)

    suffix = "%" if is_percentage(target.indicator) else ""
    value = (
        _("chưa có số liệu")
        if row.value is None
        else formats.number_format(round(row.value, _DECIMALS), _DECIMALS) + suffix
    )
    return {
        "label": _("Giá trị %(value)s, mục tiêu %(target)s: %(status)s")
        % {"value": value, "target": target_label(target), "status": row.status.label},
        "width": BAR_WIDTH,
        "fill": None if now is None else x(now),
        "target": x(low),
        "target_span": round(x(high) - x(low), 1) if high is not None else None,
        "colour": row.status.colour,
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
