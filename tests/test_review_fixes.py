"""Problems found reviewing issue 19's changes, each pinned by the test that showed it."""

import pytest
from django.contrib.auth import get_user_model

from accounts.services import demo_users_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(client):
    demo_users_create()
    client.force_login(get_user_model().objects.get(username="vinhlinh.duyet"))
    return client


@pytest.mark.parametrize("unit", ["²", "abc"])
def test_completeness_of_a_unit_that_is_no_number_is_no_server_error(reviewer, unit):
    # The dashboards link here with ?unit=<id>; "²" is a digit to str.isdigit, not to int().
    response = reviewer.get("/entry/completeness/", {"unit": unit})
    assert response.status_code == 404
