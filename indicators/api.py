"""/api/v1/indicators/, /api/v1/observations/ and /api/v1/analytics/."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser, FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policy
from egov_portal import spreadsheets, table_files, upload_files
from egov_portal.api import JSON_MAX_CONTAINERS, FigureCursorPagination, JSONParser
from egov_portal.text import excerpt
from indicators import analytics, importing, readings, selectors, services
from indicators.filters import FigureFilter, IndicatorFilter
from indicators.models import Figure, Indicator
from indicators.serializers import (
    AnalyticsQuerySerializer,
    AnalyticsSerializer,
    FigureSerializer,
    FigureValueUpdateSerializer,
    FigureWriteSerializer,
    IndicatorSerializer,
    RolledValueSerializer,
)
from indicators.validation import INDICATOR_UNKNOWN, period_check
from indicators.writes import bulk
from indicators.writes import figures as figure_writes
from units.models import Unit
from units.selectors import today


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    lookup_field = "code"

    def get_queryset(self):
        return selectors.indicator_list()


def _rows_error(exc: services.FigureRowsError) -> exceptions.ValidationError:
    """Row errors as DRF's field → messages (the rows are one figure here)."""
    detail: dict[str, list[str]] = {}
    for error in exc.errors:
        detail.setdefault(error.field, []).append(error.message)
    return exceptions.ValidationError(detail)


class CSVBodyParser(BaseParser):
    """A CSV request body, handed over as bytes (indicators.importing reads it)."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read() if stream is not None else b""


class BoundedJSONParser(JSONParser):
    """JSON, refused past the rows an import takes before it is parsed: each row is an
    object, and the body's 20 MB of "{}," would be millions of them."""

    def max_containers(self) -> int:
        # A row per object, the list around them and {"figures": [...]}, with room for a few
        # arrays a client may add.
        return spreadsheets.max_rows() + JSON_MAX_CONTAINERS

    def check(self, body: bytes) -> None:
        # One more object for {"figures": [...]}; an object inside a row counts too.
        if body.count(b"{") > spreadsheets.max_rows() + 1:
            raise spreadsheets.too_many_rows(spreadsheets.max_rows())
        super().check(body)


