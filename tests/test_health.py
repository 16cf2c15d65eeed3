"""GET /healthz: 200 when the parts answer (Redis down: "degraded"), 503 naming a database
that does not, with nothing sensitive in the answer, and no login."""

import json
import socket

import pytest

from tests.processes import environment, run_python

URL = "/healthz"
CLOSED_REDIS = "redis://:hunter2@127.0.0.1:1/0"  # port 1: nothing listens there


def local_redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.django_db
def test_answers_ok_to_anyone_when_the_database_answers(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not configured"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_names_redis_when_it_does_not_answer_and_stays_up(client, settings):
    # Every page and the API work without Redis: the container is degraded, not down.
    settings.REDIS_URL = CLOSED_REDIS
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "redis": "error"}
    for secret in ("hunter2", "127.0.0.1", "Connection", "refused"):
        assert secret not in response.content.decode()


@pytest.mark.django_db
def test_checks_the_cache_redis_too(client, settings):
    settings.REDIS_CACHE_URL = CLOSED_REDIS
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json()["redis"] == "error"


@pytest.mark.skipif(not local_redis_answers(), reason="no Redis on 127.0.0.1:6379")
@pytest.mark.django_db
def test_says_ok_when_redis_answers(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json()["redis"] == "ok"


def test_names_the_database_when_it_does_not_answer():
    # A real failure, no mock: a process whose database is a PostgreSQL port nobody listens on.
    script = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code); print(r.content.decode())"
    )
    env = environment(
        drop=("DATABASE_URL", "REDIS_URL"),
        DATABASE_URL="postgres://egov_owner:hunter2@127.0.0.1:1/egov_secret_db",
    )
    result = run_python(["-c", script], env, timeout=120)
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().splitlines()
    assert status == "503"
    assert json.loads(body) == {"status": "error", "database": "error", "redis": "not configured"}
    for secret in ("hunter2", "egov_owner", "egov_secret_db", "127.0.0.1", "5432"):
        assert secret not in body


@pytest.mark.django_db
def test_is_not_redirected_to_https(client, settings):
    # Load balancers probe the containers over plain http; everything else is redirected.
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(URL).status_code == 200
    assert client.get("/").status_code == 301


@pytest.mark.django_db
def test_only_reads(client):
    assert client.post(URL).status_code == 405
