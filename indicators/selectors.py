"""Reads of indicators and figures."""

import datetime

from django.db.models import Q, QuerySet

from egov_portal.text import nfc
from indicators.models import Figure, Indicator
from units.models import Unit
from units.selectors import subtree_q


def indicator_list(
    *,
    pillar: str | None = None,
    value_type: str | None = None,
    applies_to: str | None = None,
    valid_on: datetime.date | None = None,
    q: str | None = None,
) -> QuerySet[Indicator]:
    """The catalogue, filtered; `applies_to` is a level (commune) or an agency kind (school)."""
    indicators = Indicator.objects.all()
    if pillar:
        indicators = indicators.filter(pillar=pillar)
    if value_type:
        indicators = indicators.filter(value_type=value_type)
    if applies_to:
        token = f",{applies_to},"
        indicators = indicators.filter(Q(levels__contains=token) | Q(agency_kinds__contains=token))
    if valid_on:
        indicators = indicators.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=valid_on),
            Q(valid_to__isnull=True) | Q(valid_to__gte=valid_on),
        )
    if q:
        text = nfc(q.strip())  # the names are stored composed
        indicators = indicators.filter(
            Q(code__icontains=text) | Q(name__icontains=text) | Q(name_en__icontains=text)
        )
    return indicators.order_by("position", "code")


def figure_list() -> QuerySet[Figure]:
    """Figures with what every list shows joined in (no query per row)."""
    return Figure.objects.select_related("unit", "agency", "indicator").order_by(
        "indicator__position", "unit__code", "period_start", "scope"
    )


def of_period_q(period) -> Q:
    """Figures of exactly `period`: its dates as well as its id, since they lead
    figure_unit_period_idx (docs/decisions/0009)."""
    return Q(period=period.id, period_start=period.start, period_end=period.end)


def within_q(start: datetime.date, end: datetime.date) -> Q:
    """Figures of any period inside [start, end]. `period_end >= start` is implied, but it
    bounds figure_unit_period_idx's range."""
    return Q(period_start__gte=start, period_end__gte=start, period_end__lte=end)


def figures_under(figures: QuerySet[Figure], *, unit: Unit) -> QuerySet[Figure]:
    """Figures of `unit` and of every unit below it (stored ancestors: one indexed filter)."""
    return figures.filter(subtree_q(unit, "unit__"))
