"""Personal access tokens issued and revoked in the admin: the token shown once, on the page
that answers its creation, only its hash kept; administrators only (accounts.policy)."""

import hashlib
import re
import zlib

import pytest

from accounts.models import PersonalAccessToken
from accounts.tokens import token_new

pytestmark = pytest.mark.django_db
ADD = "/admin/accounts/personalaccesstoken/add/"
ME = "/dhis2/api/me"


def test_an_administrator_issues_a_token_shown_once_and_revokes_it(client, users):
    client.force_login(users["admin"])
    owner = users["vinhlinh.duyet"]
    assert client.get(ADD).status_code == 200
    answer = client.post(ADD, {"user": owner.pk, "name": "script", "expires_on": ""})
    assert answer.status_code == 200, answer.content[:500]
    assert "token" in answer.context, answer.context["adminform"].form.errors
    assert "no-store" in answer["Cache-Control"]
    token = answer.context["token"]
    assert token.startswith("d2pat_") and token in answer.content.decode()
    record = PersonalAccessToken.objects.get(user=owner, name="script")
    # Only the hash is kept, and the list and the record's page never show the token again.
    assert record.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in client.get("/admin/accounts/personalaccesstoken/").content.decode()
    change = f"/admin/accounts/personalaccesstoken/{record.pk}/change/"
    assert token not in client.get(change).content.decode()
    client.logout()
    signed = client.get(ME, HTTP_AUTHORIZATION=f"ApiToken {token}")
    assert signed.json()["username"] == "vinhlinh.duyet"
    client.force_login(users["admin"])
    delete = f"/admin/accounts/personalaccesstoken/{record.pk}/delete/"
    assert client.post(delete, {"post": "yes"}).status_code == 302
    client.logout()
    assert client.get(ME, HTTP_AUTHORIZATION=f"ApiToken {token}").status_code == 401


def test_only_administrators_issue_tokens(client, users):
    # A reviewer is not staff: the admin sends them to its login; nothing is made.
    client.force_login(users["vinhlinh.duyet"])
    answer = client.post(ADD, {"user": users["vinhlinh.duyet"].pk, "name": "mine"})
    assert answer.status_code == 302 and answer["Location"].startswith("/admin/login/")
    assert not PersonalAccessToken.objects.exists()


def test_tokens_are_shaped_as_dhis2s():
    """Prefix, 32 random characters, their CRC32 in ten digits, as DHIS2 documents it (its
    example's checksum is the CRC32 of its random part)."""
    documented = "d2pat_5xVA12xyUbWNedQxy4ohH77WlxRGVvZZ1151814092"
    assert int(documented[-10:]) == zlib.crc32(documented[6:-10].encode())
    tokens = {token_new() for _ in range(20)}
    assert len(tokens) == 20
    for token in tokens:
        assert re.fullmatch(r"d2pat_[A-Za-z0-9]{32}[0-9]{10}", token), token
        assert int(token[-10:]) == zlib.crc32(token[6:-10].encode())
