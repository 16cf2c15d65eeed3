"""The DHIS2 Web API under /dhis2/api/ (a DHIS2 client given http://host/dhis2 works as
against a DHIS2 server): thin views over the modules beside them. Every request is signed
in, by HTTP Basic, a DHIS2 personal access token (`Authorization: ApiToken d2pat_…`) or the
portal's session; what a user may read and write is accounts.policy's, as everywhere."""

import csv
import datetime
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    BasicAuthentication,
    SessionAuthentication,
)
from rest_framework.exceptions import ParseError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policy
from accounts.models import PersonalAccessToken
from accounts.tokens import token_create, token_revoke, token_user
from dhis2_api import analytics, datavalues, metadata, queries, uids
from dhis2_api.directory import directory
from egov_portal import table_files, upload_files
from egov_portal.spreadsheets import ImportFileError
from indicators.api import BoundedJSONParser, CSVBodyParser
from units.selectors import today

VERSION = "2.40.4"  # the DHIS2 version whose documented shapes these follow


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: ApiToken d2pat_…`, DHIS2's personal access tokens (accounts.tokens)."""

    keyword = "ApiToken"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        keyword, _sep, token = header.partition(" ")
        if keyword != self.keyword:
            return None
        user = token_user(token.strip())
        if user is None:
            raise exceptions.AuthenticationFailed(_("Mã truy cập không hợp lệ hoặc đã hết hạn."))
        return user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


def _message(status: int, message: str) -> dict:
    """DHIS2's web message of an error."""
    try:
        name = HTTPStatus(status).phrase
    except ValueError:
        name = "Error"
    return {"httpStatus": name, "httpStatusCode": status, "status": "ERROR", "message": message}


def web_message(status: int, message: str) -> Response:
    """DHIS2's error shape."""
    return Response(_message(status, message), status=status)


class Dhis2View(APIView):
    authentication_classes = [ApiTokenAuthentication, BasicAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    # Described by DHIS2's documentation, not by the portal's OpenAPI schema (/api/schema/).
    schema = None

    def handle_exception(self, exc):
        if isinstance(exc, queries.QueryError):
            return web_message(409, str(exc))
        if isinstance(exc, ParseError | ImportFileError):
            return web_message(400, str(getattr(exc, "detail", exc)))
        answer = super().handle_exception(exc)
        # DRF's own refusals (401 with its WWW-Authenticate, 403, 404, 405, 429) in DHIS2's
        # shape too, their headers kept.
        if isinstance(answer.data, dict) and set(answer.data) == {"detail"}:
            answer.data = _message(answer.status_code, str(answer.data["detail"]))
        return answer

    @staticmethod
    def english() -> bool:
        return get_language() == "en"


class SystemInfo(Dhis2View):
    def get(self, request, **kwargs):
        base = request.build_absolute_uri("/dhis2").rstrip("/")
        return Response(
            {
                "contextPath": base,
                "version": VERSION,
                "revision": "egov-portal",
                "systemName": "egov-portal",
                "serverDate": timezone.now().isoformat(timespec="milliseconds"),
                "serverTimeZoneId": settings.TIME_ZONE,
                "calendar": "iso8601",
                "dateFormat": "yyyy-mm-dd",
            }
        )


class Me(Dhis2View):
    def get(self, request, **kwargs):
        user = request.user
        member = policy.membership(user)
        units = directory()
        mine = units.by_pk.get(member.unit_id) if member else None
        if mine is None and policy.is_administrator(user):
            mine = units.root
        organisation_units = [{"id": mine.uid, "name": mine.name}] if mine else []
        name = user.get_full_name() or user.username
        return Response(
            {
                "id": uids.uid("user", user.username),
                "username": user.username,
                "name": name,
                "displayName": name,
                "email": user.email,
                "organisationUnits": organisation_units,
                "dataViewOrganisationUnits": organisation_units,
                "authorities": ["ALL"] if policy.is_administrator(user) else [],
            }
        )


def _listed(request, items: list[dict], collection: str, default_fields: str) -> dict:
    for flt in queries.parse_filters(request.GET.getlist("filter")):
        items = [i for i in items if queries.matches(i, flt)]
    fields = queries.parse_fields(request.GET.get("fields"), default_fields)
    items = [queries.select(i, fields) for i in items]
    url = request.build_absolute_uri(request.path)
    return queries.page_of(items, request.GET, collection=collection, url=url)


def _one(request, items: list[dict], key: str, kind: str) -> Response:
    found = next((i for i in items if i["id"] == key or i.get("code") == key), None)
    if found is None:
        return web_message(404, metadata.unknown(kind, key))
    fields = queries.parse_fields(request.GET.get("fields"), "*")
    return Response(queries.select(found, fields))


class OrganisationUnits(Dhis2View):
    def get(self, request, uid: str | None = None, **kwargs):
        units = directory()
        if uid is not None:
            unit = units.find(uid, scheme="AUTO")
            if unit is None:
                return web_message(404, metadata.unknown(_("đơn vị"), uid))
            fields = queries.parse_fields(request.GET.get("fields"), "*")
            return Response(queries.select(metadata.org_unit(unit), fields))
        items = units.items()
        return Response(_listed(request, items, "organisationUnits", "id,displayName"))


class DataElements(Dhis2View):
    def get(self, request, uid: str | None = None, **kwargs):
        items = metadata.data_elements(english=self.english())
        if uid is not None:
            return _one(request, items, uid, _("phần tử dữ liệu"))
        return Response(_listed(request, items, "dataElements", "id,displayName"))


class DataSets(Dhis2View):
    def get(self, request, uid: str | None = None, **kwargs):
        items = [metadata.data_set(english=self.english())]
        if uid is not None:
            return _one(request, items, uid, _("bộ dữ liệu"))
        return Response(_listed(request, items, "dataSets", "id,displayName"))


class CategoryOptionCombos(Dhis2View):
    def get(self, request, **kwargs):
        items = metadata.category_option_combos()
        return Response(_listed(request, items, "categoryOptionCombos", "id,displayName"))


class ApplicationCSVBodyParser(CSVBodyParser):
    media_type = "application/csv"  # DHIS2's documented content type for CSV


def _cell(value):
    """A CSV cell as DHIS2 writes it: booleans in lower case (followup: false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class DataValueSets(Dhis2View):
    # The bulk API's parsers: JSON bounded in objects before it is parsed, CSV as bytes.
    parser_classes = [BoundedJSONParser, CSVBodyParser, ApplicationCSVBodyParser]

    def get_throttles(self):
        # An import is throttled as the bulk API's (THROTTLE_BULK); reading is not.
        self.throttle_scope = "bulk" if self.request.method == "POST" else None
        return super().get_throttles()

    def get(self, request, suffix: str = "", **kwargs):
        found = datavalues.value_set(request.GET, request.user, directory())
        if suffix == ".csv":
            rows = ([_cell(v[k]) for k in datavalues.FIELDS] for v in found["dataValues"])
            return table_files.csv_response(
                list(datavalues.CSV_COLUMNS), rows, filename="dataValueSets.csv", bom=False
            )
        return Response(found)

    def post(self, request, **kwargs):
        # The declared size is checked before the body is read.
        upload_files.check_request_size(request.META.get("CONTENT_LENGTH"))
        params = request.GET.copy()
        payload = request.data
        if isinstance(payload, bytes):  # CSV
            try:
                header = datavalues.first_row_is_header(params)
                values = datavalues.read_csv(payload.decode("utf-8-sig"), header)
            except (UnicodeDecodeError, csv.Error) as exc:
                return web_message(400, _("Không đọc được nội dung: %(error)s") % {"error": exc})
        else:
            values = datavalues.read_json(payload)
            for option in datavalues.BODY_OPTIONS:  # the payload's own win (DHIS2's rule)
                if payload.get(option) is not None:
                    params[option] = str(payload[option])
        summary = datavalues.import_values(values, params, request.user, directory())
        answer = summary.as_dict()
        return Response(answer, status=answer["httpStatusCode"])


class DataValues(Dhis2View):
    def get(self, request, **kwargs):
        return Response(datavalues.value_get(request.GET, request.user, directory()))

    def post(self, request, **kwargs):
        params = request.GET.copy()
        params.update(request.POST)
        item, *_rest = datavalues.one_value(params, directory())
        item.update(value=params.get("value", ""), comment=params.get("comment", ""))
        summary = datavalues.import_values([item], params, request.user, directory())
        if summary.conflicts:
            return web_message(409, "; ".join(c.value for c in summary.conflicts))
        return HttpResponse(status=201)

    def delete(self, request, **kwargs):
        params = request.GET
        item, *_rest = datavalues.one_value(params, directory())
        delete = params.copy()
        delete["importStrategy"] = "DELETE"
        summary = datavalues.import_values([item], delete, request.user, directory())
        if summary.conflicts:
            return web_message(409, "; ".join(c.value for c in summary.conflicts))
        if not summary.deleted:
            return web_message(404, _("Không có giá trị này."))
        return HttpResponse(status=204)


class Analytics(Dhis2View):
    def get(self, request, **kwargs):
        units = directory()
        query = analytics.parse(request.GET, request.user, units, today())
        return Response(analytics.run(query, request.GET, units))


def _token_item(record: PersonalAccessToken) -> dict:
    expire = None
    if record.expires_on is not None:
        end = datetime.datetime.combine(
            record.expires_on + datetime.timedelta(days=1),
            datetime.time(),
            timezone.get_current_timezone(),
        )
        expire = int(end.timestamp() * 1000)
    return {
        "id": uids.token_uid(record.pk),
        "displayName": record.name or record.prefix,
        "name": record.name,
        "type": "PERSONAL_ACCESS_TOKEN",
        "version": 1,
        "created": record.created_at.isoformat(timespec="milliseconds"),
        "expire": expire,
    }


class ApiTokens(Dhis2View):
    """DHIS2's /api/apiToken: a user's own personal access tokens — listed (never the token
    itself: only its hash is kept), made (the token answered this once) and revoked."""

    def get(self, request, uid: str | None = None, **kwargs):
        items = [_token_item(t) for t in PersonalAccessToken.objects.filter(user=request.user)]
        if uid is not None:
            return _one(request, items, uid, _("mã truy cập"))
        return Response(_listed(request, items, "apiToken", "id,displayName,expire"))

    def post(self, request, uid: str | None = None, **kwargs):
        if uid is not None:
            return web_message(405, _("Chỉ tạo mã mới tại /api/apiToken."))
        if not policy.can_issue_own_access_token(request.user):
            return web_message(403, _("Bạn không được tạo mã truy cập."))
        # A JSON body, `{}` at least, as DHIS2 asks: a form posted here makes nothing.
        if not (request.content_type or "").startswith("application/json"):
            return web_message(415, _("Cần nội dung JSON, ít nhất là {}."))
        body = request.data if isinstance(request.data, dict) else {}
        expires_on = None
        if body.get("expire") is not None:
            # DHIS2's expiry, milliseconds since 1970: the token works through that day.
            try:
                moment = datetime.datetime.fromtimestamp(int(body["expire"]) / 1000, datetime.UTC)
            except (TypeError, ValueError, OverflowError, OSError):
                return web_message(400, _("expire phải là mốc thời gian tính bằng mili giây."))
            expires_on = timezone.localtime(moment).date()
            if expires_on < today():
                return web_message(400, _("expire đã qua."))
        name = str(body.get("name") or "")[:100]
        record, token = token_create(request.user, name=name, expires_on=expires_on)
        answer = Response(
            {
                "httpStatus": "Created",
                "httpStatusCode": 201,
                "status": "OK",
                "response": {
                    "responseType": "ApiTokenCreationResponse",
                    "key": token,
                    "uid": uids.token_uid(record.pk),
                    "klass": "org.hisp.dhis.security.apikey.ApiToken",
                    "errorReports": [],
                },
            },
            status=201,
        )
        answer["Cache-Control"] = "no-store"
        return answer

    def delete(self, request, uid: str | None = None, **kwargs):
        # The user's own tokens (others' are revoked in the admin), found by their UIDs in
        # one query: a user has a few.
        mine = PersonalAccessToken.objects.filter(user=request.user)
        record = next((t for t in mine if uid and uids.token_uid(t.pk) == uid), None)
        if record is None:
            return web_message(404, metadata.unknown(_("mã truy cập"), uid or ""))
        try:
            token_revoke(user=request.user, record=record)
        except PermissionDenied as exc:
            return web_message(403, str(exc))
        return Response(
            {
                "httpStatus": "OK",
                "httpStatusCode": 200,
                "status": "OK",
                "response": {
                    "responseType": "ObjectReport",
                    "uid": uid,
                    "klass": "org.hisp.dhis.security.apikey.ApiToken",
                    "errorReports": [],
                },
            }
        )
