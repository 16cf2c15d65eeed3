"""One report's data quality as its form and its reviewer see it: each indicator's flags
(outliers, the rules it takes part in breaking) and the rules broken. Four queries."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count

from indicators.models import Figure
from indicators.periods import Period
from quality.flags import Flag, outlier_flags
from quality.models import Comment, Evidence, EvidenceRequirement, FollowUp
from quality.rules import Violation, compiled_rules, evaluate
from units.models import Agency, Unit


@dataclass
class ReportFlags:
    by_code: dict[str, list[Flag]] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(flags) for flags in self.by_code.values())


def report_flags(
    unit: Unit, agency: Agency | None, period: Period, figures: Iterable[Figure]
) -> ReportFlags:
    """The flags of a report's figures (its own, scope self, indicator loaded)."""
    figures = [f for f in figures if f.scope == Figure.Scope.SELF]
    if not figures:
        return ReportFlags()
    agency_id = agency.pk if agency else None
    own = [f for f in figures if f.value is not None]
    outliers_of = outlier_flags(own)
    found = ReportFlags()
    for f in own:
        flags = outliers_of.get(f.pk)
        if flags:
            found.by_code[f.indicator.code] = flags
    found.violations = evaluate(
        {f.indicator.code: f.value for f in own},
        compiled_rules(),
        key=(unit.pk, agency_id, period.id),
    )
    for violation in found.violations:
        flag = Flag.of_violation(violation)
        for code in sorted(violation.codes):
            found.by_code.setdefault(code, []).append(flag)
    return found


LATEST = 2  # comments shown under a value on the report page


@dataclass(frozen=True)
class FigureNotes:
    """What people said and showed about a figure, for a row of a report."""

    comments: int = 0
    follow_up: bool = False  # an open follow-up
    latest: tuple = ()  # the last comments (at most LATEST), oldest first
    evidence: int = 0
    evidence_required: bool = False

    @property
    def evidence_missing(self) -> bool:
        return self.evidence_required and not self.evidence


def report_notes(
    unit_id: int, agency_id: int | None, period: str, figures: Iterable[Figure]
) -> dict[int, FigureNotes]:
    """FigureNotes of a report's figures, by figure id: four queries."""
    figures = list(figures)
    if not figures:
        return {}
    where = {"unit_id": unit_id, "agency_id": agency_id, "period": period}

    def counts(model, **extra) -> dict[tuple, int]:
        rows = (
            model.objects.filter(**where, **extra)
            .order_by()
            .values_list("indicator_id", "scope")
            .annotate(n=Count("pk"))
        )
        return {(indicator, scope): n for indicator, scope, n in rows}

    said: dict[tuple, list[Comment]] = {}
    for comment in (
        Comment.objects.filter(**where).select_related("author").order_by("created_at", "pk")
    ):
        said.setdefault((comment.indicator_id, comment.scope), []).append(comment)
    follow_ups = counts(FollowUp, resolved_at__isnull=True)
    evidence = counts(Evidence)
    required = set(EvidenceRequirement.objects.values_list("indicator_id", flat=True))
    return {
        f.pk: FigureNotes(
            comments=len(said.get((f.indicator_id, f.scope), [])),
            latest=tuple(said.get((f.indicator_id, f.scope), [])[-LATEST:]),
            follow_up=bool(follow_ups.get((f.indicator_id, f.scope))),
            evidence=evidence.get((f.indicator_id, f.scope), 0),
            evidence_required=f.indicator_id in required,
        )
        for f in figures
    }
