"""Import and export (django-import-export) of units, agencies and lineage, and the pieces the
other apps' resources share.

Every file speaks in natural keys, never database ids: a unit is its GSO code plus a day it was
in force (`unit_code` + `unit_on`), because a code alone is ambiguous (44 was Quảng Bình until
2025-06-30 and is Quảng Trị since). Imports go through a preview (dry run) that lists every bad
row with its column and message, and write nothing while any row is bad.
"""

import datetime
import re
import unicodedata
from decimal import Decimal

import tablib
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.db.models import Max, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.formats import base_formats

from egov_portal.spreadsheet_cells import inert, restored
from egov_portal.spreadsheets import (
    HEADER_ROWS,
    ImportFileError,
    max_rows,
    too_many_rows,
    xlsx_rows,
)
from egov_portal.upload_files import check_request_size, check_xlsx_archive
from units.models import Agency, Unit, UnitChange
from units.names import fold
from units.reference_files import CODE_LENGTH, LEVELS, clean_name
from units.selectors import today


class CSVFormat(base_formats.CSV):
    """import-export's CSV, refused past the rows an import takes (IMPORT_MAX_ROWS) before
    tablib holds it all (lines are counted, so blank lines count too)."""

    def create_dataset(self, in_stream):
        # Line ends as csv reads them: LF, CR LF, and a lone CR too.
        nl, cr, crlf = (
            ("\n", "\r", "\r\n") if isinstance(in_stream, str) else (b"\n", b"\r", b"\r\n")
        )
        lines = in_stream.count(nl) + in_stream.count(cr) - in_stream.count(crlf)
        if lines > max_rows() + HEADER_ROWS:
            raise too_many_rows(max_rows())
        return super().create_dataset(in_stream)


class XLSXFormat(base_formats.XLSX):
    """import-export's XLSX read as every import reads one (egov_portal/spreadsheets.py): within
    its bounds, streamed, the sheet's declared size not trusted, blank rows left out. Its
    columns are the header's."""

    def create_dataset(self, in_stream):
        check_xlsx_archive(in_stream)  # its unpacked size, before any part is read
        dataset = tablib.Dataset()
        _title, rows = xlsx_rows(in_stream, active=True, formulas=False)
        first = next(rows, None)
        if first is None:
            return dataset
        headers = list(first[1])
        while headers and headers[-1] is None:
            headers.pop()
        dataset.headers = headers
        for _number, values in rows:
            dataset.append(values[: len(headers)])
        return dataset


# The two formats offered in the admin; CSV is written with a BOM so Excel reads Vietnamese.
# Files are read by the classes above (in the same order: the form gives the index), written
# by import-export's own, which its export tells apart by their exact class.
FILE_FORMATS = [base_formats.CSV, base_formats.XLSX]
IMPORT_FORMATS = [CSVFormat, XLSXFormat]

NOT_A_DATE = _("«%(value)s» không phải ngày (YYYY-MM-DD hoặc DD/MM/YYYY).")
NOT_A_WHOLE_NUMBER = _("«%(value)s» không phải số nguyên.")
NOT_A_FLAG = _("«%(value)s»: chỉ nhận 0 hoặc 1.")
UNIT_CODE_MISSING = _("Thiếu mã đơn vị.")
UNIT_NOT_FOUND = _("Không có đơn vị hành chính mã «%(code)s».")
UNIT_NOT_FOUND_ON = _("Không có đơn vị mã «%(code)s» vào ngày %(day)s.")
NOT_ONE_OF = _("«%(value)s» không thuộc %(allowed)s.")
IMPORT_ROLLED_BACK = _(
    "Không nhập dòng nào: khi xác nhận, tệp có dòng không hợp lệ. Hãy tải tệp lên lại để xem lỗi."
)


# --- Reading cells (CSV gives text; XLSX gives numbers, dates and None as well) ---------------


def cell_text(value) -> str:
    """A cell as trimmed NFC text; 464.0 from a spreadsheet is "464", None is "", and a text
    an export made inert ("'=…", see InertExportMixin) is read as it was."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return restored(unicodedata.normalize("NFC", str(value)).strip())


def cell_date(value) -> datetime.date | None:
    """A date from an ISO (2025-07-01) or Vietnamese (01/07/2025) cell, or a spreadsheet date."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(NOT_A_DATE % {"value": text})


def cell_raw(value):
    """A number cell kept as typed ("12,5" stays "12,5") for indicators.validation.to_decimal."""
    if isinstance(value, str):
        return restored(value.strip()) or None
    return value


