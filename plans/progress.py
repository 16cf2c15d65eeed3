"""Progress against plan targets: where a unit stands, and who lags.

`assess` is the rule (pure); the rest gathers values through the roll-up engine. The method
and its sources are in docs/decisions/0005-plans-and-progress.md.
"""

import datetime
import enum
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from indicators import analytics, rollup
from indicators.models import Indicator
from indicators.periods import Period, PeriodKind, parse_period, period_of
from plans.models import Plan, Target
from plans.validation import is_percentage
from units.models import Agency, Unit
from units.selectors import subtree_q


class Status(enum.StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])

    @property
    def colour(self) -> str:
        """A Bootstrap contextual colour, always shown with the word (never colour alone)."""
        return STATUS_COLOURS[self]


STATUS_LABELS = {
    Status.ACHIEVED: _("Đã đạt"),
    Status.ON_TRACK: _("Đúng tiến độ"),
    Status.BEHIND: _("Chậm tiến độ"),
    Status.OFF_TRACK: _("Không tiến triển"),
    Status.NO_DATA: _("Chưa có số liệu"),
}
STATUS_COLOURS = {
    Status.ACHIEVED: "success",
    Status.ON_TRACK: "primary",
    Status.BEHIND: "warning",
    Status.OFF_TRACK: "danger",
    Status.NO_DATA: "secondary",
}
# Worst first: an "every unit" target is as far along as its furthest-behind unit.
_SEVERITY = [Status.OFF_TRACK, Status.BEHIND, Status.ON_TRACK, Status.ACHIEVED]


@dataclass(frozen=True)
class Assessment:
    status: Status
    expected: float | None  # on the straight line from baseline to target, now
    gap: float | None  # how far from meeting the target (0 when met)


def assess(
    *,
    value: Decimal | float | None,
    comparator: str,
    low: float,
    high: float | None,
    deadline_end: datetime.date,
    on: datetime.date,
    baseline: Decimal | float | None = None,
    baseline_on: datetime.date | None = None,
    higher_is_better: bool = True,
) -> Assessment:
    """Judge one value against one target, as of `on` (the end of the period assessed).

    - achieved: the target is met (at least: value ≥ low; at most: value ≤ low; between: in
      the range, or beyond it on the indicator's good side — a plan's "60–80%" is met at 60
      and not missed at 90; for a lower-is-better indicator, met at 80 and at 50);
    - otherwise, with a baseline: off track if the value has not moved from the baseline in
      the good direction; on track if it is at or past the value expected by now on the
      straight line from the baseline to the target at the deadline; behind if between;
    - without a baseline, progress cannot be told: behind (not met), never on track;
    - no data without a value.
    """
    if comparator == Target.Comparator.BETWEEN:
        higher = higher_is_better
        goal = low if higher else (high if high is not None else low)
    else:
        higher = comparator != Target.Comparator.AT_MOST
        goal = low
    # Judged in floats (expected and gap are computed); the values given are figures,
    # Decimals as read (analytics.RolledValue), and are kept as they are by the callers.
    baseline = None if baseline is None else float(baseline)
    expected = None
    if baseline is not None and baseline_on is not None:
        if baseline_on >= deadline_end:
            expected = goal
        else:
            elapsed = (min(max(on, baseline_on), deadline_end) - baseline_on).days
            expected = baseline + (goal - baseline) * elapsed / (deadline_end - baseline_on).days
    if value is None:
        return Assessment(Status.NO_DATA, expected, None)
    value = float(value)
    met = value >= goal if higher else value <= goal
    gap = 0.0 if met else abs(goal - value)
    if met:
        return Assessment(Status.ACHIEVED, expected, gap)
    if baseline is None or expected is None:
        return Assessment(Status.BEHIND, None, gap)
    progress = (value - baseline) if higher else (baseline - value)
    if progress <= 0:
        return Assessment(Status.OFF_TRACK, expected, gap)
    on_line = value >= expected if higher else value <= expected
    return Assessment(Status.ON_TRACK if on_line else Status.BEHIND, expected, gap)


