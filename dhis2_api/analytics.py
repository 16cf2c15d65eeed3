"""DHIS2's analytics resource over the live aggregates: `dimension=dx:…;…`, `pe:…` (fixed
periods and the relative ones below), `ou:…` (UIDs or codes, `LEVEL-n`, `USER_ORGUNIT`),
`filter=` (one item a dimension), answered with headers, rows, metaData, width and height.
The values are the portal's roll-ups of approved figures (indicators.analytics), the ones
its dashboards and API show."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts import policy
from dhis2_api import uids
from dhis2_api.datavalues import Elements
from dhis2_api.directory import Directory, OrgUnit
from dhis2_api.queries import QueryError
from indicators import analytics
from indicators.models import Indicator
from indicators.periods import Period, PeriodError, PeriodKind, parse_period, period_of
from units.models import Unit

DIMENSIONS = ("dx", "pe", "ou")
RELATIVE = (
    "THIS_QUARTER",
    "LAST_QUARTER",
    "LAST_4_QUARTERS",
    "THIS_YEAR",
    "LAST_YEAR",
    "LAST_5_YEARS",
)
ID_SCHEMES = ("UID", "CODE", "NAME")
COLUMNS = {"dx": "Data", "pe": "Period", "ou": "Organisation unit"}
# Values one request may ask for (data × periods × units): each is a roll-up, and a
# commune's is computed from its figures; a client asks for more in several requests.
MAX_CELLS = 20_000


def relative_periods(name: str, today: datetime.date) -> list[Period]:
    """DHIS2's relative periods, as of `today`: the last ones are those before the current."""
    quarter = period_of(PeriodKind.QUARTER, today)
    year = period_of(PeriodKind.YEAR, today)
    if name == "THIS_QUARTER":
        return [quarter]
    if name == "THIS_YEAR":
        return [year]
    if name in ("LAST_QUARTER", "LAST_4_QUARTERS"):
        found, day = [], quarter.start
        for _ in range(1 if name == "LAST_QUARTER" else 4):
            previous = period_of(PeriodKind.QUARTER, day - datetime.timedelta(days=1))
            found.insert(0, previous)
            day = previous.start
        return found
    years = 1 if name == "LAST_YEAR" else 5
    return [parse_period(str(year.start.year - n)) for n in range(years, 0, -1)]


@dataclass
class Query:
    order: list[str]  # the dimensions in rows, in the order asked
    indicators: list[Indicator]
    periods: list[Period]
    # The units asked for, by period id (a code names the unit bearing it then); None:
    # LEVEL-n below the boundary.
    units: dict[str, list[OrgUnit]] | None
    level: int | None
    boundary: dict[str, list[OrgUnit]]


def _split(texts: list[str]) -> dict[str, list[str]]:
    found = {}
    for text in texts:
        name, _sep, items = text.partition(":")
        if name not in DIMENSIONS:
            raise QueryError(_("Chiều «%(name)s» không hỗ trợ: chỉ dx, pe, ou.") % {"name": name})
        if name in found:
            raise QueryError(_("Chiều «%(name)s» được nêu hai lần.") % {"name": name})
        found[name] = [i for i in items.split(";") if i]
        if not found[name]:
            raise QueryError(_("Chiều «%(name)s» không có mục nào.") % {"name": name})
    return found


