from django.contrib import admin

from reports.models import PillarWeight


@admin.register(PillarWeight)
class PillarWeightAdmin(admin.ModelAdmin):
    list_display = ["pillar", "weight"]
    list_editable = ["weight"]
