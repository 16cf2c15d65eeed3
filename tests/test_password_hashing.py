"""Passwords are stored with Argon2id (accounts.hashers, docs/decisions/0033); a hash made
before, by Django's PBKDF2 or with other Argon2 parameters, still signs in and is stored
again with Argon2id's then. (Every other test hashes with MD5, for speed: tests/conftest.py.)"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    PBKDF2PasswordHasher,
    check_password,
    make_password,
)

from egov_portal import settings as project_settings

PASSWORD = "a-good-long-password-1"
ARGON2ID = "argon2$argon2id$v=19$m=65536,t=3,p=1$"


@pytest.fixture
def project_hashers(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def test_a_new_password_is_stored_with_argon2id(project_hashers):
    stored = make_password(PASSWORD)
    assert stored.startswith(ARGON2ID)
    assert check_password(PASSWORD, stored)
    assert not check_password(PASSWORD + "x", stored)


@pytest.mark.parametrize(
    "former",
    [PBKDF2PasswordHasher(), Argon2PasswordHasher()],  # Django's: 1,000,000 iterations; p=8
    ids=["pbkdf2", "argon2-django-parameters"],
)
@pytest.mark.django_db
def test_a_former_hash_signs_in_and_is_stored_again(project_hashers, client, former):
    user = get_user_model().objects.create(
        username="former", password=former.encode(PASSWORD, former.salt())
    )
    assert not user.password.startswith(ARGON2ID)
    wrong = {"username": "former", "password": PASSWORD + "x"}
    assert client.post("/accounts/login/", wrong).status_code == 200
    user.refresh_from_db()
    assert not user.password.startswith(ARGON2ID)  # a wrong password changes nothing
    right = {"username": "former", "password": PASSWORD}
    assert client.post("/accounts/login/", right).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith(ARGON2ID)
    client.logout()
    assert client.post("/accounts/login/", right).status_code == 302
