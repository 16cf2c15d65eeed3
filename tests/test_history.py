"""The change history of plans, targets, budget lines, units, agencies, roles and users: each
change through its usual page records who, when, from and to; administrators read it per
object and export it as CSV; nobody else reaches the export (egov_portal/history_export.py)."""

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from accounts.models import PASSWORD_CHANGED, Membership
from accounts.services import demo_users_create
from egov_portal.history_export import history_changes, history_csv
from plans.models import BudgetLine, Plan, Target
from plans.services import plans_load
from units.models import Agency, Unit
from units.services import REFERENCE_LOAD

pytestmark = pytest.mark.django_db

PLANS_DIR = Path(settings.BASE_DIR) / "fixtures" / "plans"
User = get_user_model()


@pytest.fixture
def root():
    return User.objects.create_superuser("history.root", password="x")


@pytest.fixture
def staff(client, root):
    client.force_login(root)
    return client


def form_data(form: forms.BaseForm) -> dict:
    """What a browser sends back for `form` untouched: each field's value as its widget
    renders it."""
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        key, value, widget = form.add_prefix(name), form[name].value(), field.widget
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[key] = "on"
        elif isinstance(widget, forms.MultiWidget):
            parts = widget.decompress(value)
            for i, (sub, part) in enumerate(zip(widget.widgets, parts, strict=True)):
                data[f"{key}_{i}"] = sub.format_value(part) or ""
        elif isinstance(value, list | tuple):
            data[key] = [getattr(v, "pk", v) for v in value]
        elif value is None:
            data[key] = ""
        else:
            data[key] = widget.format_value(getattr(value, "pk", value)) or ""
    return data


def admin_change_data(page) -> dict:
    """The admin change page's form and inline formsets, as the browser would post them."""
    data = form_data(page.context["adminform"].form)
    for inline in page.context.get("inline_admin_formsets", []):
        formset = inline.formset
        data |= form_data(formset.management_form)
        for form in formset.forms:
            data |= form_data(form)
    return data


def admin_change(client, obj, **changes):
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    data = admin_change_data(client.get(url)) | changes
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def assert_recorded(obj, *, by, field: str, old, new):
    """The newest history row of `obj` is a change by `by`, just now, of `field` old → new."""
    record = obj.history.order_by("-history_date", "-history_id").first()
    assert record.history_type == "~"
    assert record.history_user == by
    assert timezone.now() - record.history_date < datetime.timedelta(minutes=5)
    assert getattr(record.prev_record, field) == old
    assert getattr(record, field) == new
    changed = [
        line
        for line in history_changes(model=type(obj), object_ids=[obj.pk])
        if line.at == timezone.localtime(record.history_date) and line.field == field
    ]
    assert len(changed) == 1
    assert changed[0].user == by.username
    return changed[0]


# --- Each model, through its usual page -------------------------------------------------------


def test_plan_edit_page_records_the_change(staff, root):
    plan = Plan.objects.get(code="QB-2342-2018")
    page = staff.get(reverse("plans:plan-edit", args=[plan.code]))
    data = form_data(page.context["form"]) | {"title": "Kế hoạch đã sửa"}
    assert staff.post(reverse("plans:plan-edit", args=[plan.code]), data).status_code == 302
    line = assert_recorded(plan, by=root, field="title", old=plan.title, new="Kế hoạch đã sửa")
    assert (line.old, line.new) == (plan.title, "Kế hoạch đã sửa")


def test_plan_implements_is_in_the_history(staff, root):
    plan = Plan.objects.get(code="QB-2342-2018")
    parent = Plan.objects.get(code="NQ-17-2019")
    url = reverse("plans:plan-edit", args=[plan.code])
    data = form_data(staff.get(url).context["form"])
    data["implements"] = [*data["implements"], parent.pk]
    assert staff.post(url, data).status_code == 302
    lines = history_changes(model=Plan, object_ids=[plan.pk], since=timezone.localdate())
    implements = [line for line in lines if line.field == "implements"]
    assert implements and implements[-1].user == root.username
    assert f"[{parent.pk}]" in implements[-1].new
    assert f"[{parent.pk}]" not in implements[-1].old


def test_target_edit_page_records_the_change(staff, root):
    target = Target.objects.filter(comparator=Target.Comparator.AT_LEAST).first()
    url = reverse("plans:target-edit", args=[target.pk])
    data = form_data(staff.get(url).context["form"]) | {"note": "Ghi chú mới"}
    assert staff.post(url, data).status_code == 302
    assert_recorded(target, by=root, field="note", old=target.note, new="Ghi chú mới")


def test_budget_line_admin_records_the_change(staff, root):
    line = BudgetLine.objects.first()
    admin_change(staff, line, amount="123456")
    assert_recorded(line, by=root, field="amount", old=line.amount, new=Decimal("123456"))