class ReadOrSignedIn(permissions.BasePermission):
    """Reads for anyone (what they may see is filtered); writes for signed-in users, whom
    accounts.policy then checks figure by figure."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)


class ObservationViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Figures. Approved figures are open to all; others only within one's own unit.

    POST creates a figure or updates the one with the same unit, agency, indicator, period
    and scope (sending it twice changes nothing); PATCH changes a value and its source.
    Staff write any figure; a data-entry official writes their own unit's (or agency's)
    figures into their draft report (409 once it is submitted or approved). Every write
    goes through the same validation as imports and forms.
    """

    serializer_class = FigureSerializer
    filterset_class = FigureFilter
    permission_classes = [ReadOrSignedIn]
    pagination_class = FigureCursorPagination
    throttle_scope = None  # the bulk action has a rate of its own (ScopedRateThrottle)

    def get_queryset(self):
        return selectors.figure_list().filter(policy.figure_visibility_q(self.request.user))

    def _save(self, item: services.FigureInput, figure_status: str | None, figure=None):
        try:
            if figure is not None:
                return figure_writes.figure_api_update(
                    user=self.request.user, figure=figure, item=item, status=figure_status
                )
            return figure_writes.figure_api_save(
                user=self.request.user, item=item, status=figure_status
            )
        except services.FigureRowsError as exc:
            raise _rows_error(exc) from None
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        except services.FigureLocked as exc:  # a published figure, or a locked report
            raise Conflict(str(exc)) from None

    @extend_schema(request=FigureWriteSerializer, responses=FigureSerializer)
    def create(self, request, *args, **kwargs):
        incoming = FigureWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        data["unit_on"] = data.pop("on", None)
        figure_status = data.pop("status")
        summary, figure_id = self._save(services.FigureInput(**data), figure_status)
        figure = selectors.figure_list().get(pk=figure_id)
        code = status.HTTP_201_CREATED if summary.created else status.HTTP_200_OK
        return Response(FigureSerializer(figure).data, status=code)

    @extend_schema(request=FigureValueUpdateSerializer, responses=FigureSerializer)
    def update(self, request, *args, **kwargs):
        figure = self.get_object()
        incoming = FigureValueUpdateSerializer(data=request.data, partial=kwargs.get("partial"))
        incoming.is_valid(raise_exception=True)
        changes = incoming.validated_data
        current = {
            "value": figure.value,
            "numerator": figure.numerator,
            "denominator": figure.denominator,
            "approximate": figure.is_approximate,
            "source": figure.source,
            "source_on": figure.source_on,
            "note": figure.note,
        }
        if {"value", "numerator", "denominator"} & changes.keys():
            # A new value replaces the old one whole: 18 of 29 is not kept beside 70%.
            current.update(value=None, numerator=None, denominator=None)
        current.update({k: v for k, v in changes.items() if k != "status"})
        item = services.FigureInput(
            unit_code=figure.unit.code,
            unit_on=figure.unit.valid_to or figure.period_end,
            agency=figure.agency.name if figure.agency else "",
            indicator=figure.indicator.code,
            period=figure.period,
            scope=figure.scope,
            **current,
        )
        self._save(item, changes.get("status", figure.status), figure=figure)
        return Response(FigureSerializer(selectors.figure_list().get(pk=figure.pk)).data)

    @extend_schema(
        request={"application/json": FigureWriteSerializer(many=True), "text/csv": str},
        responses={200: dict, 400: dict},
        parameters=[
            OpenApiParameter("dry_run", bool, description="Kiểm tra, không lưu."),
            OpenApiParameter("valid_only", bool, description="Lưu các dòng đúng, bỏ dòng sai."),
            OpenApiParameter(
                "status",
                str,
                enum=Figure.Status.values,
                description="Trạng thái của số liệu nhập (quản trị; mặc định: nháp).",
            ),
        ],
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="bulk",
        parser_classes=[BoundedJSONParser, CSVBodyParser, MultiPartParser, FormParser],
        throttle_scope="bulk",  # settings THROTTLE_BULK
    )
    def bulk(self, request):
        """Many figures at once: a JSON list of {unit_code, on?, indicator, period, scope?,
        value | numerator + denominator, source?} or CSV with the same columns. All or
        nothing unless valid_only=true; dry_run=true checks without storing. The answer is
        the import summary: created, updated, unchanged, rejected (rows) and the errors, the
        first 200 of them listed (errors_total counts them all, errors_truncated says some
        were left out). At most IMPORT_MAX_ROWS rows (100,000) a request."""
        flag = lambda name: str(request.query_params.get(name, "")).lower() in ("1", "true")  # noqa: E731
        figure_status = _bulk_status(request.query_params.get("status"))
        try:
            read = _bulk_rows(request)
        except importing.ImportFileError as exc:
            raise exceptions.ValidationError({"file": [str(exc)]}) from None
        try:
            summary = bulk.figures_import(
                read.inputs,
                user=request.user,
                dry_run=flag("dry_run"),
                valid_only=flag("valid_only"),
                status=figure_status,
                read_errors=read.errors,
            )
        except bulk.ImportConflict as exc:
            raise Conflict(str(exc)) from None
        body = summary.as_dict() | {"notices": read.notices}
        code = status.HTTP_200_OK if summary.ok or summary.stored else status.HTTP_400_BAD_REQUEST
        return Response(body, status=code)

    @extend_schema(
        parameters=[OpenApiParameter("file", str, enum=["csv", "xlsx"], description="Định dạng.")],
        responses={200: bytes},
    )
    @action(detail=False, url_path="export")
    def export(self, request):
        """Every figure of the filtered set (same filters as the list), streamed as CSV (or
        XLSX written row by row to a temporary file): constant memory for any size."""
        figures = self.filter_queryset(self.get_queryset()).order_by("pk")
        rows = figures.values_list(*[c for c, _name in EXPORT_COLUMNS]).iterator(chunk_size=2000)
        header = [name for _c, name in EXPORT_COLUMNS]
        if request.query_params.get("file") == "xlsx":
            return table_files.xlsx_response(header, rows, filename="figures.xlsx")
        return table_files.csv_response(header, rows, filename="figures.csv")

    def perform_destroy(self, instance):
        try:
            figure_writes.figure_api_delete(user=self.request.user, figure=instance)
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        except services.FigureLocked as exc:  # a published figure, or a locked report
            raise Conflict(str(exc)) from None


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("Xung đột với trạng thái hiện tại.")
    default_code = "conflict"


