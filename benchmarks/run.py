"""The benchmark suite: each workload's median and p95 beside a reference measured in the same
run on the same rows, with the goal's status; printed as a table, written as JSON and as
benchmarks/RESULTS.md with the machine's description.

Usage (PostgreSQL, after load_reference_data and generate_national_data):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_bench .venv/bin/python benchmarks/run.py

`make bench` does it all on a database of its own. A benchmark measures; no test asserts a
time (tests pin query counts instead).
"""

import datetime
import io
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov_portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from shared import (  # noqa: E402
    MARKER,
    cpu_reference,
    cpu_reference_text,
    peak_mb,
    reports_clear,
    server_version,
)

# The site as gunicorn loads it (egov_portal/wsgi.py: every view imported, then frozen out of
# the garbage collector's full collections), so that the views are measured as served.
import egov_portal.wsgi  # noqa: E402, F401
from accounts.models import Membership  # noqa: E402
from accounts.services import demo_users_create  # noqa: E402
from entry import services as entry_services  # noqa: E402
from indicators import analytics, reports  # noqa: E402
from indicators.models import Figure, Indicator  # noqa: E402
from indicators.periods import containing, parse_period  # noqa: E402
from indicators.validation import indicator_valid_in  # noqa: E402
from units.models import Unit  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
# Reports approved a second in the background while the readers are measured (the goal: at
# least one); an approval's cycle is a reopening, a save and submission, and the approval.
STREAM_RATE = float(os.environ.get("BENCH_STREAM_RATE", "2"))
if not STREAM_RATE > 0:
    raise SystemExit("BENCH_STREAM_RATE: approvals a second, more than 0 (inf: unpaced)")
BULK_ROWS = int(os.environ.get("BENCH_BULK_ROWS", "100000"))
BULK_REPEAT = int(os.environ.get("BENCH_BULK_REPEAT", "3"))
INDICATOR = "INF_LAN"
# Nothing is generated for this quarter: the form save and the bulk import write into it.
EMPTY_PERIOD = "2018Q4"


def timed(work, repeat: int = REPEAT) -> list[float]:
    """Milliseconds of each run of `work` (after one run to warm up, as a server would be)."""
    work()
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


def page_url(client, url: str, page: int) -> tuple[str, int]:
    """The URL of the `page`-th page of a cursor-paged list (following `next`), or of the
    last when there are fewer (a smaller data set); and that page's number."""
    for number in range(1, page):
        following = client.get(url).json()["next"]
        if following is None:
            return url, number
        url = following
    return url, page


def form_save(client, unit: Unit, period) -> tuple:
    """A POST of a commune's whole quarterly form (every applicable indicator), alternating
    between two sets of values so each save really writes."""
    indicators = entry_services.applicable_indicators(unit, None, period)
    url = f"/entry/{unit.pk}/{period.id}/"
    turn = [0]

    def save():
        turn[0] += 1
        report = reports.submission_get(unit, None, period)
        data = {"version": report.version if report else 0, "action": "save"}
        for i in indicators:
            if i.value_type == Indicator.ValueType.RATIO:
                data[f"{i.code}-numerator"] = str(turn[0] % 2 + 1)
                data[f"{i.code}-denominator"] = "2"
            elif i.value_type == Indicator.ValueType.BOOLEAN:
                data[f"{i.code}-value"] = str(turn[0] % 2)
            else:
                data[f"{i.code}-value"] = str(turn[0] % 2 + 3)
        response = client.post(url, data)
        if response.status_code != 302:
            raise SystemExit(f"form save answered {response.status_code}")

    return save, len(indicators)


