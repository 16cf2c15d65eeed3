"""Settings of the reports: how the readiness index weighs its pillars."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator


class PillarWeight(models.Model):
    """The weight of a pillar in the readiness index (see reports/index.py); an
    administrator edits them in the admin. A pillar without a row weighs 1."""

    pillar = models.CharField(
        _("trụ cột"), max_length=20, choices=Indicator.Pillar.choices, unique=True
    )
    weight = models.DecimalField(_("trọng số"), max_digits=5, decimal_places=2, default=Decimal(1))

    class Meta:
        verbose_name = _("trọng số trụ cột")
        verbose_name_plural = _("trọng số trụ cột")
        ordering = ["pillar"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="pillarweight_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_pillar_display()}: {self.weight}"
