"""Importing a file of figures from the entry pages, during the request or as an ImportJob.

Reading is indicators.importing; checking, permissions and storing are the write service's
(indicators.writes.bulk, whose rules ask accounts.policy row by row). This module only adds
what a filled-in template needs — rows left empty are skipped, not refused — and runs the
stages of a background job.
"""

import csv
import datetime
import gzip
import io
import logging
from collections.abc import Iterator

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov_portal.db_errors import WRITE_CLASH, is_write_clash
from egov_portal.spreadsheets import xlsx_scan
from egov_portal.upload_files import file_kind
from entry.models import ImportJob
from indicators.importing import ImportFileError, ReadFile, read_figures
from indicators.services import FigureInput, RowError
from indicators.writes.bulk import ImportSummary, figures_import

logger = logging.getLogger(__name__)

# Progress of a job at the end of each stage (the page's bar moves in quarters).
READ, CHECKED, STORING, DONE = 25, 50, 75, 100


def is_filled(item: FigureInput) -> bool:
    return any(str(v or "").strip() for v in (item.value, item.numerator, item.denominator))


def filled_rows(read: ReadFile) -> tuple[list[FigureInput], list[str]]:
    """The rows with a value, and the reader's notices (plus one for the rows skipped): a
    template has a row for every indicator, and one not yet known is simply left empty."""
    inputs = [item for item in read.inputs if is_filled(item)]
    notices = list(read.notices)
    skipped = len(read.inputs) - len(inputs)
    if skipped:
        notices.append(
            _("%(n)s dòng chưa điền value (hoặc numerator và denominator): bỏ qua.")
            % {"n": skipped}
        )
    return inputs, notices


def result_dict(
    summary: ImportSummary, read: ReadFile, notices: list[str], *, dry_run: bool
) -> dict:
    """What the result page shows (and an ImportJob keeps): the summary, the notices and the
    sheet the rows were read from."""
    return summary.as_dict() | {"dry_run": dry_run, "notices": notices, "sheet": read.sheet}


def import_now(
    read: ReadFile, *, user, dry_run: bool, valid_only: bool, filename: str = ""
) -> dict:
    """Import a file already read, in this request. A result with more errors than it lists
    is kept as a finished ImportJob too, whose errors.csv has them all: its id is the
    result's "job"."""
    inputs, notices = filled_rows(read)
    summary = figures_import(
        inputs, user=user, dry_run=dry_run, valid_only=valid_only, read_errors=read.errors
    )
    result = result_dict(summary, read, notices, dry_run=dry_run)
    if result["errors_truncated"]:
        job = ImportJob.objects.create(
            user=user,
            filename=filename[:255],
            data=b"",
            valid_only=valid_only,
            dry_run=dry_run,
            status=ImportJob.Status.DONE,
            progress=DONE,
            summary=result,
            errors_file=errors_file(summary.errors),
        )
        result = result | {"job": job.pk}
    return result


def errors_file(errors: list[RowError]) -> bytes:
    """Every error as CSV (row, field, message; with a byte-order mark, for Excel),
    compressed with gzip: what a job keeps besides its summary's first errors; b"" when
    there are none. Messages repeat, so a hundred thousand errors take a few hundred KB."""
    if not errors:
        return b""
    out = io.BytesIO()
    # Closing the text closes the gzip stream (writing its end), not `out`.
    with io.TextIOWrapper(
        gzip.GzipFile(fileobj=out, mode="wb", mtime=0), encoding="utf-8-sig", newline=""
    ) as text:
        writer = csv.writer(text)
        writer.writerow(["row", "field", "message"])
        writer.writerows(["" if e.row is None else e.row, e.field, str(e.message)] for e in errors)
    return out.getvalue()


def errors_file_chunks(data: bytes) -> Iterator[bytes]:
    """The CSV errors_file made, decompressed as it is sent."""
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as packed:
        while chunk := packed.read(64 * 1024):
            yield chunk


def job_errors_file(*, job_id: int) -> bytes:
    """The errors file a job kept (b"" if none)."""
    data = ImportJob.objects.filter(pk=job_id).values_list("errors_file", flat=True).first()
    return bytes(data or b"")


