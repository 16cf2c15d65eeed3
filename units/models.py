"""Administrative units (with their validity), agencies, and the lineage between units."""

import datetime

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# The day the two-tier structure took effect (Resolution 202/2025/QH15 and the commune
# resolutions of the Standing Committee): districts abolished, 63 provinces merged into 34.
REORGANISATION_2025_ON = datetime.date(2025, 7, 1)
# Stands in for an open valid_from in the uniqueness rule (a NULL would never collide).
_OPEN_START = datetime.date(1900, 1, 1)


class UnitQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date) -> "UnitQuerySet":
        """Units valid on `on` (valid_from and valid_to are inclusive; empty means open)."""
        return self.filter(in_force_q(on))


def in_force_q(on: datetime.date, prefix: str = "") -> Q:
    """Rows (through `prefix`, e.g. "unit__") whose unit is valid on `on`."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": on})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on})
    )


class Unit(models.Model):
    """A province, district or commune as it existed between valid_from and valid_to.

    A GSO code alone does not identify a unit: 44 was Tỉnh Quảng Bình until 2025-06-30 and
    is Tỉnh Quảng Trị from 2025-07-01. A unit is its code plus its validity.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("cấp tỉnh")
        DISTRICT = "district", _("cấp huyện")
        COMMUNE = "commune", _("cấp xã")

    class DivisionType(models.TextChoices):
        TINH = "tinh", _("tỉnh")
        THANH_PHO_TRUNG_UONG = "thanh_pho_trung_uong", _("thành phố trực thuộc trung ương")
        HUYEN = "huyen", _("huyện")
        QUAN = "quan", _("quận")
        THI_XA = "thi_xa", _("thị xã")
        THANH_PHO = "thanh_pho", _("thành phố thuộc tỉnh")
        XA = "xa", _("xã")
        PHUONG = "phuong", _("phường")
        THI_TRAN = "thi_tran", _("thị trấn")
        DAC_KHU = "dac_khu", _("đặc khu")

    code = models.CharField(_("mã"), max_length=5, db_index=True)
    name = models.CharField(_("tên"), max_length=200)
    # fold(name): lower case without tone marks, so "vinh linh" finds "Huyện Vĩnh Linh".
    search_name = models.CharField(_("tên không dấu"), max_length=200, editable=False)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    division_type = models.CharField(_("loại đơn vị"), max_length=24, choices=DivisionType.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # Ancestors stored on the row: the tree is at most three levels deep, so "everything in
    # this province" is one indexed equality instead of a walk up `parent`.
    province = models.ForeignKey(
        "self",
        verbose_name=_("tỉnh"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="province_descendants",
        editable=False,
    )
    district = models.ForeignKey(
        "self",
        verbose_name=_("huyện"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="district_descendants",
        editable=False,
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    objects = UnitQuerySet.as_manager()
    # Who changed what and when (docs/decisions/0008-history.md). Read per unit (id) and by
    # date; indexes on the tree references would only slow the reference load down.
    history = HistoricalRecords(no_db_index=["parent", "province", "district"])

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["code", "valid_from"]
        constraints = [
            # One unit per code and start date: the loader's natural key.
            models.UniqueConstraint(
                "code",
                Coalesce("valid_from", models.Value(_OPEN_START)),
                name="unit_code_start_uniq",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lte=models.F("valid_to")),
                name="unit_validity_ordered",
            ),
        ]
        indexes = [
            # Browsing: the children of a unit in force on a date.
            models.Index(fields=["parent", "valid_to"], name="unit_parent_valid_idx"),
            # Listing a level on a date (provinces today, communes of 2024).
            models.Index(fields=["level", "valid_to"], name="unit_level_valid_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        url = reverse("units:unit-detail", kwargs={"code": self.code})
        # A code may name another unit today: pin the page to a day this unit was in force.
        if self.valid_to is not None:
            return f"{url}?on={self.valid_to.isoformat()}"
        return url

    def is_in_force(self, on: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )

    def formed_after(self, day: datetime.date) -> bool:
        """Whether the unit did not exist yet on `day` (it was formed later)."""
        return self.valid_from is not None and self.valid_from > day

    def ended_before(self, day: datetime.date) -> bool:
        """Whether the unit no longer existed on `day`."""
        return self.valid_to is not None and self.valid_to < day

    def is_in_force_during(self, start: datetime.date, end: datetime.date) -> bool:
        """Whether the unit existed on at least one day from `start` to `end` (a period)."""
        return (self.valid_from is None or self.valid_from <= end) and (
            self.valid_to is None or start <= self.valid_to
        )


class Agency(models.Model):
    """A body under a unit: its People's Committee, a department, an office, a school…"""

    class Kind(models.TextChoices):
        PEOPLES_COMMITTEE = "peoples_committee", _("Ủy ban nhân dân")
        DEPARTMENT = "department", _("Sở, ban, ngành")
        OFFICE = "office", _("Phòng chuyên môn")
        PUBLIC_SERVICE = "public_service", _("Đơn vị sự nghiệp công lập")
        SCHOOL = "school", _("Trường học")
        OTHER = "other", _("Khác")

    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị hành chính"), on_delete=models.PROTECT, related_name="agencies"
    )
    kind = models.CharField(_("loại cơ quan"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("tên"), max_length=255)

    history = HistoricalRecords(no_db_index=["unit"])

    class Meta:
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        ordering = ["unit__code", "kind", "name"]
        constraints = [
            # The natural key used by imports: a unit does not have two agencies of one name.
            models.UniqueConstraint(fields=["unit", "name"], name="agency_unit_name_uniq"),
        ]

    def __str__(self) -> str:
        return self.name


class UnitChange(models.Model):
    """One edge of the lineage: (part of) `predecessor` went into `successor` on `changed_on`."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("hợp nhất")
        SPLIT = "split", _("chia tách")
        RENAME = "rename", _("đổi tên")
        KEPT = "kept", _("giữ nguyên")

    class Method(models.TextChoices):
        OFFICIAL = "official", _("văn bản chính thức")
        NOTE = "note", _("đọc từ ghi chú")
        NOTE_FUZZY = "note-fuzzy", _("đọc từ ghi chú, tên viết khác")
        CODE = "code", _("theo mã")
        NAME = "name", _("theo tên")
        RESIDUE = "residue", _("suy ra do loại trừ")
        MANUAL = "manual", _("xác định thủ công")
        DERIVED = "derived", _("suy ra từ đơn vị cấp dưới")

    predecessor = models.ForeignKey(
        Unit, verbose_name=_("đơn vị trước"), on_delete=models.CASCADE, related_name="changes_out"
    )
    successor = models.ForeignKey(
        Unit, verbose_name=_("đơn vị sau"), on_delete=models.CASCADE, related_name="changes_in"
    )
    changed_on = models.DateField(_("ngày thay đổi"))
    kind = models.CharField(_("hình thức"), max_length=10, choices=Kind.choices)
    is_partial = models.BooleanField(
        _("một phần"), default=False, help_text=_("Chỉ một phần của đơn vị trước chuyển sang.")
    )
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=100, blank=True)
    method = models.CharField(_("cách xác định"), max_length=10, choices=Method.choices)

    class Meta:
        verbose_name = _("thay đổi đơn vị hành chính")
        verbose_name_plural = _("thay đổi đơn vị hành chính")
        ordering = ["changed_on", "predecessor__code", "successor__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="unitchange_edge_uniq"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="unitchange_not_self"
            ),
        ]
        # predecessor_id is covered by the unique constraint; successors→predecessors walks
        # need successor_id on its own.
        indexes = [models.Index(fields=["successor"], name="unitchange_successor_idx")]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.changed_on:%d/%m/%Y})"
