"""Word when something happens (issue 19, item 6): a report returned (with its reason),
approved, or due soon reaches its officials in the portal and by mail, once, unless they
turned mails off; the pages show each person their own.

The subject is Thị trấn Hồ Xá as it was in 2024 (19363): hoxa.nhaplieu reports it,
vinhlinh.duyet reviews it; xavinhlinh.nhaplieu (today's xã Vĩnh Linh) and vinhlinh.nhaplieu
(the district) are officials of other units.
"""

import datetime
import smtplib

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import Membership
from accounts.services import demo_users_create
from entry.reminders import deadline_reminders_send, reports_due_soon
from entry.services import WorkflowError, entry_save, submission_act
from indicators.models import Submission
from indicators.periods import parse_period
from notifications import services
from notifications.context_processors import unread_notifications
from notifications.models import Notification, NotificationSetting
from notifications.services import notification_setting_save
from tests.test_entry_workflow import complete_values
from units.models import Unit

pytestmark = pytest.mark.django_db

OLD = datetime.date(2024, 1, 1)
Kind = Notification.Kind
REASON = "Thiếu số liệu chữ ký số quý 1"


@pytest.fixture
def users() -> dict:
    demo_users_create()
    users = {u.username: u for u in get_user_model().objects.all()}
    users["hoxa.nhaplieu"].email = "hoxa@example.vn"
    users["hoxa.nhaplieu"].save()
    return users


@pytest.fixture
def hoxa() -> Unit:
    return Unit.objects.in_force(OLD).get(code="19363")


def report(unit: Unit, period: str = "2025Q1", status: str = "submitted") -> Submission:
    p = parse_period(period)
    return Submission.objects.create(
        unit=unit, period=p.id, period_start=p.start, period_end=p.end, status=status
    )


def second_reporter(unit: Unit, email: str = ""):
    user = get_user_model().objects.create_user("hoxa.nhaplieu2", email=email, password="x")
    Membership.objects.create(user=user, unit=unit, is_data_entry=True)
    return user


def act(capture, user, submission, action, reason=""):
    """A review step, its on-commit callbacks run as after a real commit."""
    with capture(execute=True):
        submission_act(user=user, submission=submission, action=action, reason=reason)


def notified(kind: str | None = None) -> set[tuple[str, str]]:
    rows = Notification.objects.all() if kind is None else Notification.objects.filter(kind=kind)
    return set(rows.values_list("recipient__username", "kind"))


# --- review steps ---------------------------------------------------------------------------


def test_a_returned_report_tells_its_reporters_the_reason_and_no_one_else(
    users, hoxa, django_capture_on_commit_callbacks, mailoutbox
):
    second_reporter(hoxa)
    submission = report(hoxa)
    act(django_capture_on_commit_callbacks, users["vinhlinh.duyet"], submission, "return", REASON)
    assert notified() == {("hoxa.nhaplieu", "returned"), ("hoxa.nhaplieu2", "returned")}
    notification = Notification.objects.get(recipient=users["hoxa.nhaplieu"])
    assert notification.reason == REASON
    assert notification.submission == submission
    assert "Báo cáo quý 1/2025 của Thị trấn Hồ Xá bị trả lại" in notification.text()
    # The one with an address gets the mail, with the reason and the report's link.
    assert [m.to for m in mailoutbox] == [["hoxa@example.vn"]]
    assert REASON in mailoutbox[0].body
    assert f"/entry/reports/{submission.pk}/" in mailoutbox[0].body
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_an_approved_report_tells_its_reporters(
    users, hoxa, django_capture_on_commit_callbacks, mailoutbox
):
    submission = report(hoxa)
    act(django_capture_on_commit_callbacks, users["vinhlinh.duyet"], submission, "approve")
    assert notified() == {("hoxa.nhaplieu", "approved")}
    assert len(mailoutbox) == 1
    assert "Hồ Xá" in mailoutbox[0].subject


