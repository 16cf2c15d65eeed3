"""Indicators (what is measured), figures (a value for a unit or agency, period and scope),
the reports that hold a unit's figures of a period through review, and the live aggregates."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from units.models import Agency, Unit


class Indicator(models.Model):
    """One measure of e-government readiness, with how it combines over units and time."""

    class Pillar(models.TextChoices):
        INFRASTRUCTURE = "infrastructure", _("Hạ tầng kỹ thuật")
        HUMAN_RESOURCES = "human_resources", _("Nhân lực")
        INTERNAL_APPS = "internal_apps", _("Ứng dụng CNTT trong nội bộ")
        PUBLIC_SERVICES = "public_services", _("Dịch vụ công trực tuyến")
        INFORMATION = "information", _("Thông tin và cổng thông tin điện tử")
        SECURITY = "security", _("An toàn thông tin")

    class ValueType(models.TextChoices):
        RATIO = "ratio", _("Tỷ lệ")
        COUNT = "count", _("Số lượng")
        BOOLEAN = "boolean", _("Có/không")
        AMOUNT = "amount", _("Số tiền (VNĐ)")

    class UnitRollup(models.TextChoices):
        RATIO_OF_SUMS = "ratio_of_sums", _("Tỷ lệ của tổng tử số và tổng mẫu số")
        SHARE_YES = "share_yes", _("Tỷ lệ đơn vị trả lời có")
        SUM = "sum", _("Tổng")
        MEAN = "mean", _("Trung bình")

    class TimeRollup(models.TextChoices):
        STATUS = "status", _("Hiện trạng: giá trị mới nhất trong kỳ")
        FLOW = "flow", _("Phát sinh: cộng dồn trong kỳ")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Càng cao càng tốt")
        LOWER = "lower", _("Càng thấp càng tốt")

    code = models.CharField(_("mã chỉ tiêu"), max_length=40, unique=True)
    name = models.CharField(_("tên chỉ tiêu"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255)
    definition = models.TextField(_("định nghĩa"))
    definition_en = models.TextField(_("định nghĩa tiếng Anh"))
    pillar = models.CharField(_("trụ cột"), max_length=20, choices=Pillar.choices)
    value_type = models.CharField(_("kiểu giá trị"), max_length=10, choices=ValueType.choices)
    unit_rollup = models.CharField(
        _("tổng hợp theo đơn vị"), max_length=15, choices=UnitRollup.choices
    )
    time_rollup = models.CharField(
        _("tổng hợp theo thời gian"), max_length=10, choices=TimeRollup.choices
    )
    direction = models.CharField(
        _("chiều đánh giá"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    # Stored as ",province,commune," so "applies to communes" is one LIKE on any database
    # (JSON containment is not available on SQLite).
    levels = models.CharField(_("áp dụng cho cấp"), max_length=40, blank=True)
    agency_kinds = models.CharField(_("áp dụng cho loại cơ quan"), max_length=120, blank=True)
    valid_from = models.DateField(_("áp dụng từ"), null=True, blank=True)
    valid_to = models.DateField(_("áp dụng đến"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lte=models.F("valid_to")),
                name="indicator_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.localized_name}"

    @property
    def localized_name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name

    @property
    def localized_definition(self) -> str:
        return self.definition_en if (get_language() or "").startswith("en") else self.definition

    @property
    def level_list(self) -> list[str]:
        return [item for item in self.levels.split(",") if item]

    @property
    def agency_kind_list(self) -> list[str]:
        return [item for item in self.agency_kinds.split(",") if item]


def pack_list(values) -> str:
    """["province", "commune"] → ",province,commune," (see Indicator.levels)."""
    values = [v for v in values if v]
    return f",{','.join(values)}," if values else ""


class Figure(models.Model):
    """The value of an indicator for a unit (or one of its agencies), a period and a scope."""

    class Scope(models.TextChoices):
        SELF = "self", _("Bản thân đơn vị")
        DEPARTMENTS = "departments", _("Các sở, ban, ngành")
        DISTRICT_OFFICES = "district_offices", _("Các phòng chuyên môn cấp huyện")
        DISTRICTS = "districts", _("Các huyện")
        COMMUNES = "communes", _("Các xã")
        ALL_AGENCIES = "all_agencies", _("Tất cả cơ quan")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Nháp")
        SUBMITTED = "submitted", _("Đã gửi")
        APPROVED = "approved", _("Đã duyệt")
        RETURNED = "returned", _("Trả lại")

    # The unit is always set; for an agency's figure it is the agency's unit, so "figures
    # under this province" never needs to join through agencies.
    # No index of its own: figure_unit_period_idx and figure_unit_uniq start with the unit.
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="figures",
        db_index=False,
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="figures",
        # No index of its own: most figures have no agency, and figure_agency_uniq (partial,
        # agency not null) serves every lookup by agency.
        db_index=False,
    )
    # No index of its own: figure_rollup_idx starts with the indicator.
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("chỉ tiêu"),
        on_delete=models.PROTECT,
        related_name="figures",
        db_index=False,
    )
    period = models.CharField(_("kỳ"), max_length=7)
    # Copied from the period id so ranges and "latest in the year" are plain comparisons.
    period_start = models.DateField(_("đầu kỳ"), editable=False)
    period_end = models.DateField(_("cuối kỳ"), editable=False)
    scope = models.CharField(_("phạm vi"), max_length=20, choices=Scope.choices, default=Scope.SELF)
    numerator = models.DecimalField(
        _("tử số"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("mẫu số"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    # Ratio: the percentage (from numerator/denominator when known); yes/no: 1 or 0;
    # count and amount: the number itself.
    value = models.DecimalField(_("giá trị"), max_digits=20, decimal_places=4)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # "khoảng 90%": the source gives the value as approximate, and every page and the API
    # say so (and so does any value it enters).
    is_approximate = models.BooleanField(_("số gần đúng"), default=False)
    source = models.CharField(_("nguồn"), max_length=255, blank=True)
    source_on = models.DateField(_("ngày của nguồn"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # only read with its figure; an index costs every import
        # Not checked by the database for every figure written, as the history's user is
        # not (a 100,000-row import checked the one importing user 100,000 times at its
        # commit: 0.35 s); Django still empties it when a user is deleted
        # (docs/decisions/0010-bulk-import.md).
        db_constraint=False,
    )
    entered_at = models.DateTimeField(_("thời điểm nhập"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    # The history is read per figure (id) and by date; indexes on its other references
    # would only slow every import down.
    history = HistoricalRecords(
        excluded_fields=["updated_at"],
        no_db_index=["unit", "agency", "indicator", "entered_by"],
        # Like the other links of a history record, its user is not checked by the database
        # for every row a bulk import writes (Django still empties it when a user is
        # deleted): docs/decisions/0010-bulk-import.md.
        user_db_constraint=False,
    )

    class Meta:
        verbose_name = _("số liệu")
        verbose_name_plural = _("số liệu")
        ordering = ["indicator__position", "unit__code", "period_start"]
        constraints = [
            # One figure per unit (or agency), indicator, period and scope.
            models.UniqueConstraint(
                fields=["unit", "indicator", "period", "scope"],
                condition=Q(agency__isnull=True),
                name="figure_unit_uniq",
            ),
            models.UniqueConstraint(
                fields=["agency", "indicator", "period", "scope"],
                condition=Q(agency__isnull=False),
                name="figure_agency_uniq",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="figure_denominator_positive",
            ),
        ]
        indexes = [
            # Roll-ups: one indicator and period over many units.
            models.Index(fields=["indicator", "period", "scope"], name="figure_rollup_idx"),
            # The figures of some units in a period (a subtree's roll-up, a dashboard), and a
            # unit's history (trend pages, "latest in the year"): docs/decisions/0009.
            models.Index(fields=["unit", "period_end", "indicator"], name="figure_unit_period_idx"),
        ]

    def __str__(self) -> str:
        who = self.agency or self.unit
        return f"{self.indicator.code} {who} {self.period}: {self.value}"


class Aggregate(models.Model):
    """An indicator's rolled-up value for a district or province, period and scope: what
    indicators.analytics computes from the approved figures, kept current by the one write
    path (indicators/aggregates.py) and read by every dashboard, ranking and export.

    Derived data: `python manage.py verify_aggregates` recomputes and compares, and
    `build_aggregates` fills the table. No database foreign keys, as for any derived row
    (docs/decisions/0015-live-aggregates.md)."""

    # No index of their own: aggregate_key_uniq starts with the unit, aggregate_indicator_idx
    # with the indicator; two more indexes only cost every write (an import writes 50,000).
    unit = models.ForeignKey(Unit, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False
    )
    period = models.CharField(max_length=7)
    # The scope the unit is evaluated for (rollup.node_scope): "self", "communes", "districts".
    scope = models.CharField(max_length=20)
    value = models.DecimalField(max_digits=34, decimal_places=10, null=True)
    numerator = models.DecimalField(max_digits=34, decimal_places=10, null=True)
    denominator = models.DecimalField(max_digits=34, decimal_places=10, null=True)
    is_answer = models.BooleanField(default=False)
    origin = models.CharField(max_length=12)
    covered = models.IntegerField()
    expected = models.IntegerField()
    coverage_level = models.CharField(max_length=10)
    figure_id = models.BigIntegerField(null=True)
    figure_period = models.TextField(blank=True)
    source = models.TextField(blank=True)
    # Members with only a percentage, left out of a ratio of sums (rollup.finish).
    percent_only = models.IntegerField(default=0)
    is_partial = models.BooleanField(default=False)
    # The value came from the units this one was formed from (a 2025 province before 2025).
    via_predecessors = models.BooleanField(default=False)

    class Meta:
        constraints = [
            # A dashboard (one unit, many indicators), a trend (one unit and indicator, many
            # periods) and a national roll-up (63 units) are all probes of this key.
            models.UniqueConstraint(
                fields=["unit", "period", "scope", "indicator"], name="aggregate_key_uniq"
            ),
        ]
        indexes = [models.Index(fields=["indicator", "period"], name="aggregate_indicator_idx")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.unit_id} {self.period} {self.scope}: {self.value}"


class AggregateMark(models.Model):
    """A mark made, in the writer's transaction, whenever a unit's rows in the live
    aggregates are written or deleted (aggregate_table.mark). A unit's last mark and how
    many it has change whenever its rows may have: rows read while they stood are current
    while they stand (indicators/known_rows.py). Only inserted, never updated: a writer
    waits on no other's mark (docs/decisions/0041)."""

    unit_id = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.pk}"