def parse(params, user, directory: Directory, today: datetime.date) -> Query:
    dimensions = _split(params.getlist("dimension"))
    filters = _split(params.getlist("filter"))
    for name in set(dimensions) & set(filters):
        raise QueryError(_("Chiều «%(name)s» vừa là dimension vừa là filter.") % {"name": name})
    for name, items in filters.items():
        if len(items) != 1:
            raise QueryError(_("filter «%(name)s»: chỉ nhận một mục.") % {"name": name})
    asked = {**dimensions, **filters}
    for name in DIMENSIONS:
        if name not in asked:
            raise QueryError(_("Cần chiều %(name)s (dimension hoặc filter).") % {"name": name})
    elements = Elements.load()
    indicators = []
    for key in asked["dx"]:
        found = elements.find(key)
        if found is None:
            raise QueryError(_("Không có phần tử dữ liệu «%(key)s».") % {"key": key})
        indicators.append(found)
    periods = []
    for key in asked["pe"]:
        if key in RELATIVE:
            periods.extend(relative_periods(key, today))
            continue
        try:
            periods.append(parse_period(key))
        except PeriodError as exc:
            raise QueryError(str(exc)) from None
    periods = sorted(set(periods), key=lambda p: (p.start, p.end))
    level, keys = None, []
    for key in asked["ou"]:
        if key.startswith("LEVEL-"):
            try:
                level = int(key.removeprefix("LEVEL-"))
            except ValueError:
                raise QueryError(_("«%(key)s»: cần LEVEL-n.") % {"key": key}) from None
            continue
        if key == "USER_ORGUNIT":
            member = policy.membership(user)
            unit = directory.by_pk.get(member.unit_id) if member else directory.root
            if unit is None:
                raise QueryError(_("Không có đơn vị «%(key)s».") % {"key": key})
            keys.append(unit.uid)
        elif directory.find(key, scheme="AUTO") is None:
            raise QueryError(_("Không có đơn vị «%(key)s».") % {"key": key})
        else:
            keys.append(key)
    latest = max(p.end for p in periods)
    units = {p.id: _units_then(directory, keys, p, latest) for p in periods}
    boundary = {}
    if level is not None:
        boundary = {p.id: units[p.id] or [directory.root] for p in periods}
        units = None
    return Query(
        [d for d in dimensions if d in DIMENSIONS], indicators, periods, units, level, boundary
    )


def _units_then(
    directory: Directory, keys: list[str], period: Period, latest: datetime.date
) -> list[OrgUnit]:
    """The units `keys` name in `period`: a UID its unit; a code the unit bearing it at the
    period's end (44 is Tỉnh Quảng Bình in 2024Q4, Tỉnh Quảng Trị in 2025Q3), else — a code
    not borne then — the unit bearing it at the end of the last period asked, else the
    latest unit that bore it."""
    found: dict[str, OrgUnit] = {}
    for key in keys:
        unit = (
            directory.find(key, scheme="AUTO", on=period.end)
            or directory.find(key, scheme="AUTO", on=latest)
            or directory.find(key, scheme="AUTO")
        )
        found.setdefault(unit.uid, unit)
    return list(found.values())


def _at_level(query: Query, period: Period) -> list[OrgUnit]:
    found = []
    for top in query.boundary[period.id]:
        for unit in [top, *top.descendants()]:
            if unit.level == query.level and unit.in_force(period.end):
                found.append(unit)
    return sorted(found, key=lambda u: u.code)


def _values(
    indicators: list[Indicator], units: list[OrgUnit], period: Period, models: dict
) -> dict[str, dict[str, object]]:
    """{indicator code: {org unit uid: value}} of the units with a value, from the portal's
    roll-ups: every indicator and unit of the period at once (indicators.analytics'
    rollup_indicators), the country as its provinces combined (as rollup_provinces does)."""
    found: dict[str, dict[str, object]] = {i.code: {} for i in indicators}
    inner = [u for u in units if u.pk is not None]
    provinces = []
    if len(inner) < len(units):  # the country asked for
        provinces = list(
            Unit.objects.in_force(period.end).filter(level=Unit.Level.PROVINCE).order_by("code")
        )
    # Each unit once, whether asked for or one of the country's provinces.
    asked = {u.pk: models[u.pk] for u in inner} | {p.pk: p for p in provinces}
    if not asked:
        return found
    order = list(asked)
    rolled = analytics.rollup_indicators(indicators, list(asked.values()), period)
    for indicator in indicators:
        by_pk = dict(zip(order, rolled[indicator.code], strict=True))
        for unit in inner:
            value = by_pk[unit.pk]
            if value.value is not None:
                found[indicator.code][unit.uid] = value.percent_or_value
        if provinces:
            values = [by_pk[p.pk] for p in provinces]
            country = analytics.combine_values(indicator, values)
            if country is not None and country.value is not None:
                found[indicator.code][uids.ROOT_UID] = country.value
    return found


