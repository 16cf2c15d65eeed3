"""One lock order for every writer of figures: the report first, then its figures by id
(docs/decisions/0012). A bulk import and a form save or an approval on the same figures
wait for each other; they never deadlock (issue 16, item 5). Should the database still give
up on a writer, its user gets a 409 saying what to do."""

import io
import queue
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import OperationalError, connection

from accounts.services import demo_users_create
from egov_portal.db_errors import WRITE_CLASH
from entry import services
from entry.services import EntryConflict, EntryValue, entry_save, submission_act
from indicators.importing import read_figures
from indicators.models import Figure, Submission
from indicators.periods import containing, parse_period
from indicators.reports import submission_get
from indicators.writes import bulk
from indicators.writes import figures as figure_writes
from units.models import Unit

Q4 = parse_period("2024Q4")
ON = "2024-01-01"
CODES = ("INF_LAN", "INF_BROADBAND", "HR_IT_STAFF", "HR_COMPUTER_USE")
YES_NO = ("INF_LAN", "INF_BROADBAND")

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs two sessions writing at once with row locks (PostgreSQL); SQLite has one "
    "writer and select_for_update does nothing there",
)


@pytest.fixture
def committed(transactional_db, reference_data):
    """Real commits, which the other thread sees (see tests/test_faults.py)."""
    if not Unit.objects.filter(code="19363").exists():
        call_command("load_reference_data", stdout=io.StringIO())


def import_rows(value: int) -> bytes:
    lines = ["unit_code,on,indicator,period,value"]
    lines += [f"19363,{ON},{code},{Q4.id},{1 if code in YES_NO else value}" for code in CODES]
    return ("\n".join(lines) + "\n").encode()


def form_values(value: int) -> dict[str, EntryValue]:
    return {code: EntryValue(value="0" if code in YES_NO else str(value)) for code in CODES}


def complete_values(unit: Unit) -> dict[str, EntryValue]:
    """A value for every indicator the unit reports in Q4: 1 of 2, or 1."""
    return {
        i.code: (
            EntryValue(numerator="1", denominator="2")
            if i.value_type == "ratio"
            else EntryValue(value="1")
        )
        for i in services.applicable_indicators(unit, None, Q4)
    }


def slow(monkeypatch, module, name: str, seconds: float = 0.3) -> None:
    """Hold the first writer between its two locks a moment, so that the other certainly
    comes in between: with two lock orders, that is a deadlock every time."""
    real = getattr(module, name)

    def held(*args, **kwargs):
        result = real(*args, **kwargs)
        time.sleep(seconds)
        return result

    monkeypatch.setattr(module, name, held)


