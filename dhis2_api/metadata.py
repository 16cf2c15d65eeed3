"""The metadata a DHIS2 client reads: organisation units, data elements (the catalogue),
the data set (the quarterly form) and the category combination of scopes, in DHIS2's
shapes (docs/decisions/0027)."""

from django.utils.translation import gettext as _

from dhis2_api import uids
from dhis2_api.directory import OrgUnit
from indicators.models import Figure, Indicator

# An indicator's type as DHIS2's valueType.
VALUE_TYPES = {
    Indicator.ValueType.RATIO: "PERCENTAGE",
    Indicator.ValueType.COUNT: "INTEGER_ZERO_OR_POSITIVE",
    Indicator.ValueType.AMOUNT: "NUMBER",
    Indicator.ValueType.BOOLEAN: "BOOLEAN",
}
# DHIS2's aggregationType, from the rules over units and over time (indicators/rollup.py).
_SUMMED = {Indicator.TimeRollup.FLOW: "SUM", Indicator.TimeRollup.STATUS: "LAST"}


def aggregation_type(indicator: Indicator) -> str:
    if indicator.unit_rollup == Indicator.UnitRollup.SUM:
        return _SUMMED[indicator.time_rollup]
    return "AVERAGE"  # means, ratios of sums and shares of units saying yes


def org_unit(unit: OrgUnit, *, english: bool = False) -> dict:
    item = {
        "id": unit.uid,
        "code": unit.code,
        "name": unit.name,
        "displayName": unit.name,
        "shortName": unit.name[:50],
        "level": unit.level,
        "path": unit.path,
        "openingDate": f"{unit.opening.isoformat()}T00:00:00.000",
        "parent": {"id": unit.parent.uid, "name": unit.parent.name} if unit.parent else None,
        "children": [{"id": c.uid, "name": c.name} for c in unit.children],
        "leaf": not unit.children,
    }
    if unit.closed is not None:
        item["closedDate"] = f"{unit.closed.isoformat()}T00:00:00.000"
    if item["parent"] is None:
        del item["parent"]
    return item


def data_element(indicator: Indicator, *, english: bool = False) -> dict:
    name = indicator.name_en if english else indicator.name
    return {
        "id": uids.element_uid(indicator.code),
        "code": indicator.code,
        "name": name,
        "displayName": name,
        "shortName": name[:50],
        "formName": name,
        "description": indicator.definition_en if english else indicator.definition,
        "valueType": VALUE_TYPES[indicator.value_type],
        "aggregationType": aggregation_type(indicator),
        "domainType": "AGGREGATE",
        "zeroIsSignificant": True,
        "categoryCombo": {"id": uids.SCOPE_CATEGORY_COMBO},
    }


def data_elements(*, english: bool = False) -> list[dict]:
    return [
        data_element(i, english=english) for i in Indicator.objects.order_by("position", "code")
    ]


def data_set(*, english: bool = False) -> dict:
    name = "Quarterly report on IT application" if english else "Báo cáo quý ứng dụng CNTT"
    return {
        "id": uids.DATA_SET_UID,
        "code": uids.DATA_SET_CODE,
        "name": name,
        "displayName": name,
        "shortName": name,
        "periodType": "Quarterly",
        "categoryCombo": {"id": uids.DEFAULT_CATEGORY_COMBO},
        "dataSetElements": [
            {"dataElement": {"id": uids.element_uid(code)}, "dataSet": {"id": uids.DATA_SET_UID}}
            for code in Indicator.objects.order_by("position", "code").values_list(
                "code", flat=True
            )
        ],
    }


def category_option_combos() -> list[dict]:
    """The scopes of a figure as DHIS2 disaggregations: the unit itself is the default."""
    return [
        {
            "id": uids.scope_coc(scope),
            "code": scope,
            "name": "default" if scope == "self" else str(label),
            "displayName": "default" if scope == "self" else str(label),
        }
        for scope, label in Figure.Scope.choices
    ]


def scope_of(coc: str | None) -> str | None:
    """The scope a category option combination (UID or scope code) names; None: unknown."""
    if not coc or coc == uids.DEFAULT_COC or coc == "default":
        return Figure.Scope.SELF
    for scope in Figure.Scope.values:
        if coc in (scope, uids.scope_coc(scope)):
            return scope
    return None


def unknown(kind: str, key: str) -> str:
    return _("Không có %(kind)s «%(key)s».") % {"kind": kind, "key": key}
