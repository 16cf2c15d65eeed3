"""The REST API's shared policy: who may write, how lists are paged, how bodies are read."""

import io

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import exceptions, pagination, parsers, permissions, serializers

from egov_portal.text import nfc

JSON_TOO_DEEP = _("JSON lồng nhau quá sâu.")

# What a 64-bit id column holds. A larger number in a query string must be a 400 naming the
# parameter, not an OverflowError in the database driver (a 500, found by tests/test_api_fuzz.py).
ID_MAX = 2**63 - 1


class IdFilter(filters.NumberFilter):
    """A database id in a query string (?unit=, ?parent=, …), within what the column holds."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -ID_MAX)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


class IsStaffOrReadOnly(permissions.BasePermission):
    """Reference data is public to read; only staff may write through the API."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_staff)


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class FigureCursorPagination(pagination.CursorPagination):
    """Figures are paged by a cursor on their id (keyset): the 200th page of a province's
    figures costs what the first does, and no COUNT runs over millions of rows. Follow
    `next` from page to page; docs/decisions/0009 says why there is no page number."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "id"


JSON_TOO_MANY = _("JSON có quá nhiều phần tử (tối đa %(limit)s mảng và đối tượng).")
# What one figure, a token request or a plan's target takes, many times over: a body of
# 9 MB of "[]," once grew a worker by 229 MB while Python built its lists.
JSON_MAX_CONTAINERS = 1000


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, except that
    - a body with more arrays and objects than `max_containers()` is refused before it is
      parsed (400): Django bounds its bytes (DATA_UPLOAD_MAX_MEMORY_SIZE), not what Python
      makes of them;
    - a body nested deeper than Python's parser can follow (50,000 "[" make a
      RecursionError, so a 500) is refused as any malformed body is: 400."""

    def max_containers(self) -> int:
        return JSON_MAX_CONTAINERS

    def check(self, body: bytes) -> None:
        """Refuses a body before it is parsed (an endpoint's parser may add its bounds)."""
        limit = self.max_containers()
        if body.count(b"[") + body.count(b"{") > limit:
            raise exceptions.ParseError(JSON_TOO_MANY % {"limit": limit})

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read() if stream is not None else b""
        self.check(body)
        try:
            return super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(JSON_TOO_DEEP) from None


class TextField(serializers.CharField):
    """Text in composed form (NFC), however it was typed: see egov_portal.text."""

    def to_internal_value(self, data):
        return nfc(super().to_internal_value(data))


class NumberField(serializers.DecimalField):
    """A Decimal value served as a JSON number (DRF's default is a string), to 4 decimals as
    the values are shown (indicators.aggregate_table.shown). DRF's encoder writes it through
    a float's shortest repr: the same digits for any value of up to 15 significant digits,
    which every value held is (docs/decisions/0037)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", None)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(coerce_to_string=False, **kwargs)
