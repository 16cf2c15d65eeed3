"""The roll-up engine's results, kept in Django's cache until the data they come from changes.

A roll-up reads approved figures, units, agencies, lineage and the indicators' rules; after
any committed change to one of them the data version (one row, indicators.DataVersion) moves
on, and results cached under the old version are never read again. Drafts and submissions
do not move it: only results over approved figures are cached. Writes through the ORM move
it by signal (apps.py), figures through indicators.store, the one place they are written;
bulk paths that bypass signals (the reference loader, the synthetic data) call
data_changed() themselves. docs/decisions/0009 says why.
"""

import contextlib
import contextvars
import hashlib
import pickle
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save

from indicators.models import DataVersion

# Set by one_version(): the version a whole page reads its cached parts by.
_pinned: contextvars.ContextVar[int | None] = contextvars.ContextVar("data_version", default=None)


def data_version() -> int:
    """The current data version (one query, none inside one_version())."""
    pinned = _pinned.get()
    if pinned is not None:
        return pinned
    row = DataVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return row or 0


@contextlib.contextmanager
def one_version():
    """Read the data version once for everything cached inside (a dashboard asks for ten
    cached parts); a version moving meanwhile is seen by the next page."""
    if not getattr(settings, "ROLLUP_CACHE_SECONDS", 0):
        yield  # nothing is cached: nothing to read
        return
    token = _pinned.set(data_version())
    try:
        yield
    finally:
        _pinned.reset(token)


def data_changed() -> None:
    """Move the data version on once the current transaction commits (at once outside one).

    After the commit, so a reader can never cache data older than the version it keys by;
    once per transaction, however many rows it wrote."""
    if any(func is _bump for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_bump)


def follow(*models, links=()) -> None:
    """Move the data version on whenever one of `models` is saved or deleted (and whenever
    one of the many-to-many `links` tables changes): for what cached results read."""
    for model in models:
        post_save.connect(_changed, sender=model, dispatch_uid=f"data-version-save-{model}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"data-version-del-{model}")
    for through in links:
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"data-version-m2m-{through}")


def _changed(sender, **kwargs) -> None:
    data_changed()


def _bump() -> None:
    # One short UPDATE, after the writer's commit. The row is the migration's; it is made
    # again if a flush (a transactional test) emptied the table.
    if not DataVersion.objects.filter(pk=1).update(version=F("version") + 1):
        DataVersion.objects.get_or_create(pk=1, defaults={"version": 1})


def cached(name: str, parts: tuple, compute: Callable):
    """compute(), or its result cached under `name`, `parts` and the data version.

    settings.ROLLUP_CACHE_SECONDS = 0 turns the cache off (the test suite does)."""
    seconds = getattr(settings, "ROLLUP_CACHE_SECONDS", 0)
    if not seconds:
        return compute()
    digest = hashlib.sha1(
        pickle.dumps((parts, data_version()), protocol=pickle.HIGHEST_PROTOCOL),
        usedforsecurity=False,
    ).hexdigest()
    key = f"{name}:{digest}"
    found = cache.get(key)
    if found is not None:
        return found
    result = compute()
    cache.set(key, result, seconds)
    return result
