"""The quarterly form's deadlines and the background import jobs. Reports (Submission) and
their review steps live with their figures, in indicators.models."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportingDeadline(models.Model):
    """When a period's reports are due, where it is not the default (see entry.deadlines)."""

    period = models.CharField(_("kỳ"), max_length=7, unique=True)
    due_on = models.DateField(_("hạn nộp"))

    class Meta:
        verbose_name = _("hạn nộp báo cáo")
        verbose_name_plural = _("hạn nộp báo cáo")
        ordering = ["-period"]

    def __str__(self) -> str:
        return f"{self.period}: {self.due_on:%d/%m/%Y}"


class ImportJob(models.Model):
    """A file of figures imported in the background (too many rows for one request): the
    uploaded bytes are kept here, in the database, never under a served path."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Xong")
        FAILED = "failed", _("Lỗi")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    created_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)
    filename = models.CharField(_("tên tệp"), max_length=255)
    data = models.BinaryField(_("nội dung tệp"))
    valid_only = models.BooleanField(_("chỉ lưu các dòng đúng"), default=False)
    dry_run = models.BooleanField(_("chỉ kiểm tra"), default=False)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    # ImportSummary.as_dict() with the reader's notices and the sheet's name.
    summary = models.JSONField(_("kết quả"), default=dict, blank=True)
    # Every error of the import, as CSV (row, field, message) compressed with gzip: the
    # summary lists only the first ones (indicators.writes.bulk.ERRORS_LISTED).
    errors_file = models.BinaryField(_("danh sách lỗi (CSV nén gzip)"), blank=True, default=b"")
    error = models.TextField(_("lỗi"), blank=True)
    # Set by the worker at each stage: a running job silent for long had its worker killed
    # (entry.jobs.import_jobs_fail_stale).
    heartbeat_at = models.DateTimeField(_("tín hiệu gần nhất lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt nhập tệp")
        verbose_name_plural = _("các lượt nhập tệp")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


# Who a requirement is for: a unit's level, or an agency's kind (docs/decisions/0018).
REPORTER_CHOICES = [
    ("province", _("Cấp tỉnh")),
    ("district", _("Cấp huyện")),
    ("commune", _("Cấp xã")),
    ("peoples_committee", _("Cơ quan: Ủy ban nhân dân")),
    ("department", _("Cơ quan: Sở, ban, ngành")),
    ("office", _("Cơ quan: Phòng chuyên môn")),
    ("public_service", _("Cơ quan: Đơn vị sự nghiệp công lập")),
    ("school", _("Cơ quan: Trường học")),
    ("other", _("Cơ quan: Khác")),
]


class ReportingRequirement(models.Model):
    """An indicator a unit of a level (or an agency of a kind) must report before its report
    can be submitted; the other applicable indicators are optional. With a plan: only in
    the plan's years, and for the units the plan covers (entry.requirements)."""

    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name=_("chỉ tiêu"),
        on_delete=models.CASCADE,
        related_name="requirements",
    )
    reporter = models.CharField(
        _("cấp hoặc loại cơ quan báo cáo"), max_length=20, choices=REPORTER_CHOICES
    )
    plan = models.ForeignKey(
        "plans.Plan",
        verbose_name=_("theo kế hoạch"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="requirements",
        help_text=_("Để trống: bắt buộc ở mọi kỳ. Chọn kế hoạch: chỉ trong các năm của kế hoạch."),
    )

    class Meta:
        verbose_name = _("chỉ tiêu bắt buộc báo cáo")
        verbose_name_plural = _("chỉ tiêu bắt buộc báo cáo")
        ordering = ["reporter", "indicator__position", "indicator__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "reporter", "plan"], name="requirement_uniq"
            ),
            models.UniqueConstraint(
                fields=["indicator", "reporter"],
                condition=models.Q(plan__isnull=True),
                name="requirement_no_plan_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} — {self.get_reporter_display()}"
