"""A commune's quarterly report in a real browser: the official logs in, fills the form and
submits it; the district's reviewer approves it; the approved figures count in the roll-up.

Playwright's sync API drives Debian's Chromium (/usr/bin/chromium: Playwright cannot download
its own browser here) against pytest-django's live_server. Without Playwright or Chromium the
module is skipped, except in CI (CI=true), where that is an error: CI must not skip it
silently (.ci/run installs Chromium).
"""

import pytest

from accounts.demo import OLD
from accounts.services import demo_users_create
from entry.services import applicable_indicators
from indicators.analytics import rollup_value
from indicators.models import Figure, Indicator, Submission
from indicators.periods import parse_period
from tests.browser import TIMEOUT_MS, Page, launch, log_in, require_browser, sync_playwright
from units.models import Unit

require_browser()
pytestmark = pytest.mark.usefixtures("reference_data")

PERIOD = parse_period("2025Q1")


def log_out(page: Page) -> None:
    """Through the menu under the user's name (behind the menu button on a narrow screen)."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    page.locator(".nav-user .dropdown-toggle").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng xuất").click()
    assert page.get_by_role("button", name="Đăng xuất").count() == 0


def show_pillar(page: Page, pillar: str) -> None:
    """The form shows one pillar at a time: choose it in the menu (beside the form on a wide
    screen, in the bar at the bottom on a phone)."""
    link = page.locator(f'.entry-pillar-menu [data-pillar-link="{pillar}"]')
    if link.is_visible():
        link.click()
    else:
        page.select_option("[data-pillar-jump]", pillar)
    page.locator(f'fieldset[data-pillar="{pillar}"]').wait_for(state="visible")


def fill_report(page: Page, indicators: list[Indicator]) -> None:
    """Yes for every yes/no indicator, 1/1 for every ratio, 2 for every count or amount."""
    shown = None
    for indicator in indicators:
        code = indicator.code
        if indicator.pillar != shown:
            show_pillar(page, indicator.pillar)
            shown = indicator.pillar
        if indicator.value_type == Indicator.ValueType.BOOLEAN:
            page.select_option(f'select[name="{code}-value"]', "1")
        elif indicator.value_type == Indicator.ValueType.RATIO:
            page.fill(f'input[name="{code}-numerator"]', "1")
            page.fill(f'input[name="{code}-denominator"]', "1")
        else:
            page.fill(f'input[name="{code}-value"]', "2")


@pytest.mark.django_db(transaction=True)
def test_a_commune_report_from_entry_to_approval_in_a_browser(live_server, settings):
    # The demo accounts, hashed fast: the live server runs in this process, with these settings.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_users_create()
    hoxa = Unit.objects.in_force(OLD).get(code="19363")
    vinh_linh = Unit.objects.in_force(OLD).get(code="464")
    indicators = applicable_indicators(hoxa, None, PERIOD)
    assert indicators
    form_path = f"/entry/{hoxa.pk}/{PERIOD.id}/"
    base = live_server.url

    # No ORM inside this block: Playwright's event loop runs in this thread, and Django
    # refuses database calls from a thread with a running event loop.
    page_errors: list[str] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(locale="vi-VN")
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.on("pageerror", lambda error: page_errors.append(str(error)))

            # The commune's official enters and submits the quarter.
            log_in(page, base, "hoxa.nhaplieu")
            page.goto(f"{base}/entry/")
            with page.expect_navigation():
                page.click(f'a[href="{form_path}"]')
            assert page.url == f"{base}{form_path}"
            fill_report(page, indicators)
            with page.expect_navigation():
                page.click('button[name="action"][value="submit"]')
            # Submitted: the form is locked.
            page.goto(f"{base}{form_path}")
            assert page.locator('button[name="action"][value="submit"]').count() == 0
            log_out(page)

            # The district's reviewer finds it in the inbox and approves it.
            log_in(page, base, "vinhlinh.duyet")
            page.goto(f"{base}/entry/review/")
            report = page.locator('a[href^="/entry/reports/"]', has_text=hoxa.name).first
            report_path = report.get_attribute("href")
            with page.expect_navigation():
                report.click()
            assert page.url == f"{base}{report_path}"
            with page.expect_navigation():
                page.click('button[name="action"][value="approve"]')
            page.goto(f"{base}{report_path}")
            assert page.locator('button[name="action"][value="approve"]').count() == 0
            log_out(page)
        finally:
            browser.close()

    assert page_errors == []
    submission = Submission.objects.get(unit=hoxa, agency=None, period=PERIOD.id)
    assert report_path == f"/entry/reports/{submission.pk}/"
    assert submission.status == Submission.Status.APPROVED
    steps = [
        (t.by.username, t.from_status, t.to_status)
        for t in submission.transitions.select_related("by")
    ]
    assert steps == [
        ("hoxa.nhaplieu", "draft", "submitted"),
        ("vinhlinh.duyet", "submitted", "approved"),
    ]
    figures = Figure.objects.filter(unit=hoxa, agency=None, period=PERIOD.id, scope="self")
    assert figures.count() == len(indicators)
    assert set(figures.values_list("status", flat=True)) == {Figure.Status.APPROVED}
    by_type = {(f.indicator.value_type, f.value) for f in figures.select_related("indicator")}
    assert by_type <= {("boolean", 1), ("ratio", 100), ("count", 2), ("amount", 2)}

    lan = Indicator.objects.get(code="INF_LAN")
    communes = rollup_value(lan, vinh_linh, PERIOD, "communes")
    assert (communes.covered, communes.value) == (1, 100)
