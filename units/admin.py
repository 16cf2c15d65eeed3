"""Admin for units, agencies and lineage: searchable by code and name."""

from django.contrib import admin
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.admin import ImportExportModelAdmin
from import_export.widgets import ForeignKeyWidget

from units.models import Agency, Unit, UnitChange
from units.names import fold
from units.selectors import unit_get_by_code


class UnitChangeInline(admin.TabularInline):
    model = UnitChange
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]
    verbose_name_plural = _("Đơn vị kế thừa")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "division_type", "parent", "valid_from", "valid_to"]
    list_filter = ["level", "division_type", "valid_to"]
    list_select_related = ["parent"]
    # search_name holds the name without tone marks: "vinh linh" finds "Huyện Vĩnh Linh".
    search_fields = ["code", "name", "search_name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["search_name"]
    inlines = [UnitChangeInline]

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, fold(search_term) or search_term)

    def save_model(self, request, obj, form, change):
        obj.search_name = fold(obj.name)
        super().save_model(request, obj, form, change)


class UnitByCodeWidget(ForeignKeyWidget):
    """Finds a unit by its GSO code among the units in force today (or the latest one)."""

    def clean(self, value, row=None, **kwargs):
        code = str(value or "").strip()
        if not code:
            return None
        try:
            return unit_get_by_code(code=code)
        except Http404:
            raise ValueError(f"Không có đơn vị hành chính mã «{code}».") from None


class AgencyResource(resources.ModelResource):
    unit = fields.Field(
        column_name="unit_code", attribute="unit", widget=UnitByCodeWidget(Unit, "code")
    )

    class Meta:
        model = Agency
        fields = ["unit", "kind", "name"]
        import_id_fields = ["unit", "name"]
        skip_unchanged = True
        use_transactions = True


@admin.register(Agency)
class AgencyAdmin(ImportExportModelAdmin):
    resource_classes = [AgencyResource]
    list_display = ["name", "kind", "unit"]
    list_filter = ["kind"]
    list_select_related = ["unit"]
    search_fields = ["name", "unit__code", "unit__name", "unit__search_name"]
    autocomplete_fields = ["unit"]


@admin.register(UnitChange)
class UnitChangeAdmin(admin.ModelAdmin):
    list_display = [
        "predecessor",
        "successor",
        "changed_on",
        "kind",
        "is_partial",
        "legal_basis",
        "method",
    ]
    list_filter = ["kind", "method", "is_partial", "changed_on"]
    list_select_related = ["predecessor", "successor"]
    search_fields = [
        "predecessor__code",
        "predecessor__name",
        "predecessor__search_name",
        "successor__code",
        "successor__name",
        "successor__search_name",
    ]
    autocomplete_fields = ["predecessor", "successor"]
