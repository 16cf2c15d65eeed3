"""What is flagged about figures: a value outside its unit's plausible range, a change from
the previous quarter beyond the plausible change (both "outlier"), and the validation rules
its report breaks ("rule:<code>"). For a page of figures in a few queries, whatever its
size; `outlier_q` is the same test in SQL, for /api/v1/observations/?flag=outlier."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DateField, F, Func, OuterRef, Q, Subquery, Value
from django.db.models.functions import Abs, Coalesce
from django.utils.translation import gettext as _

from indicators.models import Figure
from indicators.periods import PeriodKind, parse_period, period_previous
from quality import rules
from quality.models import MinMax

OUTLIER = "outlier"


@dataclass(frozen=True)
class Flag:
    flag: str  # "outlier" or "rule:<code>"
    message: str
    severity: str = "warning"  # "error" for a broken rule of that severity

    def as_dict(self) -> dict:
        return {"flag": self.flag, "message": self.message, "severity": self.severity}

    @classmethod
    def of_violation(cls, violation) -> "Flag":
        """The flag of a value taking part in breaking a rule (quality.rules.Violation)."""
        return cls(
            f"rule:{violation.rule.code}",
            violation.message,
            "error" if violation.is_error else "warning",
        )


def value_flags(
    value: Decimal | None, bounds: MinMax | None, previous: Decimal | None
) -> list[Flag]:
    """A value's outlier flags against its unit's range and last quarter's approved value."""
    if value is None or bounds is None:
        return []
    found = []
    if value < bounds.lower or value > bounds.upper:
        found.append(
            Flag(
                OUTLIER,
                _("Giá trị %(value)s nằm ngoài khoảng hợp lý %(lower)s–%(upper)s (%(basis)s).")
                % {
                    "value": _number(value),
                    "lower": _number(bounds.lower),
                    "upper": _number(bounds.upper),
                    "basis": bounds.get_basis_display(),
                },
            )
        )
    if (
        previous is not None
        and bounds.max_change is not None
        and abs(value - previous) > bounds.max_change
    ):
        found.append(
            Flag(
                OUTLIER,
                _("Thay đổi %(change)s so với quý trước (%(previous)s) vượt mức hợp lý %(limit)s.")
                % {
                    "change": _number(value - previous),
                    "previous": _number(previous),
                    "limit": _number(bounds.max_change),
                },
            )
        )
    return found


def _number(value: Decimal) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01')).normalize():f}"


def outlier_flags(figures: Sequence[Figure], *, always: bool = False) -> dict[int, list[Flag]]:
    """The outlier flags of these figures' own values (scope self), by figure id: their
    units' ranges and last quarter's values, two queries (with `always`, both run even when
    no figure is a quarter's)."""
    if not figures:
        return {}
    bounds = {
        (m.unit_id, m.indicator_id): m
        for m in MinMax.objects.filter(
            unit_id__in={f.unit_id for f in figures},
            indicator_id__in={f.indicator_id for f in figures},
        )
    }
    previous = previous_values(
        [(f.unit_id, f.agency_id, f.indicator_id, f.period) for f in figures], always=always
    )
    return {
        f.pk: value_flags(
            f.value,
            bounds.get((f.unit_id, f.indicator_id)),
            previous.get((f.unit_id, f.agency_id, f.indicator_id, f.period)),
        )
        for f in figures
        if f.scope == Figure.Scope.SELF and f.value is not None
    }


def previous_values(
    keys: Iterable[tuple[int, int | None, int, str]], *, always: bool = False
) -> dict[tuple, Decimal]:
    """Last quarter's approved own value of each (unit, agency, indicator, quarter), one
    query; keys of other kinds of period have none. `always`: the query runs even when no
    key is a quarter (a page's queries then do not depend on what it holds)."""
    keys = list(keys)
    wanted = {}
    for unit_id, agency_id, indicator_id, period_id in keys:
        period = parse_period(period_id)
        if period.kind == PeriodKind.QUARTER:
            wanted[(unit_id, agency_id, indicator_id, period_previous(period).id)] = (
                unit_id,
                agency_id,
                indicator_id,
                period_id,
            )
    if not keys or (not wanted and not always):
        return {}
    found = {}
    # One condition per quarter read, with its end date, which figure_unit_period_idx (unit,
    # period_end, indicator) is read by: by the period ids alone, PostgreSQL read every
    # period's figures of the page's units (a province's first page of the API: 108,000
    # index entries, 8 ms, where this reads the page's 700).
    units_of: dict[str, set[int]] = {}
    indicators_of: dict[str, set[int]] = {}
    for unit_id, _agency_id, indicator_id, period_id in wanted:
        units_of.setdefault(period_id, set()).add(unit_id)
        indicators_of.setdefault(period_id, set()).add(indicator_id)
    which = Q(
        *(
            Q(
                period=period_id,
                period_end=parse_period(period_id).end,
                unit_id__in=sorted(units),
                indicator_id__in=sorted(indicators_of[period_id]),
            )
            for period_id, units in units_of.items()
        ),
        _connector=Q.OR,
    )
    # No quarter among the keys: a period id that never matches, so the query runs.
    for unit_id, agency_id, indicator_id, period_id, value in (
        Figure.objects.filter(
            which if units_of else Q(period=NO_PERIOD),
            status=Figure.Status.APPROVED,
            scope=Figure.Scope.SELF,
        )
        .order_by()
        .values_list("unit_id", "agency_id", "indicator_id", "period", "value")
    ):
        key = wanted.get((unit_id, agency_id, indicator_id, period_id))
        if key is not None:
            found[key] = value
    return found


