"""Faults: what is left in the database when an import, a form save, two reviewers or a
background worker fail midway. Run on SQLite and on PostgreSQL (DATABASE_URL); the tests
that need two sessions at once (threads, a second process) are PostgreSQL only.

Failures come from the database itself where it can give them: a trigger refusing one row
stands for any error the database raises mid-write (a constraint, a full disk, a lost
connection); a process killed with SIGKILL is a worker killed.
"""

import datetime
import io
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time

import pytest
from celery.signals import worker_ready
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from accounts.services import demo_users_create
from entry import jobs, services, tasks  # tasks: its worker_ready handler, its tasks
from entry.models import ImportJob
from entry.services import EntryValue, WorkflowError, entry_save, submission_act
from indicators import reports
from indicators.importing import read_figures
from indicators.models import Figure, Submission, Transition
from indicators.periods import parse_period
from indicators.validation import SOURCE_TOO_LONG, VALUE_TOO_LARGE
from indicators.writes import bulk
from indicators.writes import reports as report_writes
from indicators.writes.bulk import ImportConflict, figures_import
from units.models import Unit

OLD = datetime.date(2024, 1, 1)
Q4 = parse_period("2024Q4")
HEADER = "unit_code,on,indicator,period,value,numerator,denominator,source,note\n"
REFUSED = "refused-by-the-database"  # the note the test trigger refuses
Status = Figure.Status

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs two sessions writing at once with row locks (PostgreSQL); SQLite has one "
    "writer and select_for_update does nothing there",
)


@pytest.fixture
def users(db) -> dict:
    demo_users_create()
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def hoxa(db) -> Unit:
    return Unit.objects.in_force(OLD).get(code="19363")


def csv_rows(rows: list[str]) -> bytes:
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode()


def hoxa_row(indicator: str, value="", numerator="", denominator="", source="", note="") -> str:
    return f"19363,{OLD},{indicator},{Q4.id},{value},{numerator},{denominator},{source},{note}"


GOOD_HOXA_ROWS = [
    hoxa_row("INF_LAN", value="1"),
    hoxa_row("INF_BROADBAND", value="1"),
    hoxa_row("HR_PROFICIENT", numerator="45", denominator="50"),
    hoxa_row("HR_IT_STAFF", value="2"),
]


