"""Issue 19, item 1 in a real browser, on a 390 px phone and a 1366 px screen: hoxa.nhaplieu
opens its own district's dashboard (no 404 that pretends Huyện Vĩnh Linh does not exist), and
what is refused (the district's reporting) is a 403 page in the portal's look that says why
and what to do, with the way back one tap away; the 2025 province's committee opens the
dashboard of the old province its province was formed from.
"""

import datetime

import pytest

from accounts.services import demo_users_create
from tests.browser import TIMEOUT_MS, launch, log_in, require_browser, sync_playwright
from units.models import Unit

require_browser()
pytestmark = pytest.mark.usefixtures("reference_data")

SEEDS_DAY = datetime.date(2020, 10, 13)
NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [390, 1366])
def test_open_dashboards_and_a_refusal_that_says_why(live_server, settings, width):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_users_create()
    vinh_linh = Unit.objects.in_force(SEEDS_DAY).get(code="464")
    quang_tri = Unit.objects.in_force(SEEDS_DAY).get(code="45")
    base = live_server.url
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            log_in(page, base, "hoxa.nhaplieu")

            response = page.goto(f"{base}/dashboard/{vinh_linh.pk}/?period=2020Q4")
            assert response is not None and response.status == 200
            assert "Huyện Vĩnh Linh" in page.locator("h1").inner_text()
            assert page.locator("[data-reports-hidden]").is_visible()
            assert page.evaluate(NO_OVERFLOW)

            response = page.goto(f"{base}/entry/completeness/?unit={vinh_linh.pk}&period=2020Q4")
            assert response is not None and response.status == 403
            refusal = page.locator('[data-refusal="403"]')
            assert refusal.is_visible()
            assert "chỉ dành cho cán bộ của đơn vị đó" in refusal.inner_text()
            assert page.locator("nav.navbar").count() == 1  # the portal's own page
            assert page.evaluate(NO_OVERFLOW)
            with page.expect_navigation():
                refusal.get_by_role("link", name="mở bảng điều khiển của đơn vị mình").click()
            assert "Thị trấn Hồ Xá" in page.locator("h1").inner_text()
            context.close()

            context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            log_in(page, base, "quangtri2025.bcd")
            response = page.goto(f"{base}/dashboard/{quang_tri.pk}/?period=2020Q4")
            assert response is not None and response.status == 200
            assert "Tỉnh Quảng Trị" in page.locator("h1").inner_text()
            assert page.evaluate(NO_OVERFLOW)
            context.close()
        finally:
            browser.close()
    assert errors == []