def test_unit_admin_records_the_change(staff, root):
    unit = Unit.objects.get(code="19363", valid_to__isnull=False)
    admin_change(staff, unit, name="Thị trấn Hồ Xá (sửa)")
    assert_recorded(unit, by=root, field="name", old=unit.name, new="Thị trấn Hồ Xá (sửa)")


def test_agency_admin_records_the_change(staff, root):
    agency = Agency.objects.filter(kind=Agency.Kind.OFFICE).first()
    admin_change(staff, agency, kind=Agency.Kind.OTHER)
    assert_recorded(agency, by=root, field="kind", old=Agency.Kind.OFFICE, new=Agency.Kind.OTHER)


def test_role_change_on_the_user_page_records_the_change(staff, root):
    demo_users_create()
    user = User.objects.get(username="hoxa.nhaplieu")
    membership = user.membership
    assert not membership.is_reviewer
    admin_change(staff, user, **{"membership-0-is_reviewer": "on"})
    assert_recorded(membership, by=root, field="is_reviewer", old=False, new=True)


def test_user_admin_records_the_change(staff, root):
    user = User.objects.create_user("history.official", password="x", first_name="A")
    admin_change(staff, user, first_name="B", is_staff="on")
    assert_recorded(user, by=root, field="first_name", old="A", new="B")
    lines = history_changes(model=User, object_ids=[user.pk])
    assert ("is_staff", "False", "True") in [(x.field, x.old, x.new) for x in lines]


def test_password_change_is_recorded_without_the_hash(staff, root):
    user = User.objects.create_user("history.pw", password="x")
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    data = {"password1": "Mật-khẩu-mới-2026", "password2": "Mật-khẩu-mới-2026"}
    data["usable_password"] = "true"
    assert staff.post(url, data).status_code == 302
    record = user.history.order_by("-history_id").first()
    assert record.history_user == root
    assert record.history_change_reason == PASSWORD_CHANGED
    assert "password" not in {f.name for f in type(record)._meta.get_fields()}
    line = history_changes(model=User, object_ids=[user.pk])[-1]
    assert line.reason == "đổi mật khẩu"


