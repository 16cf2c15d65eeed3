"""Shared fixtures: the real reference data, loaded once into the test database."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation

from accounts.services import demo_users_create
from units.models import Unit


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # Every test sees the real GSO units and their lineage; each test's own writes are
    # rolled back, so the load runs once per session (a few seconds), not once per test.
    with django_db_blocker.unblock():
        call_command("load_reference_data", stdout=io.StringIO())


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The demo accounts are created in many tests; the real hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language(settings):
    """Each test starts in Vietnamese: a request in English (Accept-Language: en) leaves
    English active in the thread (LocaleMiddleware activates, nothing deactivates), and a
    later test that builds a workbook outside a request would otherwise be in English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Each test starts with an empty cache (throttle counters included)."""
    cache.clear()
    yield
    cache.clear()


def _reference_data_present() -> bool:
    from units.models import Unit

    return Unit.objects.filter(code="19363").exists()


@pytest.fixture(scope="module")
def _reference_data_module(django_db_setup, django_db_blocker):
    """Loads the reference data again after the module: a transactional test's flush, at
    its end, would leave every later module without it."""
    yield
    with django_db_blocker.unblock():
        call_command("load_reference_data", stdout=io.StringIO())


@pytest.fixture
def reference_data(_reference_data_module, django_db_blocker):
    """The reference data, there when the test starts and there again after the module.

    live_server makes the test transactional, and pytest-django empties every table when a
    transactional test ends: the units, indicators and plans tests/conftest.py loaded once
    for the session would be gone for any test after this one. Each test finds them (loaded
    again if an earlier transactional test of the module flushed them), and the module's
    teardown, which runs after the last flush, loads them for the modules after it (used by
    the browser tests).
    """
    with django_db_blocker.unblock():
        if not _reference_data_present():  # flushed by an earlier test
            call_command("load_reference_data", stdout=io.StringIO())


@pytest.fixture
def users(reference_data) -> dict:
    """The demo accounts by username (a module may define its own `users`)."""
    demo_users_create()
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def hoxa(reference_data):
    """Thị trấn Hồ Xá as it stood until 30/06/2025 (a module may define its own `hoxa`)."""
    return Unit.objects.in_force(datetime.date(2024, 1, 1)).get(code="19363")


@pytest.fixture
def aggregate_writes(monkeypatch) -> list[int]:
    """The size of each aggregate_table.write() the test makes, in order (each still writes)."""
    from indicators import aggregate_table

    sizes: list[int] = []
    write = aggregate_table.write

    def counted(rows):
        sizes.append(len(rows))
        return write(rows)

    monkeypatch.setattr(aggregate_table, "write", counted)
    return sizes
