"""The form of a quarter's work in a real browser, on a phone (390 px) and a desktop
(1366 px): hoxa.nhaplieu moves through the pillar menu, types Vietnamese numbers, sees them
saved as they go and shown back the Vietnamese way after a reload, and submits with only
the required indicators filled (docs/decisions/0018). Both widths in one test: a
transactional test empties the tables, which the next one would have to load again.
"""

from decimal import Decimal

import pytest

from accounts.demo import OLD
from accounts.services import demo_users_create
from entry.requirements import required_codes
from entry.services import applicable_indicators
from indicators.models import Figure, Indicator, Submission
from indicators.periods import parse_period
from tests.browser import TIMEOUT_MS, Page, launch, log_in, require_browser, sync_playwright
from tests.test_browser_entry import fill_report, show_pillar
from units.models import Unit

require_browser()
pytestmark = pytest.mark.usefixtures("reference_data")

# One quarter per width: each ends submitted.
WIDTHS = {390: parse_period("2025Q1"), 1366: parse_period("2025Q2")}
AMOUNT, RATIO = "FIN_IT_BUDGET", "APP_WORK_ONLINE"  # optional; required (a plan's target)


def no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def type_and_leave(page: Page, selector: str, text: str) -> None:
    page.fill(selector, text)
    page.press(selector, "Tab")  # the change is saved when the field is left


@pytest.mark.django_db(transaction=True)
def test_the_quarter_form_by_pillar_saved_as_you_go_at_both_widths(live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_users_create()
    hoxa = Unit.objects.in_force(OLD).get(code="19363")
    plan = {}
    for width, period in WIDTHS.items():
        indicators = applicable_indicators(hoxa, None, period)
        required = required_codes(hoxa, None, period, indicators)
        assert RATIO in required and AMOUNT not in required
        plan[width] = (
            f"/entry/{hoxa.pk}/{period.id}/",
            [i for i in indicators if i.code in required and i.code != RATIO],
            len(indicators),
        )
    pillar_of = {i.code: i.pillar for i in Indicator.objects.filter(code__in=[AMOUNT, RATIO])}
    base = live_server.url

    # No ORM inside this block (Playwright's event loop runs in this thread).
    errors: list[str] = []
    seen: dict[int, dict] = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for width, (path, required_rest, _total) in plan.items():
                context = browser.new_context(
                    locale="vi-VN", viewport={"width": width, "height": 844}
                )
                context.set_default_timeout(TIMEOUT_MS)
                page = context.new_page()
                page.on("pageerror", lambda error: errors.append(str(error)))
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                log_in(page, base, "hoxa.nhaplieu")
                page.goto(f"{base}{path}")
                got = seen.setdefault(width, {})
                # One pillar at a time: far shorter than all 49 indicators at once.
                got["visible_pillars"] = page.locator("fieldset[data-pillar]:visible").count()
                got["height"] = page.evaluate("document.documentElement.scrollHeight")
                got["fits"] = [no_sideways_scroll(page)]
                got["menu_beside"] = page.locator(".entry-pillar-menu").is_visible()
                got["bar_menu"] = page.locator("[data-pillar-jump]").is_visible()
                got["rows"] = page.locator(".entry-row[data-code]").count()
                got["required_marked"] = page.locator(".entry-row[data-required]").count()

                # Vietnamese numbers, saved as the fields are left (no button pressed).
                show_pillar(page, pillar_of[AMOUNT])
                got["unit_beside"] = page.locator(
                    f"#indicator-{AMOUNT} .entry-measure"
                ).inner_text()
                type_and_leave(page, f'input[name="{AMOUNT}-value"]', "150.000.000")
                page.locator("[data-autosave-status]", has_text="Đã lưu").wait_for()
                show_pillar(page, pillar_of[RATIO])
                left_before = page.locator(f'[data-left="{pillar_of[RATIO]}"]').first.inner_text()
                type_and_leave(page, f'input[name="{RATIO}-value"]', "45,5")
                page.wait_for_function(
                    "([name, before]) => document.querySelector(`[data-left='${name}']`)"
                    ".textContent.trim() !== before",
                    arg=[pillar_of[RATIO], left_before],
                )
                got["fits"].append(no_sideways_scroll(page))

                # After a reload: what was saved, shown the Vietnamese way.
                page.reload()
                show_pillar(page, pillar_of[AMOUNT])
                got["amount"] = page.input_value(f'input[name="{AMOUNT}-value"]')
                show_pillar(page, pillar_of[RATIO])
                got["ratio"] = page.input_value(f'input[name="{RATIO}-value"]')

                # Only the required ones, then submit.
                fill_report(page, required_rest)
                got["fits"].append(no_sideways_scroll(page))
                with page.expect_navigation():
                    page.click('button[name="action"][value="submit"]')
                got["submitted"] = page.locator(".alert", has_text="Đã gửi duyệt").count()
                got["after_submit"] = page.locator('button[name="action"][value="submit"]').count()
                got["fits"].append(no_sideways_scroll(page))
                context.close()
        finally:
            browser.close()

    assert errors == []
    for width, (_path, required_rest, total) in plan.items():
        got = seen[width]
        assert got["rows"] == total
        assert 0 < got["required_marked"] < total
        assert got["visible_pillars"] == 1
        assert got["fits"] == [True] * 4, width
        assert got["height"] < 8000, (width, got["height"])
        # The pillar menu: beside the form on a desktop, in the bottom bar on a phone.
        assert (got["menu_beside"], got["bar_menu"]) == (width > 991, width <= 991)
        assert got["unit_beside"] == "đồng"
        assert (got["amount"], got["ratio"]) == ("150.000.000", "45,5")
        assert (got["submitted"], got["after_submit"]) == (1, 0)
        period = WIDTHS[width]
        submission = Submission.objects.get(unit=hoxa, agency=None, period=period.id)
        assert submission.status == Submission.Status.SUBMITTED
        values = dict(
            Figure.objects.filter(unit=hoxa, period=period.id).values_list(
                "indicator__code", "value"
            )
        )
        assert values[AMOUNT] == Decimal(150_000_000)
        assert values[RATIO] == Decimal("45.5")
        # The required ones, the two typed, nothing else: the rest was optional.
        assert len(values) == len(required_rest) + 2
