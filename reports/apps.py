from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo")

    def ready(self):
        from indicators.cache import data_changed
        from plans.models import Plan, Target
        from reports.models import PillarWeight

        # A dashboard's ranking is cached under the data version (indicators/cache.py), and
        # scores units against their plans' targets with the pillars' weights: a change to
        # any of them moves the version on too.
        def changed(sender, **kwargs):
            data_changed()

        for model in (Plan, Target, PillarWeight):
            post_save.connect(changed, sender=model, dispatch_uid=f"data-version-save-{model}")
            post_delete.connect(changed, sender=model, dispatch_uid=f"data-version-del-{model}")
        m2m_changed.connect(
            changed, sender=Plan.implements.through, dispatch_uid="data-version-plan-links"
        )
