"""Import and export of plans, their targets and budget lines (see units.resources).

The columns are those of the plans loader (plans.services: PLAN_COLUMNS, TARGET_COLUMNS,
BUDGET_COLUMNS), so fixtures/plans/*.csv import in the admin as they are. Targets are checked
by plans.validation.target_check, the one place target rules live. Unlike the loader, an admin
import adds and updates rows; it never deletes the rows a file leaves out.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from indicators.models import Indicator
from indicators.validation import INDICATOR_UNKNOWN, period_check, to_decimal
from plans.forms import YEARS_REVERSED
from plans.models import BudgetLine, Plan, Target
from plans.services import BUDGET_COLUMNS, PLAN_COLUMNS, TARGET_COLUMNS
from plans.validation import target_check
from units.models import Unit
from units.resources import (
    AttributeWidget,
    DateWidget,
    FlagWidget,
    NaturalKeyResource,
    RawNumberWidget,
    TextWidget,
    UnitDayWidget,
    WholeNumberWidget,
    cell_date,
    cell_text,
    next_position,
    plain_number,
    unit_for,
)

PLAN_UNKNOWN = _("Không có kế hoạch mã «%(code)s».")
PLAN_IMPLEMENTS_ITSELF = _("Một văn bản không triển khai chính nó.")
ISSUER_LEVEL = _("Đơn vị ban hành phải là tỉnh hoặc huyện (%(unit)s là đơn vị %(level)s).")
NOT_A_YEAR = _("«%(value)s» không phải năm (1990–2100).")
AMOUNT_NOT_WHOLE = _("Số tiền phải là số đồng nguyên, không âm (đang là «%(value)s»).")


class PlanByCodeWidget(widgets.ForeignKeyWidget):
    """A plan by its code; an unknown code is a row error, not a crash."""

    def __init__(self):
        super().__init__(Plan, "code")

    def clean(self, value, row=None, **kwargs):
        code = cell_text(value)
        plan = Plan.objects.filter(code=code).first()
        if plan is None:
            raise ValueError(PLAN_UNKNOWN % {"code": code})
        return plan


class PlanCodesWidget(widgets.ManyToManyWidget):
    """The documents a plan implements: "NQ-17-2019;QD-749-2020"."""

    def __init__(self):
        super().__init__(Plan, separator=";", field="code")

    @staticmethod
    def codes(value) -> list[str]:
        return [code.strip() for code in cell_text(value).split(";") if code.strip()]

    def clean(self, value, row=None, **kwargs):
        return Plan.objects.filter(code__in=self.codes(value))


class AmountWidget(widgets.Widget):
    """Whole đồng, as the loader reads them; "45000000000"."""

    def clean(self, value, row=None, **kwargs):
        number = to_decimal(value, "amount")
        if number is None:
            return None
        if number < 0 or number != number.to_integral_value():
            raise ValueError(AMOUNT_NOT_WHOLE % {"value": cell_text(value)})
        return int(number)

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type") and value is not None:
            return int(value)
        return plain_number(value)


class PlanResource(NaturalKeyResource):
    """Plans keyed by code; the issuing unit by code + `issuing_unit_on` (else `issued_on`,
    else today's unit). A file without the issuing_unit_code column leaves it as it is."""

    code = fields.Field("code", "code", TextWidget())
    kind = fields.Field("kind", "kind", TextWidget())
    number = fields.Field("number", "number", TextWidget())
    title = fields.Field("title", "title", TextWidget())
    issuer = fields.Field("issuer", "issuer", TextWidget())
    issuing_unit_code = fields.Field(
        "issuing_unit", "issuing_unit_code", AttributeWidget("code"), readonly=True
    )
    issuing_unit_on = fields.Field(
        "issuing_unit", "issuing_unit_on", UnitDayWidget(), readonly=True
    )
    issued_on = fields.Field("issued_on", "issued_on", DateWidget())
    year_from = fields.Field("year_from", "year_from", WholeNumberWidget())
    year_to = fields.Field("year_to", "year_to", WholeNumberWidget())
    goal = fields.Field("goal", "goal", TextWidget())
    implements = fields.Field("implements", "implements", PlanCodesWidget())
    implements_note = fields.Field("implements_note", "implements_note", TextWidget())
    source = fields.Field("source", "source", TextWidget())
    source_on = fields.Field("source_on", "source_on", DateWidget())

    class Meta:
        model = Plan
        # The loader's columns (plans/services.py), so a fixture file imports here too.
        fields = list(PLAN_COLUMNS)
        import_id_fields = ["code"]

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("issuing_unit").prefetch_related("implements")

    def check_row(self, instance, row, failed, **kwargs):
        errors = {}
        if "issuing_unit_code" in row:
            code = cell_text(row.get("issuing_unit_code"))
            instance.issuing_unit = None
            if code:
                try:
                    day = cell_date(row.get("issuing_unit_on")) or instance.issued_on
                except ValueError as exc:
                    errors["issuing_unit_on"] = str(exc)
                else:
                    try:
                        instance.issuing_unit = unit_for(code, day)
                    except ValueError as exc:
                        errors["issuing_unit_code"] = str(exc)
            unit = instance.issuing_unit
            if unit is not None and unit.level == Unit.Level.COMMUNE:
                errors["issuing_unit_code"] = ISSUER_LEVEL % {
                    "unit": unit.name,
                    "level": unit.get_level_display(),
                }
        for column in ("year_from", "year_to"):
            year = getattr(instance, column)
            if column not in failed and year is not None and not 1990 <= year <= 2100:
                errors[column] = NOT_A_YEAR % {"value": year}
        year_from, year_to = instance.year_from, instance.year_to
        years_read = not errors.keys() & {"year_from", "year_to"} and year_from and year_to
        if years_read and year_from > year_to:
            errors["year_to"] = YEARS_REVERSED % {"from": year_from, "to": year_to}
        if "implements" in row:
            codes = PlanCodesWidget.codes(row["implements"])
            known = set(Plan.objects.filter(code__in=codes).values_list("code", flat=True))
            unknown = [code for code in codes if code not in known]
            if instance.code in codes:
                errors["implements"] = PLAN_IMPLEMENTS_ITSELF
            elif unknown:
                errors["implements"] = "; ".join(PLAN_UNKNOWN % {"code": c} for c in unknown)
        if errors:
            raise ValidationError(errors)


class TargetResource(NaturalKeyResource):
    """Targets keyed by plan code + indicator code + scope + deadline (a period id), checked
    by plans.validation.target_check, whose messages become the row's errors."""

    plan = fields.Field("plan", "plan", AttributeWidget("code"), readonly=True)
    indicator = fields.Field("indicator", "indicator", AttributeWidget("code"), readonly=True)
    scope = fields.Field("scope", "scope", TextWidget(), readonly=True)
    mode = fields.Field("mode", "mode", TextWidget())
    comparator = fields.Field("comparator", "comparator", TextWidget())
    value = fields.Field("value", "value", RawNumberWidget(), readonly=True)
    value_max = fields.Field("value_max", "value_max", RawNumberWidget(), readonly=True)
    deadline = fields.Field("deadline", "deadline", TextWidget(), readonly=True)
    mandatory = fields.Field("mandatory", "mandatory", FlagWidget())
    baseline_value = fields.Field(
        "baseline_value", "baseline_value", RawNumberWidget(), readonly=True
    )
    baseline_period = fields.Field(
        "baseline_period", "baseline_period", TextWidget(), readonly=True
    )
    note = fields.Field("note", "note", TextWidget())
    position = fields.Field("position", "position", WholeNumberWidget(), saves_null_values=False)

    class Meta:
        model = Target
        fields = [*TARGET_COLUMNS, "position"]
        import_id_fields = ["plan", "indicator", "scope", "deadline"]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Target imports never create plans or indicators: look each up once per import.
        self._plans: dict[str, Plan | None] = {}
        self._indicators: dict[str, Indicator | None] = {}

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("plan", "indicator")

    def resolve(self, row):
        """The row's plan and indicator (ValidationError by column), scope and deadline text."""
        errors = {}
        plan_code, indicator_code = cell_text(row.get("plan")), cell_text(row.get("indicator"))
        if plan_code not in self._plans:
            self._plans[plan_code] = (
                Plan.objects.select_related("issuing_unit").filter(code=plan_code).first()
            )
        if indicator_code not in self._indicators:
            self._indicators[indicator_code] = Indicator.objects.filter(code=indicator_code).first()
        plan, indicator = self._plans[plan_code], self._indicators[indicator_code]
        if plan is None:
            errors["plan"] = PLAN_UNKNOWN % {"code": plan_code}
        if indicator is None:
            errors["indicator"] = INDICATOR_UNKNOWN % {"code": indicator_code}
        if errors:
            raise ValidationError(errors)
        return plan, indicator, cell_text(row.get("scope")), cell_text(row.get("deadline"))

    def get_instance(self, instance_loader, row):
        try:
            plan, indicator, scope, deadline = self.resolve(row)
            period = period_check(deadline) if deadline else None
        except ValidationError:
            return None  # check_row reports it
        return Target.objects.filter(
            plan=plan, indicator=indicator, scope=scope, deadline=period.id if period else ""
        ).first()

    def check_row(self, instance, row, failed, **kwargs):
        plan, indicator, scope, deadline = self.resolve(row)
        checked = target_check(
            indicator=indicator,
            issuing_unit=plan.issuing_unit,
            scope=scope,
            mode=instance.mode,
            comparator=instance.comparator,
            value=row.get("value"),
            value_max=row.get("value_max"),
            deadline=deadline,
            baseline_value=row.get("baseline_value"),
            baseline_period=cell_text(row.get("baseline_period")),
        )
        instance.plan, instance.indicator, instance.scope = plan, indicator, scope
        instance.value, instance.value_max = checked.value, checked.value_max
        instance.deadline, instance.deadline_start, instance.deadline_end = (
            checked.deadline_fields()
        )
        instance.baseline_value = checked.baseline_value
        base = checked.baseline_period
        instance.baseline_period = base.id if base else ""
        if instance.pk is None and not cell_text(row.get("position")):
            instance.position = next_position(Target.objects.filter(plan=plan))


class BudgetLineResource(NaturalKeyResource):
    """Budget lines keyed by plan code + source; amounts in whole đồng."""

    plan = fields.Field("plan", "plan", PlanByCodeWidget())
    source = fields.Field("source", "source", TextWidget())
    amount = fields.Field("amount", "amount", AmountWidget())
    at_least = fields.Field("at_least", "at_least", FlagWidget())
    note = fields.Field("note", "note", TextWidget())

    class Meta:
        model = BudgetLine
        fields = list(BUDGET_COLUMNS)
        import_id_fields = ["plan", "source"]

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("plan")
