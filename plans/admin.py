"""Admin for plans, budget lines and targets; targets go through plans.validation. CSV and XLSX
import and export by codes (plans.resources), with the plans loader's columns. Each keeps its
change history, readable per object and exported as CSV (egov_portal.history_export)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from egov_portal.history_export import HistoryAdminMixin
from plans.forms import PlanForm, TargetForm
from plans.models import BudgetLine, Plan, Target
from plans.resources import BudgetLineResource, PlanResource, TargetResource
from units.resources import FilesImportExportMixin


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


class TargetInline(admin.TabularInline):
    """Targets listed on their plan; each opens in TargetAdmin, where it is checked."""

    model = Target
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["indicator", "scope", "mode", "comparator", "value", "value_max", "deadline"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(HistoryAdminMixin, FilesImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [PlanResource]
    form = PlanForm
    list_display = ["code", "kind", "number", "title", "issuer", "year_from", "year_to"]
    list_filter = ["kind", ("issuing_unit", admin.EmptyFieldListFilter)]
    search_fields = ["code", "number", "title", "issuer"]
    autocomplete_fields = ["issuing_unit"]
    filter_horizontal = ["implements"]
    inlines = [BudgetLineInline, TargetInline]


class TargetAdminForm(TargetForm):
    """The staff form's rules, with the plan chosen in the form."""

    def __init__(self, *args, **kwargs):
        instance = kwargs.get("instance")
        data = kwargs.get("data", args[0] if args else None)
        plan = instance.plan if instance is not None and instance.plan_id else None
        if plan is None and data is not None and str(data.get("plan") or "").isdigit():
            plan = Plan.objects.filter(pk=data["plan"]).first()
        super().__init__(*args, plan=plan or Plan(), **kwargs)

    def clean(self):
        plan = self.cleaned_data.get("plan")
        if plan is not None:
            self.plan = self.instance.plan = plan
        return super().clean()


@admin.register(Target)
class TargetAdmin(HistoryAdminMixin, FilesImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [TargetResource]
    form = TargetAdminForm
    fields = [
        "plan",
        "indicator",
        "scope",
        "mode",
        "comparator",
        "value",
        "value_max",
        "deadline",
        "mandatory",
        "baseline_value",
        "baseline_period",
        "note",
    ]
    list_display = ["plan", "indicator", "scope", "mode", "comparator", "value", "deadline"]
    list_filter = ["plan", "scope", "mode", "mandatory"]
    search_fields = ["plan__code", "plan__number", "indicator__code"]
    list_select_related = ["plan", "indicator"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        # value_max is the staff form's own field (see TargetForm); keep it out of Meta.
        kwargs["fields"] = [f for f in self.fields if f != "value_max"]
        return super().get_form(request, obj, change=change, **kwargs)


@admin.register(BudgetLine)
class BudgetLineAdmin(HistoryAdminMixin, FilesImportExportMixin, SimpleHistoryAdmin):
    """Budget lines on their own page too, so they can be imported and exported."""

    resource_classes = [BudgetLineResource]
    list_display = ["plan", "source", "amount", "at_least"]
    list_filter = ["source"]
    list_select_related = ["plan"]
    search_fields = ["plan__code", "plan__number"]
