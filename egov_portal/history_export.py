"""The change history of plans, targets, budget lines, units, agencies, roles and users as CSV
for administrators: one line per changed field (when, who, + / ~ / -, which object, from → to).

history_changes() computes the lines (no HTTP, no request); HistoryAdminMixin gives each
tracked model's admin an export page (one object, or the whole table over a date range) and
an action for the selected objects. See docs/decisions/0008-history.md.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.utils import get_history_manager_for_model, get_m2m_reverse_field_name

from egov_portal import history_reasons
from egov_portal.spreadsheet_cells import inert

# Declared by accounts.Membership (its Meta.permissions); named here, not imported: the
# admins of every app use this mixin, accounts' among them.
EXPORT_PERMISSION = "accounts.export_history"
SINCE_AFTER_UNTIL = _("Ngày bắt đầu (%(since)s) sau ngày kết thúc (%(until)s).")
CSV_HEADER = (
    _("Thời điểm"),
    _("Người thực hiện"),
    _("Loại (+ tạo, ~ sửa, - xoá)"),
    _("Bảng"),
    _("Mã đối tượng"),
    _("Đối tượng"),
    _("Trường"),
    _("Tên trường"),
    _("Giá trị cũ"),
    _("Giá trị mới"),
    _("Lý do"),
)


@dataclass(frozen=True)
class HistoryLine:
    """One changed field of one history record (a created object: each field it was given)."""

    at: datetime.datetime
    user: str  # username; empty for the loaders and other commands
    type: str  # "+" created, "~" changed, "-" deleted
    table: str  # "units.unit"
    object_id: int
    object: str
    field: str = ""
    field_label: str = ""
    old: str = ""
    new: str = ""
    reason: str = ""


def can_export_history(user) -> bool:
    """Staff who are superusers or hold accounts.export_history (they also need the admin's
    view permission on the model, checked by the admin)."""
    # has_perm: True for an active superuser, False for an inactive user.
    return bool(user and user.is_staff and user.has_perm(EXPORT_PERMISSION))


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def history_changes(
    *,
    model: type[models.Model],
    object_ids: list | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> list[HistoryLine]:
    """The history of `model` (of `object_ids` only, if given) between `since` and `until`
    (inclusive days, local time), oldest first, each record diffed against the one before it.

    A fixed number of queries whatever the size: the records, one per foreign key and
    many-to-many field for their labels, and the objects' current labels.
    """
    history_model = get_history_manager_for_model(model).model
    pk = model._meta.pk.attname
    since_at = _day_start(since) if since is not None else None
    in_range = history_model.objects.all()
    if object_ids is not None:
        in_range = in_range.filter(**{f"{pk}__in": object_ids})
    if since_at is not None:
        in_range = in_range.filter(history_date__gte=since_at)
    wanted = history_model.objects.filter(**{f"{pk}__in": in_range.values(pk)})
    if until is not None:
        end = _day_start(until + datetime.timedelta(days=1))
        wanted = wanted.filter(history_date__lt=end)
    # Earlier records are read too: the first one in the range is diffed against its
    # predecessor.
    records = list(wanted.select_related("history_user").order_by(pk, "history_date", "history_id"))
    fields = [f for f in history_model.tracked_fields if f.name != model._meta.pk.name]
    fk_labels = _foreign_key_labels(fields, records)
    m2m_values = _many_to_many_values(history_model, wanted)
    current = _current_labels(model, {getattr(r, pk) for r in records})

    lines: list[HistoryLine] = []
    previous = None
    for record in records:
        object_id = getattr(record, pk)
        before = previous if previous is not None and getattr(previous, pk) == object_id else None
        previous = record
        if since_at is not None and record.history_date < since_at:
            continue
        reason = record.history_change_reason
        head = {
            "at": timezone.localtime(record.history_date),
            "user": record.history_user.get_username() if record.history_user else "",
            "type": record.history_type,
            "table": model._meta.label_lower,
            "object_id": object_id,
            "object": current.get(object_id) or str(record.instance),
            "reason": str(history_reasons.LABELS.get(reason, reason) or ""),
        }
        changes = []
        if record.history_type != "-":
            for field in fields:
                new = _shown(field, getattr(record, field.attname), fk_labels)
                old = (
                    _shown(field, getattr(before, field.attname), fk_labels)
                    if before is not None
                    else ""
                )
                if new != old:
                    changes.append((field, old, new))
            for field, values in m2m_values.items():
                new = values.get(record.history_id, "")
                old = values.get(before.history_id, "") if before is not None else ""
                if new != old:
                    changes.append((field, old, new))
        if not changes:
            lines.append(HistoryLine(**head))
        for field, old, new in changes:
            lines.append(
                HistoryLine(
                    **head,
                    field=field.name,
                    field_label=str(field.verbose_name),
                    old=old,
                    new=new,
                )
            )
    return lines


def _shown(field, value, fk_labels: dict) -> str:
    if value is None:
        return ""
    if field.is_relation:
        label = fk_labels.get(field.related_model, {}).get(value)
        return f"{label} [{value}]" if label is not None else f"[{value}]"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _foreign_key_labels(fields, records) -> dict:
    """{related model: {pk: str(object)}} for the foreign keys the records point at."""
    ids: dict[type[models.Model], set] = {}
    for field in fields:
        if field.is_relation:
            found = {getattr(r, field.attname) for r in records} - {None}
            ids.setdefault(field.related_model, set()).update(found)
    return {
        related: {k: str(v) for k, v in related._base_manager.in_bulk(list(found)).items()}
        for related, found in ids.items()
        if found
    }


def _many_to_many_values(history_model, records) -> dict:
    """{field: {history_id: "label [pk]; …"}}: the related objects each record saw."""
    result = {}
    for field in history_model._history_m2m_fields:
        m2m_model = HistoricalRecords.m2m_models[field]
        target = get_m2m_reverse_field_name(field)
        rows = list(
            m2m_model.objects.filter(history_id__in=records.values("history_id")).values_list(
                "history_id", f"{target}_id"
            )
        )
        labels = field.related_model._base_manager.in_bulk({pk for _, pk in rows} - {None})
        per_record: dict[int, list[str]] = {}
        for history_id, pk in sorted(rows, key=lambda row: (row[0], row[1] or 0)):
            label = labels.get(pk)
            per_record.setdefault(history_id, []).append(
                f"{label} [{pk}]" if label is not None else f"[{pk}]"
            )
        result[field] = {k: "; ".join(v) for k, v in per_record.items()}
    return result


def _current_labels(model, ids: set) -> dict:
    """str() of the objects that still exist, with what their __str__ reads fetched along."""
    related = [f.name for f in model._meta.concrete_fields if f.is_relation]
    objects = model._base_manager.select_related(*related).in_bulk(list(ids))
    return {pk: str(obj) for pk, obj in objects.items()}


def history_csv(lines: list[HistoryLine]) -> str:
    """The lines as CSV text, with the header; cells that Excel would run are quoted."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(h) for h in CSV_HEADER])
    for line in lines:
        writer.writerow(
            [
                line.at.isoformat(sep=" ", timespec="seconds"),
                inert(line.user),
                line.type,  # "+", "~" or "-" alone: no formula, and read as the type
                line.table,
                line.object_id,
                inert(line.object),
                line.field,
                inert(line.field_label),
                inert(line.old),
                inert(line.new),
                inert(line.reason),
            ]
        )
    return out.getvalue()


