"""A reviewer flags a value and follows it up, in a real browser at 390 and 1366 px (issue
20): on the demo's reports, Vĩnh Linh's reviewer opens Thị trấn Hồ Xá's 2025Q1 report, sees
the broken rule, the outliers and the evidence missing, opens the outlying FIN_IT_RECURRENT,
marks it for follow-up with a reason, finds it on the follow-up list; Hồ Xá's official
resolves it with a comment, and the list empties. Nothing wider than the screen, no
JavaScript or console error."""

import io

import pytest
from django.core.management import call_command

from accounts.services import demo_users_create
from entry.demo_reports import DEMO_PERIOD, demo_reports_create
from indicators.models import Submission
from quality.models import Comment, FollowUp
from tests.browser import TIMEOUT_MS, launch, log_in, require_browser, sync_playwright
from tests.test_browser_entry import log_out
from tests.test_browser_review import NO_OVERFLOW, on_console
from units.models import Unit

require_browser()
pytestmark = pytest.mark.usefixtures("reference_data")


@pytest.fixture
def reference_units(reference_data):
    if not Unit.objects.filter(code="19363").exists():
        call_command("load_reference_data", stdout=io.StringIO())


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.django_db(transaction=True)
def test_a_reviewer_flags_a_value_and_its_official_resolves_it(
    live_server, settings, reference_units, width
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_users_create()
    demo_reports_create()
    report = Submission.objects.get(unit__code="19363", period=DEMO_PERIOD)
    district = report.unit.parent_id
    base = live_server.url

    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda message: on_console(message, errors))

            log_in(page, base, "vinhlinh.duyet")
            page.goto(f"{base}/entry/reports/{report.pk}/")
            assert page.locator('[data-rule="invest-and-recurrent-within-budget"]').is_visible()
            assert page.locator("[data-outlier-count]").is_visible()
            assert page.locator("[data-evidence-missing-count]").is_visible()
            row = page.locator('tr[data-indicator="FIN_IT_RECURRENT"]')
            row.scroll_into_view_if_needed()
            assert row.locator('[data-flag="outlier"]').first.is_visible()
            assert page.evaluate(NO_OVERFLOW), "the report page is wider than the screen"

            # The value's page: marked for follow-up, with a reason.
            with page.expect_navigation():
                row.locator('[data-figure-link="FIN_IT_RECURRENT"]').click()
            assert page.evaluate(NO_OVERFLOW), "the figure's page is wider than the screen"
            page.get_by_label("Vì sao cần theo dõi (bắt buộc)").fill(
                "Kinh phí sự nghiệp tăng từ 50 lên 90 triệu: đề nghị gửi dự toán."
            )
            with page.expect_navigation():
                page.get_by_role("button", name="Đánh dấu cần theo dõi").click()
            assert page.get_by_role("alert").filter(has_text="cần theo dõi").is_visible()
            assert page.locator('[data-follow-up="open"]').is_visible()

            # The follow-up list of the district's quarter holds it (and the demo's own).
            page.goto(f"{base}/quality/follow-ups/?unit={district}&period={DEMO_PERIOD}")
            assert page.locator('tr[data-indicator="FIN_IT_RECURRENT"]').is_visible()
            assert page.locator('tr[data-indicator="HR_IT_STAFF"]').is_visible()
            assert page.evaluate(NO_OVERFLOW), "the follow-up list is wider than the screen"
            log_out(page)

            # The official explains and resolves it from the same list.
            log_in(page, base, "hoxa.nhaplieu")
            page.goto(f"{base}/quality/follow-ups/?unit={report.unit_id}&period={DEMO_PERIOD}")
            with page.expect_navigation():
                page.locator('tr[data-indicator="FIN_IT_RECURRENT"] a').click()
            page.get_by_label("Đã xử lý thế nào (bắt buộc)").fill(
                "Đúng: có khoản kinh phí năm trước chuyển sang; đã gửi dự toán."
            )
            with page.expect_navigation():
                page.get_by_role("button", name="Đóng việc theo dõi").click()
            assert page.locator('[data-follow-up="none"]').is_visible()
            assert page.locator('[data-comments] [data-kind="resolved"]').is_visible()
            page.goto(f"{base}/quality/follow-ups/?unit={report.unit_id}&period={DEMO_PERIOD}")
            assert page.locator('tr[data-indicator="FIN_IT_RECURRENT"]').count() == 0
            assert page.locator('tr[data-indicator="HR_IT_STAFF"]').is_visible()
        finally:
            browser.close()

    assert errors == []
    follow_up = FollowUp.objects.get(indicator__code="FIN_IT_RECURRENT")
    assert follow_up.resolved_at is not None
    assert list(Comment.objects.filter(follow_up=follow_up).values_list("kind", flat=True)) == [
        "follow_up",
        "resolved",
    ]
