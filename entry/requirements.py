"""Which of a report's indicators must be filled before it can be submitted: data, set by
the administrator (entry.models.ReportingRequirement), docs/decisions/0018.

For a unit of a level (or an agency of a kind) and a period, the required indicators are
those applicable (entry.services.applicable_indicators) that
- a requirement without a plan names for that level or kind; or, when the administrator
  has named none for it, the default: those any plan sets a target for;
- plus those a requirement of a plan names, when the period falls in the plan's years and
  the plan covers the unit (a national plan, or one issued by the unit or a unit above it).
"""

from entry.models import ReportingRequirement
from indicators.models import Indicator
from indicators.periods import Period
from plans.models import Target
from units.models import Agency, Unit


def reporter_key(unit: Unit, agency: Agency | None) -> str:
    return agency.kind if agency is not None else unit.level


def _units_above(unit: Unit) -> set[int]:
    """The unit and those above it (no query)."""
    return {pk for pk in (unit.pk, unit.parent_id, unit.district_id, unit.province_id) if pk}


def default_required(indicators: list[Indicator]) -> set[str]:
    """The default when the administrator named none: the indicators plans set targets for."""
    return set(
        Target.objects.filter(indicator__in=indicators).values_list("indicator__code", flat=True)
    )


def required_codes(
    unit: Unit, agency: Agency | None, period: Period, indicators: list[Indicator]
) -> set[str]:
    """The codes among `indicators` (those applicable) this reporter must fill. Two or three
    queries, whatever the number of indicators."""
    applicable = {i.code for i in indicators}
    rows = list(
        ReportingRequirement.objects.filter(reporter=reporter_key(unit, agency)).values_list(
            "indicator__code", "plan__year_from", "plan__year_to", "plan__issuing_unit"
        )
    )
    base = {code for code, year_from, _to, _issuer in rows if year_from is None}
    if not any(year_from is None for _code, year_from, _to, _issuer in rows):
        base = default_required(indicators)
    planned = [r for r in rows if r[1] is not None and r[1] <= period.start.year <= r[2]]
    if planned:
        above = _units_above(unit)
        base |= {code for code, _f, _t, issuer in planned if issuer is None or issuer in above}
    return base & applicable