NO_PERIOD = "-"


def figure_flags(figures: Sequence[Figure]) -> dict[int, list[Flag]]:
    """Every flag of these figures (a page), by figure id: outliers of their own values
    (scope self), and the rules their reports break. The same four queries for any page
    (a deep page of the API costs what the first does, whatever its figures)."""
    if not figures:
        return {}
    own = [f for f in figures if f.scope == Figure.Scope.SELF and f.value is not None]
    flags: dict[int, list[Flag]] = {f.pk: [] for f in figures}
    flags.update(outlier_flags(figures, always=True))
    broken = rules.violations(Figure.objects.filter(_reports_q(figures)))
    by_report: dict[tuple, list[Figure]] = {}
    for f in own:
        by_report.setdefault((f.unit_id, f.agency_id, f.period), []).append(f)
    for violation in broken:
        for f in by_report.get((violation.unit_id, violation.agency_id, violation.period), []):
            if f.indicator.code in violation.codes:
                flags[f.pk].append(Flag.of_violation(violation))
    return flags


def _reports_q(figures: Sequence[Figure]) -> Q:
    """The figures' reports (unit, agency, period), as few conditions as the page allows:
    its units by agency and period, or its periods by unit and agency, whichever is fewer.
    One condition per report cost a page of the API 10 ms of Django building them."""
    by_period: dict[tuple, set] = {}
    by_unit: dict[tuple, set] = {}
    for f in figures:
        by_period.setdefault((f.agency_id, f.period), set()).add(f.unit_id)
        by_unit.setdefault((f.unit_id, f.agency_id), set()).add(f.period)
    if len(by_period) <= len(by_unit):
        terms = [
            Q(agency_id=agency_id, period=period, unit_id__in=sorted(units))
            for (agency_id, period), units in by_period.items()
        ]
    else:
        terms = [
            Q(unit_id=unit_id, agency_id=agency_id, period__in=sorted(periods))
            for (unit_id, agency_id), periods in by_unit.items()
        ]
    return Q(*terms, _connector=Q.OR)


class DayBefore(Func):
    """A date's day before, on PostgreSQL and SQLite."""

    output_field = DateField()

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) - INTERVAL '1 day')::date", params

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"date({sql}, '-1 day')", params


def with_outlier_bounds(figures):
    """Figures annotated with their unit's range and last quarter's approved own value."""
    bounds = MinMax.objects.filter(
        unit_id=OuterRef("unit_id"), indicator_id=OuterRef("indicator_id")
    )
    previous = Figure.objects.filter(
        unit_id=OuterRef("unit_id"),
        indicator_id=OuterRef("indicator_id"),
        scope=Figure.Scope.SELF,
        status=Figure.Status.APPROVED,
        period__contains="Q",
        period_end=DayBefore(OuterRef("period_start")),
    )
    # The same agency, or none for both (NULL = NULL is not true).
    previous = previous.annotate(_agency=Coalesce("agency_id", Value(0))).filter(
        _agency=Coalesce(OuterRef("agency_id"), Value(0))
    )
    return figures.annotate(
        _lower=Subquery(bounds.values("lower")[:1]),
        _upper=Subquery(bounds.values("upper")[:1]),
        _max_change=Subquery(bounds.values("max_change")[:1]),
        _previous=Subquery(previous.values("value")[:1]),
    )


def outlier_q() -> Q:
    """The figures flagged "outlier" (on a queryset with_outlier_bounds)."""
    own = Q(scope=Figure.Scope.SELF)
    out_of_range = Q(value__lt=F("_lower")) | Q(value__gt=F("_upper"))
    jump = Q(period__contains="Q", _change__gt=F("_max_change"))
    return own & (out_of_range | jump)


def outliers(figures):
    """`figures` (a queryset) that are flagged "outlier"."""
    annotated = with_outlier_bounds(figures).annotate(_change=Abs(F("value") - F("_previous")))
    return annotated.filter(outlier_q())
