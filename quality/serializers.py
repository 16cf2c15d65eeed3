from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indicators.serializers import FigureSerializer
from quality.flags import figure_flags
from quality.models import Comment, Evidence, ValidationRule
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


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", default=None, read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "kind", "text", "created_at"]
        read_only_fields = ["id", "author", "kind", "created_at"]


class FollowUpActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["open", "resolve"])
    text = serializers.CharField(help_text="Vì sao cần theo dõi (open), hoặc đã xử lý thế nào.")


class EvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "name", "link", "content_type", "size", "url", "uploaded_at"]

    def get_url(self, item) -> str:
        path = reverse("quality:evidence", args=[item.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class EvidenceWriteSerializer(serializers.Serializer):
    file = serializers.FileField(
        required=False, help_text="PDF, PNG, JPEG, XLSX, ODS, CSV, DOCX, ODT"
    )
    link = serializers.CharField(required=False, help_text="http:// hoặc https://")
    name = serializers.CharField(required=False, allow_blank=True, max_length=255)