# --- Admin ------------------------------------------------------------------------------------


class HistoryExportForm(forms.Form):
    since = forms.DateField(
        label=_("Từ ngày"), required=False, widget=forms.DateInput({"type": "date"})
    )
    until = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput({"type": "date"})
    )
    object = forms.CharField(
        label=_("Mã đối tượng (để trống: cả bảng)"), required=False, max_length=20
    )

    def clean_object(self):
        text = self.cleaned_data["object"].strip()
        if text and not text.isdigit():
            raise forms.ValidationError(_("Mã đối tượng là một số."))
        return int(text) if text else None

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(
                SINCE_AFTER_UNTIL % {"since": f"{since:%d/%m/%Y}", "until": f"{until:%d/%m/%Y}"}
            )
        return data


def _csv_response(model, lines: list[HistoryLine], suffix: str) -> HttpResponse:
    response = HttpResponse(
        "\ufeff" + history_csv(lines),  # the BOM makes Excel read UTF-8
        content_type="text/csv; charset=utf-8",
    )
    name = f"lich-su-{model._meta.app_label}-{model._meta.model_name}{suffix}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class HistoryAdminMixin:
    """For a SimpleHistoryAdmin: history is read, never reverted from (a revert would skip
    the services' checks, and a user's old row has no password); CSV export of it."""

    object_history_template = "admin/history_object_history.html"
    actions = ["history_export_selected"]

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_history_export_permission(self, request) -> bool:
        return can_export_history(request.user) and self.has_view_permission(request)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "history-export/",
                self.admin_site.admin_view(self.history_export_view),
                name="{}_{}_history_export".format(*info),
            ),
            *super().get_urls(),
        ]

    def history_export_view(self, request):
        """The export page; with ?export=1 and a valid form, the CSV itself."""
        if not self.has_history_export_permission(request):
            raise PermissionDenied
        form = HistoryExportForm(request.GET if "export" in request.GET else None)
        if form.is_valid():
            data = form.cleaned_data
            lines = history_changes(
                model=self.model,
                object_ids=[data["object"]] if data["object"] is not None else None,
                since=data["since"],
                until=data["until"],
            )
            suffix = f"-{data['object']}" if data["object"] is not None else ""
            return _csv_response(self.model, lines, suffix)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "title": _("Xuất lịch sử thay đổi: %(name)s") % {"name": self.opts.verbose_name_plural},
        }
        return TemplateResponse(request, "admin/history_export.html", context)

    def history_view(self, request, object_id, extra_context=None):
        info = self.opts.app_label, self.opts.model_name
        extra = {
            "history_export_url": reverse(
                "admin:{}_{}_history_export".format(*info), current_app=self.admin_site.name
            ),
            "can_export_history": self.has_history_export_permission(request),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, extra_context=extra)

    @admin.action(
        description=_("Xuất lịch sử thay đổi của các mục đã chọn (CSV)"),
        permissions=["history_export"],
    )
    def history_export_selected(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        return _csv_response(self.model, history_changes(model=self.model, object_ids=ids), "")
