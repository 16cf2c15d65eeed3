"""Issue 19, items 2, 3, 9 and 12 in a real browser, on a 390 px phone and a 1366 px screen:
a dashboard without a period opens on the latest approved figures (the 2025 Quảng Trị on its
old provinces' 2020Q4, not the unfinished quarter); the unit search finds Thị trấn Hồ Xá
first for "ho xa" and "hồ xá" and says the API's count; a figure's source is cited by the
article's title, publisher and date, not a corpus file name; completeness downloads as
XLSX, the admin speaks Vietnamese and the API docs lead back to the portal.
"""

import datetime

import openpyxl
import pytest

from accounts.services import demo_users_create
from tests.browser import TIMEOUT_MS, launch, log_in, require_browser, sync_playwright
from units.models import Unit

require_browser()
pytestmark = pytest.mark.usefixtures("reference_data")

SEEDS_DAY = datetime.date(2020, 10, 13)
NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.django_db(transaction=True)
def test_small_items_at_both_widths(live_server, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_users_create()
    vinh_linh = Unit.objects.in_force(SEEDS_DAY).get(code="464")
    base = live_server.url
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for width in (390, 1366):
                context = browser.new_context(
                    locale="vi-VN", viewport={"width": width, "height": 900}, accept_downloads=True
                )
                context.set_default_timeout(TIMEOUT_MS)
                page = context.new_page()
                page.on("pageerror", lambda error: errors.append(str(error)))

                # Item 2: the 2025 province opens on its old provinces' latest figures.
                log_in(page, base, "quangtri2025.bcd")
                response = page.goto(f"{base}/dashboard/")
                assert response is not None and response.status == 200
                assert "Quý 4/2020" in page.locator("h1").inner_text(), width
                assert page.evaluate(NO_OVERFLOW), width

                # Item 3: the search ranks the town first, with or without tone marks.
                for q in ("ho xa", "hồ xá"):
                    page.goto(f"{base}/units/")
                    page.fill("#id_q", q)
                    page.fill("#id_on", "2020-10-13")
                    with page.expect_navigation():
                        page.locator("#id_q").press("Enter")
                    first = page.locator("table tbody tr").first.locator("td").nth(1)
                    assert first.inner_text().strip() == "Thị trấn Hồ Xá", (width, q)
                    found = int(page.locator("[data-found]").get_attribute("data-found"))
                    api = context.request.get(
                        f"{base}/api/v1/units/", params={"q": q, "on": "2020-10-13"}
                    )
                    assert api.json()["count"] == found, (width, q)
                assert page.evaluate(NO_OVERFLOW), width

                # Item 9: the source cited by the article.
                page.goto(f"{base}/indicators/WEB_PORTAL/")
                cited = page.locator(".source-citation", has_text="Đắk Lắk").first.inner_text()
                assert "13/07/2016" in cited, cited
                vinh_linh_cited = page.locator(".source-citation", has_text="huyện Vĩnh Linh")
                assert "Cổng Thông tin Điện tử huyện Vĩnh Linh, 14/10/2020" in (
                    vinh_linh_cited.first.inner_text()
                )
                assert "003_03567fd821d6ea94.txt" not in page.content()
                context.close()

                # Item 12: completeness as XLSX; the admin in Vietnamese; the API docs' way
                # back.
                context = browser.new_context(
                    locale="vi-VN", viewport={"width": width, "height": 900}, accept_downloads=True
                )
                context.set_default_timeout(TIMEOUT_MS)
                page = context.new_page()
                page.on("pageerror", lambda error: errors.append(str(error)))
                log_in(page, base, "admin")
                page.goto(f"{base}/entry/completeness/?unit={vinh_linh.pk}&period=2020Q4")
                with page.expect_download() as download_info:
                    page.get_by_role("link", name="Tải Excel (XLSX)").click()
                path = tmp_path / f"completeness-{width}.xlsx"
                download_info.value.save_as(path)
                sheet = openpyxl.load_workbook(path).active
                assert any("Thị trấn Hồ Xá" in str(c.value) for row in sheet for c in row)
                page.goto(f"{base}/admin/")
                assert "Quản trị" in page.title()
                page.goto(f"{base}/api/v1/docs/")
                with page.expect_navigation():
                    page.get_by_role("link", name="← Về trang chủ egov-portal").click()
                assert page.url.rstrip("/") == base
                context.close()
        finally:
            browser.close()
    assert errors == []
