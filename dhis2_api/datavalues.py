"""Data values the DHIS2 way: read as a data value set (GET dataValueSets), written as one
(POST, JSON or CSV) through the portal's one write path (indicators.writes.bulk.figures_import,
with the same permissions and checks as the bulk API), answered with DHIS2's import
summary; one value at a time (dataValues). docs/decisions/0027 says what maps to what.

Figures are a unit's own (no agency): DHIS2 has no agencies; a figure's scope is its
category option combination (the unit itself: DHIS2's default)."""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policy
from dhis2_api import metadata, uids
from dhis2_api.directory import Directory, OrgUnit
from dhis2_api.queries import QueryError
from indicators.models import Figure, Indicator
from indicators.periods import Period, PeriodError, parse_period
from indicators.services import FigureInput, FigureLocked
from indicators.validation import UNIT_NOT_IN_FORCE
from indicators.writes import bulk
from indicators.writes import figures as figure_writes

SCHEMES = ("UID", "CODE")
# A data value set is answered whole (JSON): past this, the client narrows its query or
# takes the streamed export (/api/v1/observations/export/, /public/data/).
MAX_VALUES = 100_000
TOO_MANY = gettext_lazy(
    "Hơn %(n)s giá trị: hãy thu hẹp truy vấn (ít kỳ, ít đơn vị hơn) hoặc dùng "
    "/api/v1/observations/export/."
)
STRATEGIES = {
    "CREATE_AND_UPDATE": "CREATE_AND_UPDATE",
    "NEW_AND_UPDATES": "CREATE_AND_UPDATE",
    "CREATE": "CREATE",
    "NEW": "CREATE",
    "UPDATE": "UPDATE",
    "UPDATES": "UPDATE",
    "DELETE": "DELETE",
    "DELETES": "DELETE",
}
CSV_COLUMNS = (
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
)
# DHIS2's spellings of a boolean (any case).
# A value's fields, in the order of DHIS2's CSV columns (CSV_COLUMNS).
FIELDS = (
    "dataElement",
    "period",
    "orgUnit",
    "categoryOptionCombo",
    "attributeOptionCombo",
    "value",
    "storedBy",
    "lastUpdated",
    "comment",
    "followup",
)
TRUE, FALSE = ("true", "1", "t", "yes"), ("false", "0", "f", "no")
# Import options a JSON data value set may carry itself (they win over the URL's).
BODY_OPTIONS = ("idScheme", "dataElementIdScheme", "orgUnitIdScheme", "dryRun", "importStrategy")


@dataclass(frozen=True)
class Elements:
    """The catalogue by UID and by code."""

    by_uid: dict[str, Indicator]
    by_code: dict[str, Indicator]

    @classmethod
    def load(cls) -> "Elements":
        indicators = list(Indicator.objects.all())
        return cls(
            {uids.element_uid(i.code): i for i in indicators}, {i.code: i for i in indicators}
        )

    def find(self, key: str, scheme: str = "AUTO") -> Indicator | None:
        if scheme == "UID":
            return self.by_uid.get(key)
        if scheme == "CODE":
            return self.by_code.get(key)
        return self.by_uid.get(key) or self.by_code.get(key)


def _periods(texts: list[str]) -> list[Period]:
    found = []
    for text in texts:
        try:
            found.append(parse_period(text))
        except PeriodError as exc:
            raise QueryError(str(exc)) from None
    return found


