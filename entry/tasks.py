"""Celery tasks of data entry (run by a worker when REDIS_URL is set, in-process otherwise)."""

from celery import shared_task

from entry.jobs import run_import_job


@shared_task(name="entry.tasks.import_figures", ignore_result=True)
def import_figures(job_id: int) -> None:
    """Import the file of an ImportJob (see entry.jobs.run_import_job)."""
    run_import_job(job_id)