class AnalyticsView(APIView):
    """The value of an indicator for a unit (or each of its children), period and scope,
    rolled up by the indicator's rules, with its coverage and origin."""

    # The answer is an object holding the list (the schema once said a bare list).
    @extend_schema(parameters=[AnalyticsQuerySerializer], responses=AnalyticsSerializer)
    def get(self, request):
        query = AnalyticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        indicator = Indicator.objects.filter(code=params["indicator"]).first()
        if indicator is None:
            raise exceptions.NotFound(INDICATOR_UNKNOWN % {"code": params["indicator"]})
        try:
            period = period_check(params["period"])
        except ValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from None
        if params.get("unit") is not None:
            unit = Unit.objects.filter(pk=params["unit"]).first()
        else:
            day = params.get("on") or today()
            unit = Unit.objects.in_force(day).filter(code=params["unit_code"]).first()
        if unit is None:
            raise exceptions.NotFound(_("Không có đơn vị này."))
        day = today()
        reading = params.get("reading") or readings.default_reading(unit, day)
        if params["by"] == "children":
            units = readings.children(unit, period, reading, day)
        else:
            units = readings.subjects(unit, period, reading, day)
        values = analytics.with_approximate(
            analytics.rollup_units(indicator, units, period, params["scope"])
        )
        return Response(
            {
                "indicator": indicator.code,
                "period": period.id,
                "scope": params["scope"],
                "by": params["by"],
                "reading": reading,
                "unit": {"id": unit.pk, "code": unit.code, "name": unit.name},
                "structure_known": not analytics.structure_note(unit, period),
                "structure_note": analytics.structure_note(unit, period),
                "results": RolledValueSerializer(values, many=True).data,
            }
        )


# What an export holds: the import's columns (so an export can be edited and sent back), the
# unit's name and the figure's status.
EXPORT_COLUMNS = [
    ("unit__code", "unit_code"),
    ("unit__valid_to", "on"),
    ("unit__name", "unit_name"),
    ("agency__name", "agency"),
    ("indicator__code", "indicator"),
    ("period", "period"),
    ("scope", "scope"),
    ("value", "value"),
    ("numerator", "numerator"),
    ("denominator", "denominator"),
    ("is_approximate", "approximate"),
    ("status", "status"),
    ("source", "source"),
    ("source_on", "source_on"),
    ("note", "note"),
]


STATUS_UNKNOWN = gettext_lazy("Trạng thái «%(status)s» không có: chọn một trong %(allowed)s.")


def _bulk_status(given: str | None) -> str | None:
    """The status a bulk import asks for (None: the default); one not in Figure.Status is
    a 400 listing those that are, before it could be stored as it is."""
    if not given:
        return None
    if given not in Figure.Status.values:
        allowed = ", ".join(Figure.Status.values)
        raise exceptions.ValidationError(
            {"status": [STATUS_UNKNOWN % {"status": excerpt(given), "allowed": allowed}]}
        )
    return given


def _bulk_rows(request) -> importing.ReadFile:
    """The rows of a bulk request: a CSV body, an uploaded file, or a JSON list."""
    # The declared size is checked before the body is read (or an upload spooled to disk).
    upload_files.check_request_size(request.META.get("CONTENT_LENGTH"))
    if request.content_type.startswith("text/csv"):
        upload_files.check_size(int(request.META.get("CONTENT_LENGTH") or 0))
        body = request.data  # DRF gives an empty dict for an empty body
        return importing.read_figures(body if isinstance(body, bytes) else b"")
    upload = request.FILES.get("file")
    if upload is not None:
        upload_files.check_size(upload.size)
        return importing.read_figures(upload.read())
    records = request.data
    if isinstance(records, dict):
        records = records.get("figures", records.get("rows"))
    if not isinstance(records, list):
        raise importing.ImportFileError(_("Cần một danh sách JSON các dòng số liệu."))
    if not records:
        raise importing.ImportFileError(_("Danh sách trống."))
    return importing.read_records(records)
