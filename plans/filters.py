"""Query parameters of /api/v1/plans/."""

from django.db.models import Q
from django_filters import rest_framework as filters

from egov_portal.api import IdFilter
from plans.models import Plan


class PlanFilter(filters.FilterSet):
    issuing_unit = IdFilter(field_name="issuing_unit_id", help_text="Id đơn vị.")
    national = filters.BooleanFilter(field_name="issuing_unit", lookup_expr="isnull")
    year = filters.NumberFilter(method="filter_year", help_text="Năm nằm trong kế hoạch.")
    kind = filters.ChoiceFilter(choices=Plan.Kind.choices)

    class Meta:
        model = Plan
        fields = ["issuing_unit", "national", "year", "kind"]

    def filter_year(self, queryset, name, value):
        return queryset.filter(Q(year_from__lte=value) & Q(year_to__gte=value))
