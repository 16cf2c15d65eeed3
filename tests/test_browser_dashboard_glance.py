"""A province's dashboard at a glance, in a real browser (issue 19, items 10 and 8): the
steering committee of Tỉnh Quảng Trị (45, on 2020-10-13) opens its 2020Q4 dashboard on a
phone (390 px) and on a desktop (1366 px), in Vietnamese and in English, and sees the
headline indicators by name (codes only in tooltips), their sparklines and bars towards a
target drawn, every district in the ranking's chart, nothing wider than the screen; picks
another indicator for the trend chart, which redraws; and on paper the charts are still
there, the controls not. Patterns: tests/test_browser_dashboards.py."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from accounts.services import demo_users_create
from tests.browser import TIMEOUT_MS, launch, log_in, require_browser, sync_playwright
from tests.test_browser_dashboards import charts_drawn, on_console
from units.models import Unit

require_browser()
pytestmark = pytest.mark.usefixtures("reference_data", "reference_data_again")

SEEDS_DAY = datetime.date(2020, 10, 13)
NAMES = {
    "vi": ("Tỷ lệ văn bản điện tử được ký số", "Có Cổng/Trang thông tin điện tử"),
    "en": ("Share of electronic documents digitally signed", "Has a web portal or website"),
}
NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth"
CHART_LABEL = """(canvas) => {
  const chart = window.Chart.getChart(canvas);
  return chart ? chart.data.datasets[0].label : null;
}"""
CHART_LABELS = "(canvas) => window.Chart.getChart(canvas).data.labels.length"
SVG_DRAWN = """(svg) => {
  const box = svg.getBoundingClientRect();
  return box.width > 0 && box.height > 0 && svg.querySelectorAll("polyline, circle, rect, line")
    .length > 1;
}"""


@pytest.fixture
def reference_data_again(reference_data, django_db_blocker):
    """The reference data for each test of the module: a transactional test empties the
    tables when it ends, and `reference_data` loads them again only after the module."""
    with django_db_blocker.unblock():
        if not Unit.objects.filter(code="19363").exists():
            call_command("load_reference_data", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_committee_sees_the_province_at_a_glance(live_server, settings, width, language):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_users_create()
    quang_tri = Unit.objects.in_force(SEEDS_DAY).get(code="45")
    districts = Unit.objects.in_force(SEEDS_DAY).filter(parent=quang_tri).count()
    assert districts == 10
    base = live_server.url
    signed, portal = NAMES[language]
    errors: list[str] = []
    console: list[str] = []

    # No ORM below: Playwright's event loop runs in this thread.
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda message: on_console(message, console))
            log_in(page, base, "quangtri.bcd")
            context.add_cookies([{"name": "django_language", "value": language, "url": base}])
            response = page.goto(f"{base}/dashboard/{quang_tri.pk}/?period=2020Q4")
            assert response is not None and response.status == 200
            assert page.locator("html").get_attribute("lang") == language

            # The headline: names, never codes, as the cards' headings.
            cards = page.locator("article.dashboard-card")
            headings = [h.strip() for h in cards.locator("h3").all_inner_texts()]
            assert headings[0] == signed  # a card with a value comes first
            assert portal in headings
            assert all("_" not in h for h in headings), headings  # no APP_DIGSIG_DOCS
            first = cards.first.locator("h3 a")
            assert first.get_attribute("title").endswith("APP_DIGSIG_DOCS")
            # Sparklines and the bars towards a target, drawn.
            sparklines = page.locator("svg[data-sparkline]")
            assert sparklines.count() >= 2
            assert all(sparklines.nth(n).evaluate(SVG_DRAWN) for n in range(sparklines.count()))
            bars = page.locator("svg[data-target-bar]")
            assert bars.count() >= 1
            assert all(bars.nth(n).evaluate(SVG_DRAWN) for n in range(bars.count()))
            # Resolution 17/NQ-CP's target for 2020, with nothing reported yet.
            target = page.locator("[data-target-status]").first
            assert target.get_attribute("data-target-status") == "no_data"
            assert "17/NQ-CP" in target.inner_text()
            # Indicators with nothing to show: one quiet list.
            silent = page.locator('[data-cards="no-data"] li')
            assert silent.count() >= 1
            assert page.locator('[data-cards="no-data"] .dashboard-value').count() == 0

            # The charts: the trend and the ranking, every district in it.
            assert charts_drawn(page) == 2
            ranking = page.locator('canvas[data-chart="chart-ranking"]')
            assert ranking.evaluate(CHART_LABELS) == districts
            spec = json.loads(page.locator("#chart-ranking").text_content())
            assert spec["labels"][0] == "Huyện Vĩnh Linh"
            assert len(spec["notes"]) == districts and all(spec["notes"])
            assert page.locator("table.dashboard-ranking tbody tr").count() == districts
            assert page.evaluate(NO_OVERFLOW), f"the page scrolls sideways at {width} px"
            # A district's name on one line in the ranking's table.
            name = page.locator("table.dashboard-ranking a", has_text="Huyện Vĩnh Linh")
            line_height = name.evaluate("(a) => parseFloat(getComputedStyle(a).lineHeight)")
            assert name.bounding_box()["height"] < 1.6 * line_height

            # Another indicator in the trend chart: it redraws, its table follows.
            trend = page.locator('canvas[data-chart="chart-trend"]')
            assert trend.evaluate(CHART_LABEL) == signed
            page.select_option("#trend-indicator", "WEB_PORTAL")
            page.wait_for_function(
                """() => {
                  const canvas = document.querySelector('canvas[data-chart="chart-trend"]');
                  return canvas.dataset.drawn === "1" && canvas.dataset.indicator === "WEB_PORTAL";
                }"""
            )
            assert trend.evaluate(CHART_LABEL) == portal
            charts_drawn(page)
            assert page.locator('[data-trend-table="WEB_PORTAL"]').get_attribute("hidden") is None
            assert (
                page.locator('[data-trend-table="APP_DIGSIG_DOCS"]').get_attribute("hidden") == ""
            )

            # On paper: the charts and the SVGs stay, the picker and the buttons go.
            page.emulate_media(media="print")
            for canvas in (trend, ranking):
                assert canvas.is_visible()
                assert canvas.bounding_box()["width"] > 100
            assert sparklines.first.is_visible()
            assert bars.first.is_visible()
            assert not page.locator("#trend-indicator").is_visible()
            assert not page.locator("[data-print]").is_visible()
            assert page.locator("table.dashboard-ranking").is_visible()
            context.close()
        finally:
            browser.close()

    assert errors == []
    assert console == []