class ReportCycle:
    """A commune's complete report of `period`, taken round by its official and a reviewer
    (an administrator here): reopened if approved, saved and submitted, then approved —
    which is what moves the aggregates (the approval, and the reopening before it)."""

    def __init__(self, official, commune: Unit, period):
        self.official, self.commune, self.period = official, commune, period
        self.admin = get_user_model().objects.get(username="admin")
        self.values = {}
        for i in entry_services.applicable_indicators(commune, None, period):
            if i.value_type == Indicator.ValueType.RATIO:
                self.values[i.code] = entry_services.EntryValue(numerator="1", denominator="2")
            else:
                self.values[i.code] = entry_services.EntryValue(value="1")

    def submit(self):
        report = reports.submission_get(self.commune, None, self.period)
        if report is not None and report.status == Figure.Status.APPROVED:
            entry_services.submission_act(
                user=self.admin, submission=report, action="reopen", reason="benchmark"
            )
            report = reports.submission_get(self.commune, None, self.period)
        entry_services.entry_save(
            user=self.official,
            unit=self.commune,
            agency=None,
            period=self.period,
            values=self.values,
            version=report.version if report else 0,
            submit=True,
        )
        return reports.submission_get(self.commune, None, self.period)

    def approve(self, report) -> float:
        """Milliseconds of the approval alone."""
        started = time.perf_counter()
        entry_services.submission_act(user=self.admin, submission=report, action="approve")
        return (time.perf_counter() - started) * 1000


def approvals(official, commune: Unit, period) -> list[float]:
    """Milliseconds of approving the commune's complete report of `period`, its aggregates
    recomputed in the same transaction; between runs the report is reopened and submitted
    again (not timed). The first run warms up, as timed() does."""
    cycle = ReportCycle(official, commune, period)
    return [cycle.approve(cycle.submit()) for _ in range(REPEAT + 1)][1:]


class ApprovalStream:
    """Reports approved one after another in the background, in the province being read
    (each moving its aggregates), for as long as the readers are measured: the reporting
    weeks' load. In a process of its own (`run.py stream PROVINCE PERIOD`), as another
    gunicorn worker would be: not sharing the readers' interpreter. `stop()` returns the
    approved reports per second it achieved."""

    def __init__(self, province: Unit, period):
        self.process = subprocess.Popen(  # noqa: S603 - this interpreter and this file
            [sys.executable, __file__, "stream", str(province.pk), period.id],
            stdout=subprocess.PIPE,
            text=True,
        )
        # The stream says when its reports are set up and it starts approving.
        if self.process.stdout.readline().strip() != "streaming":
            raise SystemExit("the approval stream did not start")

    def stop(self) -> float:
        self.process.send_signal(signal.SIGTERM)
        out, _ = self.process.communicate(timeout=120)
        if self.process.returncode != 0:
            raise SystemExit(f"the approval stream failed ({self.process.returncode})")
        return json.loads(out.strip().splitlines()[-1])["per_second"]


def stream_main(province_id: str, period_id: str) -> None:
    """`run.py stream PROVINCE PERIOD`: approve reports of the province's communes without
    figures in the period, one after another, until SIGTERM; then print the rate as JSON,
    and take the reports away again."""
    settings.DEBUG = False
    period = parse_period(period_id)
    cycles = stream_cycles(Unit.objects.get(pk=int(province_id)), period)
    stopping = []  # a plain flag: a handler taking a lock (Event.set) could block forever
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    print("streaming", flush=True)
    approved, started = 0, time.perf_counter()
    next_at = started
    while not stopping:
        cycle = cycles[approved % len(cycles)]
        cycle.approve(cycle.submit())
        approved += 1
        # Paced: the readers' load is the same whatever an approval costs (run flat out, the
        # stream's rate, and so what the readers share the cores with, grew as approvals got
        # faster). Behind its pace (a slow approval) it goes on at its pace from then on,
        # without a burst to catch up.
        next_at = max(next_at + 1 / STREAM_RATE, time.perf_counter())
        while not stopping and time.perf_counter() < next_at:
            time.sleep(min(next_at - time.perf_counter(), 0.05))
    elapsed = time.perf_counter() - started
    reports_clear(period.id, [c.commune.pk for c in cycles])
    print(json.dumps({"approved": approved, "per_second": round(approved / elapsed, 2)}))


