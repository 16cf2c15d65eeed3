"""/api/v1/units/: administrative units, read-only."""

from django.db.models import Count
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from units import selectors
from units.filters import UnitFilter
from units.models import Unit
from units.serializers import UnitDetailSerializer, UnitSerializer


@extend_schema_view(
    list=extend_schema(summary="Đơn vị hành chính có hiệu lực vào một ngày"),
    retrieve=extend_schema(summary="Một đơn vị, với các đơn vị trước và sau sắp xếp"),
)
class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    filterset_class = UnitFilter

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.unit_get_queryset().annotate(children_count=Count("children"))
        return Unit.objects.select_related("parent").order_by("code")

    def get_serializer_class(self):
        return UnitDetailSerializer if self.action == "retrieve" else UnitSerializer

    def filter_queryset(self, queryset):
        # Filters (and the default "in force today") select lists; an id names one unit.
        if self.action == "retrieve":
            return queryset
        return super().filter_queryset(queryset)
