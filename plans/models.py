"""Plans (kế hoạch, quyết định, chỉ thị, nghị quyết…), their budget lines and their targets."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.models import Figure, Indicator
from units.models import Unit


class Plan(models.Model):
    """A document that sets e-government targets: a local plan or a national resolution.

    A national document has no issuing unit: its targets apply to every unit of the tier
    they name, and a local plan that implements it inherits them.
    """

    class Kind(models.TextChoices):
        KE_HOACH = "ke_hoach", _("Kế hoạch")
        QUYET_DINH = "quyet_dinh", _("Quyết định")
        CHI_THI = "chi_thi", _("Chỉ thị")
        NGHI_QUYET = "nghi_quyet", _("Nghị quyết")
        VAN_BAN_CHI_DAO = "van_ban_chi_dao", _("Văn bản chỉ đạo")

    # The natural key fixtures, imports and URLs use ("QB-2342-2018", "NQ-17-2019").
    code = models.SlugField(_("mã kế hoạch"), max_length=40, unique=True)
    kind = models.CharField(_("loại văn bản"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("số hiệu"), max_length=40, blank=True)
    title = models.CharField(_("trích yếu"), max_length=500)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200)
    issuing_unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị hành chính ban hành"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
        help_text=_("Để trống với văn bản của Trung ương."),
    )
    # Empty when the source does not say (Quảng Bình's 2342/KH-UBND).
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    year_from = models.PositiveSmallIntegerField(_("từ năm"))
    year_to = models.PositiveSmallIntegerField(_("đến năm"))
    goal = models.TextField(_("mục tiêu chung"), blank=True)
    implements = models.ManyToManyField(
        "self",
        verbose_name=_("triển khai văn bản"),
        symmetrical=False,
        blank=True,
        related_name="implemented_by",
    )
    # Documents cited but not loaded (no number or date known): "Quyết định 1819 của Thủ
    # tướng Chính phủ; Kế hoạch 1136 của UBND tỉnh".
    implements_note = models.CharField(_("văn bản khác được viện dẫn"), max_length=500, blank=True)
    source = models.CharField(_("nguồn"), max_length=500)
    source_on = models.DateField(_("ngày của nguồn"), null=True, blank=True)

    # Who changed what and when (docs/decisions/0008-history.md); read per plan (id) and by
    # date, so the issuing unit needs no index in the history table.
    history = HistoricalRecords(m2m_fields=["implements"], no_db_index=["issuing_unit"])

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        ordering = ["-year_from", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year_from__lte=models.F("year_to")), name="plan_years_ordered"
            ),
        ]

    def __str__(self) -> str:
        label = f"{self.get_kind_display()} {self.number}".strip()
        return f"{label}: {self.title}"

    @property
    def is_national(self) -> bool:
        return self.issuing_unit_id is None


class BudgetLine(models.Model):
    class Source(models.TextChoices):
        CENTRAL_INVESTMENT = "central_investment", _("Ngân sách đầu tư trung ương")
        PROVINCIAL_INVESTMENT = "provincial_investment", _("Ngân sách đầu tư của tỉnh")
        PROVINCIAL_RECURRENT = "provincial_recurrent", _("Ngân sách sự nghiệp của tỉnh")
        OTHER = "other", _("Nguồn khác")

    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    source = models.CharField(_("nguồn vốn"), max_length=25, choices=Source.choices)
    amount = models.DecimalField(_("số tiền (đồng)"), max_digits=20, decimal_places=0)
    # "trên 201 tỷ đồng": the document gives a floor, not an exact sum.
    at_least = models.BooleanField(_("con số tối thiểu («trên»)"), default=False)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    history = HistoricalRecords(no_db_index=["plan"])

    class Meta:
        verbose_name = _("dòng kinh phí")
        verbose_name_plural = _("kinh phí")
        ordering = ["plan", "source"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "source"], name="budgetline_plan_source_uniq"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budgetline_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.amount:,} đ"


class Target(models.Model):
    """What a plan wants an indicator to reach, for which units, by when."""

    class Scope(models.TextChoices):
        SELF = Figure.Scope.SELF.value, Figure.Scope.SELF.label
        DEPARTMENTS = Figure.Scope.DEPARTMENTS.value, Figure.Scope.DEPARTMENTS.label
        DISTRICT_OFFICES = Figure.Scope.DISTRICT_OFFICES.value, Figure.Scope.DISTRICT_OFFICES.label
        DISTRICTS = Figure.Scope.DISTRICTS.value, Figure.Scope.DISTRICTS.label
        COMMUNES = Figure.Scope.COMMUNES.value, Figure.Scope.COMMUNES.label
        ALL_AGENCIES = Figure.Scope.ALL_AGENCIES.value, Figure.Scope.ALL_AGENCIES.label
        # National documents only: every province.
        PROVINCES = "provinces", _("Các tỉnh, thành phố")

    class Mode(models.TextChoices):
        EVERY_UNIT = "every_unit", _("Từng đơn vị phải đạt")
        WHOLE_SCOPE = "whole_scope", _("Cả phạm vi đạt")

    class Comparator(models.TextChoices):
        AT_LEAST = "at_least", _("Tối thiểu")
        AT_MOST = "at_most", _("Tối đa")
        BETWEEN = "between", _("Trong khoảng")

    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE, related_name="targets"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("chỉ tiêu"), on_delete=models.PROTECT, related_name="targets"
    )
    scope = models.CharField(_("phạm vi"), max_length=20, choices=Scope.choices)
    mode = models.CharField(
        _("cách đánh giá"), max_length=12, choices=Mode.choices, default=Mode.WHOLE_SCOPE
    )
    comparator = models.CharField(
        _("so sánh"), max_length=10, choices=Comparator.choices, default=Comparator.AT_LEAST
    )
    # at_least and between: the floor; at_most: the ceiling. Yes/no for one unit: 1 (yes).
    value = models.DecimalField(_("giá trị mục tiêu"), max_digits=20, decimal_places=4)
    value_max = models.DecimalField(
        _("cận trên"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    # Empty: the document gives no deadline (due from its issue; plans.validation.NO_DEADLINE).
    deadline = models.CharField(_("thời hạn (kỳ)"), max_length=7, blank=True)
    deadline_start = models.DateField(editable=False)
    deadline_end = models.DateField(editable=False)
    mandatory = models.BooleanField(_("bắt buộc"), default=False)
    baseline_value = models.DecimalField(
        _("giá trị cơ sở"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    baseline_period = models.CharField(_("kỳ cơ sở"), max_length=7, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    history = HistoricalRecords(no_db_index=["plan", "indicator"])

    class Meta:
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")
        ordering = ["plan", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "indicator", "scope", "deadline"], name="target_uniq"
            ),
            models.CheckConstraint(
                condition=Q(comparator="between", value_max__isnull=False)
                | (~Q(comparator="between") & Q(value_max__isnull=True)),
                name="target_range_only_between",
            ),
            models.CheckConstraint(
                condition=Q(value_max__isnull=True) | Q(value__lte=models.F("value_max")),
                name="target_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} ({self.get_scope_display()}) {self.deadline or '—'}"

    def due_end(self, period_end: datetime.date) -> datetime.date:
        """The day the target is due when read at `period_end`: its deadline's last day, or,
        when the document gives none, the period's own end (due at once)."""
        return self.deadline_end if self.deadline else period_end

    @property
    def higher_is_better(self) -> bool:
        return self.comparator != self.Comparator.AT_MOST