def test_reports_approved_in_bulk_from_the_inbox_tell_their_reporters(
    users, hoxa, django_capture_on_commit_callbacks, mailoutbox
):
    from entry.services import submissions_act

    first, second = report(hoxa, "2025Q1"), report(hoxa, "2024Q4")
    with django_capture_on_commit_callbacks(execute=True):
        submissions_act(
            user=users["vinhlinh.duyet"],
            versions={first.pk: None, second.pk: None},
            action="approve",
        )
    rows = Notification.objects.filter(recipient=users["hoxa.nhaplieu"], kind="approved")
    assert set(rows.values_list("submission_id", flat=True)) == {first.pk, second.pk}
    assert len(mailoutbox) == 2


def test_a_reopened_report_is_word_of_a_return_with_its_reason(
    users, hoxa, django_capture_on_commit_callbacks
):
    submission = report(hoxa, status="approved")
    act(django_capture_on_commit_callbacks, users["vinhlinh.duyet"], submission, "reopen", REASON)
    assert Notification.objects.get().reason == REASON


def test_a_submission_tells_no_reporter(users, hoxa, django_capture_on_commit_callbacks):
    # Its official's own step: they know; the reviewers have their inbox.
    with django_capture_on_commit_callbacks(execute=True):
        result = entry_save(
            user=users["hoxa.nhaplieu"],
            unit=hoxa,
            agency=None,
            period=parse_period("2025Q1"),
            values=complete_values(hoxa, None, parse_period("2025Q1")),
            version=0,
            submit=True,
        )
    assert result.submitted
    assert not Notification.objects.exists()


def test_a_refused_step_tells_nobody(users, hoxa, django_capture_on_commit_callbacks):
    submission = report(hoxa, status="draft")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(WorkflowError):
        submission_act(user=users["vinhlinh.duyet"], submission=submission, action="approve")
    assert not Notification.objects.exists()


def test_no_mail_for_one_who_turned_mails_off(
    users, hoxa, django_capture_on_commit_callbacks, mailoutbox
):
    notification_setting_save(user=users["hoxa.nhaplieu"], email_enabled=False)
    act(django_capture_on_commit_callbacks, users["vinhlinh.duyet"], report(hoxa), "approve")
    assert notified() == {("hoxa.nhaplieu", "approved")}  # still told in the portal
    assert mailoutbox == []
    assert Notification.objects.get().emailed_at is None


def test_no_mail_without_an_address(users, hoxa, django_capture_on_commit_callbacks, mailoutbox):
    users["hoxa.nhaplieu"].email = ""
    users["hoxa.nhaplieu"].save()
    act(django_capture_on_commit_callbacks, users["vinhlinh.duyet"], report(hoxa), "approve")
    assert notified() == {("hoxa.nhaplieu", "approved")}
    assert mailoutbox == []


