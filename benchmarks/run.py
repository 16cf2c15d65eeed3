"""The benchmark suite: each workload's median and p95 beside a reference measured in the same
run on the same rows, with the goal's status; printed as a table, written as JSON and as
benchmarks/RESULTS.md with the machine's description.

Usage (PostgreSQL, after load_reference_data and generate_national_data):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_bench .venv/bin/python benchmarks/run.py

`make bench` does it all on a database of its own. A benchmark measures; no test asserts a
time (tests pin query counts instead).
"""

import datetime
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov_portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.services import demo_users_create  # noqa: E402
from indicators import analytics  # noqa: E402
from indicators.models import Figure, Indicator  # noqa: E402
from indicators.periods import parse_period  # noqa: E402
from units.models import Unit  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
INDICATOR = "INF_LAN"


def timed(work, repeat: int = REPEAT) -> list[float]:
    work()  # warm caches, as a server would be
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1)}


def latest_period() -> str:
    return (
        Figure.objects.filter(source="synthetic", status="approved")
        .order_by("-period_end")
        .values_list("period", flat=True)
        .first()
        or "2024Q2"
    )


def raw_group_by(indicator_id: int, period: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT u.province_id, count(*), sum(f.value)
            FROM indicators_figure f JOIN units_unit u ON u.id = f.unit_id
            WHERE f.indicator_id = %s AND f.period = %s AND f.scope = 'self'
              AND f.status = 'approved'
            GROUP BY u.province_id
            """,
            [indicator_id, period],
        )
        cursor.fetchall()


def main() -> None:
    period = parse_period(latest_period())
    indicator = Indicator.objects.get(code=INDICATOR)
    province = Unit.objects.in_force(period.end).filter(level="province").order_by("code").first()
    district = Unit.objects.in_force(period.end).filter(parent=province).order_by("code").first()
    demo_users_create()
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    figures = Figure.objects.count()
    rows = []

    def add(name, goal_ms, times, reference=None, note=""):
        row = {"workload": name, **summary(times), "goal_ms": goal_ms, "note": note}
        if reference is not None:
            row["reference"] = summary(reference)
        measure = row["p95_ms"]
        if reference is not None and goal_ms is None:
            row["goal"] = "≤ 2 × reference median"
            row["met"] = row["median_ms"] <= 2 * row["reference"]["median_ms"]
        else:
            row["goal"] = f"p95 ≤ {goal_ms} ms"
            row["met"] = measure <= goal_ms
        rows.append(row)

    add(
        "roll-up by province (engine)",
        None,
        timed(lambda: analytics.rollup_provinces(indicator, period)),
        reference=timed(lambda: raw_group_by(indicator.pk, period.id)),
        note="reference: the raw SQL GROUP BY",
    )
    url = f"/api/v1/analytics/?indicator={INDICATOR}&unit={province.pk}&period={period.id}"
    add("analytics endpoint, by=children", 100, timed(lambda: client.get(url + "&by=children")))
    add(
        "province dashboard",
        300,
        timed(lambda: client.get(f"/dashboard/{province.pk}/?period={period.id}"), repeat=5),
    )
    add(
        "district dashboard",
        150,
        timed(lambda: client.get(f"/dashboard/{district.pk}/?period={period.id}"), repeat=5),
    )
    listing = f"/api/v1/observations/?descendants_of={province.pk}"
    add("observations, first page", 50, timed(lambda: client.get(listing)))
    add("observations, page 200", 50, timed(lambda: client.get(listing + "&page=200")))

    machine = {
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1),
        "python": platform.python_version(),
        "database": connection.vendor,
        "server": connection.cursor().connection.server_version
        if connection.vendor == "postgresql"
        else "",
        "figures": figures,
        "period": period.id,
        "date": datetime.datetime.now().isoformat(timespec="minutes"),
    }
    print_table(rows, machine)
    (HERE / "results.json").write_text(
        json.dumps({"machine": machine, "results": rows}, ensure_ascii=False, indent=2)
    )
    write_markdown(rows, machine)


def print_table(rows, machine) -> None:
    print(f"{machine['figures']:,} figures · {machine['database']} · {machine['cores']} cores")
    print(f"{'workload':38} {'median':>9} {'p95':>9} {'reference':>10}  goal")
    for row in rows:
        reference = row.get("reference", {}).get("median_ms", "")
        status = "ok" if row["met"] else "MISSED"
        print(
            f"{row['workload']:38} {row['median_ms']:>8}ms {row['p95_ms']:>8}ms "
            f"{reference!s:>9}ms  {row['goal']} — {status}"
        )


def write_markdown(rows, machine) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Run {machine['date']} on {machine['cores']} cores, {machine['memory_gb']} GB, "
        f"{machine['database']} {machine['server']}, Python {machine['python']}; "
        f"{machine['figures']:,} figures, period {machine['period']}.",
        "",
        "| workload | median (ms) | p95 (ms) | reference median (ms) | goal | met |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        reference = row.get("reference", {}).get("median_ms", "")
        lines.append(
            f"| {row['workload']} | {row['median_ms']} | {row['p95_ms']} | {reference} "
            f"| {row['goal']} | {'yes' if row['met'] else 'no'} |"
        )
    lines += ["", "Bulk import: see `benchmarks/bulk_import.py` (rows per second, peak memory)."]
    (HERE / "RESULTS.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
