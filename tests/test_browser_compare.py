"""Comparing units in a real browser, on a 390 px phone and a 1366 px desktop: the old Tỉnh
Quảng Trị's steering committee opens the comparison, types "vinh linh" into the unit search,
picks Huyện Vĩnh Linh from the suggestions, then Huyện Gio Linh by name, chooses indicators by
name, and sees them as named rows with the 2020Q4 values; the page never scrolls sideways.
From Vĩnh Linh's column it opens "So sánh các đơn vị trực thuộc" and pages to its last
commune. No JavaScript error, nothing fetched from another host.

Playwright drives Debian's Chromium (tests/browser.py); without it the module is skipped,
except in CI.
"""

import datetime
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from accounts.services import demo_users_create
from reports import compare as compare_reads
from tests.browser import TIMEOUT_MS, Page, launch, log_in, require_browser, sync_playwright
from tests.test_browser_dashboards import on_console
from units.models import Unit

require_browser()
pytestmark = pytest.mark.usefixtures("reference_data")

SEEDS_DAY = datetime.date(2020, 10, 13)
PERIOD = "2020Q4"
VIEWPORTS = {"phone": (390, 844), "desktop": (1366, 900)}
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def units_loaded(django_db_blocker):
    """The reference data for each viewport: a transactional test empties every table when it
    ends (tests/conftest.py, reference_data), and this module runs two."""
    with django_db_blocker.unblock():
        if not Unit.objects.filter(code="19363").exists():
            call_command("load_reference_data", stdout=io.StringIO())


def pick_unit(page: Page, typed: str, name: str) -> None:
    """Types into the unit search as a person does and picks `name` among the suggestions."""
    search = page.get_by_role("combobox", name="Tìm đơn vị theo tên")
    search.click()
    search.press_sequentially(typed, delay=30)
    option = page.locator("#compare-suggestions [role=option]", has_text=name).first
    option.wait_for()
    option.click()
    page.locator(".compare-chip", has_text=name).wait_for()
    assert search.input_value() == ""


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.django_db(transaction=True)
def test_the_committee_compares_districts_picked_by_name_and_pages_through_the_communes(
    live_server, settings, monkeypatch, units_loaded, viewport
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_users_create()
    vinh_linh = Unit.objects.in_force(SEEDS_DAY).get(code="464")
    gio_linh = Unit.objects.in_force(SEEDS_DAY).get(code="466")
    communes = list(Unit.objects.in_force(SEEDS_DAY).filter(parent=vinh_linh).order_by("code"))
    assert len(communes) == 18
    assert gio_linh.name == "Huyện Gio Linh"
    # 10 a page, so that the 18 communes take two pages and the last is one page away.
    monkeypatch.setattr(compare_reads, "CHILDREN_PER_PAGE", 10)
    base = live_server.url
    width, height = VIEWPORTS[viewport]

    page_errors: list[str] = []
    console_errors: list[str] = []
    elsewhere: list[str] = []
    api_asked: list[str] = []
    server = urlsplit(base).netloc

    def on_request(request) -> None:
        url = urlsplit(request.url)
        if url.scheme not in {"data", "blob"} and url.netloc != server:
            elsewhere.append(request.url)
        if url.path == "/api/v1/units/":
            api_asked.append(request.url)

    # No ORM inside this block: Playwright's event loop runs in this thread.
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(
                locale="vi-VN", viewport={"width": width, "height": height}
            )
            context.set_default_timeout(TIMEOUT_MS)
            context.on("request", on_request)
            page = context.new_page()
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            page.on("console", lambda message: on_console(message, console_errors))

            log_in(page, base, "quangtri.bcd")
            response = page.goto(f"{base}/dashboard/compare/")
            assert response is not None and response.status == 200
            assert "ví dụ: 30, 42" not in page.content()
            assert page.evaluate(NO_SIDEWAYS_SCROLL)

            # Units by name: suggestions as one types, from the API's ranked search.
            pick_unit(page, "vinh linh", "Huyện Vĩnh Linh")
            pick_unit(page, "gio linh", "Huyện Gio Linh")
            asked = parse_qs(urlsplit(api_asked[-1]).query)
            assert asked["q"] == ["gio linh"]
            assert asked["on"] == ["2025-06-30"]  # the last day of the old Quảng Trị
            chips = page.locator(".compare-chip")
            assert chips.count() == 2
            # A third, thought better of: its × takes it off again.
            pick_unit(page, "cam lo", "Huyện Cam Lộ")
            assert chips.count() == 3
            page.get_by_role("button", name="Bỏ Huyện Cam Lộ").click()
            assert chips.count() == 2

            # Indicators by name: one more, one fewer than the headline ones.
            # (open until there is a table to look at)
            assert page.locator(".compare-indicator-picker").evaluate("(d) => d.open")
            page.get_by_role("checkbox", name="Có kết nối Internet", exact=True).check()
            page.get_by_role("checkbox", name="Có mạng nội bộ (LAN)", exact=True).uncheck()
            page.get_by_label("Kỳ", exact=True).fill(PERIOD)
            with page.expect_navigation():
                page.get_by_role("button", name="So sánh", exact=True).click()
            query = parse_qs(urlsplit(page.url).query)
            assert query["units"] == [str(vinh_linh.pk), str(gio_linh.pk)]
            assert "INF_INTERNET" in query["indicators"]
            assert "INF_LAN" not in query["indicators"]

            # The table: indicators named in rows, the units in columns, nothing cut off.
            table = page.locator("table.compare-table")
            table.wait_for()
            columns = table.locator("thead th.compare-unit")
            assert columns.count() == 2
            assert "Huyện Vĩnh Linh" in columns.nth(0).inner_text()
            assert "Huyện Gio Linh" in columns.nth(1).inner_text()
            row = table.locator('tr[data-indicator="APP_DIGSIG_DOCS"]')
            assert "Tỷ lệ văn bản điện tử được ký số" in row.locator("th").inner_text()
            assert row.locator("td").first.inner_text().startswith("70,0%")
            internet = table.locator('tr[data-indicator="INF_INTERNET"] th').inner_text()
            assert internet.startswith("Có kết nối Internet")
            assert table.locator('tr[data-indicator="INF_LAN"]').count() == 0
            first_column = table.locator("tbody th.compare-sticky").first
            assert first_column.evaluate("(th) => getComputedStyle(th).position") == "sticky"
            # A name wraps inside its cell: its whole text is there, not clipped.
            name = row.locator("th .compare-name")
            assert name.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1")
            assert page.evaluate(NO_SIDEWAYS_SCROLL)

            # Every commune of Vĩnh Linh, from its column.
            with page.expect_navigation():
                columns.nth(0).get_by_role("link", name="So sánh các đơn vị trực thuộc").click()
            assert f"/dashboard/{vinh_linh.pk}/compare/" in page.url
            assert "Huyện Vĩnh Linh" in page.locator("h1").inner_text()
            rows = page.locator("table.compare-children tbody tr")
            assert rows.count() == 10
            assert page.evaluate(NO_SIDEWAYS_SCROLL)
            with page.expect_navigation():
                page.get_by_role("link", name="Trang sau").click()
            assert rows.count() == 8
            last = rows.last.locator("th")
            assert communes[-1].name in last.inner_text()
            last.scroll_into_view_if_needed()
            assert last.is_visible()
            assert "Đơn vị 11–18 trong 18" in page.locator("#children-title").inner_text()
            assert page.evaluate(NO_SIDEWAYS_SCROLL)
            context.close()
        finally:
            browser.close()

    assert page_errors == []
    assert console_errors == []
    assert elsewhere == []