def run(query: Query, params, directory: Directory) -> dict:
    scheme = str(params.get("outputIdScheme") or "UID").upper()
    if scheme not in ID_SCHEMES:
        raise QueryError(_("outputIdScheme chỉ nhận UID, CODE hoặc NAME."))
    short = str(params.get("displayProperty") or "NAME").upper() == "SHORTNAME"
    units_of = {
        p.id: query.units[p.id] if query.units is not None else _at_level(query, p)
        for p in query.periods
    }
    cells = len(query.indicators) * sum(len(units) for units in units_of.values())
    if cells > MAX_CELLS:
        raise QueryError(
            _("Truy vấn đòi %(n)s giá trị, quá %(max)s: hãy chia nhỏ (ít chỉ tiêu, kỳ, đơn vị).")
            % {"n": cells, "max": MAX_CELLS}
        )
    pks = {u.pk for units in units_of.values() for u in units if u.pk is not None}
    models = Unit.objects.in_bulk(pks)
    rows = []
    seen_units: dict[str, OrgUnit] = {}
    by_period = {}
    for period in query.periods:
        units = units_of[period.id]
        seen_units.update({u.uid: u for u in units})
        by_period[period.id] = _values(query.indicators, units, period, models)
    for indicator in query.indicators:
        for period in query.periods:
            for unit_uid, value in by_period[period.id][indicator.code].items():
                cells = {
                    "dx": _id(
                        uids.element_uid(indicator.code), indicator.code, indicator.name, scheme
                    ),
                    "pe": period.id,
                    "ou": _id(
                        unit_uid,
                        directory.by_uid[unit_uid].code,
                        directory.by_uid[unit_uid].name,
                        scheme,
                    ),
                }
                rows.append([*(cells[d] for d in query.order), _number(value)])
    headers = [
        {
            "name": d,
            "column": COLUMNS[d],
            "valueType": "TEXT",
            "type": "java.lang.String",
            "hidden": False,
            "meta": True,
        }
        for d in query.order
    ] + [
        {
            "name": "value",
            "column": "Value",
            "valueType": "NUMBER",
            "type": "java.lang.Double",
            "hidden": False,
            "meta": False,
        }
    ]
    answer = {
        "headers": headers,
        "rows": rows,
        "width": len(headers),
        "height": len(rows),
        "headerWidth": len(headers),
    }
    if str(params.get("skipMeta", "false")).lower() != "true":
        answer["metaData"] = _meta(query, seen_units, scheme, short)
    return answer


def _id(uid: str, code: str, name: str, scheme: str) -> str:
    return {"UID": uid, "CODE": code, "NAME": name}[scheme]


def _number(value: Decimal) -> str:
    """A value as DHIS2 writes one: its digits, without trailing zeros ("70", "62.069")."""
    return format(value.normalize(), "f")


def _meta(query: Query, units: dict[str, OrgUnit], scheme: str, short: bool) -> dict:
    items = {}
    for indicator in query.indicators:
        key = _id(uids.element_uid(indicator.code), indicator.code, indicator.name, scheme)
        name = indicator.name[:50] if short else indicator.name
        items[key] = {"uid": uids.element_uid(indicator.code), "code": indicator.code, "name": name}
    for period in query.periods:
        items[period.id] = {"uid": period.id, "code": period.id, "name": period.label_en}
    for unit in units.values():
        key = _id(unit.uid, unit.code, unit.name, scheme)
        items[key] = {"uid": unit.uid, "code": unit.code, "name": unit.name}
    ou_ids = [_id(u.uid, u.code, u.name, scheme) for u in units.values()]
    return {
        "items": items,
        "dimensions": {
            "dx": [_id(uids.element_uid(i.code), i.code, i.name, scheme) for i in query.indicators],
            "pe": [p.id for p in query.periods],
            "ou": ou_ids,
            "co": [],
        },
        "ouHierarchy": {u.uid: u.path.rsplit("/", 1)[0].lstrip("/") for u in units.values()},
    }
