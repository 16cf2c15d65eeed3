"""The reviewer's desk in a real browser, on a phone (390 px) and a desktop (1366 px): Vĩnh
Linh's reviewer opens the inbox under the review tab, opens Thị trấn Hồ Xá's quarter and sees
last quarter's value, the change and the large one flagged, goes back, ticks every waiting
report and approves them at once. Nothing wider than the screen (tables scroll inside their
.table-responsive), no JavaScript or console error.

Playwright's sync API drives Debian's Chromium (see tests/browser.py); without it the module
is skipped, except in CI.
"""

import io
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.demo import OLD
from accounts.services import demo_users_create
from entry.services import EntryValue, applicable_indicators, entry_save, submission_act
from indicators.models import Indicator, Submission
from indicators.periods import parse_period
from tests.browser import TIMEOUT_MS, Page, launch, log_in, require_browser, sync_playwright
from units.models import Unit

require_browser()
pytestmark = pytest.mark.usefixtures("reference_data")

Q4 = parse_period("2024Q4")
Q1 = parse_period("2025Q1")
NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def reference_units(reference_data):
    """The reference data again for the second width: a live-server test empties every table
    when it ends (tests/conftest.py, reference_data)."""
    if not Unit.objects.filter(code="19363").exists():
        call_command("load_reference_data", stdout=io.StringIO())


def report(user, unit: Unit, period, **given: str) -> Submission:
    """The unit's quarter filled in (ratios 1/2, yes, 10, 1.000.000; `given` where named) and
    submitted, through the services."""
    values = {}
    for indicator in applicable_indicators(unit, None, period):
        text = given.get(indicator.code)
        if indicator.value_type == Indicator.ValueType.RATIO:
            values[indicator.code] = EntryValue(numerator="1", denominator="2")
        elif indicator.value_type == Indicator.ValueType.BOOLEAN:
            values[indicator.code] = EntryValue(value="1")
        elif indicator.value_type == Indicator.ValueType.AMOUNT:
            values[indicator.code] = EntryValue(value=text or "1000000")
        else:
            values[indicator.code] = EntryValue(value=text or "10")
    result = entry_save(
        user=user, unit=unit, agency=None, period=period, values=values, version=0, submit=True
    )
    assert result.submitted
    return result.submission


def on_console(message, errors: list[str]) -> None:
    """The console's errors, but for Chromium's own request for /favicon.ico."""
    where = message.location.get("url", "")
    if message.type == "error" and urlsplit(where).path != "/favicon.ico":
        errors.append(f"{message.text} ({where})")


def review_tab(page: Page):
    """The menu's review link, shown (on a phone, the menu opened first)."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.locator("#main-nav.show").wait_for()
    link = page.locator('#main-nav a.nav-link[href="/entry/review/"]')
    link.wait_for(state="visible")
    return link


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.django_db(transaction=True)
def test_a_reviewer_compares_with_last_quarter_and_approves_in_bulk(
    live_server, settings, reference_units, width
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_users_create()
    users = {u.username: u for u in get_user_model().objects.all()}
    hoxa = Unit.objects.in_force(OLD).get(code="19363")
    neighbour = (
        Unit.objects.in_force(OLD).filter(parent=hoxa.parent).exclude(pk=hoxa.pk).order_by("code")
    ).first()
    last = report(users["hoxa.nhaplieu"], hoxa, Q4, SEC_INCIDENTS="4")
    submission_act(user=users["vinhlinh.duyet"], submission=last, action="approve")
    mine = report(users["hoxa.nhaplieu"], hoxa, Q1, SEC_INCIDENTS="40")
    other = report(users["admin"], neighbour, Q1)
    base = live_server.url

    # No ORM inside this block: Playwright's event loop runs in this thread.
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
            page.goto(f"{base}/entry/review/")
            tab = review_tab(page)
            assert "active" in tab.get_attribute("class")
            assert tab.get_attribute("aria-current") == "page"
            assert page.evaluate(NO_OVERFLOW), "the inbox is wider than the screen"

            # Hồ Xá's quarter: last quarter's 4 incidents beside this one's 40, flagged.
            with page.expect_navigation():
                page.locator(f'a[href="/entry/reports/{mine.pk}/"]').click()
            tab = review_tab(page)
            assert "active" in tab.get_attribute("class")
            row = page.locator('tr[data-indicator="SEC_INCIDENTS"]')
            row.scroll_into_view_if_needed()
            assert row.locator('[data-column="current"]').inner_text().strip() == "40"
            assert row.locator('[data-column="previous"]').inner_text().strip() == "4"
            change = row.locator('[data-column="change"]')
            assert "+36" in change.inner_text() and "(+900%)" in change.inner_text()
            assert change.get_by_text("Thay đổi lớn").is_visible()
            ratio = page.locator('tr[data-indicator="HR_PROFICIENT"] [data-column="previous"]')
            assert ratio.inner_text().startswith("50%")
            assert page.locator("[data-large-count]").is_visible()
            assert page.evaluate(NO_OVERFLOW), "the report page is wider than the screen"

            # Back to the inbox: every waiting report ticked, approved at once.
            page.go_back()
            page.locator("input[data-select-all]").check()
            for pk, version in ((mine.pk, mine.version), (other.pk, other.version)):
                box = page.locator(f'input[name="reports"][value="{pk}:{version}"][form]')
                assert box.is_checked()
            with page.expect_navigation():
                page.get_by_role("button", name="Duyệt các báo cáo đã chọn").click()
            assert page.get_by_role("alert").filter(has_text="Đã duyệt 2 báo cáo.").is_visible()
            assert page.get_by_text("Không có báo cáo nào đang chờ duyệt.").is_visible()
            assert page.evaluate(NO_OVERFLOW)
        finally:
            browser.close()

    assert errors == []
    for submission in (mine, other):
        submission.refresh_from_db()
        assert submission.status == Submission.Status.APPROVED
