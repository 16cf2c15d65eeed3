"""A dashboard's data kept between requests: built once for a unit, period, day and language,
and served again while the data versions it was built at stand (indicators/versions.py),
so until anything it shows changes, and never after (docs/decisions/0031).

The versions are read before the build: a change committed while it runs leaves the entry
under the versions before it, which the next request no longer finds.
"""

import datetime
import functools
import hashlib
import sys
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from indicators import versions
from indicators.periods import Period
from reports.dashboard import Dashboard, dashboard_build
from units.models import Unit

VENV = Path(sys.prefix)  # (which may lie inside the project)


def timeout() -> int:
    """How long an entry is kept (settings.DASHBOARD_CACHE_SECONDS; 0: not kept). A backstop,
    not the rule: an entry is never served once its versions have moved."""
    return settings.DASHBOARD_CACHE_SECONDS


@functools.cache
def code_stamp() -> str:
    """A digest of the code that builds and draws a dashboard: the project's Python modules,
    templates and translations, and Django's version. Part of every key, so that after a
    deploy no process is served what another release kept (a pickled dashboard of another
    shape, sections of another template). Read once per process (a few ms)."""
    root = Path(settings.BASE_DIR)
    ours = [root / "egov_portal"] + [
        Path(app.path)
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(root) and not Path(app.path).is_relative_to(VENV)
    ]
    files = [f for folder in ours for f in folder.rglob("*.py")]
    files += [*(root / "templates").rglob("*.html"), *(root / "locale").rglob("*.mo")]
    digest = hashlib.blake2b(django.get_version().encode(), digest_size=8)
    for path in sorted(set(files)):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def area(unit: Unit) -> int:
    """The data version a unit's dashboard follows: its province's (its own, a province's)."""
    return unit.province_id or unit.pk


def dashboard_get(unit: Unit, period: Period, *, today: datetime.date) -> tuple[Dashboard, str]:
    """reports.dashboard.dashboard_build's result, from the cache while it is current, and
    the key of what it was built at: the page's sections drawn from it are kept under that
    key too (templates/reports/unit_dashboard.html)."""
    if not timeout():
        return dashboard_build(unit, period, today=today), ""
    stamp = versions.read_page(area(unit), period.id)
    key = ":".join(
        map(str, (code_stamp(), unit.pk, period.id, today.isoformat(), get_language(), *stamp))
    )
    kept = cache.get(f"dashboard:{key}")
    if kept is not None:
        return kept, key
    board = dashboard_build(unit, period, today=today)
    cache.set(f"dashboard:{key}", board, timeout())
    return board, key
