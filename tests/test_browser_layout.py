"""Issue 19, item 8 in a real browser: on a 390 px phone and a 1366 px screen, in Vietnamese
and in English, the header fits (quangtri.duyet's long menu clipped the language switch at
1366 px), a plan's progress shows each target's status on screen (it was the ninth column,
off-screen on a phone), and the pages officials and committees use most never scroll
sideways (a table may scroll inside its own box).
"""

import pytest

from accounts.services import demo_users_create
from tests.browser import TIMEOUT_MS, launch, log_in, require_browser, sync_playwright

require_browser()
pytestmark = pytest.mark.usefixtures("reference_data")

WIDTHS = (390, 1366)
LANGUAGES = ("vi", "en")
NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth"
INSIDE = """(el) => {
  const r = el.getBoundingClientRect();
  return r.left >= 0 && r.right <= window.innerWidth;
}"""
PAGES = ("/", "/entry/", "/entry/review/", "/units/?q=ho+xa", "/indicators/", "/plans/")


@pytest.mark.django_db(transaction=True)
def test_pages_fit_a_phone_and_a_screen_in_both_languages(live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_users_create()
    base = live_server.url
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for language in LANGUAGES:
                for width in WIDTHS:
                    context = browser.new_context(viewport={"width": width, "height": 900})
                    context.add_cookies(
                        [{"name": "django_language", "value": language, "url": base}]
                    )
                    context.set_default_timeout(TIMEOUT_MS)
                    page = context.new_page()
                    page.on("pageerror", lambda error: errors.append(str(error)))
                    log_in(page, base, "quangtri.duyet")
                    where = f"{language} {width}px"
                    for path in PAGES:
                        response = page.goto(f"{base}{path}")
                        assert response is not None and response.status == 200, (where, path)
                        assert page.evaluate(NO_OVERFLOW), f"{where} {path} scrolls sideways"
                    # The header: the language switch within the screen (behind the menu
                    # button on a phone).
                    toggler = page.locator(".navbar-toggler")
                    if toggler.is_visible():
                        toggler.click()
                    switch = page.locator("#language")
                    switch.wait_for(state="visible")
                    assert switch.evaluate(INSIDE), f"{where}: the language switch is clipped"
                    # A plan's progress: the first target's status on screen.
                    page.goto(f"{base}/plans/QB-2342-2018/")
                    assert page.evaluate(NO_OVERFLOW), f"{where} plan scrolls sideways"
                    status = page.locator("table.plan-progress td.plan-progress-status").first
                    status.scroll_into_view_if_needed()
                    assert status.is_visible() and status.evaluate(INSIDE), where
                    context.close()
        finally:
            browser.close()
    assert errors == []
