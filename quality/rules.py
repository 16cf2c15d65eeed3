"""Validation rules across indicators of one unit (or agency) and period: which hold, which
are broken. A rule whose side has a code without a value is skipped (DHIS2's "skip if any
value is missing"): a rule judges what was entered, not what is missing (that is
entry.requirements' job)."""

import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from indicators.models import Figure, Indicator, Submission
from quality.expressions import Expression, ExpressionError, parse
from quality.models import ValidationRule

COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def rule_check(left: str, right: str) -> dict[str, list[str]]:
    """What is wrong with a rule's two sides, by field ("left", "right"): a side that cannot
    be parsed, or that names a code the catalogue does not have. Empty when it is sound."""
    errors: dict[str, list[str]] = {}
    parsed = {}
    for field, text in (("left", left), ("right", right)):
        try:
            parsed[field] = parse(text)
        except ExpressionError as exc:
            errors[field] = [str(exc)]
    codes = {code for side in parsed.values() for code in side.codes}
    known = set(Indicator.objects.filter(code__in=codes).values_list("code", flat=True))
    for field, side in parsed.items():
        unknown = sorted(side.codes - known)
        if unknown:
            errors.setdefault(field, []).append(
                str(_("Không có chỉ tiêu mã: %(codes)s.") % {"codes": ", ".join(unknown)})
            )
    return errors


@dataclass(frozen=True)
class CompiledRule:
    rule: ValidationRule
    left: Expression
    right: Expression

    @property
    def codes(self) -> frozenset[str]:
        return self.left.codes | self.right.codes


def compiled_rules(rules: Iterable[ValidationRule] | None = None) -> list[CompiledRule]:
    """The active rules, parsed (one query). A rule that no longer parses (a code renamed
    in the catalogue is still parsed: it only never applies) is left out."""
    if rules is None:
        rules = ValidationRule.objects.filter(is_active=True).order_by("code")
    found = []
    for rule in rules:
        try:
            found.append(CompiledRule(rule, parse(rule.left), parse(rule.right)))
        except ExpressionError:
            continue
    return found


@dataclass(frozen=True)
class Violation:
    """A rule broken by the values of one report (unit or agency, period)."""

    rule: ValidationRule
    unit_id: int
    agency_id: int | None
    period: str
    left: Decimal
    right: Decimal
    codes: frozenset[str]

    @property
    def is_error(self) -> bool:
        return self.rule.severity == ValidationRule.Severity.ERROR

    @property
    def message(self) -> str:
        if get_language() == "en" and self.rule.message_en:
            return self.rule.message_en
        return self.rule.message

    @property
    def detail(self) -> str:
        """The sides as computed: "SVC_ONLINE_FULL + SVC_ONLINE_PARTIAL (120) ≤ 100"."""
        return (
            f"{self.rule.left} ({_shown(self.left)}) "
            f"{ValidationRule.Operator(self.rule.operator).label} "
            f"{self.rule.right} ({_shown(self.right)})"
        )


def _shown(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.01')).normalize():f}"
    return text


def evaluate(
    values: Mapping[str, Decimal | None], rules: Sequence[CompiledRule], *, key: tuple
) -> list[Violation]:
    """The rules `values` (code → value of one report) break; `key`: (unit id, agency id,
    period)."""
    broken = []
    for compiled in rules:
        if not compiled.codes <= values.keys():
            continue
        left = compiled.left.evaluate(values)
        right = compiled.right.evaluate(values)
        if left is None or right is None:
            continue
        if not COMPARE[compiled.rule.operator](left, right):
            broken.append(Violation(compiled.rule, *key, left, right, compiled.codes))
    return broken


def report_violations(submission: Submission) -> list[Violation]:
    """The rules a report's figures break (two queries)."""
    rules = compiled_rules()
    if not rules:
        return []
    values = dict(
        Figure.objects.filter(
            unit_id=submission.unit_id,
            agency_id=submission.agency_id,
            period=submission.period,
            scope=Figure.Scope.SELF,
        ).values_list("indicator__code", "value")
    )
    return evaluate(
        values, rules, key=(submission.unit_id, submission.agency_id, submission.period)
    )


def violations(figures, *, rules: Sequence[CompiledRule] | None = None) -> list[Violation]:
    """The rules broken by every report among `figures` (a queryset, read once: its own
    figures, scope self), in unit, agency order."""
    rules = compiled_rules() if rules is None else rules
    if not rules:
        return []
    codes = {code for compiled in rules for code in compiled.codes}
    by_report: dict[tuple, dict[str, Decimal]] = {}
    for unit_id, agency_id, period, code, value in (
        figures.filter(scope=Figure.Scope.SELF, indicator__code__in=codes)
        .order_by()
        .values_list("unit_id", "agency_id", "period", "indicator__code", "value")
    ):
        by_report.setdefault((unit_id, agency_id, period), {})[code] = value
    found = []
    for key in sorted(by_report, key=lambda k: (k[0], k[1] or 0, k[2])):
        found.extend(evaluate(by_report[key], rules, key=key))
    return found
