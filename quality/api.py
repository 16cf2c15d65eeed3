"""The validation rules (/api/v1/validation-rules/) and the observations with their flags
(/api/v1/observations/, ?flag=outlier)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, viewsets

from accounts import policy
from indicators.api import ObservationViewSet
from quality.flags import OUTLIER, figure_flags, outliers
from quality.models import ValidationRule
from quality.serializers import FlaggedFigureSerializer, ValidationRuleSerializer

FLAGS = (OUTLIER,)


class RulesPermission(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return policy.can_manage_validation_rules(request.user)


class ValidationRuleViewSet(viewsets.ModelViewSet):
    """Validation rules across indicators of one unit and period: `left operator right`,
    each side numbers, indicator codes, + - * / and brackets. Read by signed-in users,
    written by administrators; a rule that does not parse is refused, saying where."""

    queryset = ValidationRule.objects.order_by("code")
    serializer_class = ValidationRuleSerializer
    permission_classes = [RulesPermission]
    pagination_class = None


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "flag",
                str,
                enum=list(FLAGS),
                description="outlier: chỉ số liệu bất thường (ngoài khoảng hợp lý hoặc thay "
                "đổi quá mức so với quý trước).",
            )
        ]
    )
)
class FlaggedObservationViewSet(ObservationViewSet):
    __doc__ = ObservationViewSet.__doc__

    def get_serializer_class(self):
        if self.action in ("list", "retrieve"):
            return FlaggedFigureSerializer
        return super().get_serializer_class()

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        flag = self.request.query_params.get("flag")
        if self.action == "list" and flag:
            if flag not in FLAGS:
                raise exceptions.ValidationError(
                    {"flag": [_("Không có cờ «%(flag)s»: dùng outlier.") % {"flag": flag}]}
                )
            queryset = outliers(queryset)
        return queryset

    def get_serializer(self, *args, **kwargs):
        instance = args[0] if args else None
        if kwargs.get("many") and isinstance(instance, list):
            context = self.get_serializer_context()
            context["flags"] = figure_flags(instance)
            kwargs["context"] = context
        return super().get_serializer(*args, **kwargs)
