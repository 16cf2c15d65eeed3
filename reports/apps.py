from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo")

    def ready(self):
        from indicators.cache import follow
        from plans.models import Plan, Target
        from reports.models import PillarWeight

        # A dashboard's ranking is cached under the data version (indicators/cache.py), and
        # scores units against their plans' targets with the pillars' weights: a change to
        # any of them moves the version on too.
        follow(Plan, Target, PillarWeight, links=[Plan.implements.through])
