"""Shared fixtures: the real reference data, loaded once into the test database."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command


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
def fresh_cache(settings):
    """Each test starts with an empty cache (throttle counters included)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def reference_data(django_db_setup, django_db_blocker):
    """The reference data, there when the test starts and there again after it.

    live_server makes the test transactional, and pytest-django empties every table when a
    transactional test ends: the units, indicators and plans tests/conftest.py loaded once
    for the session would be gone for any test after this one. This module-scoped fixture's
    teardown runs after that flush, and loads them again (used by the browser tests).
    """
    from units.models import Unit

    with django_db_blocker.unblock():
        if not Unit.objects.filter(code="19363").exists():  # flushed by an earlier test
            call_command("load_reference_data", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("load_reference_data", stdout=io.StringIO())
