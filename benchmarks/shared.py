"""What benchmarks/run.py and benchmarks/loadtest.py both need (imported after
django.setup())."""

import resource
import time

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from indicators import aggregates
from indicators.models import Figure, Submission

# RESULTS.md: run.py rewrites what is above this line and keeps what follows (the history of
# the work, and the load test's block).
MARKER = "<!-- the history below is kept by benchmarks/run.py -->"


def server_version() -> str:
    """PostgreSQL's version number ("" on another database)."""
    if connection.vendor != "postgresql":
        return ""
    return str(connection.cursor().connection.server_version)


def cpu_reference() -> dict[str, float]:
    """How fast this machine's cores are, a rough scale for reading runs made on different
    machines (they have differed by two to three times from one session to the next; the
    workloads do not all scale alike): the CPU milliseconds of one password hash as the
    portal stores it (a sign-in's own cost), and of sum(range(10**7)), each the best of
    three."""

    def best(work) -> float:
        times = []
        for _ in range(3):
            started = time.process_time()
            work()
            times.append(time.process_time() - started)
        return round(min(times) * 1000, 1)

    return {
        "password_hash_ms": best(lambda: make_password("benchmark")),
        "python_sum_ms": best(lambda: sum(range(10**7))),
    }


def cpu_reference_text(reference: dict[str, float]) -> str:
    return (
        f"CPU reference: a password hash {reference['password_hash_ms']} ms of CPU, "
        f"sum(range(10**7)) {reference['python_sum_ms']} ms (the best of three)"
    )


def peak_mb() -> int:
    """The peak resident memory of this process so far."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


@transaction.atomic
def reports_clear(period: str, unit_ids: list[int]) -> int:
    """Deletes these units' reports and figures of `period`, with the figures' history;
    returns how many figures were deleted. The aggregates that read the approved ones are
    recomputed, as the write path would."""
    figures = Figure.objects.filter(period=period, unit_id__in=unit_ids)
    keys = set(
        figures.filter(status=Figure.Status.APPROVED).values_list(
            "unit_id", "indicator_id", "period"
        )
    )
    deleted, _ = figures.delete()
    # After the figures: deleting them wrote a history row each.
    Figure.history.filter(period=period, unit_id__in=unit_ids).delete()
    Submission.objects.filter(period=period, unit_id__in=unit_ids).delete()
    aggregates.figures_changed(keys)
    return deleted