def _date(text: str, name: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        raise QueryError(
            _("%(name)s «%(text)s» không phải ngày (yyyy-mm-dd).") % {"name": name, "text": text}
        ) from None


def _units_asked(directory: Directory, keys: list[str], start, end) -> list[OrgUnit]:
    """The units named by UIDs or codes; a code, the units bearing it during the time asked."""
    found = []
    for key in keys:
        unit = directory.by_uid.get(key)
        if unit is not None:
            found.append(unit)
            continue
        matching = [
            u
            for u in directory.by_code.get(key, [])
            if u.opening <= end and (u.closed is None or u.closed >= start)
        ]
        if not matching:
            raise QueryError(metadata.unknown(_("đơn vị"), key))
        found.extend(matching)
    return found


def value_set(params, user, directory: Directory) -> dict:
    """GET dataValueSets: dataSet or dataElement; period, or startDate and endDate; orgUnit
    (children=true: and every unit below). The figures the user may read (policy)."""
    elements = Elements.load()
    indicators = []
    for key in params.getlist("dataElement"):
        found = elements.find(key)
        if found is None:
            raise QueryError(metadata.unknown(_("phần tử dữ liệu"), key))
        indicators.append(found)
    for key in params.getlist("dataSet"):
        if key not in (uids.DATA_SET_UID, uids.DATA_SET_CODE):
            raise QueryError(metadata.unknown(_("bộ dữ liệu"), key))
        indicators.extend(elements.by_code.values())
    if not indicators:
        raise QueryError(_("Cần ít nhất một dataSet hoặc dataElement."))
    periods = _periods(params.getlist("period"))
    if periods:
        start, end = min(p.start for p in periods), max(p.end for p in periods)
    elif params.get("startDate") and params.get("endDate"):
        start = _date(params["startDate"], "startDate")
        end = _date(params["endDate"], "endDate")
    else:
        raise QueryError(_("Cần ít nhất một period, hoặc startDate và endDate."))
    keys = params.getlist("orgUnit")
    if not keys:
        raise QueryError(_("Cần ít nhất một orgUnit."))
    units = _units_asked(directory, keys, start, end)
    if str(params.get("children", "")).lower() == "true":
        units = units + [d for u in units for d in u.descendants()]
    unit_ids = {u.pk for u in units if u.pk is not None}
    figures = Figure.objects.filter(
        policy.figure_visibility_q(user),
        indicator__in=indicators,
        unit_id__in=unit_ids,
        agency__isnull=True,
    )
    if periods:
        figures = figures.filter(period__in=[p.id for p in periods])
    else:
        figures = figures.filter(period_start__gte=start, period_end__lte=end)
    scheme = _scheme(params, "dataElementIdScheme")
    unit_scheme = _scheme(params, "orgUnitIdScheme")
    codes = {i.pk: i.code for i in indicators}
    rows = figures.order_by("unit_id", "period_start", "indicator_id").values_list(
        "unit_id",
        "indicator_id",
        "period",
        "scope",
        "value",
        "entered_by__username",
        "entered_at",
        "updated_at",
        "note",
    )
    values = []
    for n, (unit_id, indicator_id, period, scope, value, by, created, updated, note) in enumerate(
        rows.iterator(chunk_size=2000)
    ):
        if n == MAX_VALUES:
            raise QueryError(TOO_MANY % {"n": MAX_VALUES})
        unit = directory.by_pk[unit_id]
        code = codes[indicator_id]
        values.append(
            {
                "dataElement": code if scheme == "CODE" else uids.element_uid(code),
                "period": period,
                "orgUnit": unit.code if unit_scheme == "CODE" else unit.uid,
                "categoryOptionCombo": uids.scope_coc(scope),
                "attributeOptionCombo": uids.DEFAULT_COC,
                "value": _shown(value, elements.by_code[code], scope),
                "storedBy": by or "",
                "created": created.isoformat(timespec="milliseconds"),
                "lastUpdated": updated.isoformat(timespec="milliseconds"),
                "comment": note,
                "followup": False,
            }
        )
    return {"dataValues": values}


def _shown(value, indicator: Indicator, scope: str) -> str:
    if indicator.value_type == Indicator.ValueType.BOOLEAN and scope == Figure.Scope.SELF:
        return "true" if value else "false"
    return format(value.normalize(), "f")


def _scheme(params, name: str, default: str = "UID") -> str:
    """The identifier scheme asked for (UID or CODE); `default` when none is: UID for what
    the portal writes, AUTO (a UID, else a code) for what it reads."""
    scheme = str(params.get(name) or params.get("idScheme") or default).upper()
    if scheme == default:
        return scheme
    if scheme not in SCHEMES:
        raise QueryError(
            _("%(name)s «%(value)s»: chỉ nhận UID hoặc CODE.") % {"name": name, "value": scheme}
        )
    return scheme


# --- writing -------------------------------------------------------------------------


@dataclass
class Conflict:
    object: str
    value: str
    property: str = ""
    index: int | None = None

    def as_dict(self) -> dict:
        found = {"object": self.object, "value": self.value, "property": self.property}
        if self.index is not None:
            found["indexes"] = [self.index]
        return found


@dataclass
class Summary:
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    dry_run: bool = False
    strategy: str = "CREATE_AND_UPDATE"

    @property
    def status(self) -> str:
        if not self.conflicts:
            return "SUCCESS"
        return "WARNING" if self.imported or self.updated or self.deleted else "ERROR"

    def as_dict(self) -> dict:
        """DHIS2's web message around an import summary (2.38 and later)."""
        ok = self.status != "ERROR"
        return {
            "httpStatus": "OK" if ok else "Conflict",
            "httpStatusCode": 200 if ok else 409,
            "status": "OK" if ok else "ERROR",
            "message": "Import was successful."
            if ok
            else "An error occurred, please check import summary.",
            "response": {
                "responseType": "ImportSummary",
                "status": self.status,
                "importOptions": {"dryRun": self.dry_run, "importStrategy": self.strategy},
                "description": "Import process completed successfully"
                if ok
                else "Import process was aborted",
                "importCount": {
                    "imported": self.imported,
                    "updated": self.updated,
                    "ignored": self.ignored,
                    "deleted": self.deleted,
                },
                "conflicts": [c.as_dict() for c in self.conflicts],
                "rejectedIndexes": sorted({c.index for c in self.conflicts if c.index is not None}),
                "dataSetComplete": "false",
            },
        }


def read_json(body: dict) -> list[dict]:
    """A data value set's values, each with the set's own dataSet, period and orgUnit where
    it gives none."""
    if not isinstance(body, dict) or not isinstance(body.get("dataValues", []), list):
        raise QueryError(_("Cần một đối tượng JSON có danh sách dataValues."))
    defaults = {k: body[k] for k in ("period", "orgUnit") if isinstance(body.get(k), str)}
    values = []
    for item in body.get("dataValues", []):
        if not isinstance(item, dict):
            raise QueryError(_("Mỗi phần tử của dataValues phải là một đối tượng."))
        values.append({**defaults, **item})
    return values


# The first cell of a header line, as DHIS2 and its clients spell it (lower case, without
# spaces and underscores): DHIS2's "dataelement", the documented "de", "Data element".
HEADER_FIRST_CELLS = ("dataelement", "de", "dataelementid")


def read_csv(text: str, first_row_is_header: bool | None = None) -> list[dict]:
    """DHIS2's CSV, the columns in DHIS2's order. DHIS2 takes the first line for a header
    (firstRowIsHeader, as its CSV imports call it): `True` drops it, `False` reads it as a
    value; `None` (not said) drops it when it reads as one (its first cell names the data
    element column), so that a file without a header loses no value."""
    rows = list(csv.reader(io.StringIO(text)))
    if rows and first_row_is_header is None:
        first = rows[0][0] if rows[0] else ""
        folded = first.strip().lower().replace("_", "").replace(" ", "")
        first_row_is_header = folded in HEADER_FIRST_CELLS
    if rows and first_row_is_header:
        rows = rows[1:]
    return [
        dict(zip(FIELDS, row, strict=False)) for row in rows if any(cell.strip() for cell in row)
    ]


def first_row_is_header(params) -> bool | None:
    """The firstRowIsHeader option: True, False, or None when not given."""
    text = str(params.get("firstRowIsHeader") or "").lower()
    if not text:
        return None
    if text in TRUE or text in FALSE:
        return text in TRUE
    raise QueryError(_("firstRowIsHeader chỉ nhận true hoặc false."))


def import_values(values: list[dict], params, user, directory: Directory) -> Summary:
    """POST dataValueSets. All or nothing, as every import of the portal: a value that
    cannot be read or stored is a conflict and nothing is stored (status ERROR); with
    dryRun=true, everything is checked and nothing stored."""
    strategy = STRATEGIES.get(str(params.get("importStrategy") or "CREATE_AND_UPDATE").upper())
    if strategy is None:
        raise QueryError(
            _("importStrategy chỉ nhận %(allowed)s.") % {"allowed": ", ".join(STRATEGIES)}
        )
    dry_run = str(params.get("dryRun", "false")).lower() == "true"
    summary = Summary(dry_run=dry_run, strategy=strategy)
    inputs, keys = _inputs(values, params, directory, summary)
    if summary.conflicts:
        summary.ignored = len(values)
        return summary
    existing = _existing(keys)
    if strategy == "DELETE":
        return _delete(inputs, keys, existing, user, summary)
    kept = []
    for item, key in zip(inputs, keys, strict=True):
        present = key in existing
        if (strategy == "CREATE" and present) or (strategy == "UPDATE" and not present):
            summary.ignored += 1
        else:
            kept.append(item)
    try:
        result = bulk.figures_import(
            kept, user=user, dry_run=dry_run, status=params.get("status") or None
        )
    except bulk.ImportConflict as exc:
        summary.conflicts.append(Conflict("dataValueSet", str(exc)))
        summary.ignored = len(values)
        return summary
    for error in result.errors:
        index = (error.row or 1) - 1
        summary.conflicts.append(
            Conflict(_object(values, index), str(error.message), error.field, index)
        )
    if summary.conflicts:
        summary.ignored = len(values)
        return summary
    summary.imported, summary.updated = result.created, result.updated
    summary.ignored += result.unchanged
    return summary


def _object(values: list[dict], index: int) -> str:
    if 0 <= index < len(values):
        item = values[index]
        return f"{item.get('dataElement', '')}/{item.get('orgUnit', '')}/{item.get('period', '')}"
    return ""


def _inputs(values, params, directory, summary) -> tuple[list[FigureInput], list[tuple]]:
    elements = Elements.load()
    element_scheme = _scheme(params, "dataElementIdScheme", "AUTO")
    unit_scheme = _scheme(params, "orgUnitIdScheme", "AUTO")
    inputs, keys = [], []
    for index, item in enumerate(values):
        problems = []
        indicator = elements.find(str(item.get("dataElement", "")), element_scheme)
        if indicator is None:
            problems.append(
                ("dataElement", metadata.unknown(_("phần tử dữ liệu"), item.get("dataElement", "")))
            )
        try:
            period = parse_period(str(item.get("period", "")))
        except PeriodError as exc:
            problems.append(("period", str(exc)))
            period = None
        unit = None
        if period is not None:
            unit = directory.find(str(item.get("orgUnit", "")), scheme=unit_scheme, on=period.end)
            if unit is None or unit.pk is None:
                problems.append(("orgUnit", metadata.unknown(_("đơn vị"), item.get("orgUnit", ""))))
        scope = metadata.scope_of(item.get("categoryOptionCombo"))
        if scope is None:
            problems.append(
                (
                    "categoryOptionCombo",
                    metadata.unknown(_("phạm vi"), item.get("categoryOptionCombo", "")),
                )
            )
        aoc = item.get("attributeOptionCombo")
        if aoc and aoc not in (uids.DEFAULT_COC, "default"):
            problems.append(("attributeOptionCombo", metadata.unknown(_("phạm vi"), aoc)))
        value = _value_in(item.get("value"), indicator)
        if not problems and not _overlaps(unit, period):
            # A UID names one unit: Xã Vĩnh Linh's (since 01/07/2025) is refused for 2024Q4,
            # never read as the unit that bore its code then (Thị trấn Hồ Xá).
            message = UNIT_NOT_IN_FORCE % {"unit": unit.name, "period": period.id}
            problems.append(("orgUnit", str(message)))
        for name, message in problems:
            summary.conflicts.append(Conflict(str(item.get(name, "")), message, name, index))
        if problems:
            continue
        # A day both of the period and of the unit's validity: the code names this unit then.
        on = min(period.end, unit.closed or period.end)
        inputs.append(
            FigureInput(
                unit_code=unit.code,
                unit_on=on,
                indicator=indicator.code,
                period=period.id,
                scope=scope,
                value=value,
                note=str(item.get("comment") or ""),
                row=index + 1,
            )
        )
        keys.append((unit.pk, indicator.pk, period.id, scope))
    return inputs, keys


def _overlaps(unit: OrgUnit, period: Period) -> bool:
    """Whether the unit was in force on some day of the period."""
    return unit.opening <= period.end and (unit.closed is None or unit.closed >= period.start)


def _value_in(value, indicator: Indicator | None):
    text = "" if value is None else str(value).strip()
    if indicator is not None and indicator.value_type == Indicator.ValueType.BOOLEAN:
        if text.lower() in TRUE:
            return "1"
        if text.lower() in FALSE:
            return "0"
    return text


def _existing(keys: list[tuple]) -> dict[tuple, Figure]:
    if not keys:
        return {}
    wanted = set(keys)
    figures = Figure.objects.filter(
        unit_id__in={k[0] for k in keys},
        indicator_id__in={k[1] for k in keys},
        period__in={k[2] for k in keys},
        agency__isnull=True,
    )
    return {
        key: f for f in figures if (key := (f.unit_id, f.indicator_id, f.period, f.scope)) in wanted
    }


def _delete(inputs, keys, existing, user, summary: Summary) -> Summary:
    found = [existing[k] for k in keys if k in existing]
    summary.ignored = len(keys) - len(found)
    if summary.dry_run:
        summary.deleted = len(found)
        return summary
    try:
        summary.deleted = figure_writes.figures_api_delete(user=user, figures=found)
    except (PermissionDenied, FigureLocked) as exc:
        summary.conflicts.append(Conflict("dataValueSet", str(exc)))
        summary.ignored, summary.deleted = len(keys), 0
    return summary


# --- one value ----------------------------------------------------------------------


def one_value(params, directory: Directory) -> tuple[dict, Indicator, OrgUnit, Period, str]:
    """The value dataValues names: de, pe, ou (UIDs or codes) and co (default: the unit
    itself)."""
    elements = Elements.load()
    indicator = elements.find(str(params.get("de", "")))
    if indicator is None:
        raise QueryError(metadata.unknown(_("phần tử dữ liệu"), params.get("de", "")))
    (period,) = _periods([str(params.get("pe", ""))])
    unit = directory.find(str(params.get("ou", "")), scheme="AUTO", on=period.end)
    if unit is None or unit.pk is None:
        raise QueryError(metadata.unknown(_("đơn vị"), params.get("ou", "")))
    scope = metadata.scope_of(params.get("co"))
    if scope is None:
        raise QueryError(metadata.unknown(_("phạm vi"), params.get("co", "")))
    item = {
        "dataElement": uids.element_uid(indicator.code),
        "period": period.id,
        "orgUnit": unit.uid,
        "categoryOptionCombo": uids.scope_coc(scope),
    }
    return item, indicator, unit, period, scope


def value_get(params, user, directory: Directory) -> list[str]:
    """GET dataValues: the value as DHIS2 answers it, a list of one string; [] when none
    the user may read."""
    _item, indicator, unit, period, scope = one_value(params, directory)
    figure = (
        Figure.objects.filter(
            policy.figure_visibility_q(user),
            unit_id=unit.pk,
            indicator=indicator,
            period=period.id,
            scope=scope,
            agency__isnull=True,
        )
        .values_list("value", flat=True)
        .first()
    )
    return [] if figure is None else [_shown(figure, indicator, scope)]