def plain_number(value) -> str:
    """12.5000 → "12.5", 90.0000 → "90": no locale grouping, so the file imports back."""
    if value is None:
        return ""
    number = Decimal(value)
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


def unit_day(unit: Unit | None) -> datetime.date | None:
    """A day `unit` was in force, written beside its code so the code is not ambiguous."""
    if unit is None:
        return None
    return unit.valid_to or unit.valid_from


def unit_for(code: str, on: datetime.date | None = None) -> Unit:
    """The unit with `code` in force on `on`; without a day, today's, else the latest one.

    Raises ValueError with the message a row error shows.
    """
    if not code:
        raise ValueError(UNIT_CODE_MISSING)
    versions = Unit.objects.filter(code=code)
    if on is not None:
        found = versions.in_force(on).first()
        if found is None:
            raise ValueError(UNIT_NOT_FOUND_ON % {"code": code, "day": f"{on:%d/%m/%Y}"})
        return found
    found = versions.in_force(today()).first() or versions.order_by("-valid_from").first()
    if found is None:
        raise ValueError(UNIT_NOT_FOUND % {"code": code})
    return found


# --- Widgets ------------------------------------------------------------------------------------


class TextWidget(widgets.CharWidget):
    """Trimmed NFC text; an empty cell is ""."""

    def clean(self, value, row=None, **kwargs):
        return cell_text(value)


class OptionalTextWidget(TextWidget):
    """Text where an empty cell means "leave as is" (pair with saves_null_values=False)."""

    def clean(self, value, row=None, **kwargs):
        return cell_text(value) or None


class DateWidget(widgets.Widget):
    """Dates written ISO (YYYY-MM-DD) and read ISO or DD/MM/YYYY, or as spreadsheet dates."""

    def clean(self, value, row=None, **kwargs):
        return cell_date(value)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else value.isoformat()


class WholeNumberWidget(widgets.Widget):
    """A whole number (a year, a position); refuses "12,5" instead of truncating it."""

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError(NOT_A_WHOLE_NUMBER % {"value": text})
        return int(text)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else str(value)


class FlagWidget(widgets.Widget):
    """0 or 1 (empty is 0), as the reference files write flags; "yes" is refused, not False."""

    TRUE = {"1", "true"}
    FALSE = {"", "0", "false"}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = cell_text(value).lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(NOT_A_FLAG % {"value": cell_text(value)})

    def render(self, value, obj=None, **kwargs):
        return "1" if value else "0"


class RawNumberWidget(widgets.Widget):
    """Imports the number as typed, for a validation function to read; exports it plainly."""

    def clean(self, value, row=None, **kwargs):
        return cell_raw(value)

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type") and value is not None:
            return Decimal(plain_number(value))
        return plain_number(value)


class AttributeWidget(widgets.Widget):
    """Exports one attribute of a related object (a unit's code, an indicator's code)."""

    def __init__(self, attribute: str):
        super().__init__()
        self.attribute = attribute

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else force_str(getattr(value, self.attribute))


class UnitDayWidget(DateWidget):
    """Exports a day the related unit was in force (the `unit_on` beside a `unit_code`)."""

    def render(self, value, obj=None, **kwargs):
        return super().render(unit_day(value), **kwargs)


class UnitByCodeWidget(widgets.ForeignKeyWidget):
    """Finds a unit by its GSO code, on the day in `on_column` when the row gives one (else
    the unit in force today, or the latest one)."""

    def __init__(self, model=Unit, field="code", on_column: str | None = None, **kwargs):
        super().__init__(model, field, **kwargs)
        self.on_column = on_column

    def clean(self, value, row=None, **kwargs):
        code = cell_text(value)
        day = None
        if self.on_column and row is not None:
            try:
                day = cell_date(row.get(self.on_column))
            except ValueError as exc:
                raise ValidationError({self.on_column: str(exc)}) from None
        return unit_for(code, day)


# --- The base resource ----------------------------------------------------------------------


class InertExportMixin:
    """Exported text cells are inert: a unit, an agency, a plan or a figure's source named
    "=HYPERLINK(…)" comes out as text, not as a formula (egov_portal/spreadsheet_cells.py);
    cell_text reads it back as it was, so an export imports back unchanged."""

    def export_field(self, field, instance, **kwargs):
        return inert(super().export_field(field, instance, **kwargs))


