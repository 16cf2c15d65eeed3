"""Reports: the figures of one unit (or agency) for one period, held together while they
are entered and reviewed (indicators.models.Submission), as they are read. They are opened,
locked, touched and moved by the write service (indicators.writes.reports).
"""

from django.db.models import QuerySet

from indicators.models import Figure, Submission
from indicators.periods import Period
from units.models import Agency, Unit


def submission_get(unit: Unit, agency: Agency | None, period: Period) -> Submission | None:
    return Submission.objects.filter(unit=unit, agency=agency, period=period.id).first()


def report_figures(submission: Submission) -> QuerySet[Figure]:
    """The figures a report holds: its unit's (or agency's) own, for its period."""
    return Figure.objects.filter(
        unit_id=submission.unit_id,
        agency_id=submission.agency_id,
        period=submission.period,
        scope=Figure.Scope.SELF,
    )
