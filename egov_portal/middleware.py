"""Per-request plumbing: the request id, one log line per request (never carrying a long
submitted value), NUL characters refused, reads from the replica."""

import contextvars
import logging
import re
import time
import uuid
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.encoding import escape_uri_path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from egov_portal import db_errors, db_router
from egov_portal.text import excerpt

logger = logging.getLogger("egov_portal.request")

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy may hand over as the request id; anything else (too long, spaces, line breaks
# that would forge log lines) is replaced by an id of our own.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# Query parameters whose values never reach the log.
_SECRET_PARAM = re.compile(r"token|pass|secret|key|auth|session|csrf|sig", re.IGNORECASE)
_QUERY_MAX = 300
_PATH_MAX = 300
# What a log record may repeat of a value it is given (a path, a code) and of one line of a
# traceback (an exception's message may quote what was submitted: a KeyError its key).
LOG_VALUE_MAX = 200
LOG_LINE_MAX = 500
# Control characters in a value would forge log lines (a %0A in a path).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

_request_id = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Gives every log record the id of the request being served ("-" outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # Django logs a 4xx answer after the middleware has finished, with the request.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or _request_id.get()
        return True


class LogValueCap(logging.Filter):
    """Cuts what a log record repeats of the request: each string argument to LOG_VALUE_MAX
    characters (control characters escaped), each line of its message and traceback to
    LOG_LINE_MAX. A value of fifty million digits in an exception's message once put 286 MB
    into the log; no record now carries more than a short prefix of anything submitted."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = str(record.msg) % _capped(record.args) if record.args else record.getMessage()
        except (TypeError, ValueError, KeyError):
            return True  # the handler reports a record that does not format, as before
        record.msg, record.args = _cut_lines(str(message), LOG_LINE_MAX), None
        if record.exc_info and not record.exc_text:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = _cut_lines(text, LOG_LINE_MAX)
        if record.stack_info:
            record.stack_info = _cut_lines(record.stack_info, LOG_LINE_MAX)
        return True


def _capped(args):
    if isinstance(args, dict):
        return {k: _capped_value(v) for k, v in args.items()}
    return tuple(_capped_value(v) for v in args)


def _capped_value(value):
    if isinstance(value, BaseException):
        return _CappedException(value)
    if not isinstance(value, str):
        return value
    return _capped_text(value)


def _capped_text(value: str) -> str:
    escaped = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return excerpt(escaped, LOG_VALUE_MAX)


class _CappedException:
    """An exception as %s and %r show it (its class stays in %r), each cut as a string is."""

    __slots__ = ("_repr", "_str")

    def __init__(self, exc: BaseException):
        self._str, self._repr = _capped_text(str(exc)), _capped_text(repr(exc))

    def __str__(self) -> str:
        return self._str

    def __repr__(self) -> str:
        return self._repr


def _cut_lines(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return "\n".join(excerpt(line, limit) for line in text.split("\n"))


def request_id_from(request) -> str:
    """The proxy's X-Request-ID when it is a plain token, else a new one."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def safe_query(query_string: str) -> str:
    """The query string with the values of token-, password- and key-like parameters hidden."""
    if not query_string:
        return ""
    pairs = parse_qsl(query_string, keep_blank_values=True)
    shown = urlencode([(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in pairs], safe="*")
    return "?" + (shown if len(shown) <= _QUERY_MAX else shown[:_QUERY_MAX] + "…")


def user_and_unit(request) -> tuple[str, str]:
    """The signed-in user's name and their unit's code, "-" when there is none.

    At most one query: none when the view already read the membership and its unit.
    """
    user = getattr(request, "user", None)  # absent for static files (WhiteNoise answers first)
    try:
        if user is None or not user.is_authenticated:
            return "-", "-"
        return user.get_username(), _unit_code(user)
    except DatabaseError:  # the database is down: /healthz says so, the log line still goes
        return "?", "?"


def _unit_code(user) -> str:
    from django.contrib.auth import get_user_model

    from accounts.models import Membership

    membership_rel = get_user_model().membership.related  # request.user may be a lazy object
    if membership_rel.is_cached(user):
        membership = membership_rel.get_cached_value(user)
        if membership is None:
            return "-"
        if Membership.unit.field.is_cached(membership):
            return membership.unit.code
    code = Membership.objects.filter(user_id=user.pk).values_list("unit__code", flat=True).first()
    return code or "-"


class RequestLogMiddleware:
    """Tags the request with an id (X-Request-ID in and out) and logs one line when it ends:
    method, path, status, milliseconds, user, unit. Server errors are logged as errors, and
    Django's traceback record of them carries the same id (RequestIdFilter)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request)
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            self._log(request, response.status_code, time.perf_counter() - started)
            return response
        finally:
            _request_id.reset(token)

    def _log(self, request, status: int, seconds: float) -> None:
        if status >= 500:
            level = logging.ERROR
        elif request.path_info == "/healthz" and status == 200:
            level = logging.DEBUG  # a load balancer asks every few seconds
        else:
            level = logging.INFO
        if not logger.isEnabledFor(level):
            return
        username, unit = user_and_unit(request)
        logger.log(
            level,
            "%s %s%s %s %.1fms user=%s unit=%s",
            request.method,
            excerpt(escape_uri_path(request.path), _PATH_MAX),
            safe_query(request.META.get("QUERY_STRING", "")),
            status,
            seconds * 1000,
            username,
            unit,
            extra={"request_id": request.request_id, "status_code": status},
        )


class NulRefusalMiddleware:
    """Answers 400 to a path or query string holding a NUL character (%00). No code, name
    or search has one, and PostgreSQL refuses it in any text it is sent ("A string literal
    cannot contain NUL"): a page looking up /units/%00/ or ?q=%00 would be a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in name or any("\x00" in value for value in values)
            for name, values in request.GET.lists()
        ):
            message = _("Địa chỉ hoặc tham số có ký tự NUL (mã 0).")
            if request.path_info.startswith("/api/"):
                return JsonResponse(
                    {"detail": message}, status=400, json_dumps_params={"ensure_ascii": False}
                )
            raise BadRequest(message)
        return self.get_response(request)


class ReplicaReadsMiddleware:
    """Serves reads of the dashboards and the analytics API from the replica, when there is
    one (settings.REPLICA_READ_PATHS; egov_portal/db_router.py decides per model)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.REPLICA_READ_PATHS)

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.path_info.startswith(self.prefixes):
            with db_router.replica_reads():
                return self.get_response(request)
        return self.get_response(request)


class WriteClashMiddleware:
    """Two writers on the same figures lock them in one order (docs/decisions/0012) and wait
    for each other; should the database still give up on one of them, its user gets a 409
    saying nothing was saved and what to do, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not db_errors.is_write_clash(exception):
            return None
        logger.warning("write clash: %s", type(exception.__cause__).__name__)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": str(db_errors.WRITE_CLASH)}, status=409)
        back = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
            back = ""
        context = {"message": db_errors.WRITE_CLASH, "back": back}
        return render(request, "clash.html", context, status=409)