@dataclass
class MemberProgress:
    """One unit or agency of an "every unit" target."""

    name: str
    code: str
    unit: Unit | None
    agency: Agency | None
    value: Decimal | None
    figure_period: str | None
    baseline: Decimal | None
    status: Status
    gap: float | None


@dataclass
class TargetProgress:
    target: Target
    plan: Plan  # the plan assessed (the target may come from a document it implements)
    subject: Unit | None  # None: the whole country
    scope: str  # the roll-up engine's scope for the subject
    value: Decimal | None  # a figure: analytics.RolledValue's Decimal
    figure_period: str | None
    origin: str
    covered: int
    expected_units: int
    coverage_level: str
    baseline: Decimal | None
    baseline_period: str
    expected: float | None
    gap: float | None
    status: Status
    members: list[MemberProgress] = field(default_factory=list)
    # The coverage in words ("báo cáo của đơn vị", "3/20 xã"), and whether the value covers
    # too few to stand for the subject: then it is shown greyed and judged as no data
    # (docs/decisions/0017).
    coverage_label: str = ""
    low_coverage: bool = False

    @property
    def inherited(self) -> bool:
        return self.target.plan_id != self.plan.pk

    @property
    def met(self) -> int:
        return sum(m.status == Status.ACHIEVED for m in self.members)

    @property
    def not_reported(self) -> int:
        return sum(m.status == Status.NO_DATA for m in self.members)

    @property
    def not_met(self) -> int:
        return len(self.members) - self.met - self.not_reported


# Where a target's scope lands for a subject of each level; None: it does not apply.
_ENGINE_SCOPE = {
    Target.Scope.SELF: {"province": "self", "district": "self", "commune": "self"},
    Target.Scope.PROVINCES: {"province": "self"},
    Target.Scope.DISTRICTS: {"province": "districts", "district": "self"},
    Target.Scope.COMMUNES: {"province": "communes", "district": "communes", "commune": "self"},
    Target.Scope.DEPARTMENTS: {"province": "departments"},
    Target.Scope.DISTRICT_OFFICES: {"province": "district_offices", "district": "district_offices"},
    Target.Scope.ALL_AGENCIES: {
        "province": "all_agencies",
        "district": "all_agencies",
        "commune": "all_agencies",
    },
}
_TIER_LEVEL = {
    Target.Scope.PROVINCES: "province",
    Target.Scope.DISTRICTS: "district",
    Target.Scope.COMMUNES: "commune",
}


def engine_scope(target_scope: str, level: str) -> str | None:
    """The roll-up scope that reads `target_scope` for a unit of `level` (None: no reading)."""
    return _ENGINE_SCOPE[target_scope].get(level)


def plan_targets(plan: Plan) -> list[Target]:
    """The plan's own targets, then those of the documents it implements (transitively)."""
    seen, order, queue = {plan.pk}, [plan], [plan]
    while queue:
        for parent in queue.pop(0).implements.all().order_by("year_from", "code"):
            if parent.pk not in seen:
                seen.add(parent.pk)
                order.append(parent)
                queue.append(parent)
    targets = Target.objects.filter(plan__in=order).select_related("indicator", "plan")
    rank = {p.pk: n for n, p in enumerate(order)}
    return sorted(targets, key=lambda t: (rank[t.plan_id], t.position, t.pk))


def baseline_period(plan: Plan, target: Target) -> Period:
    """Where the baseline is read when the target gives none: the year the plan was issued
    (Vĩnh Linh's plan of October 2020: 2020), or the year before when that is the deadline
    year or later (Quảng Bình's plan for 2018: 2017)."""
    # A target due from the document's issue (no deadline given): the year before it.
    year = plan.issued_on.year if plan.issued_on else plan.year_from - 1
    last = parse_period(target.deadline).year if target.deadline else year
    if year >= last:
        year = last - 1
    return parse_period(str(year))


