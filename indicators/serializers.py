"""API shapes for indicators and figures."""

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from egov_portal.api import NumberField, TextField
from indicators import readings, sources
from indicators.analytics import coverage_label
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


class CitationSerializer(serializers.Serializer):
    """A source as a reader cites it (indicators.sources): what the article says of itself;
    empty where it does not say."""

    title = serializers.CharField()
    publisher = serializers.CharField()
    published_on = serializers.DateField(allow_null=True)
    url = serializers.CharField()
    detail = serializers.CharField()


class FigureSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    agency = serializers.CharField(
        source="agency.name", default=None, read_only=True, allow_null=True
    )
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    approximate = serializers.BooleanField(
        source="is_approximate", read_only=True, help_text="Nguồn ghi số gần đúng («khoảng»)."
    )
    citation = serializers.SerializerMethodField(
        help_text="The source as a reader cites it: title, publisher, date, link (source keeps "
        "the text as stored)."
    )

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
            "approximate",
            "status",
            "source",
            "source_on",
            "citation",
            "note",
            "updated_at",
        ]

    @cached_property
    def _citation(self) -> CitationSerializer:
        # One for a page's rows: a serializer made per row copied its fields each time
        # (a tenth of an observations page, benchmarks/RESULTS.md, issue 17).
        return CitationSerializer()

    @extend_schema_field(CitationSerializer)
    def get_citation(self, figure: Figure) -> dict:
        return self._citation.to_representation(sources.cite(figure.source))


class FigureWriteSerializer(serializers.Serializer):
    """A figure as staff send it: codes, not ids (the same shape imports use). Text fields
    are NFC, as the imports make them: an agency name typed decomposed finds its agency."""

    unit_code = TextField(max_length=5)
    on = serializers.DateField(
        required=False, allow_null=True, help_text="Ngày để hiểu unit_code (mặc định: cuối kỳ)."
    )
    agency = TextField(required=False, allow_blank=True, default="")
    indicator = TextField(max_length=40)
    period = TextField(max_length=7)
    scope = serializers.ChoiceField(choices=Figure.Scope.choices, default=Figure.Scope.SELF)
    value = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    numerator = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    denominator = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    approximate = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Số gần đúng («khoảng» trong nguồn); bỏ trống: giữ như số liệu đã lưu.",
    )
    status = serializers.ChoiceField(choices=Figure.Status.choices, default=Figure.Status.DRAFT)
    source = TextField(required=False, allow_blank=True, default="", max_length=255)
    source_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = TextField(required=False, allow_blank=True, default="")


class FigureValueUpdateSerializer(serializers.Serializer):
    """What an update may change: the value and its provenance, never what it is about."""

    value = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    numerator = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    denominator = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    approximate = serializers.BooleanField(required=False)
    status = serializers.ChoiceField(choices=Figure.Status.choices, required=False)
    source = TextField(required=False, allow_blank=True, max_length=255)
    source_on = serializers.DateField(required=False, allow_null=True)
    note = TextField(required=False, allow_blank=True)


class AnalyticsQuerySerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text="Mã chỉ tiêu, ví dụ APP_DIGSIG_DOCS.")
    unit = serializers.IntegerField(required=False, help_text="Id đơn vị (xem /api/v1/units/).")
    unit_code = serializers.CharField(required=False, help_text="Mã GSO, thay cho unit; xem on.")
    on = serializers.DateField(required=False, help_text="Ngày để hiểu unit_code.")
    period = serializers.CharField(help_text="Kỳ: 2021, 2021S1, 2021Q3 hoặc 202107.")
    scope = serializers.ChoiceField(choices=Figure.Scope.choices, default=Figure.Scope.SELF)
    by = serializers.ChoiceField(
        choices=[("unit", _("đơn vị")), ("children", _("các đơn vị trực thuộc"))],
        default="unit",
    )
    reading = serializers.ChoiceField(
        choices=readings.CHOICES,
        required=False,
        help_text=(
            "as_reported: the units of the time (a unit formed later is answered by those it "
            "was formed from); rebased: today's units (one that has ended is answered by those "
            "it went into, each taking its predecessors' values). Default: rebased for a unit "
            "in force today, as_reported for one that has ended."
        ),
    )

    def validate(self, attrs):
        if attrs.get("unit") is None and not attrs.get("unit_code"):
            raise serializers.ValidationError({"unit": _("Cần unit (id) hoặc unit_code.")})
        return attrs


class CoverageSerializer(serializers.Serializer):
    covered = serializers.IntegerField()
    expected = serializers.IntegerField()
    level = serializers.CharField(source="coverage_level")
    basis = serializers.ChoiceField(
        source="coverage_basis",
        choices=["unit_report", "members", "predecessors", "none"],
        help_text=(
            "unit_report: the unit's own figure (covered/expected are the tier it speaks "
            "for); members: combined from the units or agencies below; predecessors: from "
            "the units it was formed from."
        ),
    )
    sufficient = serializers.SerializerMethodField(
        help_text="False when a combined value covers under a third of its members: it does "
        "not stand for the unit (docs/decisions/0017)."
    )
    percent_only = serializers.IntegerField(
        help_text="Members with only a percentage, left out of a ratio computed from counts."
    )
    label = serializers.SerializerMethodField()

    def get_sufficient(self, rolled) -> bool:
        return not rolled.low_coverage

    def get_label(self, rolled) -> str:
        return coverage_label(rolled)


class RolledValueSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    # Decimals, as read or rounded (aggregate_table.shown), served as numbers.
    value = NumberField(allow_null=True)
    numerator = NumberField(allow_null=True)
    denominator = NumberField(allow_null=True)
    origin = serializers.CharField()
    coverage = CoverageSerializer(source="*")
    figure_id = serializers.IntegerField(allow_null=True)
    figure_period = serializers.CharField(allow_null=True)
    source = serializers.CharField()
    partial = serializers.BooleanField(source="is_partial")
    approximate = serializers.BooleanField(
        source="is_approximate", help_text="The unit's figure was given as approximate."
    )
    predecessors = UnitRefSerializer(many=True)


class AnalyticsSerializer(serializers.Serializer):
    """/api/v1/analytics/: what was asked, and the unit's value or each child's."""

    indicator = serializers.CharField()
    period = serializers.CharField()
    scope = serializers.ChoiceField(choices=Figure.Scope.choices)
    by = serializers.ChoiceField(choices=["unit", "children"])
    reading = serializers.ChoiceField(choices=readings.CHOICES)
    unit = UnitRefSerializer()
    structure_known = serializers.BooleanField(
        help_text="False for a period before 2024: the reference data does not hold the "
        "structure of the time, and the 2024 tree stands in for it."
    )
    structure_note = serializers.CharField(allow_blank=True)
    results = RolledValueSerializer(many=True)
