"""The dashboards in a real browser: the province's steering committee opens Tỉnh Quảng Trị's
dashboard for 2020Q4, sees the seeds' figures and the charts drawn, drills down to Huyện Vĩnh
Linh, opens one indicator and downloads it as XLSX; no JavaScript error, nothing fetched from
another host (no CDN). A commune's official opens the province's dashboard too (approved
figures are open data), without its reporting.

Playwright's sync API drives Debian's Chromium (/usr/bin/chromium: Playwright cannot download
its own browser here) against pytest-django's live_server. Without Playwright or Chromium the
module is skipped, except in CI (CI=true), where that is an error: CI must not skip it
silently (.ci/run installs Chromium).
"""

import datetime
from urllib.parse import urlsplit

import openpyxl
import pytest

from accounts.services import demo_users_create
from tests.browser import TIMEOUT_MS, Page, launch, log_in, require_browser, sync_playwright
from units.models import Unit

require_browser()
pytestmark = pytest.mark.usefixtures("reference_data")

SEEDS_DAY = datetime.date(2020, 10, 13)  # the day of the Vĩnh Linh article in the seeds
PERIOD = "2020Q4"
# A drawn chart has axes, labels and bars: far more than this many painted pixels.
MIN_PAINTED_PIXELS = 500
PAINTED_PIXELS = """(canvas) => {
  const {data} = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) {
    if (data[i] !== 0) painted += 1;
  }
  return painted;
}"""
ALL_DRAWN = """() => [...document.querySelectorAll("canvas[data-chart]")]
  .every((canvas) => canvas.dataset.drawn === "1")"""


def charts_drawn(page: Page) -> int:
    """Waits until charts.js has drawn every chart of the page, checks that each holds a
    drawing, and returns how many there are."""
    page.wait_for_function(ALL_DRAWN)
    canvases = page.locator("canvas[data-chart]")
    for n in range(canvases.count()):
        canvas = canvases.nth(n)
        name = canvas.get_attribute("data-chart")
        assert canvas.get_attribute("data-drawn") == "1", name
        assert canvas.evaluate("(c) => c.width * c.height") > 0, f"{name} has no size"
        painted = canvas.evaluate(PAINTED_PIXELS)
        assert painted > MIN_PAINTED_PIXELS, f"{name} is blank ({painted} pixels painted)"
    return canvases.count()


def on_console(message, errors: list[str]) -> None:
    """Keeps the console's errors, but for Chromium's own request for /favicon.ico: the portal
    has no favicon (base.html links none), and the browser asks for one anyway."""
    where = message.location.get("url", "")
    if message.type == "error" and urlsplit(where).path != "/favicon.ico":
        errors.append(f"{message.text} ({where})")


def cell_texts(page: Page, row_selector: str, *has_text: str) -> list[str]:
    """The cells of the one table row matching the selector and holding every text."""
    rows = page.locator(row_selector)
    for text in has_text:
        rows = rows.filter(has_text=text)
    assert rows.count() == 1, f"{row_selector} {has_text}: {rows.count()} rows"
    return [text.strip() for text in rows.first.locator("td").all_inner_texts()]


def sheet_rows(book: openpyxl.Workbook, sheet: str) -> list[list]:
    """A downloaded sheet's table, under its title line and header (row 3)."""
    return [[cell.value for cell in row] for row in book[sheet].iter_rows(min_row=4)]