def refuse_in_database(*, on: str) -> None:
    """A trigger that makes the database itself refuse, on INSERT or UPDATE, a figure whose
    note is REFUSED: a failure no validation can foresee. Created in the test's transaction,
    it goes when the test's transaction is rolled back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION proof_refuse() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'refused by the database'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER proof_refuse BEFORE {on} ON indicators_figure FOR EACH ROW "
                f"WHEN (NEW.note = '{REFUSED}') EXECUTE FUNCTION proof_refuse()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER proof_refuse BEFORE {on} ON indicators_figure "
                f"WHEN NEW.note = '{REFUSED}' "
                "BEGIN SELECT RAISE(ABORT, 'refused by the database'); END"
            )


# --- an import failing in its last row ----------------------------------------------------


def test_an_import_whose_last_row_is_refused_stores_nothing(users, hoxa):
    read = read_figures(csv_rows([*GOOD_HOXA_ROWS, hoxa_row("HR_COMPUTER_USE", value="120")]))
    result = jobs.import_now(read, user=users["hoxa.nhaplieu"], dry_run=False, valid_only=False)
    assert (result["stored"], result["rejected"], result["created"]) == (False, 1, 0)
    (error,) = result["errors"]
    assert (error["row"], error["field"]) == (6, "value")
    assert "0 đến 100" in error["message"]
    assert not Figure.objects.filter(unit=hoxa).exists()
    assert not Submission.objects.filter(unit=hoxa).exists()


@pytest.mark.parametrize(
    ("last_row", "field", "message"),
    [
        # 17 digits before the point: the column (20 digits, 4 after the point) cannot hold
        # it; PostgreSQL would refuse the whole INSERT ("numeric field overflow").
        (
            hoxa_row("SEC_INCIDENTS", value="12345678901234567"),
            "value",
            VALUE_TOO_LARGE % {"value": "12345678901234567"},
        ),
        # The source column holds 255 characters; PostgreSQL would refuse a longer one.
        (
            hoxa_row("SEC_INCIDENTS", value="1", source="x" * 256),
            "source",
            SOURCE_TOO_LONG % {"length": 256},
        ),
    ],
)
def test_a_last_row_the_columns_cannot_hold_is_refused_with_a_message(
    users, hoxa, last_row, field, message
):
    read = read_figures(csv_rows([*GOOD_HOXA_ROWS, last_row]))
    summary = figures_import(read.inputs, user=users["admin"])
    assert (summary.stored, summary.rejected, summary.created) == (False, 1, 0)
    (error,) = summary.errors
    assert (error.row, error.field, error.message) == (6, field, message)
    assert not Figure.objects.filter(unit=hoxa).exists()


def commune_rows(count: int) -> list[str]:
    """`count` good rows, one per commune in force all through 2024Q4 (a staff import)."""
    codes = (
        Unit.objects.in_force(Q4.end)
        .filter(level="commune", pk__in=Unit.objects.in_force(Q4.start).values("pk"))
        .order_by("code")
        .values_list("code", flat=True)[:count]
    )
    assert len(codes) == count
    return [
        f"{code},{Q4.end},INF_LAN,{Q4.id},1,,,Báo cáo quý,dòng {n}" for n, code in enumerate(codes)
    ]


def test_a_job_failing_in_the_database_at_its_last_row_stores_nothing(users):
    # More rows than one batch (indicators.writes.bulk.BATCH = 2000): on SQLite the first batch is
    # written before the database refuses the last row, and must go with it; on PostgreSQL
    # one COPY writes them all (indicators.writes.copy_write), and the refusal undoes it whole.
    rows = commune_rows(2050)
    rows[-1] = rows[-1].rsplit(",", 1)[0] + f",{REFUSED}"
    job = ImportJob.objects.create(user=users["admin"], filename="big.csv", data=csv_rows(rows))
    before = Figure.history.count()
    refuse_in_database(on="INSERT")

    jobs.run_import_job(job.pk)

    job.refresh_from_db()
    assert (job.status, job.progress) == (ImportJob.Status.FAILED, 100)
    assert job.error.startswith("Lỗi khi nhập tệp:")
    assert "refused by the database" in job.error
    assert not Figure.objects.filter(period=Q4.id, indicator__code="INF_LAN").exists()
    assert Figure.history.count() == before


@postgresql_only
@pytest.mark.parametrize("communes", [0, 1200], ids=["by the ORM", "by COPY"])
def test_a_figure_stored_by_another_session_before_the_last_row_is_written(
    committed, users, monkeypatch, communes
):
    """Two imports of the same new figure at once: the unique constraint refuses the later
    write, which no check can foresee. The import that loses says so (ImportConflict: the
    API answers 409, a job fails and can be run again) and stores none of its rows; the
    other session's figure stays."""
    staff = users["admin"]
    real_existing = bulk._existing
    other_session = threading.Thread(target=_store_incidents_elsewhere, args=(staff.pk,))

    def existing_then_someone_else_writes(*args, **kwargs):
        found = real_existing(*args, **kwargs)  # our rows are all new: nothing to lock
        if threading.current_thread() is threading.main_thread():
            other_session.start()  # commits its figure before ours are written
            other_session.join()
        return found

    monkeypatch.setattr(bulk, "_existing", existing_then_someone_else_writes)
    # With 1,200 more rows the figures go by COPY (indicators.writes.copy_write), where the clash
    # shows up in the middle of the stream.
    others = [row for row in commune_rows(communes + 1) if not row.startswith("19363,")]
    rows = [*others[:communes], *GOOD_HOXA_ROWS, hoxa_row("SEC_INCIDENTS", value="3")]
    read = read_figures(csv_rows(rows))

    with pytest.raises(ImportConflict, match="gửi lại tệp"):
        figures_import(read.inputs, user=staff)

    hoxa = Unit.objects.in_force(OLD).get(code="19363")
    stored = Figure.objects.filter(unit=hoxa, period=Q4.id)
    assert list(stored.values_list("indicator__code", "value")) == [("SEC_INCIDENTS", 7)]
    assert not Figure.objects.filter(period=Q4.id, indicator__code="INF_LAN").exists()


def _store_incidents_elsewhere(user_id: int) -> None:
    try:
        summary = figures_import(
            read_figures(csv_rows([hoxa_row("SEC_INCIDENTS", value="7")])).inputs,
            user=get_user_model().objects.get(pk=user_id),
        )
        assert summary.stored
    finally:
        connection.close()


# --- a database error in the middle of a form save ----------------------------------------


