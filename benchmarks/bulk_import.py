"""Benchmark: 100,000 figures from a CSV through the bulk import path (read, check, store).

Usage (PostgreSQL, a database with the reference data loaded):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_bench \\
        .venv/bin/python benchmarks/bulk_import.py [rows]

It builds a CSV of real communes × indicators for one quarter, imports it as staff (all or
nothing), reports rows per second and the peak memory of the process, and deletes what it
stored. A benchmark measures; no test asserts a time.
"""

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov_portal.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from indicators import bulk, importing  # noqa: E402
from indicators.models import Figure, Indicator  # noqa: E402
from units.models import Unit  # noqa: E402

PERIOD = "2024Q2"


def build_csv(rows: int) -> bytes:
    communes = list(
        Unit.objects.filter(level="commune", valid_to__isnull=False)
        .order_by("code")
        .values_list("code", flat=True)
    )
    indicators = list(
        Indicator.objects.filter(levels__contains=",commune,", valid_to__isnull=True)
        .order_by("position")
        .values_list("code", "value_type")
    )
    lines = ["unit_code,on,indicator,period,value,numerator,denominator,source"]
    n = 0
    for code in communes:
        for indicator, value_type in indicators:
            if n == rows:
                break
            if value_type == "ratio":
                lines.append(f"{code},2024-01-01,{indicator},{PERIOD},,{n % 50},50,bench")
            elif value_type == "boolean":
                lines.append(f"{code},2024-01-01,{indicator},{PERIOD},{n % 2},,,bench")
            else:
                lines.append(f"{code},2024-01-01,{indicator},{PERIOD},{n % 7},,,bench")
            n += 1
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_staff": True})
    Figure.objects.filter(period=PERIOD, source="bench").delete()
    data = build_csv(rows)
    started = time.perf_counter()
    read = importing.read_figures(data)
    read_done = time.perf_counter()
    summary = bulk.figures_import(read.inputs, user=user, read_errors=read.errors)
    finished = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = finished - started
    print(f"database: {connection.vendor} · rows: {summary.rows:,} · created {summary.created:,}")
    print(f"read {read_done - started:.1f} s · check and store {finished - read_done:.1f} s")
    print(f"{summary.rows / total:,.0f} rows/s · peak memory {peak_mb:,.0f} MB")
    if summary.errors:
        print("errors:", summary.errors[:5])
    Figure.history.filter(period=PERIOD, source="bench").delete()
    Figure.objects.filter(period=PERIOD, source="bench").delete()


if __name__ == "__main__":
    main()