def plan_progress(plan: Plan, period: Period, unit: Unit | None = None) -> list[TargetProgress]:
    """Every applicable target of `plan` for `unit` (default: the issuing unit, or the country
    for a national document) as of `period`."""
    subject = unit if unit is not None else plan.issuing_unit
    rows = []
    for target in plan_targets(plan):
        row = target_progress(target, plan=plan, subject=subject, period=period)
        if row is not None:
            rows.append(row)
    return rows


def target_progress(
    target: Target,
    *,
    plan: Plan,
    subject: Unit | None,
    period: Period,
    value: analytics.RolledValue | None = None,
) -> TargetProgress | None:
    """One target's progress for `subject` (None: the country), or None if it cannot apply
    (a target without a deadline applies from the document's issue, not before). `value`:
    the subject's value for the target's scope and period, when the caller has read it
    (a dashboard's headline values), so that it is not read again."""
    if not target.deadline and plan.issued_on is not None and period.end < plan.issued_on:
        return None
    level = subject.level if subject is not None else "province"
    scope = engine_scope(target.scope, level)
    if scope is None:
        return None
    if target.baseline_value is not None:
        base_period = parse_period(target.baseline_period)
        fixed_baseline = target.baseline_value
    else:
        base_period, fixed_baseline = baseline_period(plan, target), None

    if subject is None:
        whole, members = _country(target, scope, period, base_period, fixed_baseline)
    else:
        whole = value if value is not None else _value(target, subject, period, scope)
        members = (
            _members(target, subject, period, base_period, fixed_baseline)
            if target.mode == Target.Mode.EVERY_UNIT
            else []
        )
    baseline = fixed_baseline
    if baseline is None and whole is not None:
        if subject is not None:
            before = _value(target, subject, base_period, scope)
        else:
            before = _country_value(target, scope, base_period)
        baseline = before.percent_or_value if before is not None else None
    value = whole.percent_or_value if whole is not None else None
    low = whole is not None and whole.low_coverage
    judged = assess(
        value=None if low else value,  # too few members to stand for the subject: not judged
        comparator=target.comparator,
        low=float(target.value),
        high=float(target.value_max) if target.value_max is not None else None,
        deadline_end=target.due_end(period.end),
        on=period.end,
        baseline=baseline,
        baseline_on=base_period.end,
        higher_is_better=_higher_is_better(target),
    )
    status = judged.status
    if members:
        status = _every_unit_status(members)
    return TargetProgress(
        target=target,
        plan=plan,
        subject=subject,
        scope=scope,
        value=value,
        figure_period=whole.figure_period if whole is not None else None,
        origin=whole.origin if whole is not None else "none",
        covered=whole.covered if whole is not None else 0,
        expected_units=whole.expected if whole is not None else 0,
        coverage_level=whole.coverage_level if whole is not None else "",
        baseline=baseline,
        baseline_period=base_period.id,
        expected=judged.expected,
        gap=judged.gap,
        status=status,
        members=members,
        coverage_label=analytics.coverage_text(whole),
        low_coverage=low,
    )


def _higher_is_better(target: Target) -> bool:
    return target.indicator.direction == Indicator.Direction.HIGHER


def target_label(target: Target) -> str:
    """ "≥ 60", "≤ 10", "60–80" (with % for percentages)."""
    unit = "%" if is_percentage(target.indicator) else ""
    low = f"{target.value.normalize():f}{unit}"
    if target.comparator == Target.Comparator.BETWEEN:
        return f"{target.value.normalize():f}–{target.value_max.normalize():f}{unit}"
    sign = "≤" if target.comparator == Target.Comparator.AT_MOST else "≥"
    return f"{sign} {low}"


def _value(target: Target, unit: Unit, period: Period, scope: str) -> analytics.RolledValue:
    return analytics.rollup_value(target.indicator, unit, period, scope)


def _every_unit_status(members: list[MemberProgress]) -> Status:
    """Achieved when every unit is; no data when none reported; else the worst reported."""
    reported = [m.status for m in members if m.status != Status.NO_DATA]
    if not reported:
        return Status.NO_DATA
    if len(reported) == len(members) and all(s == Status.ACHIEVED for s in reported):
        return Status.ACHIEVED
    worst = min(reported, key=_SEVERITY.index)
    # Some units met it, others did not report: not achieved, but not worse than behind.
    return Status.BEHIND if worst == Status.ACHIEVED else worst


