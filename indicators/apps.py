from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Chỉ tiêu và số liệu")

    def ready(self):
        from indicators.cache import follow
        from indicators.models import Indicator
        from units.models import Agency, Unit, UnitChange

        # What a roll-up reads: a change moves the data version on (indicators/cache.py).
        # Figures are written by indicators.store only, which says when one that is, or
        # was, approved changes.
        follow(Indicator, Unit, Agency, UnitChange)
