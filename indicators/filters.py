"""Query parameters of /api/v1/indicators/ and /api/v1/observations/."""

from django.core.exceptions import ValidationError
from django_filters import rest_framework as filters
from rest_framework import exceptions

from egov_portal.api import IdFilter
from indicators import readings, selectors
from indicators.models import Figure, Indicator
from indicators.validation import period_check
from units.models import Unit
from units.selectors import today


def _period(value: str, field: str):
    """The period a parameter names; a malformed id is a 400 naming the parameter."""
    try:
        return period_check(value)
    except ValidationError as exc:
        raise exceptions.ValidationError({field: exc.message_dict["period"]}) from None


class IndicatorFilter(filters.FilterSet):
    pillar = filters.ChoiceFilter(choices=Indicator.Pillar.choices)
    value_type = filters.ChoiceFilter(choices=Indicator.ValueType.choices)
    applies_to = filters.CharFilter(
        method="filter_applies_to", help_text="Cấp (province, district, commune) hoặc loại cơ quan."
    )
    valid_on = filters.DateFilter(method="filter_valid_on")

    class Meta:
        model = Indicator
        fields = ["pillar", "value_type", "applies_to", "valid_on"]

    def filter_applies_to(self, queryset, name, value):
        return queryset & selectors.indicator_list(applies_to=value)

    def filter_valid_on(self, queryset, name, value):
        return queryset & selectors.indicator_list(valid_on=value)


class FigureFilter(filters.FilterSet):
    indicator = filters.CharFilter(field_name="indicator__code", help_text="Mã chỉ tiêu.")
    unit = IdFilter(field_name="unit_id")
    unit_code = filters.CharFilter(method="filter_unit_code", help_text="Mã GSO; xem `on`.")
    on = filters.DateFilter(method="filter_noop", help_text="Ngày để hiểu unit_code.")
    descendants_of = IdFilter(
        method="filter_descendants_of",
        help_text="Id đơn vị: số liệu của đơn vị và các đơn vị trực thuộc; xem `reading`.",
    )
    reading = filters.ChoiceFilter(
        choices=readings.CHOICES,
        method="filter_noop",
        help_text=(
            "With descendants_of: rebased (default for a unit in force today) also lists the "
            "figures of the units it was formed from and theirs (a 2025 province: its old "
            "provinces'); as_reported, its own subtree only."
        ),
    )
    period = filters.CharFilter(method="filter_period")
    period_from = filters.CharFilter(method="filter_period_from")
    period_to = filters.CharFilter(method="filter_period_to")
    scope = filters.ChoiceFilter(choices=Figure.Scope.choices)
    status = filters.ChoiceFilter(choices=Figure.Status.choices)

    class Meta:
        model = Figure
        fields = [
            "indicator",
            "unit",
            "unit_code",
            "on",
            "descendants_of",
            "reading",
            "period",
            "period_from",
            "period_to",
            "scope",
            "status",
        ]

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_unit_code(self, queryset, name, value):
        day = self.form.cleaned_data.get("on") or today()
        return queryset.filter(unit__in=Unit.objects.in_force(day).filter(code=value))

    def filter_descendants_of(self, queryset, name, value):
        unit = Unit.objects.filter(pk=value).first()
        if unit is None:
            return queryset.none()
        reading = self.form.cleaned_data.get("reading") or readings.default_reading(unit, today())
        return readings.figures_under(queryset, unit, reading)

    def filter_period(self, queryset, name, value):
        period = _period(value, name)
        return queryset.filter(selectors.of_period_q(period))

    def filter_period_from(self, queryset, name, value):
        return queryset.filter(period_start__gte=_period(value, name).start)

    def filter_period_to(self, queryset, name, value):
        return queryset.filter(period_end__lte=_period(value, name).end)