def stream_cycles(province: Unit, period, count: int = 3) -> list[ReportCycle]:
    """Report cycles for communes of `province` without figures in `period` (the
    synthetic data leaves some out), each with an official of its own."""
    with_figures = Figure.objects.filter(period=period.id).values("unit_id")
    communes = list(
        Unit.objects.in_force(period.end)
        .filter(province=province, level="commune")
        .exclude(pk__in=with_figures)
        .order_by("code")[:count]
    )
    cycles = []
    for commune in communes:
        official, _ = get_user_model().objects.get_or_create(username=f"bench.{commune.code}")
        Membership.objects.update_or_create(
            user=official, defaults={"unit": commune, "agency": None, "is_data_entry": True}
        )
        cycles.append(ReportCycle(official, commune, period))
    if not cycles:
        raise SystemExit(f"no commune of {province} without figures in {period.id}")
    return cycles


def bulk_rows(rows: int, *, table: bool) -> tuple[bytes, list[tuple]]:
    """A CSV of `rows` figures (communes × their indicators, EMPTY_PERIOD) and, if asked,
    the same rows as table values, for COPY (written as it goes: the benchmark's own data
    must not weigh on the import's peak memory)."""
    period = parse_period(EMPTY_PERIOD)
    communes = list(
        Unit.objects.in_force(period.end)
        .filter(level="commune")
        .order_by("code")
        .values_list("id", "code")
    )
    indicators = [
        i
        for i in Indicator.objects.filter(levels__contains=",commune,").order_by("position")
        if indicator_valid_in(i, period)
    ]
    out = io.StringIO()
    out.write("unit_code,on,indicator,period,value,numerator,denominator,source\n")
    values = []
    on = period.end.isoformat()
    n = 0
    for unit_id, code in communes:
        for i in indicators:
            if n == rows:
                break
            if i.value_type == Indicator.ValueType.RATIO:
                out.write(f"{code},{on},{i.code},{period.id},,{n % 50},50,bench\n")
                value, numerator, denominator = round(100 * (n % 50) / 50, 4), n % 50, 50
            elif i.value_type == Indicator.ValueType.BOOLEAN:
                out.write(f"{code},{on},{i.code},{period.id},{n % 2},,,bench\n")
                value, numerator, denominator = n % 2, None, None
            else:
                out.write(f"{code},{on},{i.code},{period.id},{n % 7},,,bench\n")
                value, numerator, denominator = n % 7, None, None
            if table:
                values.append((unit_id, i.pk, period, value, numerator, denominator))
            n += 1
        if n == rows:
            break
    return out.getvalue().encode(), values


def copy_rows(table: list[tuple]) -> None:
    """The reference: COPY of the same rows, ids already known, into the figures table."""
    buffer = io.StringIO()
    now = datetime.datetime.now(datetime.UTC).isoformat()
    for unit_id, indicator_id, period, value, numerator, denominator in table:
        fields = [unit_id, indicator_id, period.id, period.start, period.end, "self"]
        fields += [r"\N" if x is None else x for x in (numerator, denominator)]
        fields += [value, "f", "approved", "bench", "", now, now]
        buffer.write("\t".join(str(f) for f in fields) + "\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            "COPY indicators_figure (unit_id, indicator_id, period, period_start, period_end,"
            " scope, numerator, denominator, value, is_approximate, status, source, note,"
            " entered_at,"
            " updated_at)"
            " FROM STDIN",
            buffer,
        )


def bench_clear() -> None:
    Figure.history.filter(period=EMPTY_PERIOD, source="bench").delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM indicators_figure WHERE period = %s AND source = 'bench'", [EMPTY_PERIOD]
        )
        # Past the write path: the period's aggregates are forgotten (read from the figures
        # until the next import stores them again), and their units marked, as the write
        # path marks them (aggregate_table.mark: rows a process keeps are then read again).
        cursor.execute(
            "WITH gone AS (DELETE FROM indicators_aggregate WHERE period = ANY(%s)"
            " RETURNING unit_id) INSERT INTO indicators_aggregatemark (unit_id)"
            " SELECT DISTINCT unit_id FROM gone",
            [containing(EMPTY_PERIOD)],
        )
        # What autovacuum would do after a delete of 100,000 rows (this machine's server runs
        # without it): the next run then writes into clean indexes, as a real import does.
        cursor.execute("VACUUM indicators_figure")
        cursor.execute("VACUUM indicators_historicalfigure")


