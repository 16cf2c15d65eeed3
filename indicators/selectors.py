"""Reads of indicators and figures."""

import datetime
from dataclasses import dataclass
from typing import Any

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


# A figure's page shows this many of its latest changes (an autosaved draft has many).
FIGURE_HISTORY_SHOWN = 50


@dataclass(frozen=True)
class FigureChange:
    """One record of a figure's history: the figure as the change left it (its value,
    status, history_user, history_date, history_type), and as it was before (None: created
    then, or the record before is not read)."""

    after: Any  # HistoricalFigure
    before: Any | None

    @property
    def value_changed(self) -> bool:
        fields = ("value", "numerator", "denominator")
        return self.before is not None and any(
            getattr(self.before, f) != getattr(self.after, f) for f in fields
        )

    @property
    def status_changed(self) -> bool:
        return self.before is not None and self.before.status != self.after.status


@dataclass(frozen=True)
class FigureHistory:
    changes: list[FigureChange]  # newest first
    more: bool  # there are older changes than these


def figure_history(*, figure: Figure, limit: int = FIGURE_HISTORY_SHOWN) -> FigureHistory:
    """The figure's latest changes, newest first, each with who made it and what was there
    before: one query (its history is indexed by figure id)."""
    records = list(
        Figure.history.filter(id=figure.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    changes = [
        FigureChange(after=record, before=records[i + 1] if i + 1 < len(records) else None)
        for i, record in enumerate(records[:limit])
    ]
    return FigureHistory(changes=changes, more=len(records) > limit)
