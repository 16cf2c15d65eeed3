"""The validation rules (/api/v1/validation-rules/) and the observations with their flags
(/api/v1/observations/, ?flag=outlier)."""

import contextlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts import policy
from indicators.api import ObservationViewSet
from quality import discussion, evidence, uploads
from quality.flags import OUTLIER, figure_flags, outliers
from quality.models import ValidationRule
from quality.serializers import (
    CommentSerializer,
    EvidenceSerializer,
    EvidenceWriteSerializer,
    FlaggedFigureSerializer,
    FollowUpActionSerializer,
    ValidationRuleSerializer,
)

FLAGS = (OUTLIER,)


@contextlib.contextmanager
def _as_api_errors():
    """The services' refusals as the API's: 400 with the field's message, or 403."""
    try:
        yield
    except ValidationError as exc:
        raise exceptions.ValidationError(exc.message_dict) from None
    except PermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc)) from None


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

    def initial(self, request, *args, **kwargs):
        if self.action == "evidence" and request.method == "POST":
            # Before authentication, whose CSRF check (a session's) may read the body.
            uploads.limit_install(request)
        super().initial(request, *args, **kwargs)

    def _figure(self):
        return self.get_object()  # a figure the user may not see: 404

    @extend_schema(request=CommentSerializer, responses=CommentSerializer(many=True))
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="comments",
        pagination_class=None,
        filter_backends=[],
    )
    def comments(self, request, pk=None):
        """A figure's comments, oldest first; POST {text} adds one (anyone signed in who may
        see the figure)."""
        figure = self._figure()
        if request.method == "POST":
            with _as_api_errors():
                discussion.comment_add(
                    user=request.user, figure=figure, text=request.data.get("text", "")
                )
        return Response(CommentSerializer(discussion.comments_of(figure), many=True).data)

    @extend_schema(request=FollowUpActionSerializer, responses=CommentSerializer(many=True))
    @action(
        detail=True,
        methods=["post"],
        url_path="follow-up",
        pagination_class=None,
        filter_backends=[],
    )
    def follow_up(self, request, pk=None):
        """{action: open, text}: mark the figure for follow-up (its reviewers); {action:
        resolve, text}: close it with a comment (its reviewers, its official)."""
        figure = self._figure()
        incoming = FollowUpActionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        text = incoming.validated_data["text"]
        with _as_api_errors():
            if incoming.validated_data["action"] == "open":
                discussion.follow_up_open(user=request.user, figure=figure, reason=text)
            else:
                discussion.follow_up_resolve(user=request.user, figure=figure, text=text)
        return Response(CommentSerializer(discussion.comments_of(figure), many=True).data)

    @extend_schema(
        request={
            "multipart/form-data": EvidenceWriteSerializer,
            "application/json": EvidenceWriteSerializer,
        },
        responses=EvidenceSerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="evidence",
        parser_classes=[MultiPartParser, JSONParser],
        pagination_class=None,
        filter_backends=[],
    )
    def evidence(self, request, pk=None):
        """A figure's evidence; POST a document (multipart `file`, typed by its content,
        at most EVIDENCE_MAX_MB) or a `link` (http/https), with an optional `name`."""
        figure = self._figure()
        if request.method == "POST":
            with _as_api_errors():
                uploads.limit_check(request)  # a file over the limit, stopped while read
                upload = request.FILES.get("file")
                if upload is not None:
                    evidence.evidence_upload(
                        user=request.user, figure=figure, name=upload.name, data=upload.read()
                    )
                elif request.data.get("link"):
                    evidence.evidence_link(
                        user=request.user,
                        figure=figure,
                        link=request.data.get("link", ""),
                        name=request.data.get("name", ""),
                    )
                else:
                    raise ValidationError({"file": _("Cần gửi tệp (file) hoặc liên kết (link).")})
        items = evidence.evidence_of(figure)
        return Response(EvidenceSerializer(items, many=True, context={"request": request}).data)

    def get_serializer(self, *args, **kwargs):
        instance = args[0] if args else None
        if kwargs.get("many") and isinstance(instance, list):
            context = self.get_serializer_context()
            context["flags"] = figure_flags(instance)
            kwargs["context"] = context
        return super().get_serializer(*args, **kwargs)
