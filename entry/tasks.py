"""Celery tasks of data entry (run by a worker when REDIS_URL is set, in-process otherwise)."""

from celery import shared_task
from celery.signals import worker_ready

from entry.jobs import import_jobs_fail_stale, run_import_job
from entry.reminders import deadline_reminders_send
from units.selectors import today


@shared_task(name="entry.tasks.import_figures", ignore_result=True)
def import_figures(job_id: int) -> None:
    """Import the file of an ImportJob (see entry.jobs.run_import_job)."""
    run_import_job(job_id)


@shared_task(name="entry.tasks.import_jobs_sweep", ignore_result=True)
def import_jobs_sweep() -> int:
    """Fail the jobs left running by a dead worker (settings.CELERY_BEAT_SCHEDULE)."""
    return import_jobs_fail_stale()


@worker_ready.connect
def fail_stale_import_jobs(**kwargs) -> None:
    """A worker starting (often: restarted after one was killed) fails the jobs left running
    by a dead worker, so their pages say so and they can be run again."""
    import_jobs_fail_stale()


@shared_task(name="entry.tasks.deadline_reminders", ignore_result=True)
def deadline_reminders() -> int:
    """Remind officials of their reports due soon, once (settings.CELERY_BEAT_SCHEDULE)."""
    return deadline_reminders_send(today=today())
