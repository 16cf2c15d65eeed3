"""Progress against the targets that apply to a unit, for its public page: the national
documents in force in the period's year and the plans of the unit and the units above it,
each target with its status worked out as Open SDG does (plans.growth), from approved
figures (plans.progress reads them through the live aggregates)."""

from dataclasses import dataclass
from decimal import Decimal

from indicators import rollup
from indicators.models import Indicator
from indicators.periods import Period, parse_period
from plans import growth, progress
from plans.models import Plan, Target
from plans.validation import is_percentage
from reports.readiness import plans_for
from units.models import Unit

# The roll-up scopes read here: the unit's own value and its tiers of units, not agencies.
_READ = {rollup.SELF, *rollup.TIER_LEVELS}


@dataclass(frozen=True)
class ProgressRow:
    target: Target
    label: str  # "≥ 80%"
    value: Decimal | None  # the unit's value on the target's scale (None: none, or too few)
    percent: bool
    yes_no: bool  # the unit's own yes/no answer: shown as Có / Không
    figure_period: str | None
    baseline: Decimal | None
    baseline_period: str
    growth: growth.Growth


@dataclass(frozen=True)
class PlanRows:
    plan: Plan
    rows: list[ProgressRow]


def unit_progress(unit: Unit, period: Period) -> list[PlanRows]:
    """The national documents in force in the period's year (oldest first), then the unit's
    and its superiors' plans covering it, each with the targets it sets itself that read on
    this unit (a document's targets appear once, under it, not again under each plan that
    implements it). Every plan that applies is listed, even one with no such target.

    Only the targets read on the unit or its tiers of units (its own value, its communes'…),
    which the live aggregates hold: a target over every agency (all_agencies, departments)
    is computed from the agencies' figures at each reading (150 ms a target for a province),
    so it stays on the plan's page for signed-in users (docs/decisions/0026)."""
    national = Plan.objects.filter(
        issuing_unit__isnull=True,
        year_from__lte=period.end.year,
        year_to__gte=period.start.year,
    ).order_by("year_from", "code")
    found = []
    for plan in [*national, *plans_for(unit, period)]:
        rows = []
        for target in plan.targets.select_related("indicator", "plan").order_by("position", "pk"):
            if progress.engine_scope(target.scope, unit.level) in _READ:
                row = progress.target_progress(target, plan=plan, subject=unit, period=period)
                if row is not None:
                    rows.append(_row(row, period))
        found.append(PlanRows(plan, rows))
    return found


def _row(row: progress.TargetProgress, period: Period) -> ProgressRow:
    target = row.target
    value = None if row.low_coverage else row.value
    higher = _higher_is_better(target)
    if target.comparator == Target.Comparator.BETWEEN and not higher:
        goal = float(target.value_max if target.value_max is not None else target.value)
    else:
        goal = float(target.value)
    # The unit's own yes/no answer (100 or 0), not a share of units saying yes (a 2025
    # province combined from the provinces it was formed from: 50 %).
    yes_no = (
        target.indicator.value_type == Indicator.ValueType.BOOLEAN
        and row.scope == rollup.SELF
        and row.origin == rollup.REPORTED
    )
    judged = growth.growth_status(
        value=value,
        value_on=period.end,
        base=row.baseline,
        base_on=parse_period(row.baseline_period).end if row.baseline_period else None,
        goal=goal,
        goal_on=target.due_end(period.end),
        higher_is_better=higher,
        met=value is not None and row.status == progress.Status.ACHIEVED,
        yes_no=yes_no,
    )
    return ProgressRow(
        target=target,
        label=progress.target_label(target),
        value=value,
        percent=is_percentage(target.indicator),
        yes_no=yes_no,
        figure_period=row.figure_period,
        baseline=row.baseline,
        baseline_period=row.baseline_period,
        growth=judged,
    )


def _higher_is_better(target: Target) -> bool:
    if target.comparator == Target.Comparator.AT_LEAST:
        return True
    if target.comparator == Target.Comparator.AT_MOST:
        return False
    return target.indicator.direction == Indicator.Direction.HIGHER
