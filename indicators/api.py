"""/api/v1/indicators/, /api/v1/observations/ and /api/v1/analytics/."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from indicators import analytics, selectors, services
from indicators.filters import FigureFilter, IndicatorFilter
from indicators.models import Indicator
from indicators.serializers import (
    AnalyticsQuerySerializer,
    FigureSerializer,
    FigureValueUpdateSerializer,
    FigureWriteSerializer,
    IndicatorSerializer,
    RolledValueSerializer,
)
from indicators.validation import period_check
from units.models import Unit
from units.selectors import today


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    lookup_field = "code"

    def get_queryset(self):
        return selectors.indicator_list()


def _rows_error(exc: services.FigureRowsError) -> exceptions.ValidationError:
    """Row errors as DRF's field → messages (the rows are one figure here)."""
    detail: dict[str, list[str]] = {}
    for error in exc.errors:
        detail.setdefault(error.field, []).append(error.message)
    return exceptions.ValidationError(detail)


class ObservationViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Figures. Anyone reads; staff write (officials' writes come with data entry).

    POST creates a figure or updates the one with the same unit, agency, indicator, period
    and scope (sending it twice changes nothing); PATCH changes a value and its source.
    Every write goes through the same validation as imports and forms.
    """

    serializer_class = FigureSerializer
    filterset_class = FigureFilter

    def get_queryset(self):
        return selectors.figure_list()

    @extend_schema(request=FigureWriteSerializer, responses=FigureSerializer)
    def create(self, request, *args, **kwargs):
        incoming = FigureWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        data["unit_on"] = data.pop("on", None)
        figure_status = data.pop("status")
        try:
            summary = services.figures_save_many(
                inputs=[services.FigureInput(**data)], by=request.user, status=figure_status
            )
        except services.FigureRowsError as exc:
            raise _rows_error(exc) from None
        figure = self.get_queryset().get(pk=summary.figure_ids[0])
        code = status.HTTP_201_CREATED if summary.created else status.HTTP_200_OK
        return Response(FigureSerializer(figure).data, status=code)

    @extend_schema(request=FigureValueUpdateSerializer, responses=FigureSerializer)
    def update(self, request, *args, **kwargs):
        figure = self.get_object()
        incoming = FigureValueUpdateSerializer(data=request.data, partial=kwargs.get("partial"))
        incoming.is_valid(raise_exception=True)
        changes = incoming.validated_data
        current = {
            "value": figure.value,
            "numerator": figure.numerator,
            "denominator": figure.denominator,
            "source": figure.source,
            "source_on": figure.source_on,
            "note": figure.note,
        }
        if {"value", "numerator", "denominator"} & changes.keys():
            # A new value replaces the old one whole: 18 of 29 is not kept beside 70%.
            current.update(value=None, numerator=None, denominator=None)
        current.update({k: v for k, v in changes.items() if k != "status"})
        try:
            services.figures_save_many(
                inputs=[
                    services.FigureInput(
                        unit_code=figure.unit.code,
                        unit_on=figure.unit.valid_to or figure.period_end,
                        agency=figure.agency.name if figure.agency else "",
                        indicator=figure.indicator.code,
                        period=figure.period,
                        scope=figure.scope,
                        **current,
                    )
                ],
                by=request.user,
                status=changes.get("status", figure.status),
            )
        except services.FigureRowsError as exc:
            raise _rows_error(exc) from None
        return Response(FigureSerializer(self.get_queryset().get(pk=figure.pk)).data)

    def perform_destroy(self, instance):
        instance._history_user = self.request.user
        instance.delete()


class AnalyticsView(APIView):
    """The value of an indicator for a unit (or each of its children), period and scope,
    rolled up by the indicator's rules, with its coverage and origin."""

    @extend_schema(
        parameters=[AnalyticsQuerySerializer], responses=RolledValueSerializer(many=True)
    )
    def get(self, request):
        query = AnalyticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        indicator = Indicator.objects.filter(code=params["indicator"]).first()
        if indicator is None:
            raise exceptions.NotFound(
                _("Không có chỉ tiêu mã «%(code)s».") % {"code": params["indicator"]}
            )
        try:
            period = period_check(params["period"])
        except ValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from None
        if params.get("unit") is not None:
            unit = Unit.objects.filter(pk=params["unit"]).first()
        else:
            day = params.get("on") or today()
            unit = Unit.objects.in_force(day).filter(code=params["unit_code"]).first()
        if unit is None:
            raise exceptions.NotFound(_("Không có đơn vị này."))
        if params["by"] == "children":
            values = analytics.rollup_children(indicator, unit, period, params["scope"])
        else:
            values = [analytics.rollup_value(indicator, unit, period, params["scope"])]
        return Response(
            {
                "indicator": indicator.code,
                "period": period.id,
                "scope": params["scope"],
                "by": params["by"],
                "unit": {"id": unit.pk, "code": unit.code, "name": unit.name},
                "results": RolledValueSerializer(values, many=True).data,
            }
        )
