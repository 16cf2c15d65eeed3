"""API shapes of the readiness index (/api/v1/readiness/)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from egov_portal.api import TextField
from indicators.models import Indicator
from reports import index
from reports.readiness import BY_CHILDREN, BY_UNIT
from units.serializers import UnitRefSerializer

# DRF's own message has no Vietnamese; {input} is DRF's placeholder.
BY_INVALID = _("«{input}» không hợp lệ: by nhận unit hoặc children.")


class ReadinessQuerySerializer(serializers.Serializer):
    unit = TextField(max_length=5, help_text="Mã GSO của đơn vị, ví dụ 464 (xem on).")
    on = serializers.DateField(
        required=False, help_text="Ngày để hiểu mã đơn vị (mặc định: ngày cuối kỳ)."
    )
    period = TextField(max_length=7, help_text="Kỳ: 2021, 2021S1, 2021Q3 hoặc 202107.")
    by = serializers.ChoiceField(
        choices=[(BY_UNIT, _("đơn vị")), (BY_CHILDREN, _("các đơn vị trực thuộc"))],
        default=BY_UNIT,
        error_messages={"invalid_choice": BY_INVALID},
    )


class _Shown(serializers.DecimalField):
    """A 0–1 score or coverage as shown: 0–100, one decimal (reports.index.shown)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=4, decimal_places=1, coerce_to_string=False, **kwargs)

    def to_representation(self, value):
        found = index.shown(value)
        return None if found is None else super().to_representation(found)


class PillarReadinessSerializer(serializers.Serializer):
    pillar = serializers.ChoiceField(choices=Indicator.Pillar.choices)
    name = serializers.SerializerMethodField()
    score = _Shown(allow_null=True, help_text="0–100; null khi độ bao phủ dưới mức tối thiểu.")
    coverage = _Shown(help_text="Tỷ lệ chỉ tiêu của trụ cột có số liệu (0–100).")
    counted = serializers.IntegerField(help_text="Số chỉ tiêu có số liệu.")
    applicable = serializers.IntegerField(help_text="Số chỉ tiêu được chấm của trụ cột.")
    weight = serializers.FloatField()

    def get_name(self, details) -> str:
        return str(Indicator.Pillar(details.pillar).label)


class UnitReadinessSerializer(serializers.Serializer):
    unit = UnitRefSerializer(source="key")
    score = _Shown(
        source="index",
        allow_null=True,
        help_text="0–100; null trừ khi mọi trụ cột có trọng số đều có điểm.",
    )
    coverage = _Shown(allow_null=True, help_text="Tỷ lệ trọng số của chỉ số có số liệu (0–100).")
    pillars = PillarReadinessSerializer(many=True, source="pillar_scores")


class ReadinessSerializer(serializers.Serializer):
    """/api/v1/readiness/: what was asked, and the unit's index or each child's."""

    period = serializers.CharField(source="period.id")
    by = serializers.ChoiceField(choices=[BY_UNIT, BY_CHILDREN])
    unit = UnitRefSerializer()
    min_coverage = _Shown(help_text="Độ bao phủ tối thiểu để một trụ cột có điểm (0–100).")
    results = UnitReadinessSerializer(many=True)
