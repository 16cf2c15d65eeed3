"""/api/v1/plans/: plans with their targets and budget, their progress and their laggards."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from egov_portal import table_files
from indicators.periods import Period
from indicators.validation import period_check
from plans import exports, progress, selectors
from plans.filters import PlanFilter
from plans.models import Plan
from plans.serializers import (
    LaggardSerializer,
    PlanDetailSerializer,
    PlanLaggardsSerializer,
    PlanProgressSerializer,
    PlanSerializer,
    ProgressQuerySerializer,
    TargetProgressSerializer,
)
from units.models import Unit

EXPORT = OpenApiParameter("export", str, enum=["csv", "xlsx"], description="Tải về CSV/XLSX.")


def progress_query(query_params) -> tuple[Period, Unit | None]:
    """The period and unit of a progress or laggards request; 400/404 say what is wrong."""
    query = ProgressQuerySerializer(data=query_params)
    query.is_valid(raise_exception=True)
    try:
        period = period_check(query.validated_data["period"])
    except ValidationError as exc:
        raise exceptions.ValidationError(exc.message_dict) from None
    unit = None
    if query.validated_data.get("unit") is not None:
        unit = Unit.objects.filter(pk=query.validated_data["unit"]).first()
        if unit is None:
            raise exceptions.NotFound(_("Không có đơn vị này."))
    return period, unit


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    """Plans and national documents; filters issuing_unit, national, year, kind."""

    filterset_class = PlanFilter

    def get_queryset(self):
        if self.action == "list":
            return selectors.plan_list()
        return selectors.plan_detail_queryset()

    def get_serializer_class(self):
        return PlanSerializer if self.action == "list" else PlanDetailSerializer

    # One plan's whole answer: neither the list's filters nor its pages apply (the schema
    # once promised both, and a `count` the answer never had).
    @extend_schema(
        parameters=[ProgressQuerySerializer],
        responses=PlanProgressSerializer,
        operation_id="plans_progress_list",  # as generated clients have always called it
    )
    @action(detail=True, pagination_class=None, filter_backends=[])
    def progress(self, request, pk=None):
        """Each target's progress (the plan's own, then those it inherits) for the issuing
        unit, the given unit, or the whole country for a national document."""
        plan: Plan = self.get_object()
        period, unit = progress_query(request.query_params)
        rows = progress.plan_progress(plan, period, unit)
        return Response(
            {
                "plan": plan.code,
                "period": period.id,
                "unit": _unit_ref(unit or plan.issuing_unit),
                "results": TargetProgressSerializer(rows, many=True).data,
            }
        )

    @extend_schema(
        parameters=[ProgressQuerySerializer, EXPORT],
        operation_id="plans_laggards_list",
        responses={
            (200, "application/json"): PlanLaggardsSerializer,
            (200, "text/csv"): bytes,
            (200, table_files.XLSX): bytes,
        },
    )
    @action(detail=True, pagination_class=None, filter_backends=[])
    def laggards(self, request, pk=None):
        """Every unit or agency missing at least one mandatory target: which, by how much.
        `?export=csv` or `?export=xlsx` downloads the same table."""
        plan: Plan = self.get_object()
        period, unit = progress_query(request.query_params)
        laggards = progress.plan_laggards(plan, period, unit)
        export = request.query_params.get("export")
        if export in ("csv", "xlsx"):
            return laggards_download(plan, period, laggards, export)
        return Response(
            {
                "plan": plan.code,
                "period": period.id,
                "results": LaggardSerializer(laggards, many=True).data,
            }
        )


def laggards_download(plan: Plan, period: Period, laggards, export: str) -> HttpResponse:
    frame = exports.laggards_frame(laggards)
    name = f"laggards-{plan.code}-{period.id}.{export}"
    if export == "csv":
        response = HttpResponse(table_files.frame_csv(frame), content_type=table_files.CSV)
    else:
        title = f"{exports.plan_citation(plan)} — {_('kỳ')} {period.id}"
        response = HttpResponse(
            table_files.frames_xlsx({_("Đơn vị chậm"): frame}, title=title),
            content_type=table_files.XLSX,
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _unit_ref(unit: Unit | None) -> dict | None:
    if unit is None:
        return None
    return {"id": unit.pk, "code": unit.code, "name": unit.name}
