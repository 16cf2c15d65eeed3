from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Chỉ tiêu và số liệu")

    def ready(self):
        from indicators.aggregates import follow_structure

        # The live aggregates read units, agencies, lineage and the indicators' rules.
        follow_structure()
