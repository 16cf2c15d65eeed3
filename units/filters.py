"""Query parameters of /api/v1/units/."""

from django_filters import rest_framework as filters

from egov_portal.api import IdFilter
from units.models import Unit
from units.selectors import today, unit_search_filter


class UnitFilter(filters.FilterSet):
    code = filters.CharFilter(field_name="code", help_text="Mã GSO, ví dụ 464.")
    level = filters.ChoiceFilter(choices=Unit.Level.choices)
    parent = IdFilter(field_name="parent_id", help_text="id của đơn vị cấp trên.")
    on = filters.DateFilter(
        method="filter_on",
        help_text="Đơn vị có hiệu lực vào ngày này (YYYY-MM-DD); mặc định hôm nay.",
    )
    q = filters.CharFilter(
        method="filter_q",
        help_text=(
            "Tìm theo tên hoặc mã, không phân biệt dấu và hoa thường; kết quả xếp theo mức khớp "
            "(đúng tên, đúng tên không kể loại đơn vị, đầu tên, rồi có trong tên)."
        ),
    )

    class Meta:
        model = Unit
        fields = ["code", "level", "parent", "on", "q"]

    def filter_on(self, queryset, name, value):
        return queryset.in_force(value)

    def filter_q(self, queryset, name, value):
        # Ranked and ordered as on /units/?q=: best matches first, the same count.
        return unit_search_filter(queryset, q=value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # Without `on`, a list means the units in force today (a code names one unit a day).
        if not self.form.cleaned_data.get("on"):
            queryset = queryset.in_force(today())
        return queryset