def rows_estimate(data: bytes) -> int:
    """About how many rows a file has, without reading its cells: its lines (CSV), or the
    most rows with a value in one sheet, as the scan of egov_portal/spreadsheets.py counts them
    in constant memory (XLSX). Raises ImportFileError for a file that is neither, or a
    workbook past the bounds of an import (IMPORT_MAX_ROWS…)."""
    if file_kind(data) == "xlsx":
        return xlsx_scan(data).rows
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def _save(job: ImportJob, **fields) -> None:
    fields.setdefault("heartbeat_at", timezone.now())  # a sign of life: see import_jobs_fail_stale
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def run_import_job(job_id: int) -> ImportJob | None:
    """Read, check and store a queued job's file, moving its progress at each stage and
    keeping the summary; any failure is recorded on the job, not raised. A job that is not
    queued (already run, or running elsewhere) is left alone."""
    # Celery's Django fix-up opens and closes the worker's database connections around it.
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, progress=0, heartbeat_at=timezone.now()
    )
    job = ImportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or not claimed:
        return job
    try:
        read = read_figures(bytes(job.data))
        inputs, notices = filled_rows(read)
        _save(job, progress=READ)
        # Check every row first (nothing stored): a refused file stops here.
        summary = figures_import(
            inputs,
            user=job.user,
            dry_run=True,
            valid_only=job.valid_only,
            read_errors=read.errors,
        )
        _save(job, progress=CHECKED)
        store = not job.dry_run and (summary.ok or job.valid_only)
        if store:
            _save(job, progress=STORING)
        # The figures and the job's "done" are committed together: a worker killed before
        # the commit leaves nothing stored and the job running, which import_jobs_fail_stale
        # turns into "failed", ready to run again; never figures stored under a failed job.
        # The job's row stays locked until then, so a live job is never taken for dead.
        with transaction.atomic():
            running = ImportJob.objects.select_for_update().filter(
                pk=job.pk, status=ImportJob.Status.RUNNING
            )
            if not list(running.values_list("pk", flat=True)):
                return job  # failed meanwhile as stale: it stores nothing now
            if store:
                summary = figures_import(
                    inputs, user=job.user, valid_only=job.valid_only, read_errors=read.errors
                )
            _save(
                job,
                status=ImportJob.Status.DONE,
                progress=DONE,
                summary=result_dict(summary, read, notices, dry_run=job.dry_run),
                errors_file=errors_file(summary.errors),
                # The summary says what was in the file; the bytes are not kept once read.
                data=b"",
            )
    except ImportFileError as exc:  # the file as a whole cannot be read
        # Nor will it ever be: its bytes are not kept for a rerun.
        _save(job, status=ImportJob.Status.FAILED, progress=DONE, error=str(exc), data=b"")
    except Exception as exc:
        logger.exception("Import job %s failed", job_id)
        if is_write_clash(exc):  # nothing stored; the same file run again will go through
            error = _("%(clash)s Bấm «Chạy lại».") % {"clash": WRITE_CLASH}
        else:
            error = _("Lỗi khi nhập tệp: %(error)s") % {"error": exc}
        _save(job, status=ImportJob.Status.FAILED, progress=DONE, error=error)
    return job


JOB_STALE = gettext_lazy(
    "Việc nhập bị dừng giữa chừng (tiến trình xử lý đã ngừng); không có số liệu nào được "
    "lưu. Bấm «Chạy lại» để nhập lại tệp."
)
JOB_NOT_RERUNNABLE = gettext_lazy(
    "Lượt nhập này không chạy lại được (tệp không còn được giữ): hãy tải tệp lên lại."
)


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(minutes=int(getattr(settings, "IMPORT_JOB_STALE_MINUTES", 30)))


def import_jobs_fail_stale(*, job_id: int | None = None) -> int:
    """Mark failed the running jobs (or this one) whose worker has given no sign of life for
    IMPORT_JOB_STALE_MINUTES: it was killed, or its machine lost. Nothing of such a job was
    stored (run_import_job stores and finishes in one transaction), and it can be run again
    (import_job_rerun). Returns how many jobs were marked."""
    cutoff = timezone.now() - stale_after()
    silent = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True)
    jobs = ImportJob.objects.filter(silent, status=ImportJob.Status.RUNNING)
    if job_id is not None:
        jobs = jobs.filter(pk=job_id)
    with transaction.atomic():
        # A worker storing a job holds its row until it commits: skip_locked leaves a live
        # job alone however long its last stage takes (PostgreSQL; SQLite has one writer).
        dead = list(jobs.select_for_update(skip_locked=True).values_list("pk", flat=True))
        if not dead:
            return 0
        return ImportJob.objects.filter(pk__in=dead, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.FAILED, progress=DONE, error=str(JOB_STALE)
        )


JOB_NOT_QUEUED = gettext_lazy("Không đưa được việc nhập vào hàng đợi: %(error)s")


def import_job_queue(job_id: int) -> None:
    """Hand a queued job to the worker once this transaction commits (so a worker in another
    process finds its row); if the broker is down, the job fails and its page says why."""
    from entry import tasks  # entry.tasks imports this module

    def queue():
        try:
            tasks.import_figures.delay(job_id)
        except Exception as exc:
            ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
                status=ImportJob.Status.FAILED, error=str(JOB_NOT_QUEUED) % {"error": exc}
            )

    transaction.on_commit(queue)


def rerunnable():
    """The jobs that can be run again: failed, with their file kept."""
    return ImportJob.objects.filter(status=ImportJob.Status.FAILED).exclude(data=b"")


def import_job_rerun(*, job_id: int) -> None:
    """Queue a failed job again, from its kept file (a job stopped with its worker keeps
    it); the task runs once this transaction commits. Raises ValueError (JOB_NOT_RERUNNABLE)
    for a job that is not failed or whose file is gone."""
    queued = (
        rerunnable()
        .filter(pk=job_id)
        .update(
            status=ImportJob.Status.QUEUED,
            progress=0,
            error="",
            summary={},
            errors_file=b"",
            heartbeat_at=None,
        )
    )
    if not queued:
        raise ValueError(str(JOB_NOT_RERUNNABLE))
    import_job_queue(job_id)