def race(*writers) -> list[tuple[str, str]]:
    start = threading.Barrier(len(writers))
    outcomes: queue.Queue = queue.Queue()

    def run(writer):
        try:
            start.wait()
            outcomes.put(("done", writer()))
        except (EntryConflict, bulk.ImportConflict) as exc:  # refusals that say what to do
            outcomes.put(("refused", type(exc).__name__))
        except OperationalError as exc:
            outcomes.put(("database", str(exc).splitlines()[0]))
        except Exception as exc:  # any other outcome fails the test, with its reason
            outcomes.put(("error", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(w,)) for w in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return [outcomes.get_nowait() for _ in writers]


@postgresql_only
def test_an_import_and_a_form_save_on_the_same_figures_never_deadlock(committed, monkeypatch):
    demo_users_create()
    official = get_user_model().objects.get(username="hoxa.nhaplieu")
    hoxa = Unit.objects.in_force(parse_period("2024Q1").end).get(code="19363")
    entry_save(user=official, unit=hoxa, agency=None, period=Q4, values=form_values(1), version=0)
    # The import holds its first lock a moment; so does the form (applicable_indicators
    # runs between the report's lock and its figures').
    slow(monkeypatch, bulk, "_reports")
    slow(monkeypatch, bulk, "_existing")
    slow(monkeypatch, services, "applicable_indicators")
    for round_ in range(3):

        def by_file(value=10 + round_):
            return bulk.figures_import(read_figures(import_rows(value)).inputs, user=official)

        def by_form(value=20 + round_):
            report = submission_get(hoxa, None, Q4)
            return entry_save(
                user=official,
                unit=hoxa,
                agency=None,
                period=Q4,
                values=form_values(value),
                version=report.version,
            )

        outcomes = race(by_file, by_form)
        kinds = sorted(kind for kind, _detail in outcomes)
        assert "database" not in kinds and "error" not in kinds, outcomes
        assert "done" in kinds, outcomes
    # Whoever came second either waited and wrote, or was told the form is stale.
    assert Figure.objects.filter(unit=hoxa, period=Q4.id).count() == len(CODES)


@postgresql_only
@pytest.mark.parametrize("importer", ["hoxa.nhaplieu", "warehouse"])
def test_an_import_and_an_approval_on_the_same_figures_never_deadlock(
    committed, monkeypatch, importer
):
    demo_users_create()
    official = get_user_model().objects.get(username="hoxa.nhaplieu")
    reviewer = get_user_model().objects.get(username="vinhlinh.duyet")
    # A data warehouse's account writes any figure and takes no report: it locks figures only.
    get_user_model().objects.create_user("warehouse", password="x", is_staff=True)
    sender = get_user_model().objects.get(username=importer)
    hoxa = Unit.objects.in_force(parse_period("2024Q1").end).get(code="19363")
    slow(monkeypatch, bulk, "_reports")
    slow(monkeypatch, bulk, "_existing")
    for round_ in range(3):
        Submission.objects.filter(unit=hoxa, period=Q4.id).delete()
        Figure.objects.filter(unit=hoxa, period=Q4.id).delete()
        complete = complete_values(hoxa)
        result = entry_save(
            user=official,
            unit=hoxa,
            agency=None,
            period=Q4,
            values=complete,
            version=0,
            submit=True,
        )
        assert result.submitted, result.missing
        report = result.submission

        def by_file(value=30 + round_):
            return bulk.figures_import(read_figures(import_rows(value)).inputs, user=sender)

        def approve(report=report):
            return submission_act(user=reviewer, submission=report, action="approve")

        outcomes = race(by_file, approve)
        kinds = sorted(kind for kind, _detail in outcomes)
        assert "database" not in kinds and "error" not in kinds, outcomes
        report.refresh_from_db()
        assert report.status == Submission.Status.APPROVED
        # The official's rows are refused (the report is submitted, then approved); the
        # warehouse's are stored before the approval (and approved with it) or refused after
        # it (approved figures are never overwritten by a file): never half of them.
        figures = Figure.objects.filter(unit=hoxa, period=Q4.id)
        assert set(figures.values_list("status", flat=True)) == {Figure.Status.APPROVED}
        stored = figures.get(indicator__code="HR_IT_STAFF").value
        assert stored in ({1, 30 + round_} if importer == "warehouse" else {1})


def test_a_deadlock_the_database_gives_up_on_is_a_409_saying_what_to_do(client, db, monkeypatch):
    from psycopg2 import errors

    demo_users_create()
    client.force_login(get_user_model().objects.get(username="hoxa.nhaplieu"))
    hoxa = Unit.objects.in_force(parse_period("2024Q1").end).get(code="19363")

    def deadlocked(**kwargs):
        raise OperationalError("deadlock detected") from errors.DeadlockDetected()

    monkeypatch.setattr(services, "entry_save", deadlocked)
    monkeypatch.setattr(figure_writes, "figure_api_save", deadlocked)
    response = client.post(f"/entry/{hoxa.pk}/2024Q4/", {"version": "0", "INF_LAN-value": "1"})
    assert response.status_code == 409
    assert str(WRITE_CLASH) in response.content.decode()
    response = client.post(
        "/api/v1/observations/",
        {"unit_code": "19363", "on": ON, "indicator": "INF_LAN", "period": Q4.id, "value": "1"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["detail"] == str(WRITE_CLASH)


def test_any_other_database_error_is_not_taken_for_a_clash(client, db, monkeypatch):
    from psycopg2 import errors

    demo_users_create()
    client.force_login(get_user_model().objects.get(username="hoxa.nhaplieu"))
    hoxa = Unit.objects.in_force(parse_period("2024Q1").end).get(code="19363")

    def broken(**kwargs):
        raise OperationalError("disk full") from errors.DiskFull()

    monkeypatch.setattr(services, "entry_save", broken)
    with pytest.raises(OperationalError):  # a 500, as a server error is
        client.post(f"/entry/{hoxa.pk}/2024Q4/", {"version": "0", "INF_LAN-value": "1"})


@postgresql_only
def test_two_approvals_in_one_district_at_once_both_reach_its_aggregates(committed, monkeypatch):
    """Each approval recomputes the district's and province's aggregates in its own
    transaction. Without the units' aggregate locks, the second would compute while the
    first has not committed, without its figures, and commit last: a lost update. With
    them it waits, then reads the first's commit (docs/decisions/0015)."""
    from accounts.models import Membership
    from indicators import aggregates

    demo_users_create()
    reviewer = get_user_model().objects.get(username="vinhlinh.duyet")
    reports = []
    for code in ("19363", "19366"):  # Hồ Xá, Bến Quan: both in huyện Vĩnh Linh
        unit = Unit.objects.in_force(parse_period("2024Q1").end).get(code=code)
        official = get_user_model().objects.create_user(f"official-{code}", password="x")
        Membership.objects.create(user=official, unit=unit, is_data_entry=True)
        complete = complete_values(unit)
        result = entry_save(
            user=official, unit=unit, agency=None, period=Q4, values=complete, version=0,
            submit=True,
        )  # fmt: skip
        assert result.submitted, result.missing
        reports.append(result.submission)
    # Each waits a second once it holds its locks, before computing: the two certainly overlap.
    slow(monkeypatch, aggregates, "_settled", seconds=1.0)
    outcomes = race(
        *(
            lambda report=report: submission_act(user=reviewer, submission=report, action="approve")
            for report in reports
        )
    )
    assert [kind for kind, _ in outcomes] == ["done", "done"], outcomes
    vinh_linh = Unit.objects.get(code="464")
    assert aggregates.differences(unit_ids=[vinh_linh.pk], periods=containing(Q4.id)) == []
    row = vinh_linh.aggregate_set.get(indicator__code="INF_LAN", period=Q4.id, scope="self")
    assert row.covered == 2  # both communes' answers, each yes