def test_a_database_error_in_the_middle_of_a_form_save_keeps_the_previous_figures(users, hoxa):
    official = users["hoxa.nhaplieu"]
    first = entry_save(
        user=official,
        unit=hoxa,
        agency=None,
        period=Q4,
        values={
            "INF_LAN": EntryValue(value="1"),
            "HR_PROFICIENT": EntryValue(numerator="45", denominator="50"),
        },
        version=0,
    )
    assert first.saved == 2
    submission = first.submission
    before = {f.indicator.code: (f.value, f.note) for f in reports.report_figures(submission)}
    history = Figure.history.count()
    version = submission.version
    # The save creates a figure, then updates two in one statement; the database refuses
    # HR_PROFICIENT's update, after the creation went through.
    refuse_in_database(on="UPDATE")

    with pytest.raises(DatabaseError):
        entry_save(
            user=official,
            unit=hoxa,
            agency=None,
            period=Q4,
            values={
                "INF_LAN": EntryValue(value="0"),
                "HR_PROFICIENT": EntryValue(numerator="40", denominator="50", note=REFUSED),
                "HR_COMPUTER_USE": EntryValue(numerator="10", denominator="10"),
            },
            version=submission.version,
        )

    after = {f.indicator.code: (f.value, f.note) for f in reports.report_figures(submission)}
    assert after == before == {"INF_LAN": (1, ""), "HR_PROFICIENT": (90, "")}
    assert Figure.history.count() == history
    submission.refresh_from_db()
    assert (submission.version, submission.status) == (version, Status.DRAFT)


# --- two reviewers approving the same report ----------------------------------------------


def complete_values(unit: Unit) -> dict[str, EntryValue]:
    values = {}
    for indicator in services.applicable_indicators(unit, None, Q4):
        if indicator.value_type == "ratio":
            values[indicator.code] = EntryValue(numerator="1", denominator="1")
        else:
            values[indicator.code] = EntryValue(value="1")
    return values


def submitted_report(users, unit: Unit) -> Submission:
    result = entry_save(
        user=users["hoxa.nhaplieu"],
        unit=unit,
        agency=None,
        period=Q4,
        values=complete_values(unit),
        version=0,
        submit=True,
    )
    assert result.submitted, result.errors
    return result.submission


def second_reviewer() -> object:
    user = get_user_model().objects.create_user("vinhlinh.duyet2", password="x")
    Membership.objects.create(
        user=user, unit=Unit.objects.in_force(OLD).get(code="464"), is_reviewer=True
    )
    return user


def test_approving_an_approved_report_is_refused_with_a_message(users, hoxa):
    report = submitted_report(users, hoxa)
    submission_act(user=users["vinhlinh.duyet"], submission=report, action="approve")
    with pytest.raises(WorkflowError) as refusal:
        submission_act(user=second_reviewer(), submission=report, action="approve")
    assert str(refusal.value) == "Không thể duyệt báo cáo đang ở trạng thái «Đã duyệt»."
    assert Transition.objects.filter(submission=report, to_status=Status.APPROVED).count() == 1


