"""Regenerates the README's screenshots (docs/screenshots/*.png) from a running portal.

    python scripts/screenshots.py [BASE_URL]        # default http://127.0.0.1:8000

The portal needs the reference data and the demo accounts (`make run` sets up both; or
`manage.py migrate`, `load_reference_data`, `create_demo_users`, `runserver`). Playwright drives
Debian's Chromium (/usr/bin/chromium), in Vietnamese, 1280 px wide. Unit ids differ from one
database to another: they are looked up through /api/v1/units/, never written here.
"""

import argparse
import sys
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "egov-demo-2026"  # noqa: S105 - the demo accounts' published password
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
WIDTH = 1280
PHONE = 390
MAX_HEIGHT = 2000  # longer pages are cut here
VIEWPORT_HEIGHT = 900
TIMEOUT_MS = 30_000


def unit_id(context: BrowserContext, base: str, code: str, on: str) -> int:
    """The id of the unit the code named on that day."""
    response = context.request.get(f"{base}/api/v1/units/", params={"code": code, "on": on})
    if not response.ok:
        sys.exit(f"{response.url}: HTTP {response.status}")
    results = response.json()["results"]
    if len(results) != 1:
        sys.exit(f"{response.url}: {len(results)} units, expected one")
    return results[0]["id"]


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click('form[action="/accounts/login/"] [type="submit"]')
    if "/accounts/login/" in page.url:
        sys.exit(f"{username} could not log in (are the demo accounts there?)")


def shoot(
    page: Page,
    base: str,
    path: str,
    name: str,
    max_height: int = MAX_HEIGHT,
    width: int = WIDTH,
    status: int = 200,
) -> None:
    response = page.goto(f"{base}{path}")
    if response is None or response.status != status:
        sys.exit(f"{path}: HTTP {response.status if response else '?'}")
    # Every chart drawn (static/js/charts.js marks each canvas), the fonts in place.
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".every((canvas) => canvas.dataset.drawn === '1')"
    )
    page.evaluate("() => document.fonts.ready")
    height = page.evaluate("() => document.documentElement.scrollHeight")
    # A window as tall as the picture, not a full-page capture: what sticks to the bottom of
    # the window (the entry form's buttons) is drawn once, at the bottom, not over the form.
    page.set_viewport_size({"width": width, "height": min(height, max_height)})
    page.wait_for_timeout(200)  # the charts follow the window's size
    target = OUT / name
    page.screenshot(path=str(target))
    page.set_viewport_size({"width": WIDTH, "height": VIEWPORT_HEIGHT})
    cut = f", cut from {height} px" if height > max_height else ""
    print(f"{target.relative_to(OUT.parent.parent)}: {target.stat().st_size // 1024} kB{cut}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", nargs="?", default="http://127.0.0.1:8000", help="portal URL")
    base = parser.parse_args().base.rstrip("/")
    OUT.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:

            def new_page(username: str) -> tuple[BrowserContext, Page]:
                context = browser.new_context(
                    locale="vi-VN",
                    extra_http_headers={"Accept-Language": "vi"},
                    viewport={"width": WIDTH, "height": VIEWPORT_HEIGHT},
                )
                context.set_default_timeout(TIMEOUT_MS)
                page = context.new_page()
                log_in(page, base, username)
                return context, page

            context, page = new_page("admin")
            quang_tri = unit_id(context, base, "45", "2020-10-13")
            vinh_linh = unit_id(context, base, "464", "2020-10-13")
            dak_lak = unit_id(context, base, "66", "2016-07-13")
            for path, name in (
                (f"/dashboard/{quang_tri}/?period=2020Q4", "dashboard-quang-tri-2020Q4.png"),
                (f"/dashboard/{vinh_linh}/?period=2020Q4", "dashboard-vinh-linh-2020Q4.png"),
                (f"/dashboard/{dak_lak}/?period=2016Q3", "dashboard-dak-lak-2016Q3.png"),
                ("/plans/QB-2342-2018/?period=2018", "plan-quang-binh-2018.png"),
            ):
                shoot(page, base, path, name)
            # Dense text: cut shorter, or the picture weighs half a megabyte.
            shoot(page, base, "/indicators/", "indicator-catalogue.png", max_height=1300)
            context.close()

            # The province's committee: compare by name, every district, and on a phone.
            context, page = new_page("quangtri.bcd")
            gio_linh = unit_id(context, base, "466", "2020-10-13")
            shoot(
                page,
                base,
                f"/dashboard/compare/?units={vinh_linh}&units={gio_linh}&period=2020Q4",
                "compare-vinh-linh-gio-linh-2020Q4.png",
            )
            shoot(
                page,
                base,
                f"/dashboard/{quang_tri}/compare/?period=2020Q4",
                "compare-children-quang-tri-2020Q4.png",
            )
            page.set_viewport_size({"width": PHONE, "height": VIEWPORT_HEIGHT})
            shoot(
                page,
                base,
                f"/dashboard/{quang_tri}/?period=2020Q4",
                "phone-dashboard-quang-tri-2020Q4.png",
                width=PHONE,
            )
            shoot(
                page,
                base,
                "/plans/QB-2342-2018/?period=2018",
                "phone-plan-quang-binh-2018.png",
                max_height=1400,
                width=PHONE,
            )
            context.close()

            # A refusal says why and what to do: a commune's official asks for the district's
            # reporting.
            context, page = new_page("hoxa.nhaplieu")
            page.set_viewport_size({"width": PHONE, "height": VIEWPORT_HEIGHT})
            shoot(
                page,
                base,
                f"/entry/completeness/?unit={vinh_linh}&period=2020Q4",
                "phone-refusal-403.png",
                width=PHONE,
                status=403,
            )
            context.close()

            # The commune's official and the quarterly form of Thị trấn Hồ Xá.
            context, page = new_page("hoxa.nhaplieu")
            ho_xa = unit_id(context, base, "19363", "2024-01-01")
            shoot(page, base, f"/entry/{ho_xa}/2025Q1/", "entry-form.png")
            context.close()
        finally:
            browser.close()


if __name__ == "__main__":
    main()
