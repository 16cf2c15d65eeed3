from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indicators.serializers import FigureSerializer
from quality.flags import figure_flags
from quality.models import ValidationRule
from quality.rules import rule_check


class ValidationRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = ValidationRule
        fields = [
            "id",
            "code",
            "left",
            "operator",
            "right",
            "severity",
            "message",
            "message_en",
            "reason",
            "is_active",
        ]

    def validate(self, attrs):
        left = attrs.get("left", getattr(self.instance, "left", ""))
        right = attrs.get("right", getattr(self.instance, "right", ""))
        errors = rule_check(left, right)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class FlagSerializer(serializers.Serializer):
    flag = serializers.CharField(help_text='"outlier" or "rule:<code of the rule>"')
    message = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning"])


class FlaggedFigureSerializer(FigureSerializer):
    """A figure with its data-quality flags (quality.flags), computed for the whole page in
    the view (context "flags"), or for the one figure."""

    flags = serializers.SerializerMethodField()

    class Meta(FigureSerializer.Meta):
        fields = [*FigureSerializer.Meta.fields, "flags"]

    @extend_schema_field(FlagSerializer(many=True))
    def get_flags(self, figure) -> list[dict]:
        flags = self.context.get("flags")
        if flags is None or figure.pk not in flags:
            flags = figure_flags([figure])
        return [flag.as_dict() for flag in flags.get(figure.pk, [])]
