"""How a figure moved since the quarter before, and when the move is large enough for a
reviewer to look twice (docs/decisions/0019-review-desk.md).

Pure: value types and Decimals in, a Change out; no database.
"""

from dataclasses import dataclass
from decimal import Decimal

# Indicator.ValueType's values (this module imports no model).
RATIO = "ratio"
BOOLEAN = "boolean"

# A count or an amount that moved by at least half of last quarter's value: a zero typed
# too many or too few, thousands for units, another year's total — the slips a review is for.
LARGE_RELATIVE = Decimal("50")  # per cent of last quarter's value
# A percentage that moved by at least this many points in one quarter: readiness moves by a
# few points a quarter; twenty is a new system switched on, or a wrong denominator.
LARGE_POINTS = Decimal("20")


@dataclass(frozen=True)
class Change:
    """`delta`: this quarter's value minus last quarter's (points for a percentage; 1 or -1
    for a yes/no answer that flipped). `relative`: delta as a per cent of last quarter's
    value, for counts and amounts whose last value was not zero. `is_large`: worth a second
    look, by the rule above."""

    delta: Decimal
    relative: Decimal | None
    is_large: bool


def change_of(
    *, value_type: str, current: Decimal | None, previous: Decimal | None
) -> Change | None:
    """The change from `previous` to `current`; None when either is missing."""
    if current is None or previous is None:
        return None
    delta = current - previous
    if value_type == BOOLEAN:
        return Change(delta=delta, relative=None, is_large=delta != 0)
    if value_type == RATIO:
        return Change(delta=delta, relative=None, is_large=abs(delta) >= LARGE_POINTS)
    # From zero, any value is "infinitely" more: no per cent, and nothing to judge it by.
    relative = delta / abs(previous) * 100 if previous != 0 else None
    return Change(
        delta=delta,
        relative=relative,
        is_large=relative is not None and abs(relative) >= LARGE_RELATIVE,
    )
