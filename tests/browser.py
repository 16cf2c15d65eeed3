"""What the browser tests share: Debian's Chromium through Playwright, the skip-unless-CI
rule, the reference data around a live server, and logging in.

Playwright's sync API drives /usr/bin/chromium (Playwright cannot download its own browser
here) against pytest-django's live_server. Without Playwright or Chromium a browser test
module is skipped, except in CI (CI=true), where that is an error: CI must not skip it
silently (.ci/run installs Chromium).
"""

import os
from pathlib import Path

import pytest

from accounts.demo import DEMO_PASSWORD

try:
    from playwright.sync_api import Page, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    Page = sync_playwright = None

CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
TIMEOUT_MS = 20_000


def require_browser() -> None:
    """Skip the calling module when there is no browser, or fail in CI."""
    if sync_playwright is None:
        reason = "Playwright is not installed (pip install -r requirements-dev.txt)"
    elif not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    else:
        return
    if IN_CI:
        pytest.fail(f"{reason}; CI=true, so the browser test may not be skipped", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])


def log_in(page: "Page", base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', DEMO_PASSWORD)
    with page.expect_navigation():
        page.click('form[action="/accounts/login/"] [type="submit"]')
    assert "/accounts/login/" not in page.url, f"{username} could not log in"
