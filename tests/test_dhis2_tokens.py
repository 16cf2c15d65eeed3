"""Personal access tokens issued and revoked in the admin: the token shown once, on the page
that answers its creation, only its hash kept; administrators only (accounts.policy)."""

import base64
import datetime
import hashlib
import json
import re
import zlib

import pytest
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import PersonalAccessToken
from accounts.tokens import token_new

pytestmark = pytest.mark.django_db
ADD = "/admin/accounts/personalaccesstoken/add/"
API = "/dhis2/api"
ME = f"{API}/me"


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


def basic(username: str) -> dict:
    secret = base64.b64encode(f"{username}:{DEMO_PASSWORD}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {secret}"}


def test_a_user_makes_lists_and_revokes_their_own_tokens_as_in_dhis2(client, users):
    """POST /api/apiToken with `{}` answers DHIS2's ApiTokenCreationResponse, the key this
    once; GET lists the user's own tokens without it; DELETE revokes one of one's own."""
    made = client.post(
        f"{API}/apiToken", "{}", content_type="application/json", **basic("hoxa.nhaplieu")
    )
    assert made.status_code == 201, made.content
    assert "no-store" in made["Cache-Control"]
    response = made.json()["response"]
    assert made.json()["httpStatus"] == "Created"
    assert response["responseType"] == "ApiTokenCreationResponse"
    assert response["klass"] == "org.hisp.dhis.security.apikey.ApiToken"
    key, token_id = response["key"], response["uid"]
    assert re.fullmatch(r"d2pat_[A-Za-z0-9]{32}[0-9]{10}", key)
    me = client.get(f"{API}/me", HTTP_AUTHORIZATION=f"ApiToken {key}").json()
    assert me["username"] == "hoxa.nhaplieu"
    # With an expiry (milliseconds, DHIS2's), made with the token itself.
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    body = json.dumps({"expire": int(tomorrow.timestamp() * 1000), "name": "script"})
    second = client.post(
        f"{API}/apiToken",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"ApiToken {key}",
    )
    assert second.status_code == 201
    assert PersonalAccessToken.objects.get(name="script").expires_on == timezone.localdate(tomorrow)
    listed = client.get(f"{API}/apiToken?fields=id,name,expire", **basic("hoxa.nhaplieu")).json()
    assert {t["id"] for t in listed["apiToken"]} == {token_id, second.json()["response"]["uid"]}
    assert key not in json.dumps(listed)
    # Another user neither sees nor revokes them.
    other = client.get(f"{API}/apiToken", **basic("vinhlinh.duyet")).json()
    assert other["apiToken"] == []
    assert client.delete(f"{API}/apiToken/{token_id}", **basic("vinhlinh.duyet")).status_code == 404
    assert client.get(f"{API}/me", HTTP_AUTHORIZATION=f"ApiToken {key}").status_code == 200
    gone = client.delete(f"{API}/apiToken/{token_id}", **basic("hoxa.nhaplieu"))
    assert gone.status_code == 200 and gone.json()["response"]["uid"] == token_id
    assert client.get(f"{API}/me", HTTP_AUTHORIZATION=f"ApiToken {key}").status_code == 401
    past = json.dumps({"expire": 1000})
    refused = client.post(
        f"{API}/apiToken", past, content_type="application/json", **basic("hoxa.nhaplieu")
    )
    assert refused.status_code == 400 and refused.json()["status"] == "ERROR"
    assert client.post(f"{API}/apiToken", "{}", content_type="application/json").status_code == 401
