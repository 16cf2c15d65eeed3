"""The read replica: which reads go to it (egov_portal/db_router.py), for which requests
(ReplicaReadsMiddleware), and, with two real databases, that those reads do land there."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session

from accounts.models import Membership
from egov_portal.db_router import ReplicaRouter, replica_reads, replica_reads_active
from egov_portal.middleware import ReplicaReadsMiddleware
from indicators.models import Figure
from tests.processes import environment, run_python
from units.models import Unit

with_replica = ReplicaRouter(has_replica=True)


def test_reads_go_to_the_replica_only_within_replica_reads():
    assert with_replica.db_for_read(Unit) is None  # Django's default: the primary
    with replica_reads():
        assert with_replica.db_for_read(Unit) == "replica"
        assert with_replica.db_for_read(Figure) == "replica"
    assert with_replica.db_for_read(Figure) is None


def test_users_sessions_and_memberships_are_always_read_from_the_primary():
    with replica_reads():
        for model in (get_user_model(), Session, Membership):
            assert with_replica.db_for_read(model) is None, model


def test_writes_and_migrations_go_to_the_primary():
    with replica_reads():
        assert with_replica.db_for_write(Figure) == "default"
    assert with_replica.allow_migrate("default", "indicators")
    assert not with_replica.allow_migrate("replica", "indicators")
    assert with_replica.allow_relation(Unit(), Figure())


def test_without_a_replica_everything_reads_the_primary():
    # The settings of this test run: no DATABASE_REPLICA_URL.
    assert "replica" not in settings.DATABASES
    with replica_reads():
        assert ReplicaRouter().db_for_read(Unit) is None


@pytest.mark.parametrize(
    ("method", "path", "on_replica"),
    [
        ("get", "/dashboard/", True),
        ("get", "/dashboard/12/indicator/APP_DIGSIG_DOCS/", True),
        ("head", "/api/v1/analytics/", True),
        ("post", "/dashboard/", False),  # a write never reads a lagging copy first
        ("get", "/entry/", False),
        ("get", "/api/v1/observations/", False),
    ],
)
def test_the_dashboards_and_the_analytics_api_read_the_replica(rf, method, path, on_replica):
    seen = []

    def view(request):
        seen.append(replica_reads_active())
        return "response"

    assert ReplicaReadsMiddleware(view)(getattr(rf, method)(path)) == "response"
    assert seen == [on_replica]
    assert not replica_reads_active()  # and only for the length of the request


# Two SQLite files, each with a unit table holding the same code under a different name:
# what the ORM reads shows which database answered.
TWO_DATABASES = """
import django
django.setup()
from django.db import connections
from django.contrib.auth import get_user_model
from egov_portal.db_router import replica_reads
from units.models import Unit

for alias, name in (("default", "primary"), ("replica", "replica")):
    with connections[alias].schema_editor() as editor:
        editor.create_model(Unit)
    Unit.objects.using(alias).bulk_create([Unit(code="99999", name=name, level="province")])
outside = Unit.objects.get(code="99999").name
with replica_reads():
    inside = Unit.objects.get(code="99999").name
    user_db = Unit.objects.db_manager().db, get_user_model().objects.all().db
print(outside, inside, *user_db)
"""


def on_two_databases(tmp_path, script: str) -> list[str]:
    """What `script` prints, run in a process whose primary and replica are two SQLite files."""
    env = environment(
        drop=("DATABASE_", "REDIS_"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'primary.sqlite3'}",
        DATABASE_REPLICA_URL=f"sqlite:///{tmp_path / 'replica.sqlite3'}",
    )
    result = run_python(["-c", script], env, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_with_two_databases_the_reads_land_on_the_replica(tmp_path):
    outside, inside, unit_db, user_db = on_two_databases(tmp_path, TWO_DATABASES)
    assert (outside, inside) == ("primary", "replica")
    assert (unit_db, user_db) == ("replica", "default")


# The numbers a dashboard is kept under are read where its data is read: with the replica
# behind, numbers from the primary would file a page built from older data under them.
VERSIONS_ON_TWO_DATABASES = """
import django
django.setup()
from django.db import connections
from egov_portal.db_router import replica_reads
from indicators import versions
from indicators.models import DataVersion, ReportsVersion

for alias, number in (("default", 111), ("replica", 222)):
    with connections[alias].schema_editor() as editor:
        editor.create_model(DataVersion)
        editor.create_model(ReportsVersion)
    DataVersion.objects.using(alias).create(area=5, number=number)
    ReportsVersion.objects.using(alias).create(area=5, period="2025Q2", number=number)
outside = versions.read_page(5, "2025Q2")
with replica_reads():
    inside = versions.read_page(5, "2025Q2")
print(*outside, *inside)
"""


def test_a_dashboards_numbers_are_read_from_the_replica_it_is_built_from(tmp_path):
    printed = on_two_databases(tmp_path, VERSIONS_ON_TWO_DATABASES)
    assert printed == ["111", "0", "111", "222", "0", "222"]
