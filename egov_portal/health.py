"""GET /healthz: whether the databases (and Redis, where configured) answer.

For load balancers and container health checks: no login, and nothing in the answer but
"ok" or "error" per part, never an exception's text, a host name or a password.
"""

import redis
from django.conf import settings
from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

OK = "ok"
ERROR = "error"
DEGRADED = "degraded"
NOT_CONFIGURED = "not configured"
REDIS_TIMEOUT_SECONDS = 2


def database_answers(alias: str) -> bool:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def redis_answers(url: str) -> bool:
    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def health_parts() -> dict[str, str]:
    """Each part's state: "database" (the primary), "replica" if there is one, "redis"."""
    parts = {}
    for alias in settings.DATABASES:
        name = "database" if alias == "default" else alias
        parts[name] = OK if database_answers(alias) else ERROR
    # The Celery broker, and the cache when it is Redis (often the same server).
    urls = {url for url in (settings.REDIS_URL, settings.REDIS_CACHE_URL) if url}
    if not urls:
        parts["redis"] = NOT_CONFIGURED
    else:
        parts["redis"] = OK if all(redis_answers(url) for url in urls) else ERROR
    return parts


@never_cache
@require_safe
def healthz(request):
    """200 while the portal can serve: a database down is 503; Redis down is 200
    "degraded", since every page and the API work without it (egov_portal/redis_cache.py):
    a load balancer must not take every web container out for a cache outage."""
    parts = health_parts()
    databases = [state for name, state in parts.items() if name != "redis"]
    if ERROR in databases:
        status = ERROR
    elif parts["redis"] == ERROR:
        status = DEGRADED
    else:
        status = OK
    return JsonResponse({"status": status, **parts}, status=503 if status == ERROR else 200)
