"""Word when something happens, in a real browser (issue 19, item 6), on a phone (390 px) and
a desktop (1366 px): vinhlinh.duyet returns Thị trấn Hồ Xá's 2025Q1 report with a reason;
hoxa.nhaplieu logs in, sees the count in the header (which does not overflow), opens the
list, reads the reason, follows it to the report (the count drops) and turns mails off; the
reviewer's longer header fits with its bell too.

Playwright drives Debian's Chromium (tests/browser.py); skipped without it, except in CI.
"""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.services import demo_users_create
from entry.services import submission_act
from indicators.models import Submission
from indicators.periods import parse_period
from notifications.models import Notification, NotificationSetting
from tests.browser import TIMEOUT_MS, launch, log_in, require_browser, sync_playwright
from units.models import Unit

require_browser()
pytestmark = pytest.mark.usefixtures("reference_data")

REASON = "Thiếu tỷ lệ văn bản ký số của quý 1"
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def units_again(django_db_blocker):
    """The reference data once more for the second width: the first width's live server
    test emptied every table when it ended (see tests/conftest.py, reference_data)."""
    with django_db_blocker.unblock():
        if not Unit.objects.filter(code="19363").exists():
            call_command("load_reference_data", stdout=io.StringIO())


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.django_db(transaction=True)
def test_a_returned_report_reaches_its_official(live_server, settings, units_again, width):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_users_create()
    users = {u.username: u for u in get_user_model().objects.all()}
    hoxa = Unit.objects.in_force(datetime.date(2024, 1, 1)).get(code="19363")
    q1 = parse_period("2025Q1")
    submission = Submission.objects.create(
        unit=hoxa, period=q1.id, period_start=q1.start, period_end=q1.end, status="submitted"
    )
    # Through the service, committed: its notification is written on commit.
    submission_act(
        user=users["vinhlinh.duyet"], submission=submission, action="return", reason=REASON
    )
    assert Notification.objects.filter(recipient=users["hoxa.nhaplieu"]).count() == 1
    base = live_server.url
    errors: list[str] = []

    # No ORM inside this block: Playwright's event loop runs in this thread.
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            log_in(page, base, "hoxa.nhaplieu")

            # The count, in the header, visible without opening the menu; nothing overflows.
            bell = page.locator("#nav-notifications")
            assert bell.is_visible()
            assert bell.locator("[data-unread-count]").inner_text() == "1"
            box = bell.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
            assert page.evaluate(FITS)

            # The list: the news and its reason.
            with page.expect_navigation():
                bell.click()
            assert page.url == f"{base}/notifications/"
            item = page.locator('#notifications li[data-notification="returned"]')
            assert item.count() == 1
            assert "Thị trấn Hồ Xá" in item.inner_text()
            assert REASON in item.locator("[data-reason]").inner_text()
            assert page.evaluate(FITS)

            # Followed: the report's page, and the count is gone.
            with page.expect_navigation():
                item.locator("a").click()
            assert page.url == f"{base}/entry/reports/{submission.pk}/"
            assert REASON in page.content()
            assert page.locator("#nav-notifications [data-unread-count]").count() == 0

            # Mails off.
            page.goto(f"{base}/notifications/")
            with page.expect_navigation():
                page.get_by_role("link", name="Cài đặt thông báo").click()
            box_input = page.get_by_label("Gửi thông báo cho tôi qua thư điện tử")
            assert box_input.is_checked()
            box_input.uncheck()
            with page.expect_navigation():
                page.get_by_role("button", name="Lưu").click()
            assert page.locator(".alert-success").count() == 1
            assert not page.get_by_label("Gửi thông báo cho tôi qua thư điện tử").is_checked()
            assert page.evaluate(FITS)
            context.close()

            # A reviewer's header, the longest menu, fits with its bell too.
            context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
            page = context.new_page()
            log_in(page, base, "vinhlinh.duyet")
            assert page.locator("#nav-notifications").is_visible()
            assert page.evaluate(FITS)
            context.close()
        finally:
            browser.close()

    assert errors == []
    assert NotificationSetting.objects.get(user=users["hoxa.nhaplieu"]).email_enabled is False
    assert Notification.objects.get(recipient=users["hoxa.nhaplieu"]).read_at is not None