def test_a_login_is_not_a_change(client):
    user = User.objects.create_user("history.login", password="x")
    before = user.history.count()
    response = client.post(reverse("login"), {"username": "history.login", "password": "x"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.last_login is not None
    assert user.history.count() == before


# --- The loaders ------------------------------------------------------------------------------


def test_reference_load_wrote_the_units_history():
    unit = Unit.objects.get(code="19363", valid_to__isnull=False)
    first = unit.history.earliest()
    assert first.history_type == "+"
    assert first.history_change_reason == REFERENCE_LOAD
    assert first.history_user is None
    # One "+" per unit and agency, and the session's second load did not add "~" rows.
    assert Unit.history.filter(history_type="+").count() == Unit.objects.count()
    assert not Unit.history.filter(history_type="~").exists()
    assert Agency.history.count() == Agency.objects.count()


def test_plans_loader_writes_history_only_for_what_changes():
    target = Target.objects.get(
        plan__code="NQ-17-2019", indicator__code="SVC_ONLINE_APPS", deadline="2020"
    )
    counts = (Plan.history.count(), Target.history.count(), BudgetLine.history.count())
    assert plans_load(directory=PLANS_DIR).changed == 0
    assert (Plan.history.count(), Target.history.count(), BudgetLine.history.count()) == counts

    Target.objects.filter(pk=target.pk).update(value=Decimal("5"))  # behind the history's back
    assert plans_load(directory=PLANS_DIR).changed == 1
    record = target.history.order_by("-history_id").first()
    assert (record.history_type, record.history_change_reason) == ("~", REFERENCE_LOAD)
    assert record.value == Decimal("20")


# --- Reading and exporting --------------------------------------------------------------------


def test_history_page_of_each_model_opens(staff):
    demo_users_create()
    objects = [
        Plan.objects.first(),
        Target.objects.first(),
        BudgetLine.objects.first(),
        Unit.objects.get(code="19363", valid_to__isnull=False),
        Agency.objects.first(),
        Membership.objects.first(),
        User.objects.get(username="admin"),
    ]
    for obj in objects:
        meta = obj._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_history", args=[obj.pk])
        response = staff.get(url)
        assert response.status_code == 200, url
        assert b"history-export/?export=1" in response.content


def test_reverting_from_the_history_is_refused(staff):
    unit = Unit.objects.get(code="19363", valid_to__isnull=False)
    admin_change(staff, unit, name="Tên khác")
    first = unit.history.earliest()
    url = reverse("admin:units_unit_simple_history", args=[unit.pk, first.history_id])
    assert staff.get(url).status_code == 200  # an old version can be read
    data = admin_change_data(staff.get(url))
    assert staff.post(url, data).status_code == 403
    unit.refresh_from_db()
    assert unit.name == "Tên khác"


TYPE = "Loại (+ tạo, ~ sửa, - xoá)"


def csv_rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_export_of_one_object_has_its_diff(staff, root):
    unit = Unit.objects.get(code="19363", valid_to__isnull=False)
    old_name = unit.name
    admin_change(staff, unit, name="Thị trấn Hồ Xá mới")
    url = reverse("admin:units_unit_history_export")
    rows = csv_rows(staff.get(url, {"export": "1", "object": unit.pk}))
    assert {row["Mã đối tượng"] for row in rows} == {str(unit.pk)}
    assert rows[0][TYPE] == "+"
    assert rows[0]["Lý do"] == "nạp dữ liệu tham chiếu"
    change = [row for row in rows if row["Trường"] == "name" and row[TYPE] == "~"]
    assert len(change) == 1
    assert change[0]["Người thực hiện"] == root.username
    assert (change[0]["Giá trị cũ"], change[0]["Giá trị mới"]) == (old_name, "Thị trấn Hồ Xá mới")
    assert change[0]["Đối tượng"] == "Thị trấn Hồ Xá mới"


def test_export_of_a_table_over_a_date_range(staff):
    agencies = list(Agency.objects.order_by("pk")[:2])
    for agency in agencies:
        admin_change(staff, agency, name=f"{agency.name} (sửa)")
    today = timezone.localdate()
    url = reverse("admin:units_agency_history_export")
    rows = csv_rows(staff.get(url, {"export": "1", "since": today, "until": today}))
    renamed = [row for row in rows if row["Trường"] == "name" and row[TYPE] == "~"]
    assert {row["Mã đối tượng"] for row in renamed} == {str(a.pk) for a in agencies}
    # A range that ends yesterday: today's changes and the session's load are out of it.
    yesterday = today - datetime.timedelta(days=1)
    rows = csv_rows(staff.get(url, {"export": "1", "since": yesterday, "until": yesterday}))
    assert rows == []


def test_export_action_on_the_selected_objects(staff):
    lines = list(BudgetLine.objects.order_by("pk")[:2])
    admin_change(staff, lines[0], note="Ghi chú")
    response = staff.post(
        reverse("admin:plans_budgetline_changelist"),
        {"action": "history_export_selected", "_selected_action": [line.pk for line in lines]},
    )
    rows = csv_rows(response)
    assert {row["Mã đối tượng"] for row in rows} == {str(line.pk) for line in lines}
    assert ("note", "Ghi chú") in [(row["Trường"], row["Giá trị mới"]) for row in rows]


def test_export_form_refuses_a_reversed_range(staff):
    url = reverse("admin:units_unit_history_export")
    response = staff.get(url, {"export": "1", "since": "2025-02-01", "until": "2025-01-01"})
    assert response.status_code == 200
    assert "Ngày bắt đầu (01/02/2025) sau ngày kết thúc (01/01/2025)." in response.content.decode()


def test_export_cells_never_run_as_formulas():
    unit = Unit.objects.get(code="19363", valid_to__isnull=False)
    unit.name = '=HYPERLINK("http://x")'
    unit.save()
    text = history_csv(history_changes(model=Unit, object_ids=[unit.pk]))
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text


def test_export_reads_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    targets = list(Target.objects.values_list("pk", flat=True))
    for target in Target.objects.filter(pk__in=targets[:5]):
        target.note = "sửa"
        target.save()
    # The records, their users (joined), plan and indicator labels, the current targets.
    with django_assert_max_num_queries(4):
        lines = history_changes(model=Target, object_ids=targets)
    assert len([line for line in lines if line.field == "note" and line.new == "sửa"]) == 5


# --- Who may export ---------------------------------------------------------------------------


def test_anonymous_and_officials_cannot_reach_the_export(client):
    url = reverse("admin:plans_plan_history_export")
    response = client.get(url, {"export": "1"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    demo_users_create()
    client.force_login(User.objects.get(username="vinhlinh.duyet"))  # a reviewer, not staff
    response = client.get(url, {"export": "1"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_need_the_export_permission(client):
    clerk = User.objects.create_user("history.clerk", password="x", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_plan"))
    client.force_login(clerk)
    url = reverse("admin:plans_plan_history_export")
    assert client.get(url, {"export": "1"}).status_code == 403
    plan = Plan.objects.first()
    page = client.get(reverse("admin:plans_plan_history", args=[plan.pk]))
    assert page.status_code == 200 and b"history-export" not in page.content

    clerk.user_permissions.add(Permission.objects.get(codename="export_history"))
    clerk = User.objects.get(pk=clerk.pk)  # permissions are cached on the instance
    client.force_login(clerk)
    response = client.get(url, {"export": "1"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    # The permission does not open tables the user cannot view.
    assert client.get(reverse("admin:auth_user_history_export")).status_code == 403
