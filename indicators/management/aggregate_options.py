"""The options build_aggregates and verify_aggregates share: --period and --indicator."""

from django.core.management.base import CommandError

from indicators.models import Indicator
from indicators.periods import PeriodError, parse_period


def add_period_and_indicator(parser) -> None:
    parser.add_argument("--period", action="append", default=[], help="Kỳ, ví dụ 2024Q3.")
    parser.add_argument("--indicator", action="append", default=[], help="Mã chỉ tiêu.")


def periods_named(values: list[str]) -> set[str] | None:
    """The period ids given (None: none given, meaning all); CommandError if one is bad."""
    if not values:
        return None
    try:
        return {parse_period(p).id for p in values}
    except PeriodError as exc:
        raise CommandError(f"--period: {exc}") from exc


def indicators_named(codes: list[str]) -> list[int] | None:
    """The ids of the indicators given (None: none given); CommandError naming unknown codes."""
    if not codes:
        return None
    found = dict(Indicator.objects.filter(code__in=codes).values_list("code", "pk"))
    unknown = set(codes) - set(found)
    if unknown:
        raise CommandError(f"Không có chỉ tiêu mã {', '.join(sorted(unknown))}.")
    return list(found.values())
