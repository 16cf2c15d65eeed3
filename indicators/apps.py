from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Chỉ tiêu và số liệu")

    def ready(self):
        from indicators.cache import figure_deleted, figure_saved, follow
        from indicators.models import Figure, Indicator
        from units.models import Agency, Unit, UnitChange

        # What a roll-up reads: a change moves the data version on (indicators/cache.py);
        # a figure only when it is, or was, approved.
        follow(Indicator, Unit, Agency, UnitChange)
        post_save.connect(figure_saved, sender=Figure, dispatch_uid="data-version-figure-save")
        post_delete.connect(figure_deleted, sender=Figure, dispatch_uid="data-version-figure-del")
