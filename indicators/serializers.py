"""API shapes for indicators and figures."""

from rest_framework import serializers

from indicators.models import Figure, Indicator
from units.serializers import UnitRefSerializer


class IndicatorSerializer(serializers.ModelSerializer):
    applies_to_levels = serializers.ListField(source="level_list", read_only=True)
    applies_to_agency_kinds = serializers.ListField(source="agency_kind_list", read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "name_en",
            "definition",
            "definition_en",
            "pillar",
            "value_type",
            "unit_rollup",
            "time_rollup",
            "direction",
            "applies_to_levels",
            "applies_to_agency_kinds",
            "valid_from",
            "valid_to",
        ]


class FigureSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    agency = serializers.CharField(source="agency.name", default=None, read_only=True)
    indicator = serializers.CharField(source="indicator.code", read_only=True)

    class Meta:
        model = Figure
        fields = [
            "id",
            "unit",
            "agency",
            "indicator",
            "period",
            "scope",
            "value",
            "numerator",
            "denominator",
            "status",
            "source",
            "source_on",
            "note",
            "updated_at",
        ]