def _members(
    target: Target,
    subject: Unit,
    period: Period,
    base_period: Period,
    fixed_baseline: Decimal | None,
) -> list[MemberProgress]:
    """The units (or agencies) an "every unit" target counts one by one: those that existed
    in the period (none when the subject did not: Vĩnh Linh's communes in 2025Q3)."""
    if not in_force_during(subject, period):
        return []
    # The subject existed in the period, so the day its tree is read on is in the period.
    in_force = Unit.objects.in_force(analytics.structure_date(subject, period)).filter(
        subtree_q(subject)
    )
    if target.scope in rollup.AGENCY_SCOPES:
        # One query: the units in force under the subject, as a subquery of the agencies'.
        agencies = Agency.objects.filter(unit__in=in_force).select_related("unit")
        _level, kinds = rollup.AGENCY_SCOPES[target.scope]
        if kinds is not None:
            agencies = agencies.filter(kind__in=kinds)
        agencies = list(agencies.order_by("unit__code", "name"))
        now = analytics.agency_values(target.indicator, agencies, period)
        before = (
            analytics.agency_values(target.indicator, agencies, base_period)
            if fixed_baseline is None
            else None
        )
        return [
            _member(target, period, base_period, fixed_baseline, now[i], before, i)
            for i in range(len(agencies))
        ]
    level = _TIER_LEVEL.get(target.scope)
    if level is None or level == subject.level:
        return []
    units = list(in_force.filter(level=level).order_by("code"))
    return _unit_members(target, units, period, base_period, fixed_baseline)


def in_force_during(unit: Unit, period: Period) -> bool:
    """Whether the unit existed on at least one day of the period (partly inside counts)."""
    return unit.is_in_force_during(period.start, period.end)


def _unit_members(target, units, period, base_period, fixed_baseline) -> list[MemberProgress]:
    now = analytics.rollup_units(target.indicator, units, period)
    before = (
        analytics.rollup_units(target.indicator, units, base_period)
        if fixed_baseline is None
        else None
    )
    return [
        _member(target, period, base_period, fixed_baseline, now[i], before, i)
        for i in range(len(units))
    ]


def _member(target, period, base_period, fixed_baseline, now, before, i) -> MemberProgress:
    baseline = fixed_baseline if before is None else before[i].percent_or_value
    value = now.percent_or_value
    judged = assess(
        value=value,
        comparator=target.comparator,
        low=float(target.value),
        high=float(target.value_max) if target.value_max is not None else None,
        deadline_end=target.due_end(period.end),
        on=period.end,
        baseline=baseline,
        baseline_on=base_period.end,
        higher_is_better=_higher_is_better(target),
    )
    if isinstance(now, analytics.AgencyValue):
        who_unit, who_agency, name, code = None, now.agency, now.agency.name, now.agency.unit.code
    else:
        who_unit, who_agency, name, code = now.unit, None, now.unit.name, now.unit.code
    return MemberProgress(
        name=name,
        code=code,
        unit=who_unit,
        agency=who_agency,
        value=value,
        figure_period=now.figure_period,
        baseline=baseline,
        status=judged.status,
        gap=judged.gap,
    )


def _country(target, scope, period, base_period, fixed_baseline):
    """A national target read for the whole country: province by province (every unit), or
    the provinces' values combined (whole scope)."""
    provinces = _provinces(period)
    values = analytics.rollup_units(target.indicator, provinces, period, scope)
    members = []
    if target.mode == Target.Mode.EVERY_UNIT:
        before = (
            analytics.rollup_units(target.indicator, provinces, base_period, scope)
            if fixed_baseline is None
            else None
        )
        members = [
            _member(target, period, base_period, fixed_baseline, values[i], before, i)
            for i in range(len(provinces))
        ]
    return analytics.combine_values(target.indicator, values), members


