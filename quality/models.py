"""Data quality: validation rules across indicators (as data an administrator edits), each
unit's plausible range of each indicator (generate_min_max), and what people say and show
about a figure: comments, follow-ups and evidence."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
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


class FigureKey(models.Model):
    """What a comment, a follow-up or a piece of evidence is about: a figure, named by its
    key (unit, agency, indicator, period, scope) so that it stays with the figure's history
    when the figure is deleted and entered again; `figure` is the figure while it exists."""

    figure = models.ForeignKey(
        "indicators.Figure", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(
        "units.Agency", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=7)
    scope = models.CharField(max_length=20, default="self")

    class Meta:
        abstract = True


class FollowUp(FigureKey):
    """A reviewer's mark on a figure: to be looked into, open until resolved with a comment."""

    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(_("lý do"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["unit", "period"], name="followup_unit_period_idx")]
        verbose_name = _("số liệu cần theo dõi")
        verbose_name_plural = _("số liệu cần theo dõi")

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.unit_id} {self.period}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Comment(FigureKey):
    """A comment on a figure by anyone who may see it (a follow-up's opening and resolution
    are comments too)."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Bình luận")
        FOLLOW_UP = "follow_up", _("Đánh dấu cần theo dõi")
        RESOLVED = "resolved", _("Đã xử lý xong")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("nội dung"))
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    follow_up = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["unit", "period"], name="comment_unit_period_idx")]
        ordering = ["created_at", "pk"]
        verbose_name = _("bình luận")
        verbose_name_plural = _("bình luận")

    def __str__(self) -> str:
        return self.text[:60]


def evidence_storage():
    """Where evidence files live: STORAGES["evidence"] (the file system by default, an
    S3-compatible store when EVIDENCE_S3_BUCKET is set)."""
    return storages["evidence"]


class Evidence(FigureKey):
    """A document or a link behind a figure."""

    file = models.FileField(storage=evidence_storage, upload_to="evidence/%Y/%m/", blank=True)
    link = models.URLField(max_length=500, blank=True)
    name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.BigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["unit", "period"], name="evidence_unit_period_idx")]
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")

    def __str__(self) -> str:
        return self.name or self.link


class EvidenceRequirement(models.Model):
    """An indicator whose figures need evidence before their report can be approved."""

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, related_name="evidence_requirement"
    )
    note = models.CharField(_("cần minh chứng gì"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("chỉ tiêu cần minh chứng")
        verbose_name_plural = _("chỉ tiêu cần minh chứng")

    def __str__(self) -> str:
        return str(self.indicator)