@pytest.mark.django_db(transaction=True)
def test_the_province_dashboard_drills_down_to_an_indicator_and_its_xlsx(
    live_server, settings, tmp_path
):
    # The demo accounts, hashed fast: the live server runs in this process, with these settings.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_users_create()
    quang_tri = Unit.objects.in_force(SEEDS_DAY).get(code="45")
    vinh_linh = Unit.objects.in_force(SEEDS_DAY).get(code="464")
    assert (quang_tri.name, vinh_linh.name) == ("Tỉnh Quảng Trị", "Huyện Vĩnh Linh")
    base = live_server.url
    province_path = f"/dashboard/{quang_tri.pk}/?period={PERIOD}"
    district_path = f"/dashboard/{vinh_linh.pk}/?period={PERIOD}"
    indicator_path = f"/dashboard/{vinh_linh.pk}/indicator/APP_DIGSIG_DOCS/?period={PERIOD}"

    # No ORM inside this block: Playwright's event loop runs in this thread, and Django
    # refuses database calls from a thread with a running event loop.
    page_errors: list[str] = []
    console_errors: list[str] = []
    elsewhere: list[str] = []
    server = urlsplit(base).netloc

    def on_request(request) -> None:
        url = urlsplit(request.url)
        if url.scheme not in {"data", "blob"} and url.netloc != server:
            elsewhere.append(request.url)

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(locale="vi-VN", accept_downloads=True)
            context.set_default_timeout(TIMEOUT_MS)
            context.on("request", on_request)
            page = context.new_page()
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            page.on("console", lambda message: on_console(message, console_errors))

            # The province's dashboard: the seeds' figures, and its charts drawn.
            log_in(page, base, "quangtri.bcd")
            response = page.goto(f"{base}{province_path}")
            assert response is not None and response.status == 200
            assert "Tỉnh Quảng Trị" in page.locator("h1").inner_text()
            # No district has figures enough for the readiness index (decision 0016): the
            # ranking's chart gives way to a sentence, and what is drawn is drawn whole.
            charts_drawn(page)
            figure = cell_texts(
                page, "table.dashboard-figures tbody tr", "APP_DIGSIG_DOCS", "Huyện Vĩnh Linh"
            )
            assert figure[2:4] == ["Bản thân đơn vị", "70,0%"]
            assert "70% văn bản đi, đến được ký số" in figure[5]
            card = page.locator('article[data-indicator="APP_DIGSIG_DOCS"] .dashboard-value')
            assert card.inner_text().strip() == "70,0%"

            # Down to the district, from the ranking of the province's districts.
            with page.expect_navigation():
                page.locator("table.dashboard-ranking a", has_text="Huyện Vĩnh Linh").click()
            assert page.url == f"{base}{district_path}"
            heading = page.locator("h1").inner_text()
            assert "Huyện Vĩnh Linh" in heading
            assert "Quý 4/2020" in heading
            charts_drawn(page)  # 2020Q4: no commune has figures enough to be ranked and charted
            card = page.locator('article[data-indicator="APP_DIGSIG_DOCS"] .dashboard-value')
            assert card.inner_text().strip() == "70,0%"

            # One indicator for the district: the trend, its chart, the figure and its XLSX.
            with page.expect_navigation():
                page.locator('article[data-indicator="APP_DIGSIG_DOCS"] h3 a').click()
            assert page.url == f"{base}{indicator_path}"
            assert page.locator("h1").inner_text() == "Tỷ lệ văn bản điện tử được ký số"
            assert charts_drawn(page) >= 1  # the trend
            trend = cell_texts(page, f'table.dashboard-trend tr[data-period="{PERIOD}"]')
            assert trend[1] == "70,0%"
            shown = cell_texts(page, "table.dashboard-figures tbody tr", "Huyện Vĩnh Linh")
            assert shown[0] == PERIOD
            assert shown[3] == "70,0%"
            with page.expect_download() as download_info:
                page.get_by_role("link", name="Tải XLSX").click()
            download = download_info.value
            assert download.failure() is None
            assert download.suggested_filename == f"APP_DIGSIG_DOCS-464-{PERIOD}.xlsx"
            workbook = tmp_path / download.suggested_filename
            download.save_as(workbook)
            context.close()

            # A commune's official: the province's approved figures are open to them too
            # (issue 19, item 1); who has reported is not.
            context = browser.new_context(locale="vi-VN")
            context.set_default_timeout(TIMEOUT_MS)
            context.on("request", on_request)
            page = context.new_page()
            log_in(page, base, "hoxa.nhaplieu")
            response = page.goto(f"{base}/dashboard/")  # their own: Thị trấn Hồ Xá's
            assert response is not None and response.status == 200
            assert "Thị trấn Hồ Xá" in page.locator("h1").inner_text()
            response = page.goto(f"{base}{province_path}")
            assert response is not None and response.status == 200
            assert "Tỉnh Quảng Trị" in page.locator("h1").inner_text()
            assert page.locator("[data-reports-hidden]").count() == 1
            charts_drawn(page)
            context.close()
        finally:
            browser.close()

    assert page_errors == []
    assert console_errors == []
    assert elsewhere == []  # every script, style and font from the portal itself

    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == ["Xu hướng", "Đơn vị trực thuộc", "Số liệu"]
    title = book["Xu hướng"]["A1"].value
    assert "APP_DIGSIG_DOCS" in title
    assert "Huyện Vĩnh Linh (464)" in title
    trend_rows = {row[0]: row for row in sheet_rows(book, "Xu hướng")}
    assert trend_rows[PERIOD][1] == 70  # as the page shows it: 70,0%
    figure_rows = [row for row in sheet_rows(book, "Số liệu") if row[1] == "464"]
    assert [(row[0], row[5]) for row in figure_rows] == [(PERIOD, 70)]
    assert "70% văn bản đi, đến được ký số" in figure_rows[0][8]
