"""/api/v1/indicators/ and /api/v1/observations/ (read; writes come with data entry)."""

from rest_framework import viewsets

from indicators import selectors
from indicators.filters import FigureFilter, IndicatorFilter
from indicators.serializers import FigureSerializer, IndicatorSerializer


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    lookup_field = "code"

    def get_queryset(self):
        return selectors.indicator_list()


class ObservationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = FigureSerializer
    filterset_class = FigureFilter

    def get_queryset(self):
        return selectors.figure_list()