class NaturalKeyResource(InertExportMixin, resources.ModelResource):
    """A resource whose rows are keyed by natural keys and whose errors are keyed by column.

    - a bad key never aborts the import: the row is reported, with its column, as invalid;
    - `check_row` holds a model's rules (call the app's validation functions there);
    - rows unchanged are skipped, so importing a file twice changes nothing the second time;
    - all or nothing: any invalid row rolls the whole import back, even outside the admin.
    """

    class Meta:
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=True,
        **kwargs,
    ):
        return super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=use_transactions,
            collect_failed_rows=collect_failed_rows,
            rollback_on_validation_errors=rollback_on_validation_errors,
            **kwargs,
        )

    def before_import(self, dataset, **kwargs):
        # Spreadsheets carry padded headers and trailing empty rows; neither is data.
        if dataset.headers:
            dataset.headers = [cell_text(header) for header in dataset.headers]
        for index in range(len(dataset) - 1, -1, -1):
            if all(cell_text(value) == "" for value in dataset[index]):
                del dataset[index]

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except (ValueError, ValidationError, ObjectDoesNotExist):
            return None  # import_instance reports the bad key on its column

    # Error keys: the file's column names, so the preview says which cell to fix.
    def column_of(self, name: str) -> str:
        for field in self.fields.values():
            if field.attribute and field.attribute.split("__")[0] == name:
                return field.column_name
        return name

    def attribute_of(self, column: str) -> str:
        for field in self.fields.values():
            if field.column_name == column and field.attribute:
                return field.attribute.split("__")[0]
        return column

    def _collect(self, errors: dict, exc: Exception, column: str | None = None) -> None:
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                key = name if name == NON_FIELD_ERRORS else self.column_of(name)
                errors.setdefault(key, []).extend(messages)
        elif isinstance(exc, ValidationError):
            errors.setdefault(column or NON_FIELD_ERRORS, []).extend(exc.messages)
        else:
            errors.setdefault(column or NON_FIELD_ERRORS, []).append(force_str(exc))

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list] = {}
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget):
                continue
            try:
                self.import_field(field, instance, row, **kwargs)
            except (ValueError, ValidationError, ObjectDoesNotExist) as exc:
                self._collect(errors, exc, field.column_name)
        try:
            self.check_row(instance, row, set(errors), **kwargs)
        except (ValueError, ValidationError) as exc:
            self._collect(errors, exc)
        if errors:
            raise ValidationError(errors)

    def check_row(self, instance, row, failed: set[str], **kwargs) -> None:
        """Applies the model's rules once the columns are read; raises ValidationError keyed by
        column or model field. `failed` names the columns that could not be read."""

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = {
            key: list(ValidationError(value).messages)
            for key, value in (import_validation_errors or {}).items()
        }
        if self._meta.clean_model_instances:
            exclude = {self.attribute_of(column) for column in errors}
            if errors:
                # check_row sets the read-only columns' fields; after a failure they are
                # unset, and "cannot be blank" there would only hide the real message.
                exclude |= {
                    field.attribute.split("__")[0]
                    for field in self.fields.values()
                    if field.readonly and field.attribute
                }
            try:
                instance.full_clean(
                    exclude=exclude,
                    validate_unique=validate_unique and not errors,
                    validate_constraints=not errors,
                )
            except ValidationError as exc:
                self._collect(errors, exc)
        if errors:
            raise ValidationError(errors)


def next_position(queryset) -> int:
    """One more than the highest position in `queryset` (rows added at the end)."""
    return (queryset.aggregate(n=Max("position"))["n"] or 0) + 1


# --- Admin mixins -------------------------------------------------------------------------------


