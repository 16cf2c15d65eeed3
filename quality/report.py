"""A unit's data quality for a quarter, below it: the rules broken, the outliers, the open
follow-ups and the missing evidence, each listed and counted per child unit. A handful of
queries whatever the subtree (a province: thousands of figures, read once per kind)."""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from indicators.models import Figure
from indicators.periods import Period, PeriodKind, parse_period, period_of
from quality import discussion, evidence, rules
from quality.flags import outlier_flags, outliers
from units.models import Unit
from units.selectors import subtree_q, today

# Outliers listed on the page (the XLSX has them all).
PAGE_ROWS = 200


@dataclass
class ChildCounts:
    unit: Unit
    violations: int = 0
    outliers: int = 0
    follow_ups: int = 0
    missing_evidence: int = 0

    @property
    def total(self) -> int:
        return self.violations + self.outliers + self.follow_ups + self.missing_evidence


@dataclass
class QualityReport:
    unit: Unit
    period: Period
    violations: list = field(default_factory=list)  # (Violation, Unit)
    outliers: list = field(default_factory=list)  # (Figure, [Flag])
    follow_ups: list = field(default_factory=list)  # discussion.OpenFollowUp
    missing_evidence: list = field(default_factory=list)  # Figure
    children: list[ChildCounts] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        return not (self.violations or self.outliers or self.follow_ups or self.missing_evidence)


def units_below(unit: Unit, period: Period | None) -> list[Unit]:
    """The unit and every unit below it (in force during the period, if one is given)."""
    found = Unit.objects.filter(subtree_q(unit))
    if period is not None:
        found = found.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=period.end),
            Q(valid_to__isnull=True) | Q(valid_to__gte=period.start),
        )
    return list(found)


def latest_period(unit: Unit) -> Period:
    """The latest quarter with a figure under the unit (the current one if none)."""
    found = (
        Figure.objects.filter(subtree_q(unit, "unit__"), period__contains="Q")
        .order_by("-period_end")
        .values_list("period", flat=True)
        .first()
    )
    if found:
        return parse_period(found)
    return period_of(PeriodKind.QUARTER, today())


def quality_report(unit: Unit, period: Period) -> QualityReport:
    units = {u.pk: u for u in units_below(unit, period)}
    figures = Figure.objects.filter(unit_id__in=list(units), period=period.id)
    found = QualityReport(unit=unit, period=period)
    found.violations = [(v, units[v.unit_id]) for v in rules.violations(figures)]
    flagged = list(
        outliers(figures.select_related("unit", "agency", "indicator")).order_by(
            "unit__code", "indicator__position"
        )
    )
    flags = outlier_flags(flagged)
    found.outliers = [(f, flags.get(f.pk, [])) for f in flagged]
    found.follow_ups = discussion.open_follow_ups(list(units), period.id)
    found.missing_evidence = evidence.missing_evidence_below(list(units), period.id)
    found.children = _per_child(unit, units, found)
    return found


def _per_child(unit: Unit, units: dict[int, Unit], found: QualityReport) -> list[ChildCounts]:
    children = sorted((u for u in units.values() if u.parent_id == unit.pk), key=lambda u: u.code)
    counts = {c.pk: ChildCounts(c) for c in children}

    def child_of(unit_id: int) -> ChildCounts | None:
        u = units.get(unit_id)
        while u is not None and u.pk not in counts:
            u = units.get(u.parent_id)
        return counts.get(u.pk) if u is not None else None

    for violation, _unit in found.violations:
        if (c := child_of(violation.unit_id)) is not None:
            c.violations += 1
    for figure, _flags in found.outliers:
        if (c := child_of(figure.unit_id)) is not None:
            c.outliers += 1
    for item in found.follow_ups:
        if (c := child_of(item.follow_up.unit_id)) is not None:
            c.follow_ups += 1
    for figure in found.missing_evidence:
        if (c := child_of(figure.unit_id)) is not None:
            c.missing_evidence += 1
    return list(counts.values())


def xlsx_rows(found: QualityReport) -> tuple[list[str], list[tuple]]:
    """The page as one table: a row per problem."""
    header = [_("Loại"), _("Mã đơn vị"), _("Đơn vị"), _("Chỉ tiêu"), _("Kỳ"), _("Nội dung")]
    rows = []
    for violation, unit in found.violations:
        kind = _("Vi phạm quy tắc") if violation.is_error else _("Cảnh báo")
        text = f"{violation.message} ({violation.detail})"
        codes = ", ".join(sorted(violation.codes))
        rows.append((kind, unit.code, unit.name, codes, violation.period, text))
    for figure, flags in found.outliers:
        for flag in flags:
            rows.append(
                (
                    _("Bất thường"),
                    figure.unit.code,
                    figure.unit.name,
                    figure.indicator.code,
                    figure.period,
                    flag.message,
                )
            )
    for item in found.follow_ups:
        f = item.follow_up
        rows.append(
            (_("Cần theo dõi"), f.unit.code, f.unit.name, f.indicator.code, f.period, f.reason)
        )
    for figure in found.missing_evidence:
        rows.append(
            (
                _("Thiếu minh chứng"),
                figure.unit.code,
                figure.unit.name,
                figure.indicator.code,
                figure.period,
                "",
            )
        )
    return header, rows
