"""API shapes for plans, targets, budget lines and progress."""

from rest_framework import serializers

from egov_portal.api import NumberField
from plans.models import BudgetLine, Plan, Target
from units.serializers import UnitRefSerializer


class PlanRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = ["id", "code", "kind", "number", "title"]


class BudgetLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = BudgetLine
        fields = ["source", "amount", "at_least", "note"]


class TargetSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code")
    plan = serializers.CharField(source="plan.code")

    class Meta:
        model = Target
        fields = [
            "id",
            "plan",
            "indicator",
            "scope",
            "mode",
            "comparator",
            "value",
            "value_max",
            "deadline",
            "mandatory",
            "baseline_value",
            "baseline_period",
            "note",
        ]


class PlanSerializer(serializers.ModelSerializer):
    issuing_unit = UnitRefSerializer(allow_null=True)
    implements = PlanRefSerializer(many=True)
    is_national = serializers.BooleanField()

    class Meta:
        model = Plan
        fields = [
            "id",
            "code",
            "kind",
            "number",
            "title",
            "issuer",
            "issuing_unit",
            "is_national",
            "issued_on",
            "year_from",
            "year_to",
            "implements",
            "source",
        ]


class PlanDetailSerializer(PlanSerializer):
    implemented_by = PlanRefSerializer(many=True)
    budget_lines = BudgetLineSerializer(many=True)
    targets = TargetSerializer(many=True)

    class Meta(PlanSerializer.Meta):
        fields = [
            *PlanSerializer.Meta.fields,
            "goal",
            "implements_note",
            "source_on",
            "implemented_by",
            "budget_lines",
            "targets",
        ]


class ProgressQuerySerializer(serializers.Serializer):
    period = serializers.CharField(help_text="Kỳ đánh giá: 2018, 2018Q4…")
    unit = serializers.IntegerField(
        required=False, help_text="Id đơn vị (mặc định: đơn vị ban hành; cả nước với văn bản TW)."
    )


class MemberProgressSerializer(serializers.Serializer):
    name = serializers.CharField()
    code = serializers.CharField()
    kind = serializers.SerializerMethodField()
    value = NumberField(allow_null=True)
    figure_period = serializers.CharField(allow_null=True)
    baseline = NumberField(allow_null=True)
    status = serializers.CharField()
    gap = serializers.FloatField(allow_null=True)

    def get_kind(self, member) -> str:
        return "agency" if member.agency is not None else "unit"


class TargetProgressSerializer(serializers.Serializer):
    target = TargetSerializer()
    inherited = serializers.BooleanField()
    scope = serializers.CharField(help_text="Phạm vi đọc số liệu của đơn vị được đánh giá.")
    value = NumberField(allow_null=True)
    figure_period = serializers.CharField(allow_null=True)
    origin = serializers.CharField()
    coverage = serializers.SerializerMethodField()
    baseline = NumberField(allow_null=True)
    baseline_period = serializers.CharField()
    expected = serializers.FloatField(allow_null=True)
    gap = serializers.FloatField(allow_null=True)
    status = serializers.CharField()
    status_label = serializers.SerializerMethodField()
    units = serializers.SerializerMethodField()
    members = MemberProgressSerializer(many=True)

    def get_coverage(self, row) -> dict:
        return {
            "covered": row.covered,
            "expected": row.expected_units,
            "level": row.coverage_level,
            "label": row.coverage_label,
            "sufficient": not row.low_coverage,
        }

    def get_status_label(self, row) -> str:
        return row.status.label

    def get_units(self, row) -> dict | None:
        if not row.members:
            return None
        return {"met": row.met, "not_met": row.not_met, "not_reported": row.not_reported}


class MissSerializer(serializers.Serializer):
    indicator = serializers.CharField(source="progress.target.indicator.code")
    scope = serializers.CharField(source="progress.target.scope")
    plan = serializers.CharField(source="progress.target.plan.code")
    target = NumberField(source="progress.target.value")
    value = NumberField(allow_null=True)
    gap = serializers.FloatField(allow_null=True)
    status = serializers.CharField()
    group = serializers.SerializerMethodField(
        help_text="missed: reported and short of the target; no_data: nothing reported."
    )

    def get_group(self, miss) -> str:
        return "no_data" if miss.no_data else "missed"


class LaggardSerializer(serializers.Serializer):
    name = serializers.CharField()
    code = serializers.CharField()
    kind = serializers.SerializerMethodField()
    misses = MissSerializer(many=True)

    def get_kind(self, laggard) -> str:
        return "agency" if laggard.agency is not None else "unit"


class PlanProgressSerializer(serializers.Serializer):
    """/plans/{id}/progress/: every target of the plan, whole (a plan has a few dozen, so
    the answer is not paged and has no count)."""

    plan = serializers.CharField(help_text="Mã kế hoạch.")
    period = serializers.CharField(help_text="Kỳ đánh giá.")
    unit = UnitRefSerializer(
        allow_null=True, help_text="Đơn vị được đánh giá (null: cả nước, văn bản TW)."
    )
    results = TargetProgressSerializer(many=True)


class PlanLaggardsSerializer(serializers.Serializer):
    """/plans/{id}/laggards/: every unit or agency lagging, whole (not paged)."""

    plan = serializers.CharField(help_text="Mã kế hoạch.")
    period = serializers.CharField(help_text="Kỳ đánh giá.")
    results = LaggardSerializer(many=True)