class _FilesAdminMixin:
    """CSV (with a BOM, for Excel) and XLSX; the admin's own permissions decide who may."""

    formats = FILE_FORMATS
    import_formats = IMPORT_FORMATS
    to_encoding = "utf-8-sig"

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def import_action(self, request, **kwargs):
        # Over the upload limit (IMPORT_MAX_MB): refused before django-import-export opens
        # and parses the file. (The admin's CSRF check has already spooled the upload to a
        # temporary file by then, never to memory.)
        if request.method == "POST":
            try:
                check_request_size(request.META.get("CONTENT_LENGTH"))
            except ImportFileError as exc:
                messages.error(request, str(exc))
                return HttpResponseRedirect(request.path)
        return super().import_action(request, **kwargs)

    def add_data_read_fail_error_to_form(self, form, e):
        # A file past the bounds of an import, or broken, is refused with the reason
        # (import-export would only name the exception's class).
        if isinstance(e, ImportFileError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def process_result(self, result, request):
        # The file changed between the preview and the confirmation, or the data did: the
        # import was rolled back whole, so "Import finished: 3 new" would be untrue.
        if result.has_errors() or result.has_validation_errors():
            messages.error(request, IMPORT_ROLLED_BACK)
            info = (self.opts.app_label, self.opts.model_name)
            return HttpResponseRedirect(reverse("admin:{}_{}_import".format(*info)))
        return super().process_result(result, request)


class FilesImportExportMixin(_FilesAdminMixin, ImportExportMixin):
    """Import (with its preview) and export; combine with ModelAdmin or SimpleHistoryAdmin."""


class FilesExportMixin(_FilesAdminMixin, ExportMixin):
    """Export only."""


# --- Units, agencies, lineage -----------------------------------------------------------------

LEVEL_NOT_KNOWN = _("Cấp «%(value)s» không phải province, district hoặc commune.")
CODE_FORMAT = _("Mã «%(code)s» của đơn vị %(level)s phải gồm đúng %(length)s chữ số.")
TYPE_NOT_FOR_LEVEL = _("Loại «%(type)s» không dùng cho đơn vị %(level)s (dùng: %(allowed)s).")
PROVINCE_HAS_NO_PARENT = _("Tỉnh không có đơn vị cấp trên.")
PARENT_MISSING = _("Đơn vị %(level)s cần mã đơn vị cấp trên.")
PARENT_WRONG_LEVEL = _(
    "«%(code)s» là đơn vị %(found)s; đơn vị %(level)s phải trực thuộc đơn vị %(allowed)s."
)
PARENT_NOT_IN_FORCE = _("Đơn vị cấp trên %(parent)s không còn hiệu lực vào ngày %(day)s.")
VALIDITY_REVERSED = _("Ngày hết hiệu lực trước ngày bắt đầu hiệu lực.")
VALIDITY_OVERLAPS = _("Mã %(code)s đã thuộc %(other)s trong khoảng hiệu lực này.")
STRUCTURE_LOCKED = _(
    "%(unit)s đã có đơn vị cấp dưới: không đổi cấp hay đơn vị cấp trên bằng tệp nhập "
    "(các đơn vị cấp dưới lưu sẵn tỉnh, huyện của mình)."
)

DIVISION_TYPES = {
    "province": {"tinh", "thanh_pho_trung_uong"},
    "district": {"huyen", "quan", "thi_xa", "thanh_pho"},
    "commune": {"xa", "phuong", "thi_tran", "dac_khu"},
}
# Since 2025-07-01 (two tiers) a commune's parent is its province.
PARENT_LEVELS = {"province": set(), "district": {"province"}, "commune": {"district", "province"}}


class UnitResource(NaturalKeyResource):
    """Units keyed by code + valid_from; the parent by its code, in force when the unit is.

    Import is allowed, with the checks that keep the tree consistent: the code's length and
    the division type fit the level; a province has no parent, a district's parent is a
    province, a commune's a district (or, after 2025, a province), in force on the unit's
    first and last day; no other version of the code overlaps the validity; and a unit that
    already has children keeps its level and parent (its descendants store their province and
    district). The stored ancestors and the tone-free search name are computed here. Lineage
    (UnitChange) is not imported: the reference loader derives it.
    """

    code = fields.Field("code", "code", TextWidget())
    name = fields.Field("name", "name", TextWidget())
    level = fields.Field("level", "level", TextWidget())
    division_type = fields.Field("division_type", "division_type", TextWidget())
    parent_code = fields.Field("parent", "parent_code", AttributeWidget("code"), readonly=True)
    valid_from = fields.Field("valid_from", "valid_from", DateWidget())
    valid_to = fields.Field("valid_to", "valid_to", DateWidget())

    class Meta:
        model = Unit
        fields = ["code", "name", "level", "division_type", "parent_code", "valid_from", "valid_to"]
        import_id_fields = ["code", "valid_from"]

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("parent")

    def check_row(self, instance, row, failed, **kwargs):
        errors: dict[str, str] = {}
        instance.name = clean_name(instance.name or "")
        instance.search_name = fold(instance.name)
        level, code = instance.level, instance.code
        if level not in LEVELS:
            errors["level"] = LEVEL_NOT_KNOWN % {"value": level}
        else:
            if code and not re.fullmatch(rf"\d{{{CODE_LENGTH[level]}}}", code):
                errors["code"] = CODE_FORMAT % {
                    "code": code,
                    "level": Unit.Level(level).label,
                    "length": CODE_LENGTH[level],
                }
            allowed = DIVISION_TYPES[level]
            if instance.division_type in dict(Unit.DivisionType.choices) and (
                instance.division_type not in allowed
            ):
                errors["division_type"] = TYPE_NOT_FOR_LEVEL % {
                    "type": instance.division_type,
                    "level": Unit.Level(level).label,
                    "allowed": ", ".join(sorted(allowed)),
                }
        start, end = instance.valid_from, instance.valid_to
        if start and end and start > end:
            errors["valid_to"] = VALIDITY_REVERSED
        if "parent_code" not in failed and level in LEVELS:
            self._set_parent(instance, row, errors)
        if code and not errors.keys() & {"code", "valid_from", "valid_to"}:
            overlapping = Unit.objects.filter(code=code).exclude(pk=instance.pk)
            if end:
                overlapping = overlapping.filter(
                    Q(valid_from__isnull=True) | Q(valid_from__lte=end)
                )
            if start:
                overlapping = overlapping.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
            other = overlapping.first()
            if other is not None:
                errors["valid_from"] = VALIDITY_OVERLAPS % {"code": code, "other": other.name}
        if instance.pk is not None and instance.children.exists():
            stored = Unit.objects.values("name", "level", "parent_id").get(pk=instance.pk)
            if (stored["level"], stored["parent_id"]) != (level, instance.parent_id):
                errors[NON_FIELD_ERRORS] = STRUCTURE_LOCKED % {"unit": stored["name"]}
        if errors:
            raise ValidationError(errors)

    def _set_parent(self, instance, row, errors: dict) -> None:
        level = instance.level
        parent_code = cell_text(row.get("parent_code"))
        instance.parent = None
        if not PARENT_LEVELS[level]:
            if parent_code:
                errors["parent_code"] = PROVINCE_HAS_NO_PARENT
        elif not parent_code:
            errors["parent_code"] = PARENT_MISSING % {"level": Unit.Level(level).label}
        else:
            day = instance.valid_from or instance.valid_to or today()
            try:
                parent = unit_for(parent_code, day)
            except ValueError as exc:
                errors["parent_code"] = str(exc)
                return
            last_day = instance.valid_to
            if parent.level not in PARENT_LEVELS[level]:
                errors["parent_code"] = PARENT_WRONG_LEVEL % {
                    "code": parent_code,
                    "found": parent.get_level_display(),
                    "level": Unit.Level(level).label,
                    "allowed": " hoặc ".join(
                        str(Unit.Level(allowed).label) for allowed in sorted(PARENT_LEVELS[level])
                    ),
                }
            elif last_day is not None and not parent.is_in_force(last_day):
                errors["parent_code"] = PARENT_NOT_IN_FORCE % {
                    "parent": parent.name,
                    "day": f"{last_day:%d/%m/%Y}",
                }
            instance.parent = parent
        parent = instance.parent
        instance.province = None
        if parent is not None:
            instance.province = parent if parent.level == Unit.Level.PROVINCE else parent.province
        is_district = parent is not None and parent.level == Unit.Level.DISTRICT
        instance.district = parent if is_district else None


class AgencyResource(NaturalKeyResource):
    """Agencies keyed by their unit (code + a day it was in force) and their name."""

    unit = fields.Field("unit", "unit_code", UnitByCodeWidget(on_column="unit_on"))
    unit_on = fields.Field("unit", "unit_on", UnitDayWidget(), readonly=True)
    kind = fields.Field("kind", "kind", TextWidget())
    name = fields.Field("name", "name", TextWidget())

    class Meta:
        model = Agency
        fields = ["unit", "unit_on", "kind", "name"]
        import_id_fields = ["unit", "name"]

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("unit")

    def check_row(self, instance, row, failed, **kwargs):
        instance.name = clean_name(instance.name or "")


class UnitChangeResource(InertExportMixin, resources.ModelResource):
    """The lineage, export only: the reference loader derives it from the GSO files."""

    predecessor_code = fields.Field("predecessor", "predecessor_code", AttributeWidget("code"))
    predecessor_on = fields.Field("predecessor", "predecessor_on", UnitDayWidget())
    successor_code = fields.Field("successor", "successor_code", AttributeWidget("code"))
    successor_on = fields.Field("successor", "successor_on", UnitDayWidget())
    changed_on = fields.Field("changed_on", "changed_on", DateWidget())
    kind = fields.Field("kind", "kind", TextWidget())
    is_partial = fields.Field("is_partial", "is_partial", FlagWidget())
    legal_basis = fields.Field("legal_basis", "legal_basis", TextWidget())
    method = fields.Field("method", "method", TextWidget())

    class Meta:
        model = UnitChange
        fields = [
            "predecessor_code",
            "predecessor_on",
            "successor_code",
            "successor_on",
            "changed_on",
            "kind",
            "is_partial",
            "legal_basis",
            "method",
        ]

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("predecessor", "successor")
