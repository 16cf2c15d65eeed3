"""An approved figure is published: it changes only through the review workflow (a reviewer
reopens the report, with a reason) or by an administrator, with history. Everyone else gets
a clear refusal and nothing changes, on every write path: the API's create, update and
delete, the bulk API, the officials' file import, the entry form, the admin's import and
the admin's form (issue 16, item 1; accounts.policy.can_change_approved)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import policy
from accounts.services import demo_users_create
from entry.services import applicable_indicators, entry_save, submission_act
from indicators.analytics import rollup_value
from indicators.models import Figure, Indicator, Submission
from indicators.periods import parse_period
from indicators.reports import submission_get
from units.models import Unit

pytestmark = pytest.mark.django_db

Q4 = parse_period("2020Q4")
ON = datetime.date(2020, 10, 13)
SEVENTY = {
    "unit_code": "464",
    "indicator": "APP_DIGSIG_DOCS",
    "period": "2020Q4",
    "value": "5",
}
LOCKED = str(policy.APPROVED_LOCKED)


@pytest.fixture
def users():
    demo_users_create()
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def vinh_linh() -> Unit:
    return Unit.objects.in_force(ON).get(code="464")


@pytest.fixture
def seventy(vinh_linh) -> Figure:
    """Vĩnh Linh's 70% of documents signed digitally in 2020Q4: a seed, approved, with no
    report around it."""
    figure = Figure.objects.get(
        unit=vinh_linh, agency=None, indicator__code="APP_DIGSIG_DOCS", period="2020Q4"
    )
    assert figure.status == Figure.Status.APPROVED and figure.value == 70
    assert submission_get(vinh_linh, None, Q4) is None
    figure._history_rows = figure.history.count()
    return figure


@pytest.fixture
def warehouse():
    """A staff account that is not an administrator (a data warehouse's): writes any
    figure, but publishes nothing over a published one."""
    user = get_user_model().objects.create_user("warehouse", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="indicators"))
    return user


def unchanged(figure: Figure) -> None:
    """Still as the seed says, approved, and never saved since (no history row, no new
    time of change)."""
    fresh = Figure.objects.get(pk=figure.pk)
    assert (fresh.value, fresh.status, fresh.source, fresh.updated_at) == (
        figure.value,
        Figure.Status.APPROVED,
        figure.source,
        figure.updated_at,
    )
    assert fresh.history.count() == figure._history_rows
    docs = Indicator.objects.get(code="APP_DIGSIG_DOCS")
    assert rollup_value(docs, fresh.unit, Q4, "self").value == 70


# --- the API -------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["vinhlinh.nhaplieu", "warehouse"])
def test_the_api_refuses_to_overwrite_a_published_figure(
    api_client, users, warehouse, seventy, username
):
    api_client.force_authenticate(warehouse if username == "warehouse" else users[username])
    response = api_client.post("/api/v1/observations/", SEVENTY, format="json")
    assert response.status_code == 409, response.content
    assert LOCKED in response.json()["detail"]
    unchanged(seventy)
    response = api_client.patch(
        f"/api/v1/observations/{seventy.pk}/", {"value": "5"}, format="json"
    )
    assert response.status_code == 409
    response = api_client.patch(
        f"/api/v1/observations/{seventy.pk}/", {"status": "draft"}, format="json"
    )
    assert response.status_code == 409
    unchanged(seventy)
    assert not Submission.objects.filter(unit=seventy.unit, period="2020Q4").exists()


def test_the_same_published_figure_sent_again_changes_nothing(api_client, users, seventy):
    api_client.force_authenticate(users["vinhlinh.nhaplieu"])
    same = {"value": "70", "source": seventy.source, "note": seventy.note}
    same["source_on"] = seventy.source_on.isoformat()
    response = api_client.post("/api/v1/observations/", SEVENTY | same, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    unchanged(seventy)


@pytest.mark.parametrize("username", ["vinhlinh.nhaplieu", "warehouse"])
def test_the_api_refuses_to_delete_a_published_figure(
    api_client, users, warehouse, seventy, username
):
    api_client.force_authenticate(warehouse if username == "warehouse" else users[username])
    response = api_client.delete(f"/api/v1/observations/{seventy.pk}/")
    assert response.status_code == 409
    assert LOCKED in response.json()["detail"]
    unchanged(seventy)


def test_an_administrator_changes_and_deletes_a_published_figure_with_history(
    api_client, users, seventy
):
    api_client.force_authenticate(users["admin"])
    response = api_client.post(
        "/api/v1/observations/", SEVENTY | {"value": "75", "status": "approved"}, format="json"
    )
    assert response.status_code == 200
    fresh = Figure.objects.get(pk=seventy.pk)
    assert fresh.value == 75
    assert fresh.history.first().history_user == users["admin"]
    assert api_client.delete(f"/api/v1/observations/{seventy.pk}/").status_code == 204
    assert not Figure.objects.filter(pk=seventy.pk).exists()
    assert Figure.history.filter(id=seventy.pk, history_type="-").count() == 1


# --- files -----------------------------------------------------------------------------------


CSV = (
    "unit_code,unit_on,agency,indicator,period,scope,value,numerator,denominator,source\n"
    "464,2020-10-13,,APP_DIGSIG_DOCS,2020Q4,self,5,,,\n"
)


@pytest.mark.parametrize("username", ["vinhlinh.nhaplieu", "warehouse", "admin"])
def test_the_bulk_api_never_overwrites_a_published_figure(
    api_client, users, warehouse, seventy, username
):
    api_client.force_authenticate(warehouse if username == "warehouse" else users[username])
    response = api_client.post(
        "/api/v1/observations/bulk/", CSV, content_type="text/csv; charset=utf-8"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["row"] == 2
    assert "đã được duyệt" in response.json()["errors"][0]["message"]
    unchanged(seventy)


def test_the_officials_file_import_never_overwrites_a_published_figure(client, users, seventy):
    client.force_login(users["vinhlinh.nhaplieu"])
    response = client.post(
        "/entry/import/", {"file": SimpleUploadedFile("so-lieu.csv", CSV.encode())}
    )
    assert response.status_code == 400
    assert "đã được duyệt" in response.content.decode()
    unchanged(seventy)


ADMIN_CSV = (
    "unit_code,unit_on,agency,indicator,period,scope,value,numerator,denominator,"
    "source,source_on,note\n"
    "464,2020-10-13,,APP_DIGSIG_DOCS,2020Q4,self,5,,,,,\n"
)


def admin_preview(client, content: str):
    upload = SimpleUploadedFile("figures.csv", content.encode())
    return client.post(
        "/admin/indicators/figure/import/",
        {"format": "0", "resource": "0", "import_file": upload},
    )


def test_the_admin_import_refuses_a_published_figure_to_staff(client, warehouse, seventy):
    client.force_login(warehouse)
    page = admin_preview(client, ADMIN_CSV)
    assert page.status_code == 200
    errors = {row.number: row.error_dict for row in page.context["result"].invalid_rows}
    assert LOCKED in str(errors[1]["value"])
    assert page.context.get("confirm_form") is None
    unchanged(seventy)


def test_the_admin_import_lets_an_administrator_change_a_published_figure(client, users, seventy):
    client.force_login(users["admin"])
    page = admin_preview(client, ADMIN_CSV)
    assert not page.context["result"].invalid_rows
    form = page.context["confirm_form"]
    response = client.post("/admin/indicators/figure/process_import/", form.initial)
    assert response.status_code == 302
    assert Figure.objects.get(pk=seventy.pk).value == 5


def test_the_admin_form_shows_a_published_figure_read_only_to_staff(client, warehouse, seventy):
    client.force_login(warehouse)
    url = f"/admin/indicators/figure/{seventy.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="value"' not in page.content.decode()
    assert client.post(url, {"value": "5", "status": "draft"}).status_code == 403
    assert client.post(url, {}).status_code == 403  # not even saved as it is
    unchanged(seventy)
    assert client.get(f"/admin/indicators/figure/{seventy.pk}/delete/").status_code == 403
    response = client.post(
        "/admin/indicators/figure/",
        {"action": "delete_selected", "_selected_action": [seventy.pk], "post": "yes"},
    )
    assert response.status_code == 403
    unchanged(seventy)


def test_the_admin_form_refuses_a_published_figure_whatever_the_fields(warehouse, seventy):
    from indicators.forms import FigureAdminForm

    data = {
        "unit": seventy.unit_id,
        "indicator": seventy.indicator_id,
        "period": "2020Q4",
        "scope": "self",
        "value": "5",
        "status": "approved",
        "source": seventy.source,
        "source_on": seventy.source_on,
        "note": seventy.note,
    }
    form = FigureAdminForm(data, instance=Figure.objects.get(pk=seventy.pk))
    form.user = warehouse
    assert not form.is_valid()
    assert LOCKED in str(form.non_field_errors())
    form = FigureAdminForm(data, instance=Figure.objects.get(pk=seventy.pk))  # nobody said
    assert not form.is_valid()


# --- the entry form and the workflow --------------------------------------------------------


def test_the_entry_form_leaves_published_figures_as_they_are(client, users, vinh_linh, seventy):
    client.force_login(users["vinhlinh.nhaplieu"])
    url = f"/entry/{vinh_linh.pk}/2020Q4/"
    page = client.get(url).content.decode()
    assert 'name="APP_DIGSIG_DOCS-value"' not in page  # shown, not editable
    assert "Đã duyệt và công bố" in page
    others = Figure.objects.filter(unit=vinh_linh, agency=None, period="2020Q4")
    published = {f.pk: (f.value, f.status) for f in others}
    assert len(published) > 1
    # One field filled, every other left empty: nothing published is cleared.
    response = client.post(url, {"version": "0", "HR_IT_STAFF-value": "12", "action": "save"})
    assert response.status_code == 302
    assert {f.pk: (f.value, f.status) for f in others.filter(pk__in=published)} == published
    assert others.get(indicator__code="HR_IT_STAFF").status == Figure.Status.DRAFT
    unchanged(seventy)


def test_the_entry_form_refuses_a_changed_published_figure(client, users, vinh_linh, seventy):
    client.force_login(users["vinhlinh.nhaplieu"])
    url = f"/entry/{vinh_linh.pk}/2020Q4/"
    response = client.post(url, {"version": "0", "APP_DIGSIG_DOCS-value": "5"})
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    unchanged(seventy)


def everything_else(unit, period) -> dict:
    from entry.services import EntryValue

    values = {}
    published = set(
        Figure.objects.filter(
            unit=unit, agency=None, period=period.id, scope="self", status="approved"
        ).values_list("indicator__code", flat=True)
    )
    for indicator in applicable_indicators(unit, None, period):
        if indicator.code in published:
            continue  # shown, not sent
        if indicator.value_type == Indicator.ValueType.BOOLEAN:
            values[indicator.code] = EntryValue(value="1")
        elif indicator.value_type == Indicator.ValueType.RATIO:
            values[indicator.code] = EntryValue(numerator="1", denominator="2")
        else:
            values[indicator.code] = EntryValue(value="2")
    return values


def test_a_published_figure_stays_published_through_submit_and_return_until_reopened(
    users, vinh_linh, seventy
):
    official, reviewer = users["vinhlinh.nhaplieu"], users["admin"]
    values = everything_else(vinh_linh, Q4)
    result = entry_save(
        user=official,
        unit=vinh_linh,
        agency=None,
        period=Q4,
        values=values,
        version=0,
        submit=True,
    )
    assert result.submitted and not result.errors
    report = result.submission
    assert Figure.objects.get(pk=seventy.pk).status == Figure.Status.APPROVED
    assert Figure.objects.get(pk=seventy.pk).value == 70  # the form did not send it
    submission_act(user=reviewer, submission=report, action="return", reason="Thiếu nguồn")
    unchanged(seventy)
    submission_act(user=official, submission=report, action="submit")
    submission_act(user=reviewer, submission=report, action="approve")
    figures = Figure.objects.filter(unit=vinh_linh, agency=None, period="2020Q4", scope="self")
    assert set(figures.values_list("status", flat=True)) == {Figure.Status.APPROVED}
    # Reopening an approved report, with its reason, is the way back for all of it.
    submission_act(user=reviewer, submission=report, action="reopen", reason="Sai số liệu")
    assert Figure.objects.get(pk=seventy.pk).status == Figure.Status.RETURNED
    assert Decimal(Figure.objects.get(pk=seventy.pk).value) == 70


def test_an_old_version_of_a_published_figure_is_not_restored_by_staff(
    client, users, warehouse, seventy
):
    # An administrator changed it once (75, kept published); the old 70 is in its history.
    client.force_login(users["admin"])
    figure = Figure.objects.get(pk=seventy.pk)
    figure.value = 75
    figure._history_user = users["admin"]
    figure.save()
    old = figure.history.order_by("history_date").first()
    assert old.value == 70
    client.force_login(warehouse)
    url = f"/admin/indicators/figure/{seventy.pk}/history/{old.history_id}/"
    assert client.post(url, {}).status_code == 403
    assert Figure.objects.get(pk=seventy.pk).value == 75


def test_the_entry_form_leaves_published_figures_to_an_administrator_too(
    client, users, vinh_linh, seventy
):
    # An administrator changes a published figure one at a time (the admin, the API); the
    # quarterly form neither unpublishes the figures it shows nor clears those it does not.
    client.force_login(users["admin"])
    published = Figure.objects.filter(unit=vinh_linh, period="2020Q4", status="approved")
    before = {f.pk: (f.value, f.status) for f in published}
    url = f"/entry/{vinh_linh.pk}/2020Q4/"
    response = client.post(url, {"version": "0", "HR_IT_STAFF-value": "3"})
    assert response.status_code == 302
    assert {f.pk: (f.value, f.status) for f in published.filter(pk__in=before)} == before
    unchanged(seventy)


def test_a_stale_form_names_only_what_changed_not_the_published_figures(
    client, users, vinh_linh, seventy
):
    client.force_login(users["vinhlinh.nhaplieu"])
    url = f"/entry/{vinh_linh.pk}/2020Q4/"
    page = client.get(url)
    fingerprints = {
        f"{row.indicator.code}-opened": row.opened
        for group in page.context["groups"]
        for row in group.rows
        if row.published
    }
    assert fingerprints["APP_DIGSIG_DOCS-opened"] == "70||"
    client.post(url, {"version": "0", "HR_IT_STAFF-value": "3"})  # someone else saves
    response = client.post(url, {"version": "0", "HR_IT_STAFF-value": "4", **fingerprints})
    assert response.status_code == 409
    changed = [item["indicator"].code for item in response.context["changed"]]
    assert changed == ["HR_IT_STAFF"]


def test_an_official_deletes_a_draft_of_their_own_and_the_open_form_is_told(
    api_client, users, vinh_linh
):
    api_client.force_authenticate(users["vinhlinh.nhaplieu"])
    created = api_client.post(
        "/api/v1/observations/",
        {"unit_code": "464", "indicator": "HR_IT_STAFF", "period": "2020Q4", "value": "3"},
        format="json",
    )
    assert created.status_code == 201
    report = Submission.objects.get(unit=vinh_linh, agency=None, period="2020Q4")
    response = api_client.delete(f"/api/v1/observations/{created.json()['id']}/")
    assert response.status_code == 204
    report.refresh_from_db()
    assert report.version == 2  # moved by the save, then by the deletion


def test_a_form_opened_before_a_staff_write_neither_overwrites_nor_clears_it(
    client, api_client, users, warehouse, vinh_linh, seventy
):
    # Staff and administrators write without moving the report's version: the form compares
    # what it showed with what is stored, row by row.
    client.force_login(users["vinhlinh.nhaplieu"])
    url = f"/entry/{vinh_linh.pk}/2020Q4/"
    page = client.get(url)
    shown = {
        f"{row.indicator.code}-opened": (row.form.shown("opened") if row.form else row.opened)
        for group in page.context["groups"]
        for row in group.rows
    }
    api_client.force_authenticate(users["admin"])
    fixed = api_client.patch(
        f"/api/v1/observations/{seventy.pk}/",
        {"value": "71", "status": "approved"},
        format="json",
    )
    assert fixed.status_code == 200
    created = api_client.post(
        "/api/v1/observations/",
        {"unit_code": "464", "indicator": "HR_IT_STAFF", "period": "2020Q4", "value": "4"},
        format="json",
    )
    assert created.status_code == 201
    # The old form, sent with one value and every row's fingerprint as the page has them.
    response = client.post(url, {"version": "0", "SEC_INCIDENTS-value": "1", **shown})
    assert response.status_code == 409
    changed = {item["indicator"].code for item in response.context["changed"]}
    assert changed == {"APP_DIGSIG_DOCS", "HR_IT_STAFF"}
    assert Figure.objects.get(pk=seventy.pk).value == 71
    assert Figure.objects.get(pk=created.json()["id"]).value == 4
    # A row the form did not send at all is left as it is, not cleared.
    response = client.post(url, {"version": "0", "SEC_INCIDENTS-value": "1"})
    assert response.status_code == 302
    assert Figure.objects.filter(pk=created.json()["id"]).exists()
