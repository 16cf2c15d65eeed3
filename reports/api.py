"""/api/v1/readiness/: the readiness index of a unit, or of each unit below it."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from indicators.validation import period_check
from reports import readiness
from reports.serializers import ReadinessQuerySerializer, ReadinessSerializer
from units.models import Unit

UNIT_NOT_FOUND = _("Không có đơn vị mã %(code)s vào ngày %(on)s.")


class ReadinessView(APIView):
    """The readiness index (docs/decisions/0016-readiness-index.md) of a unit, or of each of
    its children with by=children, for a period: the score (0–100) and coverage of every
    pillar and of the whole. A pillar has a score only when at least min_coverage % of its
    indicators have a value, the whole only when every pillar has one. Approved figures only,
    as /api/v1/analytics/: open data, the same answer for everyone."""

    @extend_schema(parameters=[ReadinessQuerySerializer], responses=ReadinessSerializer)
    def get(self, request):
        query = ReadinessQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        try:
            period = period_check(params["period"])
        except ValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from None
        on = params.get("on") or period.end
        unit = Unit.objects.in_force(on).filter(code=params["unit"]).first()
        if unit is None:
            raise exceptions.NotFound(
                UNIT_NOT_FOUND % {"code": params["unit"], "on": on.strftime("%d/%m/%Y")}
            )
        found = readiness.readiness_read(unit=unit, period=period, by=params["by"])
        return Response(ReadinessSerializer(found).data)
