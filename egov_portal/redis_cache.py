"""The cache backend for Redis: Django's, except that a Redis outage degrades it instead of
breaking every request that touches the cache.

What the cache holds may be lost at any time: the API's throttle counters, sessions' rate
limits and whatever else is cached. So when Redis cannot be reached (connection refused, a
timeout, a connection lost mid-command), an operation acts as a miss: a read returns its
default, a write stores nothing, the throttles find no count and let the request through.

The outage is logged once per process (a warning with the error), again at most every
LOG_EVERY_SECONDS while it lasts, and its end once. After a failure the process leaves
Redis alone for RETRY_SECONDS: a dead host then costs one connect timeout per process and
interval, not one per cache call (an API call makes up to six: three throttles, a read
and a write each).
"""

import logging
import threading
import time
from dataclasses import dataclass, field

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
RETRY_SECONDS = 10
LOG_EVERY_SECONDS = 600


@dataclass
class Outage:
    """One Redis server's state in this process, shared by its threads. Messages carry the
    error (which names host and port), never the URL: it may hold a password."""

    down_until: float = 0.0  # time.monotonic(): until then, calls skip Redis
    since: float | None = None  # when the outage began; None while Redis answers
    logged_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def skipping(self) -> bool:
        return self.since is not None and time.monotonic() < self.down_until

    def failed(self, error: Exception) -> None:
        now = time.monotonic()
        with self.lock:
            first = self.since is None
            if first:
                self.since = now
            self.down_until = now + RETRY_SECONDS
            due = first or now - self.logged_at >= LOG_EVERY_SECONDS
            if due:
                self.logged_at = now
            since = self.since
        if first:
            logger.warning(
                "Cache unavailable (%s): serving without it, trying again every %s s.",
                error,
                RETRY_SECONDS,
            )
        elif due:
            logger.warning("Cache still unavailable after %s s (%s).", round(now - since), error)

    def answered(self) -> None:
        if self.since is None:  # the common case: no lock, nothing to do
            return
        with self.lock:
            since, self.since = self.since, None
        if since is not None:
            logger.warning("Cache available again after %s s.", round(time.monotonic() - since))


# Per process and server: every thread's instance of the backend sees the same outage.
_outages: dict[str, Outage] = {}
_outages_lock = threading.Lock()


def outage_of(server: str) -> Outage:
    with _outages_lock:
        return _outages.setdefault(server, Outage())


def outages_forget() -> None:
    """Forget every outage (for tests: each starts with Redis believed up)."""
    with _outages_lock:
        _outages.clear()


_MISSING = object()


class DegradingRedisCache(RedisCache):
    """RedisCache whose operations act as misses while Redis cannot be reached."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._server = server if isinstance(server, str) else ",".join(server)

    def _call(self, operation, *args, fallback):
        outage = outage_of(self._server)
        if outage.skipping():
            return fallback
        try:
            result = operation(*args)
        except UNREACHABLE as error:
            outage.failed(error)
            return fallback
        outage.answered()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, key, value, timeout, version, fallback=False)

    def get(self, key, default=None, version=None):
        return self._call(super().get, key, default, version, fallback=default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call(super().set, key, value, timeout, version, fallback=None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, key, timeout, version, fallback=False)

    def delete(self, key, version=None):
        return self._call(super().delete, key, version, fallback=False)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, keys, version, fallback={})

    def has_key(self, key, version=None):
        return self._call(super().has_key, key, version, fallback=False)

    def incr(self, key, delta=1, version=None):
        # A missing key raises ValueError; with Redis away, every key is missing.
        result = self._call(super().incr, key, delta, version, fallback=_MISSING)
        if result is _MISSING:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # The keys that could not be stored: all of them.
        return self._call(super().set_many, data, timeout, version, fallback=list(data))

    def delete_many(self, keys, version=None):
        self._call(super().delete_many, keys, version, fallback=None)

    def clear(self):
        return self._call(super().clear, fallback=False)