# What a save or an import may change in a stored figure.
FIGURE_WRITABLE = (
    "value",
    "numerator",
    "denominator",
    "is_approximate",
    "source",
    "source_on",
    "note",
    "status",
)


def figure_differs(current: Figure, wanted) -> bool:
    """Whether storing `wanted` would change what `current` says (its status aside)."""
    return any(getattr(current, f) != getattr(wanted, f) for f in FIGURE_WRITABLE if f != "status")


def figure_key(figure: Figure) -> tuple:
    """What makes a figure one of a kind (figure_unit_uniq, figure_agency_uniq)."""
    return (figure.unit_id, figure.agency_id, figure.indicator_id, figure.period, figure.scope)


class DataVersion(models.Model):
    """How many times what a province's pages show has changed (its approved figures, and
    so its aggregates), or, as area 0, the reference data every page reads (units, the
    catalogue, plans, deadlines, weights). A page kept in the cache is used only while the
    versions it was built at stand (indicators/versions.py)."""

    area = models.BigIntegerField(primary_key=True)  # a province's id, or versions.REFERENCE
    number = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.area}: {self.number}"


class ReportsVersion(models.Model):
    """A number that moves on whenever a report of a province's units for a period, or for
    a period within it, is made, deleted or moved to another status: what the province's
    pages of that period show of who has reported (indicators/versions.py)."""

    area = models.BigIntegerField()  # a province's id
    period = models.CharField(max_length=7)
    number = models.BigIntegerField(default=0)

    class Meta:
        # The row versions.bump_reports moves (ON CONFLICT) and versions.read_page reads.
        constraints = [
            models.UniqueConstraint(fields=["area", "period"], name="reportsversion_area_period")
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.period}: {self.number}"


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
