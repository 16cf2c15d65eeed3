"""Open data as a Frictionless Data Package (https://specs.frictionlessdata.io/): a
descriptor, /public/data/datapackage.json, with one CSV resource per indicator of the
catalogue — every approved figure of it, one row each — and the same for each province of
today (/public/<code>/data/datapackage.json: its units' figures, and those of the units it
was formed from). docs/decisions/0026 says what is in it and why.

The descriptor is built without reading the figures (one query for the catalogue); each CSV
is streamed from one query, in constant memory, whatever the size (egov_portal.table_files).
"""

from collections.abc import Iterator

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from indicators.models import Figure, Indicator
from indicators.sources import ARTICLES
from units.models import Unit, UnitChange

LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}
GSO_SOURCE = {
    "title": "Danh mục đơn vị hành chính Việt Nam (Tổng cục Thống kê)",
    "path": "https://danhmuchanhchinh.gso.gov.vn/",
}
MISSING = [""]

# The CSV's columns: (name, type, ORM expression or field, Vietnamese title).
COLUMNS = (
    ("unit_code", "string", "unit__code", gettext_noop("Mã đơn vị (mã TCTK)")),
    ("unit_name", "string", "unit__name", gettext_noop("Tên đơn vị")),
    ("unit_level", "string", "unit__level", gettext_noop("Cấp đơn vị")),
    ("unit_valid_from", "date", "unit__valid_from", gettext_noop("Đơn vị có hiệu lực từ")),
    ("unit_valid_to", "date", "unit__valid_to", gettext_noop("Đơn vị có hiệu lực đến")),
    ("province_code", "string", "province_code", gettext_noop("Mã tỉnh, thành phố")),
    ("agency", "string", "agency__name", gettext_noop("Cơ quan")),
    ("period", "string", "period", gettext_noop("Kỳ")),
    ("period_start", "date", "period_start", gettext_noop("Đầu kỳ")),
    ("period_end", "date", "period_end", gettext_noop("Cuối kỳ")),
    ("scope", "string", "scope", gettext_noop("Phạm vi")),
    ("value", "number", "value", gettext_noop("Giá trị")),
    ("numerator", "number", "numerator", gettext_noop("Tử số")),
    ("denominator", "number", "denominator", gettext_noop("Mẫu số")),
    ("approximate", "boolean", "is_approximate", gettext_noop("Số gần đúng")),
    ("source", "string", "source", gettext_noop("Nguồn")),
    ("source_on", "date", "source_on", gettext_noop("Ngày của nguồn")),
)
HEADER = [name for name, *_rest in COLUMNS]

# What the value measures, by the indicator's type (and, for a yes/no, the figure's scope).
_UNITS = {
    Indicator.ValueType.RATIO: "percent",
    Indicator.ValueType.COUNT: "count",
    Indicator.ValueType.AMOUNT: "VND",
    Indicator.ValueType.BOOLEAN: "1 = yes, 0 = no (scope self); percent of units (other scopes)",
}


def resource_name(indicator: Indicator) -> str:
    """A Data Package resource name: lower case letters, digits, -, _ and ."""
    return indicator.code.lower()


def indicator_of(name: str) -> Indicator | None:
    return Indicator.objects.filter(code=name.upper()).first()


def package(province: Unit | None = None) -> dict:
    """The descriptor: the whole country's, or a province's (of today)."""
    english = get_language() == "en"
    if province is None:
        name, title = "egov-readiness-vietnam", _("Số liệu chính quyền điện tử của Việt Nam")
    else:
        name = f"egov-readiness-{province.code}"
        title = _("Số liệu chính quyền điện tử: %(name)s") % {"name": province.name}
    indicators = Indicator.objects.order_by("position", "code")
    return {
        "name": name,
        "title": title,
        "description": _(
            "Số liệu đã duyệt về ứng dụng công nghệ thông tin, chính quyền điện tử của các "
            "đơn vị hành chính: mỗi chỉ tiêu một tệp CSV, mỗi số liệu một dòng."
        ),
        "licenses": [LICENSE],
        "sources": [GSO_SOURCE, *_article_sources()],
        "keywords": ["e-government", "chính quyền điện tử", "Vietnam"],
        "resources": [_resource(i, english=english) for i in indicators],
    }


def _article_sources() -> list[dict]:
    found = []
    for article in ARTICLES.values():
        source = {"title": article.title}
        if article.url:
            source["path"] = article.url
        found.append(source)
    return found


def _resource(indicator: Indicator, *, english: bool) -> dict:
    unit = _UNITS[indicator.value_type]
    fields = []
    for name, kind, _expression, title in COLUMNS:
        field = {"name": name, "type": kind, "title": _(title)}
        if name == "value":
            field["description"] = _("Giá trị của chỉ tiêu; đơn vị: %(unit)s.") % {"unit": unit}
            field["unit"] = unit
        if name in ("numerator", "denominator"):
            field["description"] = _("Với chỉ tiêu tỷ lệ: giá trị = tử số / mẫu số × 100.")
        if name == "unit_level":
            field["constraints"] = {"enum": list(Unit.Level.values)}
        if name == "scope":
            field["constraints"] = {"enum": list(Figure.Scope.values)}
        fields.append(field)
    for name in ("unit_code", "unit_name", "unit_level", "period", "scope", "value"):
        next(f for f in fields if f["name"] == name).setdefault("constraints", {})["required"] = (
            True
        )
    return {
        "name": resource_name(indicator),
        "path": f"{resource_name(indicator)}.csv",
        "title": indicator.name_en if english else indicator.name,
        "description": indicator.definition_en if english else indicator.definition,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {"fields": fields, "missingValues": MISSING},
    }


def provinces_of(province: Unit) -> list[int]:
    """The province and the provinces it was formed from (a 2025 province's 2024 ones),
    transitively: a province's figures from before it was formed sit under them."""
    found, frontier = {province.pk}, {province.pk}
    while frontier:
        frontier = (
            set(
                UnitChange.objects.filter(
                    successor_id__in=frontier, predecessor__level=Unit.Level.PROVINCE
                ).values_list("predecessor_id", flat=True)
            )
            - found
        )
        found |= frontier
    return sorted(found)


def rows(indicator: Indicator, province: Unit | None = None) -> Iterator[tuple]:
    """Every approved figure of the indicator (in the province and the provinces it was
    formed from), as CSV rows in COLUMNS' order: one query, read in chunks."""
    figures = Figure.objects.filter(indicator=indicator, status=Figure.Status.APPROVED)
    order = ["pk"]
    if province is not None:
        ids = provinces_of(province)
        # The units as a list of ids (a thousand or so): PostgreSQL reads their figures by
        # the unit's index (figure_unit_period_idx), not through an OR over a join.
        units = Unit.objects.filter(Q(pk__in=ids) | Q(province_id__in=ids))
        figures = figures.filter(unit_id__in=list(units.values_list("pk", flat=True)))
        # In the order of that index: a server-side cursor's plan starts fast, and by the
        # primary key it walked the whole table's (Hà Nội's 11,000 rows: 2.2 s).
        order = ["unit_id", "period_end", "pk"]
    return (
        figures.annotate(province_code=Coalesce(F("unit__province__code"), F("unit__code")))
        .order_by(*order)
        .values_list(*[expression for _name, _kind, expression, _title in COLUMNS])
        .iterator(chunk_size=2000)
    )