def test_a_failed_send_leaves_the_approval_and_the_notification(
    users, hoxa, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(services, "send_mail", refuse)
    submission = report(hoxa)
    act(django_capture_on_commit_callbacks, users["vinhlinh.duyet"], submission, "approve")
    submission.refresh_from_db()
    assert submission.status == "approved"
    notification = Notification.objects.get()
    assert notification.emailed_at is None  # not mailed: the claim was undone
    assert "SMTPServerDisconnected" in caplog.text
    assert "hoxa@example.vn" not in caplog.text


def test_a_step_costs_the_same_queries_for_one_reporter_or_many(
    users, hoxa, django_assert_num_queries
):
    submission = report(hoxa)
    # Reporters, one INSERT; the mail: a savepoint, the claim (SELECT), its UPDATE, release.
    with django_assert_num_queries(6):
        services.notifications_for_step(submission=submission, kind=Kind.APPROVED)
    for n in range(3):
        second = get_user_model().objects.create_user(f"more{n}", email=f"m{n}@example.vn")
        Membership.objects.create(user=second, unit=hoxa, is_data_entry=True)
    with django_assert_num_queries(6):
        created = services.notifications_for_step(submission=submission, kind=Kind.APPROVED)
    assert len(created) == 4


# --- the deadline reminder ------------------------------------------------------------------

# 2025Q1 is due on 15/04/2025 (15 days after its end): five days before.
BEFORE_Q1_DUE = datetime.date(2025, 4, 10)


def test_the_reminder_tells_each_reporter_once(users, hoxa, mailoutbox):
    assert deadline_reminders_send(today=BEFORE_Q1_DUE, days=5) == 2
    # The commune's and the district's officials (both in force then); not today's xã.
    assert notified(Kind.DUE_SOON) == {
        ("hoxa.nhaplieu", "due_soon"),
        ("vinhlinh.nhaplieu", "due_soon"),
    }
    reminder = Notification.objects.get(recipient=users["hoxa.nhaplieu"])
    assert (reminder.period, reminder.due_on) == ("2025Q1", datetime.date(2025, 4, 15))
    assert reminder.target_url() == reverse(
        "entry:entry-form", kwargs={"unit_id": hoxa.pk, "period": "2025Q1"}
    )
    assert [m.to for m in mailoutbox] == [["hoxa@example.vn"]]
    # Run again (the next day, or on a second worker): nothing new, no second mail.
    assert deadline_reminders_send(today=BEFORE_Q1_DUE, days=5) == 0
    assert deadline_reminders_send(today=BEFORE_Q1_DUE + datetime.timedelta(days=1), days=5) == 0
    assert Notification.objects.count() == 2
    assert len(mailoutbox) == 1


def test_the_database_refuses_a_second_reminder(users, hoxa):
    deadline_reminders_send(today=BEFORE_Q1_DUE, days=5)
    again = Notification(
        recipient=users["hoxa.nhaplieu"], kind=Kind.DUE_SOON, unit=hoxa, period="2025Q1"
    )
    Notification.objects.bulk_create([again], ignore_conflicts=True)
    assert Notification.objects.filter(recipient=users["hoxa.nhaplieu"]).count() == 1


def test_no_reminder_before_the_window_or_for_a_report_sent_or_approved(users, hoxa):
    assert deadline_reminders_send(today=datetime.date(2025, 4, 1), days=5) == 0
    report(hoxa, status="submitted")
    vinh_linh = Unit.objects.in_force(OLD).get(code="464")
    report(vinh_linh, status="approved")
    assert reports_due_soon(today=BEFORE_Q1_DUE, days=5) == []


def test_a_returned_report_is_still_reminded(users, hoxa):
    report(hoxa, status="returned")
    deadline_reminders_send(today=BEFORE_Q1_DUE, days=5)
    assert ("hoxa.nhaplieu", "due_soon") in notified(Kind.DUE_SOON)


def test_no_reminder_for_units_dissolved_or_not_yet_formed(users):
    # 2025Q2 is due on 15/07/2025: Hồ Xá and huyện Vĩnh Linh ended on 30/06/2025, and xã
    # Vĩnh Linh, formed on 01/07/2025, owes no 2025Q2.
    assert reports_due_soon(today=datetime.date(2025, 7, 12), days=5) == []
    # Its first quarter, 2025Q3, is due on 15/10/2025.
    deadline_reminders_send(today=datetime.date(2025, 10, 12), days=5)
    assert notified(Kind.DUE_SOON) == {("xavinhlinh.nhaplieu", "due_soon")}


def test_the_command_runs_the_reminder(users, capsys):
    call_command("send_deadline_reminders", "--today", "2025-04-10", "--days", "5")
    call_command("send_deadline_reminders", "--today", "2025-04-10", "--days", "5")
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "2 new reminder(s) on 2025-04-10.",
        "0 new reminder(s) on 2025-04-10.",
    ]


