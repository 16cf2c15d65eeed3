"""Public pages: no login, approved figures only, the same for everyone — so they carry no
one's session (their own base template: no user menu, no CSRF token) and are cached at the
edge: Cache-Control public, an ETag of the page (conditional_page: 304 when unchanged).
The language is the URL's (?lang=en), so an edge cache keys it by URL."""

from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import conditional_page, require_GET

from egov_portal import table_files
from indicators.periods import PeriodError
from public import datapackage
from public import overview as overview_module
from public import province as province_module
from public.tiles import COLUMNS, ROWS

TILE = 100  # the tile map's cell, in SVG units
MAX_AGE = 300  # seconds an edge or a browser may keep a page before asking again
LANGUAGES = ("vi", "en")


def _language(request) -> str:
    asked = request.GET.get("lang", "vi")
    return asked if asked in LANGUAGES else "vi"


def _page(request, template: str, context: dict) -> HttpResponse:
    """Rendered without the request's context processors (they read the user)."""
    language = _language(request)
    with translation.override(language):
        html = render_to_string(template, {**context, "lang": language, "path": request.path})
    response = HttpResponse(html)
    response["Content-Language"] = language
    return response


@require_GET
@cache_control(public=True, max_age=MAX_AGE)
@conditional_page
def public_overview(request):
    sort = request.GET.get("sort", "rank")
    descending = request.GET.get("order") == "desc"
    try:
        found = overview_module.overview(
            period_id=request.GET.get("period") or None, sort=sort, descending=descending
        )
    except PeriodError:
        with translation.override(_language(request)):
            raise Http404(_("Không có kỳ báo cáo này.")) from None
    tiles = [
        {
            "row": r,
            "x": (r.tile[1] - 1) * TILE + 4,
            "y": (r.tile[0] - 1) * TILE + 4,
            "cx": (r.tile[1] - 1) * TILE + TILE // 2,
            "code_y": (r.tile[0] - 1) * TILE + 42,
            "value_y": (r.tile[0] - 1) * TILE + 78,
        }
        for r in sorted((r for r in found.rows if r.tile), key=lambda r: r.tile)
    ]
    return _page(
        request,
        "public/overview.html",
        {
            "overview": found,
            "tiles": tiles,
            "map_width": COLUMNS * TILE,
            "map_height": ROWS * TILE,
            "bands": overview_module.BANDS,
        },
    )


@require_GET
@cache_control(public=True, max_age=MAX_AGE)
@conditional_page
def public_province(request, code: str):
    unit = province_module.province_of(code)
    missing = gettext_lazy("Không có tỉnh, thành phố mã %(code)s.")
    return _unit_page(request, unit, (missing, {"code": code}), {})


@require_GET
@cache_control(public=True, max_age=MAX_AGE)
@conditional_page
def public_commune(request, code: str, commune: str):
    province = province_module.province_of(code)
    unit = province_module.commune_of(province, commune) if province is not None else None
    missing = gettext_lazy("Không có xã, phường mã %(code)s trong tỉnh, thành phố này.")
    return _unit_page(request, unit, (missing, {"code": commune}), {"province": province})


def _unit_page(request, unit, missing: tuple, context: dict) -> HttpResponse:
    """A province's or a commune's page; `missing`: the 404's message and its parameters,
    put in the page's language, for a unit not in force today."""
    with translation.override(_language(request)):
        if unit is None:
            message, params = missing
            raise Http404(str(message) % params)
        try:
            page = province_module.province_page(unit, request.GET.get("period") or None)
        except PeriodError:
            raise Http404(_("Không có kỳ báo cáo này.")) from None
    return _page(request, "public/province.html", {"page": page, **context})


# --- open data: a Frictionless Data Package (public/datapackage.py) ---------------------


@require_GET
@cache_control(public=True, max_age=MAX_AGE)
@conditional_page
def public_package(request, code: str | None = None):
    with translation.override(_language(request)):
        province = _province_or_404(code)
        descriptor = datapackage.package(province)
    response = JsonResponse(descriptor, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Language"] = _language(request)
    return response


@require_GET
@cache_control(public=True, max_age=MAX_AGE)
def public_resource(request, name: str, code: str | None = None):
    """One indicator's approved figures as CSV, streamed (no ETag: the body is not held)."""
    with translation.override(_language(request)):
        province = _province_or_404(code)
        indicator = datapackage.indicator_of(name)
        if indicator is None or datapackage.resource_name(indicator) != name:
            raise Http404(_("Không có chỉ tiêu này."))
    prefix = f"{province.code}-" if province is not None else ""
    return table_files.csv_response(
        datapackage.HEADER,
        datapackage.rows(indicator, province),
        filename=f"{prefix}{name}.csv",
        bom=False,
    )


def _province_or_404(code: str | None):
    if code is None:
        return None
    province = province_module.province_of(code)
    if province is None:
        raise Http404(_("Không có tỉnh, thành phố mã %(code)s.") % {"code": code})
    return province
