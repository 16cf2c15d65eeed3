"""What the comparison pages show, gathered without HTTP: chosen units side by side, or every
unit below one, on chosen indicators in one period.

The values come from the roll-up engine asked once for all the units and indicators
(analytics.rollup_indicators, as the dashboards ask it), so the number of queries does not
grow with the number of units: Huyện Vĩnh Linh's 18 communes cost what 2 do.
"""

import datetime
from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from indicators import analytics
from indicators.analytics import RolledValue
from indicators.models import Indicator
from indicators.periods import Period
from units.models import Unit

# The unit search's matches listed on the comparison page (the best; /units/ lists more).
SEARCH_SHOWN = 20
# Units below one, per page (Huyện Vĩnh Linh's 18 communes on one; a 2025 province's 100+ on
# several).
CHILDREN_PER_PAGE = 20
COMPARE_REFUSED = _("Bạn không có quyền xem số liệu của %(units)s nên không so sánh được.")

# What a value is counted in, by the indicator's kind: shown beside every indicator's name.
MEASURES = {
    Indicator.ValueType.RATIO: _("%"),
    Indicator.ValueType.BOOLEAN: _("có/không; % đơn vị có"),
    Indicator.ValueType.COUNT: _("số lượng"),
    Indicator.ValueType.AMOUNT: _("đồng"),
}


def measure(indicator: Indicator) -> str:
    return str(MEASURES.get(indicator.value_type, ""))


def compare_values(
    indicators: Sequence[Indicator], units: Sequence[Unit], period: Period
) -> dict[str, list[RolledValue]]:
    """{indicator code: one value per unit, in the order of `units`}, approved figures only,
    the approximate ones marked (a constant number of queries)."""
    values = analytics.rollup_indicators(indicators, units, period)
    marked = iter(analytics.with_approximate([v for found in values.values() for v in found]))
    return {code: [next(marked) for _v in found] for code, found in values.items()}


def children_list(*, unit: Unit, period: Period) -> list[Unit]:
    """The units directly below `unit` as the tree stood for `period` (one query); none for a
    period after the unit ended, as analytics.rollup_children counts them."""
    if unit.valid_to is not None and unit.valid_to < period.start:
        return []
    on = analytics.structure_date(unit, period)
    return list(Unit.objects.in_force(on).filter(parent=unit).order_by("code"))


def ranked_order(
    units: Sequence[Unit], values: dict[str, list[RolledValue]], indicator: Indicator | None
) -> list[int]:
    """The positions in `units`, best first on `indicator` (highest, or lowest where lower is
    better), units without a value last; without an indicator, by code."""
    positions = list(range(len(units)))
    if indicator is None:
        return positions
    found = values[indicator.code]
    sign = -1 if indicator.direction == Indicator.Direction.HIGHER else 1

    def key(n: int):
        value = found[n].percent_or_value
        return (value is None, sign * value if value is not None else 0, units[n].code)

    return sorted(positions, key=key)


def search_day(*, member_unit: Unit | None, period: Period | None, today: datetime.date):
    """The day whose units the unit search finds when none is asked: the end of the period
    compared (not after today), else a day the user's own unit is in force (the old Quảng
    Trị's committee finds the old districts: its last day, 30/06/2025), else today."""
    if period is not None:
        return min(period.end, today)
    if member_unit is not None and not member_unit.is_in_force(today):
        return member_unit.valid_to or member_unit.valid_from or today
    return today