def bulk_import(client, rows: int) -> dict:
    """100,000 rows POSTed as CSV to the bulk API (all or nothing), BULK_REPEAT times, against
    COPY of the same rows; the median rows per second of each, and the peak memory of the
    process (`run.py bulk`) by then."""
    data, _ = bulk_rows(rows, table=False)
    api = []
    for _run in range(BULK_REPEAT):
        bench_clear()
        started = time.perf_counter()
        response = client.post(
            "/api/v1/observations/bulk/?status=approved", data, content_type="text/csv"
        )
        api.append(rows / (time.perf_counter() - started))
        body = response.json()
        if response.status_code != 200 or body.get("created") != rows:
            raise SystemExit(f"bulk import answered {response.status_code}: {str(body)[:500]}")
        del response, body
    peak = peak_mb()
    del data
    _data, table = bulk_rows(rows, table=True)
    copy = []
    for _run in range(BULK_REPEAT):
        bench_clear()
        started = time.perf_counter()
        copy_rows(table)
        copy.append(len(table) / (time.perf_counter() - started))
    bench_clear()
    return {
        "rows": len(table),
        "runs": BULK_REPEAT,
        "api_rows_per_s": round(statistics.median(api)),
        "api_rows_per_s_each": [round(r) for r in api],
        "copy_rows_per_s": round(statistics.median(copy)),
        "peak_mb": peak,
    }


def national_export(client) -> dict:
    """Every figure of INDICATOR in the country, all periods, streamed as CSV by
    /api/v1/observations/export/ and read as it comes; the process's peak memory after an
    export of one period (a few thousand rows) and after the national one, which streams
    in constant memory if the two are alike (`run.py export`)."""

    def export(query: str) -> tuple[int, int, float]:
        started = time.perf_counter()
        response = client.get(f"/api/v1/observations/export/?indicator={INDICATOR}{query}")
        size = lines = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
        return lines - 1, size, time.perf_counter() - started  # less the header

    small, _size, _seconds = export(f"&period={latest_period()}")
    small_peak = peak_mb()
    rows, size, seconds = export("")
    return {
        "rows": rows,
        "mb": round(size / 1024 / 1024, 1),
        "rows_per_s": round(rows / seconds),
        "one_period_rows": small,
        "peak_mb_one_period": small_peak,
        "peak_mb": peak_mb(),
    }


