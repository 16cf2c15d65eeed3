"""The quarterly report as a Word document in a real browser, on a phone and a desktop: the
province's steering committee opens Huyện Vĩnh Linh's dashboard for 2020Q4, clicks the Word
link, and the download is a .docx with the report's title (python-docx reads it back)."""

import datetime

import docx
import pytest

from accounts.services import demo_users_create
from tests.browser import TIMEOUT_MS, launch, log_in, require_browser, sync_playwright
from units.models import Unit

require_browser()
pytestmark = pytest.mark.usefixtures("reference_data")

TITLE = "Tình hình ứng dụng công nghệ thông tin, phát triển chính quyền điện tử quý 4 năm 2020"


# Both widths in one test: live_server empties the tables when a test ends, and the reference
# data (module-scoped) comes back only after the module.
VIEWPORTS = ((390, 844), (1366, 900))


def test_the_committee_downloads_the_report_from_the_dashboard(live_server, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_users_create()
    vinh_linh = Unit.objects.in_force(datetime.date(2020, 10, 13)).get(code="464")
    base = live_server.url
    # No ORM inside this block (Playwright's event loop runs in this thread).
    paths = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for width, height in VIEWPORTS:
                context = browser.new_context(
                    locale="vi-VN",
                    accept_downloads=True,
                    viewport={"width": width, "height": height},
                )
                context.set_default_timeout(TIMEOUT_MS)
                page = context.new_page()
                log_in(page, base, "quangtri.bcd")
                page.goto(f"{base}/dashboard/{vinh_linh.pk}/?period=2020Q4")
                link = page.get_by_role("link", name="Tải báo cáo Word (.docx)")
                assert link.is_visible()
                with page.expect_download() as download_info:
                    link.click()
                download = download_info.value
                assert download.suggested_filename.endswith(".docx")
                path = tmp_path / f"report-{width}.docx"
                download.save_as(path)
                paths.append(path)
                context.close()
        finally:
            browser.close()
    assert len(paths) == len(VIEWPORTS)
    for path in paths:
        document = docx.Document(path)
        lines = [p.text for p in document.paragraphs]
        assert "BÁO CÁO" in lines
        assert TITLE in lines
        header = document.tables[0].rows[0].cells[0].text
        assert "ỦY BAN NHÂN DÂN HUYỆN VĨNH LINH" in header
