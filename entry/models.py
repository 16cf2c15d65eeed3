"""A report: the figures of one unit (or agency) for one period, and its way through review."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from indicators.models import Figure
from units.models import Agency, Unit


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


class Submission(models.Model):
    """The report of a unit or agency for a period. Its figures are those of the same unit,
    agency and period with scope "self"; they share its status."""

    Status = Figure.Status

    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="submissions"
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
    )
    period = models.CharField(_("kỳ"), max_length=7)
    period_start = models.DateField(editable=False)
    period_end = models.DateField(editable=False)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Raised by every save of the form: a save made from an older version is a conflict.
    version = models.PositiveIntegerField(_("phiên bản"), default=0)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("báo cáo")
        verbose_name_plural = _("báo cáo")
        ordering = ["-period_start", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period"],
                condition=Q(agency__isnull=True),
                name="submission_unit_uniq",
            ),
            models.UniqueConstraint(
                fields=["agency", "period"],
                condition=Q(agency__isnull=False),
                name="submission_agency_uniq",
            ),
        ]
        indexes = [models.Index(fields=["period", "status"], name="submission_period_idx")]

    def __str__(self) -> str:
        return f"{self.agency or self.unit} — {self.period}"

    @property
    def reporter(self):
        return self.agency or self.unit

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class Transition(models.Model):
    """One step of a report's review: who moved it from what to what, when, and why."""

    submission = models.ForeignKey(
        Submission,
        verbose_name=_("báo cáo"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    from_status = models.CharField(_("từ"), max_length=10, choices=Figure.Status.choices)
    to_status = models.CharField(_("sang"), max_length=10, choices=Figure.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("lúc"), auto_now_add=True)
    reason = models.TextField(_("lý do"), blank=True)

    class Meta:
        verbose_name = _("bước duyệt")
        verbose_name_plural = _("các bước duyệt")
        ordering = ["submission", "at", "id"]

    def __str__(self) -> str:
        return f"{self.submission}: {self.from_status} → {self.to_status}"


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
    # summary lists only the first ones (indicators.bulk.ERRORS_LISTED).
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
