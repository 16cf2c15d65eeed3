"""Import and export of the indicator catalogue and of figures (see units.resources).

Indicators use the catalogue file's columns (fixtures/indicators/indicators.csv) and figures the
figure loader's (fixtures/figures/seeds.csv), so those files import in the admin as they are.
Figures are checked by indicators.validation, like every other way figures come in.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from indicators import aggregates
from indicators.catalogue import DIRECTIONS, PILLARS, ROLLUPS_FOR_TYPE, TIME_ROLLUPS, VALUE_TYPES
from indicators.models import FIGURE_WRITABLE, Figure, Indicator, pack_list
from indicators.validation import (
    AGENCY_UNKNOWN,
    INDICATOR_UNKNOWN,
    UNIT_UNKNOWN_ON,
    approximate_flag,
    figure_target_check,
    figure_value_check,
    period_check,
)
from indicators.writes import figures as figure_writes
from indicators.writes import rules
from units.models import Agency, Unit
from units.reference_files import AGENCY_KINDS, LEVELS
from units.resources import (
    NOT_ONE_OF,
    AttributeWidget,
    DateWidget,
    NaturalKeyResource,
    OptionalTextWidget,
    RawNumberWidget,
    TextWidget,
    UnitDayWidget,
    WholeNumberWidget,
    cell_date,
    cell_text,
    next_position,
)

CODE_FORMAT = _("Mã «%(code)s» phải viết HOA_GẠCH_DƯỚI.")
ROLLUP_NOT_FOR_TYPE = _("«%(rollup)s» không dùng cho kiểu %(type)s.")
APPLIES_TO_NOTHING = _("Chỉ tiêu không áp dụng cho cấp hay cơ quan nào.")
VALIDITY_REVERSED = _("Ngày hết áp dụng trước ngày bắt đầu áp dụng.")
TYPE_LOCKED = _(
    "Chỉ tiêu %(code)s đã có số liệu hoặc mục tiêu: không đổi kiểu giá trị bằng tệp nhập."
)


class PackedListWidget(widgets.Widget):
    """ "province;commune" in the file, ",province,commune," in the model (see pack_list)."""

    def __init__(self, allowed: tuple[str, ...]):
        super().__init__()
        self.allowed = allowed

    def clean(self, value, row=None, **kwargs):
        items = [item.strip() for item in cell_text(value).split(";") if item.strip()]
        for item in items:
            if item not in self.allowed:
                raise ValueError(NOT_ONE_OF % {"value": item, "allowed": ", ".join(self.allowed)})
        return pack_list(items)

    def render(self, value, obj=None, **kwargs):
        return ";".join(item for item in (value or "").split(",") if item)


class IndicatorResource(NaturalKeyResource):
    """The catalogue, keyed by code, with the catalogue file's rules (indicators.catalogue).

    An indicator that already has figures or targets keeps its value type: changing it would
    leave them meaningless.
    """

    code = fields.Field("code", "code", TextWidget())
    pillar = fields.Field("pillar", "pillar", TextWidget())
    value_type = fields.Field("value_type", "value_type", TextWidget())
    unit_rollup = fields.Field("unit_rollup", "unit_rollup", TextWidget())
    time_rollup = fields.Field("time_rollup", "time_rollup", TextWidget())
    direction = fields.Field("direction", "direction", TextWidget())
    applies_to_levels = fields.Field("levels", "applies_to_levels", PackedListWidget(LEVELS))
    applies_to_agency_kinds = fields.Field(
        "agency_kinds", "applies_to_agency_kinds", PackedListWidget(AGENCY_KINDS)
    )
    valid_from = fields.Field("valid_from", "valid_from", DateWidget())
    valid_to = fields.Field("valid_to", "valid_to", DateWidget())
    name_vi = fields.Field("name", "name_vi", TextWidget())
    name_en = fields.Field("name_en", "name_en", TextWidget())
    definition_vi = fields.Field("definition", "definition_vi", TextWidget())
    definition_en = fields.Field("definition_en", "definition_en", TextWidget())
    position = fields.Field("position", "position", WholeNumberWidget(), saves_null_values=False)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "pillar",
            "value_type",
            "unit_rollup",
            "time_rollup",
            "direction",
            "applies_to_levels",
            "applies_to_agency_kinds",
            "valid_from",
            "valid_to",
            "name_vi",
            "name_en",
            "definition_vi",
            "definition_en",
            "position",
        ]
        import_id_fields = ["code"]

    def check_row(self, instance, row, failed, **kwargs):
        errors = {}
        code = instance.code or ""
        if code and (not code.replace("_", "").isalnum() or code.upper() != code):
            errors["code"] = CODE_FORMAT % {"code": code}
        for name, allowed in (
            ("pillar", PILLARS),
            ("value_type", VALUE_TYPES),
            ("time_rollup", TIME_ROLLUPS),
            ("direction", DIRECTIONS),
        ):
            value = getattr(instance, name)
            if name not in failed and value not in allowed:
                errors[name] = NOT_ONE_OF % {"value": value, "allowed": ", ".join(allowed)}
        rollups = ROLLUPS_FOR_TYPE.get(instance.value_type, set())
        if "value_type" not in errors and instance.unit_rollup not in rollups:
            errors["unit_rollup"] = ROLLUP_NOT_FOR_TYPE % {
                "rollup": instance.unit_rollup,
                "type": instance.value_type,
            }
        if not failed & {"applies_to_levels", "applies_to_agency_kinds"} and not (
            instance.levels or instance.agency_kinds
        ):
            errors["applies_to_levels"] = APPLIES_TO_NOTHING
        if instance.valid_from and instance.valid_to and instance.valid_from > instance.valid_to:
            errors["valid_to"] = VALIDITY_REVERSED
        if instance.pk is not None:
            stored = Indicator.objects.values_list("value_type", flat=True).get(pk=instance.pk)
            used = instance.figures.exists() or instance.targets.exists()
            if stored != instance.value_type and used:
                errors["value_type"] = TYPE_LOCKED % {"code": code}
        elif not cell_text(row.get("position")):
            instance.position = next_position(Indicator.objects.all())
        if errors:
            raise ValidationError(errors)


class ApproximateWidget(widgets.Widget):
    """The approximate column as every figure file reads it (1, x, "khoảng"; 0, "không";
    empty: as it is), a cell it cannot read a row error."""

    def clean(self, value, row=None, **kwargs):
        return approximate_flag(value)

    def render(self, value, obj=None, **kwargs):
        return "1" if value else "0"


class FigureResource(NaturalKeyResource):
    """Figures keyed by unit (code + `unit_on`, or the period's end when empty), agency (name,
    optional), indicator code, period id and scope; the columns of the figure loader.

    The key and the numbers are read by check_row with indicators.validation: figure_target_check
    and figure_value_check (numbers as officials type them: "12,5" is 12.5), and their messages
    become the row's errors. A new figure is entered by the importing user, as a draft unless the
    file has a `status` column; an existing figure keeps its status unless the file says.
    """

    unit_code = fields.Field("unit", "unit_code", AttributeWidget("code"), readonly=True)
    unit_on = fields.Field("unit", "unit_on", UnitDayWidget(), readonly=True)
    agency = fields.Field("agency", "agency", AttributeWidget("name"), readonly=True)
    indicator = fields.Field("indicator", "indicator", AttributeWidget("code"), readonly=True)
    period = fields.Field("period", "period", TextWidget(), readonly=True)
    scope = fields.Field("scope", "scope", TextWidget(), readonly=True)
    value = fields.Field("value", "value", RawNumberWidget(), readonly=True)
    numerator = fields.Field("numerator", "numerator", RawNumberWidget(), readonly=True)
    denominator = fields.Field("denominator", "denominator", RawNumberWidget(), readonly=True)
    # An empty cell leaves the figure as it is (a new one: not approximate).
    approximate = fields.Field(
        "is_approximate", "approximate", ApproximateWidget(), saves_null_values=False
    )
    status = fields.Field("status", "status", OptionalTextWidget(), saves_null_values=False)
    source = fields.Field("source", "source", TextWidget())
    source_on = fields.Field("source_on", "source_on", DateWidget())
    note = fields.Field("note", "note", TextWidget())

    class Meta:
        model = Figure
        fields = [
            "unit_code",
            "unit_on",
            "agency",
            "indicator",
            "period",
            "scope",
            "value",
            "numerator",
            "denominator",
            "approximate",
            "status",
            "source",
            "source_on",
            "note",
        ]
        # agency and scope are optional columns, as in the loader (none, and "self").
        import_id_fields = ["unit_code", "indicator", "period"]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Figures never create units, agencies or indicators: look each up once per import.
        self._units: dict[str, list[Unit]] = {}
        self._indicators: dict[str, Indicator | None] = {}
        self._agencies: dict[tuple[int, str], Agency | None] = {}

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("unit", "agency", "indicator")

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        # The figures the file may overwrite, locked by id before any is read, as every
        # writer locks them (docs/decisions/0012): what check_row compares with cannot change
        # before the import commits, and an approval meanwhile waits instead of deadlocking.
        # (Inside the import's transaction: django-import-export opens it first.)
        column = {
            name: dataset[name]
            for name in ("unit_code", "indicator", "period")
            if name in (dataset.headers or [])
        }
        if len(column) == 3:
            figure_writes.admin_import_lock(
                unit_codes={cell_text(c) for c in column["unit_code"]},
                indicator_codes={cell_text(c) for c in column["indicator"]},
                periods={cell_text(c) for c in column["period"]},
            )

    def resolve(self, row):
        """The row's unit, agency, indicator, period and scope; ValidationError by column."""
        errors = {}
        code = cell_text(row.get("indicator"))
        if code not in self._indicators:
            self._indicators[code] = Indicator.objects.filter(code=code).first()
        indicator = self._indicators[code]
        if indicator is None:
            errors["indicator"] = INDICATOR_UNKNOWN % {"code": code}
        period = unit = agency = None
        try:
            period = period_check(cell_text(row.get("period")))
        except ValidationError as exc:
            errors.update(exc.message_dict)
        try:
            day = cell_date(row.get("unit_on"))
        except ValueError as exc:
            errors["unit_on"] = str(exc)
            day = None
        else:
            day = day or (period.end if period else None)
        unit_code = cell_text(row.get("unit_code"))
        if day is not None:
            if unit_code not in self._units:
                self._units[unit_code] = list(Unit.objects.filter(code=unit_code))
            unit = next((u for u in self._units[unit_code] if u.is_in_force(day)), None)
            if unit is None:
                errors["unit_code"] = UNIT_UNKNOWN_ON % {
                    "code": unit_code,
                    "day": f"{day:%d/%m/%Y}",
                }
        name = cell_text(row.get("agency"))
        if unit is not None and name:
            if (unit.pk, name) not in self._agencies:
                self._agencies[(unit.pk, name)] = Agency.objects.filter(
                    unit=unit, name=name
                ).first()
            agency = self._agencies[(unit.pk, name)]
            if agency is None:
                errors["agency"] = AGENCY_UNKNOWN % {"unit": unit.name, "name": name}
        scope = cell_text(row.get("scope")) or Figure.Scope.SELF
        if errors:
            raise ValidationError(errors)
        return unit, agency, indicator, period, scope

    def get_instance(self, instance_loader, row):
        try:
            unit, agency, indicator, period, scope = self.resolve(row)
        except ValidationError:
            return None  # check_row reports it
        figure = Figure.objects.filter(
            unit=unit, agency=agency, indicator=indicator, period=period.id, scope=scope
        ).first()
        if figure is not None:
            # What it says before the row's columns are read into it (check_row compares).
            figure._stored = {f: getattr(figure, f) for f in FIGURE_WRITABLE}
        return figure

    def check_row(self, instance, row, failed, **kwargs):
        unit, agency, indicator, period, scope = self.resolve(row)
        figure_target_check(
            indicator=indicator, unit=unit, agency=agency, period=period, scope=scope
        )
        checked = figure_value_check(
            indicator=indicator,
            scope=scope,
            value=row.get("value"),
            numerator=row.get("numerator"),
            denominator=row.get("denominator"),
        )
        instance.unit, instance.agency, instance.indicator = unit, agency, indicator
        instance.period, instance.scope = period.id, scope
        instance.period_start, instance.period_end = period.start, period.end
        instance.value = checked.value
        instance.numerator, instance.denominator = checked.numerator, checked.denominator
        refused = rules.admin_import_refusal(
            kwargs.get("user"), getattr(instance, "_stored", None), instance
        )
        if refused:
            raise ValidationError({"value": refused})

    def import_data_inner(self, *args, **kwargs):
        # Inside the import's transaction: the aggregates are recomputed once for the file.
        with aggregates.gathered():
            return super().import_data_inner(*args, **kwargs)

    def before_save_instance(self, instance, row, **kwargs):
        user = kwargs.get("user")
        self._by = user  # do_instance_save is told nothing of who imports
        if user is not None and user.is_authenticated and instance.pk is None:
            instance.entered_by = user

    def do_instance_save(self, instance, is_create):
        # Written as every figure is: by the write service (indicators.writes).
        figure_writes.admin_import_save(
            user=getattr(self, "_by", None),
            figure=instance,
            stored=getattr(instance, "_stored", None),
        )
