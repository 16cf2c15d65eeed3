"""Data quality: validation rules across indicators (as data an administrator edits) and
each unit's plausible range of each indicator (generate_min_max)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.models import Indicator
from units.models import Unit


class ValidationRule(models.Model):
    class Operator(models.TextChoices):
        EQ = "==", "="
        NE = "!=", "≠"
        LT = "<", "<"
        LE = "<=", "≤"
        GT = ">", ">"
        GE = ">=", "≥"

    class Severity(models.TextChoices):
        ERROR = "error", _("Lỗi: chặn gửi duyệt")
        WARNING = "warning", _("Cảnh báo: cần giải trình khi gửi")

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    left = models.CharField(_("vế trái"), max_length=500)
    operator = models.CharField(_("phép so sánh"), max_length=2, choices=Operator.choices)
    right = models.CharField(_("vế phải"), max_length=500)
    message = models.CharField(
        _("thông báo"),
        max_length=300,
        help_text=_("Câu báo cho người nhập khi quy tắc bị vi phạm."),
    )
    message_en = models.CharField(_("thông báo (tiếng Anh)"), max_length=300, blank=True)
    severity = models.CharField(
        _("mức độ"), max_length=10, choices=Severity.choices, default=Severity.ERROR
    )
    reason = models.TextField(_("vì sao quy tắc đúng"), blank=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("quy tắc kiểm tra")
        verbose_name_plural = _("quy tắc kiểm tra")

    def __str__(self) -> str:
        return f"{self.code}: {self.left} {self.operator} {self.right}"

    def clean(self) -> None:
        from quality.rules import rule_check  # the parser and the catalogue

        errors = rule_check(self.left, self.right)
        if errors:
            raise ValidationError(errors)


class MinMax(models.Model):
    """A unit's plausible range of an indicator's own value, and the largest plausible
    change from one quarter to the next (docs/decisions/0024)."""

    class Basis(models.TextChoices):
        HISTORY = "history", _("lịch sử của đơn vị")
        PEERS = "peers", _("các đơn vị cùng cấp")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, db_index=False)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, db_index=False)
    lower = models.DecimalField(max_digits=24, decimal_places=4)
    upper = models.DecimalField(max_digits=24, decimal_places=4)
    max_change = models.DecimalField(max_digits=24, decimal_places=4, null=True)
    basis = models.CharField(max_length=10, choices=Basis.choices)
    values_used = models.IntegerField()
    generated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "indicator"], name="minmax_unit_indicator_uniq")
        ]
        verbose_name = _("khoảng hợp lý")
        verbose_name_plural = _("khoảng hợp lý")

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.indicator_id}: {self.lower}–{self.upper}"
