"""What a reviewer reads on a report's page: its figures in the quarterly form's order, each
beside last quarter's approved value and the change, large changes flagged
(entry.changes, docs/decisions/0019-review-desk.md).

A fixed number of queries whatever the report's size: the indicators, the report's figures,
the unit's lineage (only for a unit formed since last quarter) and last quarter's figures.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from entry.changes import LARGE_POINTS, LARGE_RELATIVE, Change, change_of
from entry.forms import PillarGroup, group_by_pillar
from entry.services import applicable_indicators
from indicators.models import Figure, Indicator, Submission
from indicators.periods import Period, parse_period, period_previous
from indicators.reports import report_figures
from quality.checks import FigureNotes, report_flags, report_notes
from units.models import Unit, UnitChange


@dataclass
class DeskRow:
    """One indicator of the report: this quarter's figure, last quarter's approved one (of
    the same unit or agency, or of the one unit it continues), and the change."""

    indicator: Indicator
    figure: Figure | None
    previous: Figure | None
    change: Change | None
    flags: list = field(default_factory=list)  # quality.flags: outliers, broken rules
    notes: FigureNotes = field(default_factory=FigureNotes)  # comments, follow-up, evidence


@dataclass
class ReportDesk:
    period: Period
    previous_period: Period
    groups: list[PillarGroup]  # of DeskRow, in the form's pillar order
    large: int  # how many rows are flagged
    # Whose figures last quarter's are, when not the report's own unit (a unit formed since,
    # continuing one unit); else None.
    previous_unit: Unit | None
    # Why there is no last quarter to compare with, when there is none ("" otherwise).
    no_previous: str
    # Whether any approved figure of last quarter was found.
    has_previous: bool
    # The rule the flags follow, for the page to state it.
    large_relative: Decimal = LARGE_RELATIVE
    large_points: Decimal = LARGE_POINTS
    # The validation rules the report breaks, and how many values are flagged outliers.
    violations: list = field(default_factory=list)
    outliers: int = 0
    follow_ups: int = 0  # open ones
    evidence_missing: list = field(default_factory=list)  # indicators


def report_desk(*, submission: Submission) -> ReportDesk:
    """The report's figures for review (see the module). Three or four queries."""
    period = parse_period(submission.period)
    previous_period = period_previous(period)
    indicators = applicable_indicators(submission.unit, submission.agency, period)
    current = {
        f.indicator_id: f
        for f in report_figures(submission).select_related("indicator").order_by("pk")
    }
    source, no_previous = _previous_reporter(submission, previous_period)
    previous: dict[int, Figure] = {}
    if source is not None:
        unit, agency = source
        previous = {
            f.indicator_id: f
            for f in Figure.objects.filter(
                unit=unit,
                agency=agency,
                period=previous_period.id,
                scope=Figure.Scope.SELF,
                # What was accepted last quarter: published figures only (a draft is nothing
                # to compare with, and a predecessor's is outside the reviewer's subtree).
                status=Figure.Status.APPROVED,
            )
        }
    # The form's indicators in its order; a figure the form does not ask for (an import's,
    # an indicator no longer applicable) after them, each in its pillar.
    listed = {i.pk for i in indicators}
    extra = sorted(
        (f.indicator for pk, f in current.items() if pk not in listed),
        key=lambda i: (i.position, i.code),
    )
    flags = report_flags(submission.unit, submission.agency, period, current.values())
    notes = report_notes(
        submission.unit_id, submission.agency_id, submission.period, current.values()
    )
    rows = []
    for indicator in [*indicators, *extra]:
        figure = current.get(indicator.pk)
        before = previous.get(indicator.pk)
        change = change_of(
            value_type=indicator.value_type,
            current=figure.value if figure else None,
            previous=before.value if before else None,
        )
        mine = flags.by_code.get(indicator.code, [])
        noted = notes.get(figure.pk, FigureNotes()) if figure else FigureNotes()
        rows.append(DeskRow(indicator, figure, before, change, mine, noted))
    previous_unit = source[0] if source and source[0].pk != submission.unit_id else None
    return ReportDesk(
        period=period,
        previous_period=previous_period,
        groups=group_by_pillar(rows),
        large=sum(1 for r in rows if r.change and r.change.is_large),
        previous_unit=previous_unit,
        no_previous=no_previous,
        has_previous=bool(previous),
        violations=flags.violations,
        outliers=sum(1 for r in rows if any(flag.flag == "outlier" for flag in r.flags)),
        follow_ups=sum(1 for r in rows if r.notes.follow_up),
        evidence_missing=[r.indicator for r in rows if r.figure and r.notes.evidence_missing],
    )


def _previous_reporter(submission: Submission, previous: Period):
    """Whose figures last quarter's are: ((unit, agency), "") — or (None, why not).

    The report's own unit (or agency) if it existed then; for a unit formed since (the
    communes of 01/07/2025), the one unit of its level it continues whole (a commune kept as
    it was); a unit merged from several has no one last value to compare with."""
    unit = submission.unit
    if not unit.formed_after(previous.end):
        return (unit, submission.agency), ""
    formed = unit.valid_from.strftime("%d/%m/%Y")
    if submission.agency_id is not None:
        return None, _("Đơn vị mới hình thành ngày %(day)s: cơ quan chưa có kỳ trước.") % {
            "day": formed
        }
    edges = list(
        UnitChange.objects.filter(successor=unit, predecessor__level=unit.level).select_related(
            "predecessor"
        )
    )
    if len(edges) == 1 and not edges[0].is_partial:
        return (edges[0].predecessor, None), ""
    if not edges:
        return None, _("Đơn vị mới hình thành ngày %(day)s: chưa có kỳ trước.") % {"day": formed}
    return None, _(
        "Đơn vị hình thành ngày %(day)s từ %(n)s đơn vị: không có một số liệu kỳ trước để so sánh."
    ) % {"day": formed, "n": len(edges)}
