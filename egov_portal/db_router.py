"""Reads of the published data from a read replica (DATABASE_REPLICA_URL), within
`replica_reads()`: the dashboards and the analytics API (ReplicaReadsMiddleware).

Everything else reads the primary, and every write goes to it. Users, sessions, memberships
and lockouts are always read from the primary: a user who has just signed in must not look
signed out because the replica is a second behind.
"""

import contextlib
import contextvars
from collections.abc import Iterator

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"
# The apps whose rows the dashboards and the analytics API show.
REPLICA_APPS = frozenset({"units", "indicators", "plans", "entry", "reports"})

_replica_reads = contextvars.ContextVar("replica_reads", default=False)


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Within this block, reads of REPLICA_APPS go to the replica (if one is configured)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_reads_active() -> bool:
    return _replica_reads.get()


class ReplicaRouter:
    def __init__(self, has_replica: bool | None = None):
        # Django builds the router once, after the settings; tests pass has_replica.
        self.has_replica = REPLICA in settings.DATABASES if has_replica is None else has_replica

    def db_for_read(self, model, **hints):
        if self.has_replica and _replica_reads.get() and model._meta.app_label in REPLICA_APPS:
            return REPLICA
        return None  # Django's default: the primary, or the database the hinted row came from

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's schema by itself