def _provinces(period: Period) -> list[Unit]:
    return list(
        Unit.objects.in_force(period.end).filter(level=Unit.Level.PROVINCE).order_by("code")
    )


def _country_value(target, scope, period) -> analytics.RolledValue | None:
    values = analytics.rollup_units(target.indicator, _provinces(period), period, scope)
    return analytics.combine_values(target.indicator, values)


def plan_years(plan: Plan, subject: Unit | None = None) -> list[int]:
    """The plan's years the subject existed in (all of them for the country): the years a
    plan page offers for that unit."""
    return [
        year
        for year in range(plan.year_from, plan.year_to + 1)
        if subject is None
        or subject.is_in_force_during(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    ]


def default_period(plan: Plan, today: datetime.date, subject: Unit | None = None) -> Period:
    """The period a plan page opens on: the current year, within the plan's years and, when
    it has some there, the subject's life (the new Quảng Trị under a 2020–2030 plan: 2025 on)."""
    years = plan_years(plan, subject) or list(range(plan.year_from, plan.year_to + 1))
    year = min(max(today.year, years[0]), years[-1])
    return period_of(PeriodKind.YEAR, datetime.date(year, 1, 1))


@dataclass
class Miss:
    """One mandatory target a unit or agency has not met, or has no figure for."""

    progress: TargetProgress
    value: Decimal | None
    gap: float | None
    status: Status

    @property
    def missed(self) -> bool:
        """Reported, and below the target (behind or off track)."""
        return self.status in MISSED

    @property
    def no_data(self) -> bool:
        """Nothing reported: not known to be met, not known to be missed."""
        return self.status == Status.NO_DATA


@dataclass
class Laggard:
    name: str
    code: str
    unit: Unit | None
    agency: Agency | None
    misses: list[Miss] = field(default_factory=list)


# Reported and below the target; NO_DATA is apart: nothing reported, nothing known.
MISSED = (Status.BEHIND, Status.OFF_TRACK)
LAGGING = (*MISSED, Status.NO_DATA)


def plan_laggards(
    plan: Plan,
    period: Period,
    unit: Unit | None = None,
    *,
    rows: list[TargetProgress] | None = None,
) -> list[Laggard]:
    """Every unit or agency that misses at least one mandatory target of the plan in the
    period — not met, or not reported (each miss says which by its status) — with which
    targets and by how much; a unit only in a period it existed in. Pass the plan's
    progress `rows` when they are already computed (plan_progress)."""
    subject = unit if unit is not None else plan.issuing_unit
    if rows is None:
        rows = mandatory_progress(plan, period, subject)
    laggards: dict[tuple, Laggard] = {}
    for row in rows:
        if not row.target.mandatory:
            continue
        if row.members:
            for m in row.members:
                if m.status in LAGGING:
                    key = ("agency", m.agency.pk) if m.agency else ("unit", m.unit.pk)
                    laggard = laggards.setdefault(
                        key, Laggard(name=m.name, code=m.code, unit=m.unit, agency=m.agency)
                    )
                    laggard.misses.append(Miss(row, m.value, m.gap, m.status))
        elif row.status in LAGGING and (subject is None or in_force_during(subject, period)):
            name = subject.name if subject is not None else str(_("Cả nước"))
            key = ("unit", subject.pk if subject is not None else 0)
            laggard = laggards.setdefault(
                key,
                Laggard(name=name, code=subject.code if subject else "", unit=subject, agency=None),
            )
            laggard.misses.append(Miss(row, row.value, row.gap, row.status))
    return list(laggards.values())


def mandatory_progress(plan: Plan, period: Period, subject: Unit | None) -> list[TargetProgress]:
    """The progress of the plan's mandatory targets (its own and those it inherits)."""
    return [
        row
        for target in plan_targets(plan)
        if target.mandatory
        for row in [target_progress(target, plan=plan, subject=subject, period=period)]
        if row is not None
    ]


@dataclass
class TargetReporting:
    """Who reported a mandatory target: for an "every unit" target, how many of its units
    (or agencies); for a whole-scope one, whether the subject has a value."""

    progress: TargetProgress
    reported: int
    expected: int

    @property
    def every_unit(self) -> bool:
        return bool(self.progress.members)

    @property
    def agencies(self) -> bool:
        return self.progress.target.scope in rollup.AGENCY_SCOPES

    @property
    def nobody(self) -> bool:
        """Nobody reported: nothing is known of who met it or missed it."""
        return self.reported == 0

    @property
    def label(self) -> str:
        """ "0/15 đơn vị báo cáo", "1/3 cơ quan báo cáo"; for a whole-scope target, whether
        it has a figure."""
        counts = {"reported": self.reported, "expected": self.expected}
        if not self.every_unit:
            return str(HAS_DATA if self.reported else Status.NO_DATA.label)
        if self.agencies:
            return str(AGENCIES_REPORTED % counts)
        return str(UNITS_REPORTED % counts)


UNITS_REPORTED = _("%(reported)s/%(expected)s đơn vị báo cáo")
AGENCIES_REPORTED = _("%(reported)s/%(expected)s cơ quan báo cáo")
HAS_DATA = _("Có số liệu")


@dataclass
class LaggardsReport:
    """A plan's laggards for a period, missed apart from not reported.

    `missed`: units or agencies that reported and are below a mandatory target (each with
    those misses only); `no_data`: those with nothing reported for one (each with those);
    `targets`: how many reported each mandatory target. A unit or agency is in `missed`
    only for what it reported: one that entered nothing is in `no_data` alone."""

    subject: Unit | None
    period: Period
    in_force: bool  # whether the subject existed in the period (the country always)
    missed: list[Laggard]
    no_data: list[Laggard]
    targets: list[TargetReporting]

    @property
    def silent_targets(self) -> list[TargetReporting]:
        """The mandatory targets nobody reported."""
        return [t for t in self.targets if t.nobody]

    @property
    def nobody_reported(self) -> bool:
        """Every mandatory target unreported: "nobody is behind" cannot be said."""
        return bool(self.targets) and all(t.nobody for t in self.targets)


def laggards_report(
    plan: Plan,
    period: Period,
    unit: Unit | None = None,
    *,
    rows: list[TargetProgress] | None = None,
) -> LaggardsReport:
    """plan_laggards, with who missed apart from who did not report, and how many reported
    each mandatory target (0/15 đơn vị báo cáo is not "no unit is behind")."""
    subject = unit if unit is not None else plan.issuing_unit
    if rows is None:
        rows = mandatory_progress(plan, period, subject)
    rows = [row for row in rows if row.target.mandatory]
    in_force = subject is None or in_force_during(subject, period)
    laggards = plan_laggards(plan, period, unit, rows=rows)
    return LaggardsReport(
        subject=subject,
        period=period,
        in_force=in_force,
        missed=_only(laggards, lambda m: m.missed),
        no_data=_only(laggards, lambda m: m.no_data),
        targets=[_reporting(row) for row in rows] if in_force else [],
    )


def missed_and_no_data(laggards: list[Laggard]) -> tuple[list[Laggard], list[Laggard]]:
    """The laggards who missed a target they reported, and those who reported nothing: a
    list never names a unit for missing what it did not enter."""
    return _only(laggards, lambda m: m.missed), _only(laggards, lambda m: m.no_data)


def _only(laggards: list[Laggard], keep) -> list[Laggard]:
    """The laggards with at least one miss that `keep` keeps, each with those misses."""
    kept = []
    for laggard in laggards:
        misses = [m for m in laggard.misses if keep(m)]
        if misses:
            kept.append(Laggard(laggard.name, laggard.code, laggard.unit, laggard.agency, misses))
    return kept


def _reporting(row: TargetProgress) -> TargetReporting:
    if row.members:
        return TargetReporting(row, len(row.members) - row.not_reported, len(row.members))
    return TargetReporting(row, int(row.value is not None), 1)