def test_the_reminder_runs_daily(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["deadline-reminders"]
    assert schedule["task"] == "entry.tasks.deadline_reminders"
    from entry import tasks

    assert tasks.deadline_reminders.name == schedule["task"]


# --- pages ----------------------------------------------------------------------------------


@pytest.fixture
def returned(users, hoxa, django_capture_on_commit_callbacks) -> Submission:
    submission = report(hoxa)
    act(django_capture_on_commit_callbacks, users["vinhlinh.duyet"], submission, "return", REASON)
    return submission


def test_the_header_counts_unread_in_one_query(users, returned, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = users["hoxa.nhaplieu"]
    context = unread_notifications(request)
    with django_assert_num_queries(1):
        assert str(context["unread_notifications"]) == "1"
    request.user = users["xavinhlinh.nhaplieu"]
    assert not unread_notifications(request)["unread_notifications"]


def test_no_count_for_anonymous_visitors(client, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread_notifications(request) == {}
    assert b'id="nav-notifications"' not in client.get("/").content


def test_the_list_shows_ones_own_and_the_link_reads_it(client, users, returned):
    client.force_login(users["hoxa.nhaplieu"])
    page = client.get(reverse("notifications:notification-list")).content.decode()
    assert REASON in page and "data-unread-count>1<" in page
    notification = Notification.objects.get(recipient=users["hoxa.nhaplieu"])
    response = client.get(reverse("notifications:notification-open", args=[notification.pk]))
    assert response["Location"] == reverse("entry:submission-detail", args=[returned.pk])
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert (
        "data-unread-count"
        not in client.get(reverse("notifications:notification-list")).content.decode()
    )


def test_another_units_official_sees_none_of_it(client, users, returned):
    client.force_login(users["xavinhlinh.nhaplieu"])
    page = client.get(reverse("notifications:notification-list")).content.decode()
    assert REASON not in page
    notification = Notification.objects.get(recipient=users["hoxa.nhaplieu"])
    url = reverse("notifications:notification-open", args=[notification.pk])
    assert client.get(url).status_code == 404
    client.post(reverse("notifications:notification-list"))  # marks only their own
    notification.refresh_from_db()
    assert notification.read_at is None


def test_anonymous_visitors_are_sent_to_log_in(client):
    for name in ("notification-list", "notification-settings"):
        response = client.get(reverse(f"notifications:{name}"))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_mark_all_read(client, users, returned):
    client.force_login(users["hoxa.nhaplieu"])
    response = client.post(reverse("notifications:notification-list"))
    assert response.status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_list_pages_newest_first(client, users, hoxa):
    submission = report(hoxa)
    for _n in range(25):
        services.notifications_for_step(submission=submission, kind=Kind.APPROVED)
    newest = Notification.objects.order_by("-created_at", "-id").first()
    client.force_login(users["hoxa.nhaplieu"])
    page = client.get(reverse("notifications:notification-list")).context["page"]
    assert len(page.object_list) == 20 and page.object_list[0] == newest
    second = client.get(reverse("notifications:notification-list") + "?page=2")
    assert len(second.context["page"].object_list) == 5


def test_one_turns_mails_off_and_on(client, users):
    client.force_login(users["hoxa.nhaplieu"])
    url = reverse("notifications:notification-settings")
    assert "hoxa@example.vn" in client.get(url).content.decode()
    assert client.post(url, {}).status_code == 302
    assert NotificationSetting.objects.get(user=users["hoxa.nhaplieu"]).email_enabled is False
    assert " checked" not in client.get(url).content.decode()
    client.post(url, {"email_enabled": "on"})
    assert NotificationSetting.objects.get(user=users["hoxa.nhaplieu"]).email_enabled is True


def test_finding_the_reports_due_costs_three_queries(users, django_assert_num_queries):
    # The due dates; the reporters' units and agencies; those already sent.
    with django_assert_num_queries(3):
        assert len(reports_due_soon(today=BEFORE_Q1_DUE, days=5)) == 2


def test_the_admin_lists_notifications_read_only(client, users, returned):
    client.force_login(users["admin"])
    page = client.get(reverse("admin:notifications_notification_changelist"))
    assert page.status_code == 200
    assert "hoxa.nhaplieu" in page.content.decode()
    assert client.get(reverse("admin:notifications_notification_add")).status_code == 403
    settings_page = client.get(reverse("admin:notifications_notificationsetting_changelist"))
    assert settings_page.status_code == 200


def test_a_bulk_review_refused_for_one_report_tells_nobody_of_the_others(
    users, hoxa, django_capture_on_commit_callbacks, mailoutbox
):
    from entry.services import BulkRefused, submissions_act

    ready, draft = report(hoxa, "2024Q4"), report(hoxa, "2025Q1", status="draft")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(BulkRefused):
        submissions_act(
            user=users["vinhlinh.duyet"],
            versions={ready.pk: None, draft.pk: None},
            action="approve",
        )
    ready.refresh_from_db()
    assert ready.status == "submitted"
    assert not Notification.objects.exists() and not mailoutbox