@postgresql_only
def test_two_reviewers_approving_at_once_give_one_approval_and_one_refusal(
    committed, users, monkeypatch
):
    hoxa = Unit.objects.in_force(OLD).get(code="19363")
    report = submitted_report(users, hoxa)
    reviewers = [users["vinhlinh.duyet"], second_reviewer()]
    # The first to hold the report stays inside its transaction a moment: the other is then
    # sure to try while the approval is under way (without the row lock both would approve).
    real_move = report_writes.report_move

    def slow_move(*args, **kwargs):
        time.sleep(0.3)
        real_move(*args, **kwargs)

    monkeypatch.setattr(report_writes, "report_move", slow_move)
    start = threading.Barrier(len(reviewers))
    outcomes: queue.Queue = queue.Queue()

    def approve(reviewer):
        try:
            start.wait()
            submission_act(user=reviewer, submission=report, action="approve")
            outcomes.put(("approved", reviewer.username))
        except WorkflowError as exc:
            outcomes.put(("refused", str(exc)))
        except Exception as exc:  # any other outcome fails the test below, with its reason
            outcomes.put(("error", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(r,)) for r in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    results = sorted(outcomes.get_nowait() for _ in reviewers)

    assert [kind for kind, _detail in results] == ["approved", "refused"], results
    assert results[1][1] == "Không thể duyệt báo cáo đang ở trạng thái «Đã duyệt»."
    report.refresh_from_db()
    assert report.status == Status.APPROVED
    steps = Transition.objects.filter(submission=report, to_status=Status.APPROVED)
    assert steps.count() == 1
    assert set(reports.report_figures(report).values_list("status", flat=True)) == {Status.APPROVED}


# --- a worker killed mid-import -----------------------------------------------------------


def hoxa_job(user, *, status=ImportJob.Status.QUEUED, **fields) -> ImportJob:
    return ImportJob.objects.create(
        user=user, filename="hoxa.csv", data=csv_rows(GOOD_HOXA_ROWS), status=status, **fields
    )


def test_a_job_run_again_while_the_broker_is_down_fails_saying_so(
    users, monkeypatch, django_capture_on_commit_callbacks
):
    job = hoxa_job(users["hoxa.nhaplieu"], status=ImportJob.Status.FAILED)

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is not answering")

    monkeypatch.setattr(tasks.import_figures, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.import_job_rerun(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.error == "Không đưa được việc nhập vào hàng đợi: Redis is not answering"
    assert job.data  # kept: it can be run again once the broker is back


def test_a_job_whose_worker_died_says_so_on_its_page_and_runs_again(
    client, users, hoxa, django_capture_on_commit_callbacks
):
    official = users["hoxa.nhaplieu"]
    job = hoxa_job(
        official,
        status=ImportJob.Status.RUNNING,
        progress=jobs.STORING,
        heartbeat_at=timezone.now() - datetime.timedelta(hours=2),
    )
    client.force_login(official)

    page = client.get(reverse("entry:import-job", args=[job.pk]))

    job.refresh_from_db()
    assert (job.status, job.error) == (ImportJob.Status.FAILED, str(jobs.JOB_STALE))
    assert str(jobs.JOB_STALE) in page.content.decode()
    assert reverse("entry:import-job-rerun", args=[job.pk]) in page.content.decode()
    assert not Figure.objects.filter(unit=hoxa).exists()

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("entry:import-job-rerun", args=[job.pk]))

    assert answer.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == (ImportJob.Status.DONE, 100, "")
    assert job.summary["created"] == len(GOOD_HOXA_ROWS)
    assert Figure.objects.filter(unit=hoxa, period=Q4.id).count() == len(GOOD_HOXA_ROWS)


def test_a_job_is_rerun_only_by_its_owner_and_only_once_failed(client, users, hoxa):
    job = hoxa_job(users["hoxa.nhaplieu"], status=ImportJob.Status.RUNNING)
    job.heartbeat_at = timezone.now()
    job.save()
    client.force_login(users["xavinhlinh.nhaplieu"])  # another official
    assert client.post(reverse("entry:import-job-rerun", args=[job.pk])).status_code == 403
    client.force_login(users["hoxa.nhaplieu"])
    answer = client.post(reverse("entry:import-job-rerun", args=[job.pk]), follow=True)
    assert str(jobs.JOB_NOT_RERUNNABLE) in answer.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING  # a live job is left alone
    client.logout()
    assert client.post(reverse("entry:import-job-rerun", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING


def test_a_worker_starting_fails_only_the_jobs_left_silent(users, settings):
    settings.IMPORT_JOB_STALE_MINUTES = 30
    official = users["hoxa.nhaplieu"]
    now = timezone.now()
    silent = hoxa_job(official, status="running", heartbeat_at=now - datetime.timedelta(hours=1))
    live = hoxa_job(official, status="running", heartbeat_at=now - datetime.timedelta(minutes=5))
    queued = hoxa_job(official)

    worker_ready.send(sender=None)

    statuses = dict(ImportJob.objects.values_list("pk", "status"))
    assert statuses == {silent.pk: "failed", live.pk: "running", queued.pk: "queued"}
    assert ImportJob.objects.get(pk=silent.pk).data  # kept, to run again


def test_the_periodic_sweep_fails_a_job_left_silent(users, settings):
    """The worker's beat runs the sweep every IMPORT_JOB_SWEEP_SECONDS, so a dead job is
    failed even if no one opens its page and no worker starts."""
    from egov_portal.celery import app

    settings.IMPORT_JOB_STALE_MINUTES = 30
    official = users["hoxa.nhaplieu"]
    now = timezone.now()
    silent = hoxa_job(official, status="running", heartbeat_at=now - datetime.timedelta(hours=1))
    live = hoxa_job(official, status="running", heartbeat_at=now - datetime.timedelta(minutes=5))
    entry = settings.CELERY_BEAT_SCHEDULE["import-jobs-fail-stale"]
    assert entry["schedule"] == settings.IMPORT_JOB_SWEEP_SECONDS

    assert app.tasks[entry["task"]].name == tasks.import_jobs_sweep.name
    assert tasks.import_jobs_sweep.delay().get() == 1

    statuses = dict(ImportJob.objects.values_list("pk", "status"))
    assert statuses == {silent.pk: "failed", live.pk: "running"}


def test_a_job_failed_as_stale_while_its_worker_lives_stores_nothing(
    users, hoxa, settings, monkeypatch
):
    """A worker too slow (past IMPORT_JOB_STALE_MINUTES) finds its job failed when it comes to
    store, and stores nothing: a failed job never has figures."""
    settings.IMPORT_JOB_STALE_MINUTES = 0
    job = hoxa_job(users["hoxa.nhaplieu"])
    real_import = jobs.figures_import

    def check_then_fall_silent(inputs, **kwargs):
        summary = real_import(inputs, **kwargs)
        if kwargs.get("dry_run"):  # taken for dead between checking and storing
            assert jobs.import_jobs_fail_stale(job_id=job.pk) == 1
        return summary

    monkeypatch.setattr(jobs, "figures_import", check_then_fall_silent)
    jobs.run_import_job(job.pk)

    job.refresh_from_db()
    assert (job.status, job.error) == (ImportJob.Status.FAILED, str(jobs.JOB_STALE))
    assert not Figure.objects.filter(unit=hoxa).exists()


WORKER = """
import sys, time
import django

django.setup()
from entry import jobs

real_import = jobs.figures_import


def store_then_hang(inputs, **kwargs):
    summary = real_import(inputs, **kwargs)
    if not kwargs.get("dry_run"):
        print("stored, not committed", flush=True)
        time.sleep(300)  # killed here
    return summary


jobs.figures_import = store_then_hang
jobs.run_import_job(int(sys.argv[1]))
"""


@postgresql_only
def test_a_worker_killed_while_storing_leaves_nothing_and_the_job_runs_again(
    committed, users, settings
):
    hoxa = Unit.objects.in_force(OLD).get(code="19363")
    job = hoxa_job(users["hoxa.nhaplieu"])
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "egov_portal.settings",
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}"
        ),
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(job.pk)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # The worker says when its figures are written inside its open transaction.
        ready, _, _ = select.select([worker.stdout], [], [], 120)
        assert ready, "the worker never reached the storing stage"
        assert worker.stdout.readline().strip() == "stored, not committed", worker.stderr.read()
        job.refresh_from_db()
        assert (job.status, job.progress) == (ImportJob.Status.RUNNING, jobs.STORING)
        assert not Figure.objects.filter(unit=hoxa).exists()  # written, not committed
        # However silent it looks, a worker holding its job is alive: it is left alone.
        settings.IMPORT_JOB_STALE_MINUTES = 0
        assert jobs.import_jobs_fail_stale(job_id=job.pk) == 0
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        worker.stdout.close()
        worker.stderr.close()

    # PostgreSQL ends the killed worker's session (and its transaction) once it notices the
    # connection gone; until then the job's row is still locked.
    for _attempt in range(100):
        if jobs.import_jobs_fail_stale(job_id=job.pk):
            break
        time.sleep(0.1)
    job.refresh_from_db()
    assert (job.status, job.error) == (ImportJob.Status.FAILED, str(jobs.JOB_STALE))
    assert not Figure.objects.filter(unit=hoxa).exists()
    assert not Submission.objects.filter(unit=hoxa).exists()

    jobs.import_job_rerun(job_id=job.pk)  # autocommit: the task runs at once, in-process

    job.refresh_from_db()
    assert (job.status, job.progress) == (ImportJob.Status.DONE, 100)
    assert Figure.objects.filter(unit=hoxa, period=Q4.id).count() == len(GOOD_HOXA_ROWS)


@pytest.fixture
def committed(transactional_db, reference_data):
    """Real commits, which other threads and processes see. pytest-django empties every
    table after such a test: the reference data is loaded again first if an earlier one
    emptied them (and reference_data loads it again after this module)."""
    if not Unit.objects.filter(code="19363").exists():
        call_command("load_reference_data", stdout=io.StringIO())