def main() -> None:
    # As in production: no query log kept in memory (DEBUG keeps one per query).
    settings.DEBUG = False
    # Dashboards built for every request, as on the first reading after a change: the goals
    # are those of a cold page (a kept one is served in a few ms: docs/decisions/0031).
    settings.DASHBOARD_CACHE_SECONDS = 0
    cpu = cpu_reference()  # first, on a quiet machine
    print(f"  {cpu_reference_text(cpu)}", flush=True)
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
        print(f"  {name}: median {row['median_ms']} ms, p95 {row['p95_ms']} ms", flush=True)

    with connection.cursor() as cursor:
        # What autovacuum does on a production server (this machine's runs without it):
        # earlier runs' approvals and imports left dead versions of the aggregates' rows, the
        # load test's (`make loadtest`) those of figures, their history, reports and accounts
        # (after about ten load tests, approving a report took 174 ms at the median instead of
        # 102), and the planner has no statistics of the freshly generated figures (without
        # them it read a year's figures by a scan of every period's: 72 ms instead of 4).
        cursor.execute("VACUUM ANALYZE")
    reference = timed(lambda: raw_group_by(indicator.pk, period.id))
    rollup_call = lambda: analytics.rollup_provinces(indicator, period)  # noqa: E731
    add(
        "roll-up by province",
        None,
        timed(rollup_call),
        reference=reference,
        note="live aggregates, no cache; reference: the raw SQL GROUP BY",
    )
    # The readers, while reports of the province are approved one after another.
    stream = ApprovalStream(province, period)
    url = f"/api/v1/analytics/?indicator={INDICATOR}&unit={province.pk}&period={period.id}"
    analytics_call = lambda: client.get(url + "&by=children")  # noqa: E731
    note = "with approvals streaming in the province"
    add("analytics endpoint, by=children", 50, timed(analytics_call), note=note)
    for name, unit, goal in (("province", province, 150), ("district", district, 100)):
        page = lambda unit=unit: client.get(f"/dashboard/{unit.pk}/?period={period.id}")  # noqa: E731
        add(f"{name} dashboard", goal, timed(page), note=note)
    stream_rate = stream.stop()
    print(f"  approval stream: {stream_rate:.2f} approved reports a second", flush=True)
    listing = f"/api/v1/observations/?descendants_of={province.pk}"
    add("observations, first page", 50, timed(lambda: client.get(listing)))
    deep, number = page_url(client, listing, 200)
    add(f"observations, page {number}", 50, timed(lambda: client.get(deep)))

    # An official's quarterly form: a commune with nothing in EMPTY_PERIOD.
    empty = parse_period(EMPTY_PERIOD)
    commune = Unit.objects.in_force(empty.end).filter(level="commune").order_by("code").first()
    official, _ = get_user_model().objects.get_or_create(username="bench.nhaplieu")
    Membership.objects.update_or_create(
        user=official, defaults={"unit": commune, "agency": None, "is_data_entry": True}
    )
    official_client = Client()
    official_client.force_login(official)
    save, fields = form_save(official_client, commune, empty)
    add(f"form save ({fields} values)", 100, timed(save))
    add(
        f"approving a report ({fields} values) in {empty.id}, aggregates included",
        150,
        approvals(official, commune, empty),
        note="submission_act; each run submitted again between; a quarter with no other figures",
    )
    reports_clear(empty.id, [commune.pk])
    # The same in the last quarter of the national data, as in the reporting weeks: the
    # province's other districts have their rows, the half-year and the year hold other
    # quarters' figures, and the 2025 province formed from it is computed for the year.
    cycle = stream_cycles(province, period, count=1)[0]
    add(
        f"approving a report ({len(cycle.values)} values) in {period.id}, aggregates included",
        150,
        [cycle.approve(cycle.submit()) for _ in range(REPEAT + 1)][1:],
        note="submission_act; each run submitted again between; among the national data",
    )
    reports_clear(period.id, [cycle.commune.pk])

    # In a process of its own, so that its peak memory is the import's alone.
    done = subprocess.run(  # noqa: S603 - this interpreter and this file
        [sys.executable, __file__, "bulk"], capture_output=True, text=True, check=True
    )
    imported = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"  bulk import: {imported}", flush=True)
    done = subprocess.run(  # noqa: S603 - this interpreter and this file
        [sys.executable, __file__, "export"], capture_output=True, text=True, check=True
    )
    exported = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"  national export: {exported}", flush=True)

    machine = {
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1),
        "python": platform.python_version(),
        "database": connection.vendor,
        "server": server_version(),
        "figures": figures,
        "cpu_reference": cpu,
        "period": period.id,
        "approvals_per_s": round(stream_rate, 2),
        "stream_pace": STREAM_RATE,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="minutes"),
    }
    print_table(rows, imported, exported, machine)
    (HERE / "results.json").write_text(
        json.dumps(
            {
                "machine": machine,
                "results": rows,
                "bulk_import": imported,
                "national_export": exported,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    write_markdown(rows, imported, exported, machine)


def print_table(rows, imported, exported, machine) -> None:
    print(f"{machine['figures']:,} figures · {machine['database']} · {machine['cores']} cores")
    print(cpu_reference_text(machine["cpu_reference"]))
    print(
        f"approvals streamed during the reads: {machine['approvals_per_s']} a second "
        f"(paced at {machine['stream_pace']:g}; goal ≥ 1)"
    )
    print(f"{'workload':40} {'median':>9} {'p95':>9} {'reference':>10}  goal")
    for row in rows:
        reference = row.get("reference", {}).get("median_ms", "")
        status = "ok" if row["met"] else "MISSED"
        print(
            f"{row['workload']:40} {row['median_ms']:>8}ms {row['p95_ms']:>8}ms "
            f"{reference!s:>9}ms  {row['goal']} — {status}"
        )
    print(
        f"bulk import of {imported['rows']:,} rows: {imported['api_rows_per_s']:,} rows/s "
        f"(COPY {imported['copy_rows_per_s']:,} rows/s), peak {imported['peak_mb']} MB — "
        f"goal ≥ 20,000 rows/s and < 300 MB: {'ok' if bulk_met(imported) else 'MISSED'}"
    )
    print(f"national export of {INDICATOR}: {export_text(exported)}")


def export_text(exported) -> str:
    return (
        f"{exported['rows']:,} rows ({exported['mb']} MB of CSV) at {exported['rows_per_s']:,} "
        f"rows/s; peak memory of the process {exported['peak_mb']} MB, against "
        f"{exported['peak_mb_one_period']} MB after an export of one period "
        f"({exported['one_period_rows']:,} rows)"
    )


def bulk_met(imported) -> bool:
    return imported["api_rows_per_s"] >= 20_000 and imported["peak_mb"] < 300


def write_markdown(rows, imported, exported, machine) -> None:
    """The run's table at the top of RESULTS.md; what follows the marker (the history of the
    work, written by hand) is kept."""
    lines = [
        "# Benchmark results",
        "",
        f"Run {machine['date']} on {machine['cores']} cores, {machine['memory_gb']} GB, "
        f"{machine['database']} {machine['server']}, Python {machine['python']}; "
        f"{machine['figures']:,} figures, period {machine['period']}. "
        f"{cpu_reference_text(machine['cpu_reference'])}. "
        "Nothing cached: roll-ups are read from the live aggregates "
        "(docs/decisions/0015-live-aggregates.md), and dashboards are built for every "
        "request (DASHBOARD_CACHE_SECONDS=0; docs/decisions/0031). The analytics endpoint and "
        "the dashboards were measured while reports of the province were approved in the "
        f"background ({machine['approvals_per_s']} a second, paced at "
        f"{machine['stream_pace']:g}; goal ≥ 1).",
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
    lines += [
        "",
        f"Bulk import of {imported['rows']:,} rows through the bulk API (CSV, all or nothing), "
        f"median of {imported['runs']} runs: {imported['api_rows_per_s']:,} rows/s (each: "
        f"{', '.join(f'{r:,}' for r in imported['api_rows_per_s_each'])}); reference, COPY of "
        f"the same rows: {imported['copy_rows_per_s']:,} rows/s; peak memory of the process "
        f"{imported['peak_mb']} MB. Goal ≥ 20,000 rows/s and < 300 MB: "
        f"{'met' if bulk_met(imported) else 'missed'}.",
        "",
        f"National export of {INDICATOR} (every unit, every period, CSV, streamed): "
        f"{export_text(exported)}.",
        "",
    ]
    path = HERE / "RESULTS.md"
    kept = ""
    if path.exists() and MARKER_LINE in path.read_text():
        kept = path.read_text().split(MARKER_LINE, 1)[1]
    path.write_text("\n".join(lines) + MARKER_LINE + kept)


MARKER_LINE = f"\n{MARKER}\n"


def alone_main(what: str) -> None:
    """`run.py bulk` or `run.py export`: that workload alone, in a process of its own so that
    its peak memory is its own; prints its result as JSON on the last line."""
    settings.DEBUG = False
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    result = bulk_import(client, BULK_ROWS) if what == "bulk" else national_export(client)
    print(json.dumps(result))


if __name__ == "__main__":
    if sys.argv[1:] in (["bulk"], ["export"]):
        alone_main(sys.argv[1])
    elif sys.argv[1:2] == ["stream"]:
        stream_main(*sys.argv[2:4])
    else:
        main()
