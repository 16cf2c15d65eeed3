"""The user a request is from comes with their membership, its unit and agency, in the one
query that reads the user (accounts.backends): through a session and through an API token."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework import exceptions
from rest_framework.authtoken.models import Token

from accounts.backends import MemberBackend, MemberTokenAuthentication
from accounts.services import demo_users_create


@pytest.mark.django_db
def test_the_signed_in_user_comes_with_their_unit(reference_data, django_assert_num_queries):
    demo_users_create()
    official = get_user_model().objects.get(username="vinhlinh.nhaplieu")
    with django_assert_num_queries(1):
        user = MemberBackend().get_user(official.pk)
        assert user == official
        assert user.membership.unit.code == "464"
        assert user.membership.agency is None


@pytest.mark.django_db
def test_a_user_without_a_membership_or_inactive_or_gone(reference_data):
    backend = MemberBackend()
    loner = get_user_model().objects.create_user("loner", password="x-long-enough-1")
    found = backend.get_user(loner.pk)
    assert found == loner
    assert not hasattr(found, "membership")  # cached as absent: no query to find out
    loner.is_active = False
    loner.save()
    assert backend.get_user(loner.pk) is None
    assert backend.get_user(loner.pk + 1000) is None


@pytest.mark.django_db
def test_a_session_signs_in_through_it(reference_data, client):
    demo_users_create()
    official = get_user_model().objects.get(username="vinhlinh.nhaplieu")
    official.set_password("a-good-long-password-1")
    official.save()
    wrong = {"username": "vinhlinh.nhaplieu", "password": "wrong"}
    assert client.post("/accounts/login/", wrong).status_code == 200  # the form again
    assert "_auth_user_id" not in client.session
    right = {"username": "vinhlinh.nhaplieu", "password": "a-good-long-password-1"}
    assert client.post("/accounts/login/", right).status_code == 302
    assert client.session["_auth_user_backend"] == "accounts.backends.MemberBackend"
    assert client.get("/entry/").status_code == 200


@pytest.mark.django_db
def test_an_api_token_user_comes_with_their_unit(reference_data, django_assert_num_queries):
    demo_users_create()
    official = get_user_model().objects.get(username="vinhlinh.nhaplieu")
    key = Token.objects.create(user=official).key
    auth = MemberTokenAuthentication()
    with django_assert_num_queries(1):
        user, token = auth.authenticate_credentials(key)
        assert user == official and token.key == key
        assert user.membership.unit.code == "464"
    with pytest.raises(exceptions.AuthenticationFailed):
        auth.authenticate_credentials("not-a-token")
    official.is_active = False
    official.save()
    with pytest.raises(exceptions.AuthenticationFailed):
        auth.authenticate_credentials(key)
