"""The load test: gunicorn on the loopback, locust's users against it for a bounded time, and
each request kind's p50/p95 and failures, printed and written to benchmarks/RESULTS.md.

Usage (PostgreSQL, after load_reference_data and generate_national_data):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_bench \
        .venv/bin/python benchmarks/loadtest.py --users 100 --run-time 3m

`make loadtest` runs it on the benchmark database. Steps:
1. accounts, made (again) on every run: one official per simulated user, each the data-entry
   member of a different commune; one steering member per user on a province with figures in
   the viewed quarter; one API client per user with a token (authenticated clients each have
   their own throttle count, so the throttles stay at their defaults). Their password is
   usable only during the run, and their tokens exist only during the run.
2. the officials' quarter (ENTRY_PERIOD, which neither the national data set nor
   benchmarks/run.py writes) emptied for their communes, so that the first save creates the
   figures; emptied again afterwards. Then VACUUM ANALYZE, as autovacuum would have done.
3. gunicorn on 127.0.0.1 (a free port) as in production (DEBUG off, static files collected),
   except that nothing asks for https: there is no proxy in front of it.
4. locust, headless, bounded in users and time; gunicorn stopped whatever happens.
5. the table. Exits 1 if any request failed (or none was made).

Never point it at a production database: it adds accounts (without a usable password once it
ends) and writes figures for ENTRY_PERIOD.
"""

import argparse
import csv
import datetime
import json
import math
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov_portal.settings")

import django  # noqa: E402

django.setup()

from axes.models import AccessAttempt  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.staticfiles.finders import get_finders  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Exists, OuterRef  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402
from shared import (  # noqa: E402
    MARKER,
    cpu_reference,
    cpu_reference_text,
    reports_clear,
    server_version,
)

from accounts.models import Membership  # noqa: E402
from indicators.models import Figure  # noqa: E402
from indicators.periods import parse_period  # noqa: E402
from units.models import Unit  # noqa: E402

# A quarter nothing else writes: the national data set starts in 2019Q1 and benchmarks/run.py
# uses 2018Q4. The load test owns this quarter of its officials' communes.
ENTRY_PERIOD = "2018Q3"
VIEW_PERIOD = "2025Q2"  # the last quarter of the three-tier structure in the national data
INDICATOR = "INF_LAN"
PASSWORD = os.environ.get("LOADTEST_PASSWORD", "egov-loadtest-2026")
RESULTS = HERE / "RESULTS.md"
START, END = "<!-- loadtest:start -->", "<!-- loadtest:end -->"
SERVER_READY_SECONDS = 90
KINDS = {"officials": "load.xa", "committees": "load.bcd", "api_clients": "load.api"}


# --- accounts ---------------------------------------------------------------------------


def usernames(kind: str, count: int) -> list[str]:
    return [f"{KINDS[kind]}{i:03d}" for i in range(1, count + 1)]


def users_ensure(names: list[str], password_hash: str) -> dict[str, int]:
    """The accounts (created if missing), active, with the run's password; name → id.

    Written in bulk, so without history rows: they are the load test's scaffolding."""
    User = get_user_model()
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create(
        User(username=name, password=password_hash) for name in names if name not in existing
    )
    User.objects.filter(username__in=names).update(password=password_hash, is_active=True)
    # A lockout left by an earlier run would turn every login of that account into a failure.
    AccessAttempt.objects.filter(username__in=names).delete()
    return dict(User.objects.filter(username__in=names).values_list("username", "id"))


def memberships_ensure(wanted: dict[int, dict]) -> None:
    """Each user's membership as `wanted` (user id → fields), written only where it differs."""
    fields = ["unit_id", "agency_id", "is_data_entry", "is_reviewer", "is_steering"]
    current = {m.user_id: m for m in Membership.objects.filter(user_id__in=wanted)}
    to_create, to_update = [], []
    for user_id, values in wanted.items():
        values = {"agency_id": None, "is_reviewer": False, "is_administrator": False, **values}
        values.setdefault("is_data_entry", False)
        values.setdefault("is_steering", False)
        member = current.get(user_id)
        if member is None:
            to_create.append(Membership(user_id=user_id, **values))
        elif any(getattr(member, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(member, k, v)
            to_update.append(member)
    Membership.objects.bulk_create(to_create)
    Membership.objects.bulk_update(to_update, [*fields, "is_administrator"])


def communes_for_officials(count: int) -> list[int]:
    """`count` communes in force at the end of ENTRY_PERIOD, spread over the country."""
    end = parse_period(ENTRY_PERIOD).end
    ids = list(
        Unit.objects.in_force(end)
        .filter(level=Unit.Level.COMMUNE)
        .order_by("code")
        .values_list("id", flat=True)
    )
    if len(ids) < count:
        raise SystemExit(f"Only {len(ids)} communes in {ENTRY_PERIOD}; {count} needed.")
    step = len(ids) // count
    return ids[::step][:count]


def provinces_viewed() -> list[dict]:
    """Provinces in force at the end of VIEW_PERIOD that have figures in it (all of them on an
    empty database), each with its districts."""
    end = parse_period(VIEW_PERIOD).end
    in_force = Unit.objects.in_force(end)
    provinces = in_force.filter(level=Unit.Level.PROVINCE).order_by("code")
    with_figures = provinces.filter(
        Exists(Figure.objects.filter(unit_id=OuterRef("pk"), period=VIEW_PERIOD))
    )
    chosen = list(with_figures.values_list("id", flat=True)) or list(
        provinces.values_list("id", flat=True)
    )
    districts: dict[int, list[int]] = {pk: [] for pk in chosen}
    for pk, province_id in (
        in_force.filter(level=Unit.Level.DISTRICT, province_id__in=chosen)
        .order_by("code")
        .values_list("id", "province_id")
    ):
        districts[province_id].append(pk)
    return [{"id": pk, "districts": districts[pk]} for pk in chosen]


def accounts_prepare(count: int) -> dict:
    """The accounts of every kind, `count` of each (as many as there are simulated users,
    whatever locust's mix), ready to sign in; what the locustfile reads."""
    password_hash = make_password(PASSWORD)  # hashed once: the same for every account
    officials = usernames("officials", count)
    committees = usernames("committees", count)
    clients = usernames("api_clients", count)
    ids = users_ensure(officials + committees + clients, password_hash)
    communes = communes_for_officials(count)
    provinces = provinces_viewed()
    memberships_ensure(
        {
            **{
                ids[n]: {"unit_id": c, "is_data_entry": True}
                for n, c in zip(officials, communes, strict=True)
            },
            **{
                ids[n]: {"unit_id": provinces[i % len(provinces)]["id"], "is_steering": True}
                for i, n in enumerate(committees)
            },
        }
    )
    tokens = {t.user_id: t.key for t in Token.objects.filter(user_id__in=[ids[n] for n in clients])}
    for name in clients:
        if ids[name] not in tokens:
            tokens[ids[name]] = Token.objects.create(user_id=ids[name]).key
    return {
        "password": PASSWORD,
        "entry_period": ENTRY_PERIOD,
        "view_period": VIEW_PERIOD,
        "indicator": INDICATOR,
        "provinces": provinces,
        "officials": [{"username": n, "unit": c} for n, c in zip(officials, communes, strict=True)],
        "committees": [
            {
                "username": n,
                "province": provinces[i % len(provinces)]["id"],
                "districts": provinces[i % len(provinces)]["districts"],
            }
            for i, n in enumerate(committees)
        ],
        "api_clients": [{"username": n, "token": tokens[ids[n]]} for n in clients],
    }


def accounts_close(accounts: dict) -> None:
    """After the run: no usable password (which also ends their sessions), no token."""
    names = [a["username"] for kind in KINDS for a in accounts[kind]]
    get_user_model().objects.filter(username__in=names).update(password=make_password(None))
    Token.objects.filter(user__username__in=names).delete()


# --- the server and locust ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The shared cache production runs with (docs/deploy.md: several web processes share one
# Redis); a database of its own, emptied before the run, so the run starts cold.
CACHE_URL = os.environ.get("LOADTEST_CACHE_URL", "redis://127.0.0.1:6379/15")


def shared_cache() -> str | None:
    """CACHE_URL emptied, if its Redis answers; else None (each worker caches on its own)."""
    import redis

    try:
        redis.Redis.from_url(CACHE_URL, socket_connect_timeout=1).flushdb()
    except redis.RedisError:
        return None
    return CACHE_URL


def server_env(database_url: str, cache_url: str | None = None) -> dict[str, str]:
    """Production settings, minus https: gunicorn answers on the loopback, no proxy."""
    cache = {"REDIS_CACHE_URL": cache_url} if cache_url else {}
    return {
        **os.environ,
        **cache,  # the database just emptied, whatever REDIS_CACHE_URL the shell exports
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_PROXY_SSL_HEADER": "0",
        "SECURE_HSTS_SECONDS": "0",
        "NUM_PROXIES": "0",
    }


def static_files_collect(env: dict[str, str]) -> None:
    """collectstatic, as the Dockerfile does (with DEBUG off, every page names hashed files),
    unless the collected files are newer than every source: it takes a minute, compressing
    each file again."""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        sources = (
            Path(storage.path(path)).stat().st_mtime
            for finder in get_finders()
            for path, storage in finder.list([])
        )
        if max(sources, default=0) < manifest.stat().st_mtime:
            return
    print("collecting static files (about a minute)…", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def wait_until_ready(base: str, server: subprocess.Popen) -> None:
    """Until /healthz answers 200."""
    deadline = time.monotonic() + SERVER_READY_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start (exit code {server.returncode}).")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer /healthz within {SERVER_READY_SECONDS} s.")


def seconds(run_time: str) -> int:
    """Locust's duration: "3m", "30s", "1h30m", or plain seconds."""
    if run_time.isdigit():
        return int(run_time)
    parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", run_time)
    if not parts or not any(parts.groups()):
        raise SystemExit(f"--run-time: {run_time!r} is not like 3m, 30s or 1h30m.")
    hours, minutes, secs = (int(p or 0) for p in parts.groups())
    return hours * 3600 + minutes * 60 + secs


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run(args, accounts_file: Path, work: Path) -> int:
    """gunicorn and locust; locust's exit code (its statistics are in work/stats.csv)."""
    cache_url = args.cache_url = shared_cache()
    env = server_env(args.database_url, cache_url)
    static_files_collect(env)
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    server_log = work / "gunicorn.log"
    print(f"gunicorn on {base}: {args.workers} workers × {args.threads} threads; log {server_log}")
    print(f"cache: {cache_url or 'each worker its own (no Redis at ' + CACHE_URL + ')'}")
    with open(server_log, "wb") as log:
        server = subprocess.Popen(  # noqa: S603 (our own command line)
            [
                *(sys.executable, "-m", "gunicorn", "egov_portal.wsgi"),
                *("--bind", f"127.0.0.1:{port}"),
                *("--workers", str(args.workers), "--threads", str(args.threads)),
                *("--timeout", "120", "--no-control-socket"),
                # Longer than a simulated user's pause (1-3 s): gunicorn's default of 2 s
                # closes a connection just as the client reuses it, a reset counted as a
                # failure. In production the proxy holds the clients' connections.
                *("--keep-alive", "10"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        prefix = work / "locust"  # locust's own files: failures, history
        final = work / "stats.csv"  # written by the locustfile when locust stops
        try:
            wait_until_ready(base, server)
            command = [
                *(sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py")),
                *("--headless", "--only-summary", "--host", base),
                *("--users", str(args.users), "--spawn-rate", str(args.spawn_rate)),
                *("--run-time", args.run_time, "--stop-timeout", "10"),
                *("--csv", str(prefix)),
            ]
            print(
                f"locust: {args.users} users (spawned {args.spawn_rate}/s) for {args.run_time}",
                flush=True,
            )
            locust = subprocess.run(  # noqa: S603 (our own command line)
                command,
                cwd=ROOT,
                env={
                    **os.environ,
                    "LOADTEST_ACCOUNTS": str(accounts_file),
                    "LOADTEST_STATS": str(final),
                },
                timeout=seconds(args.run_time) + 120,  # its own limit, and then some
                check=False,  # its exit code says "some failed": the table says which
            )
        finally:
            stop(server)
    return locust.returncode


# --- the results --------------------------------------------------------------------------


def stats_read(path: Path) -> list[dict]:
    """Locust's stats: one row per request kind, then "Aggregated"."""
    if not path.exists():
        raise SystemExit(f"locust wrote no statistics ({path}).")
    with open(path, encoding="utf-8", newline="") as file:
        return [
            {
                "kind": "all requests" if row["Name"] == "Aggregated" else row["Name"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50": row["50%"],
                "p95": row["95%"],
                "rps": float(row["Requests/s"]),
            }
            for row in csv.DictReader(file)
        ]


# The portal's own line for each request (egov_portal.middleware.RequestLogMiddleware): the
# time from its first middleware to the answer, in the worker's thread. What locust sees
# besides it is the wait for a thread of the worker the connection reached, and the network.
REQUEST_LINE = re.compile(r"egov_portal\.request \[\w+\] ([A-Z]+) (\S+) \d{3} ([\d.]+)ms")


def request_kind(method: str, path: str, provinces: set[int]) -> str | None:
    """The locustfile's name for a request of the server's log (None: not one of its
    kinds). `provinces`: the ids whose dashboards are "dashboard: province"."""
    route, _, query = path.partition("?")
    if route == "/accounts/login/":
        return "login: page" if method == "GET" else "login: sign in"
    if route.startswith("/entry/"):
        return "entry: open form" if method == "GET" else "entry: save form"
    if route.startswith("/dashboard/"):
        unit = route.split("/")[2]
        province = unit.isdigit() and int(unit) in provinces
        return "dashboard: province" if province else "dashboard: district"
    if route == "/api/v1/analytics/":
        return "api: analytics by=children"
    if route == "/api/v1/observations/":
        return f"api: observations, {'next' if 'cursor=' in query else 'first'} page"
    return None


# When a line was written (the end of its request), as settings.LOGGING's "line" format
# begins it.
LINE_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) ")
# The run's first minute: the crowd arrives (spawned over about 20 s), every account signs
# in, and every dashboard is built for the first time.
FIRST_MINUTE = 60


def line_time(line: str) -> float | None:
    """A log line's time in seconds (None: the line has none)."""
    found = LINE_TIME.match(line)
    if found is None:
        return None
    day = datetime.datetime.strptime(found[1], "%Y-%m-%d %H:%M:%S")
    return day.timestamp() + int(found[2]) / 1000


def server_p95(lines: Iterable[str], provinces: set[int], *, after: float = 0) -> dict[str, float]:
    """Each request kind's 95th percentile of server time (ms, nearest rank) in the server's
    log lines, and of every request ("all requests"). `after`: only the requests that
    ended that many seconds or more after the first of locust's (a line without a time is
    left out then)."""
    times: dict[str, list[float]] = {"all requests": []}
    start = None
    for line in lines:
        found = REQUEST_LINE.search(line)
        if found is None:
            continue
        method, path, ms = found.groups()
        kind = request_kind(method, path, provinces)
        if kind is not None and after:
            when = line_time(line)
            if when is None:
                continue
            start = when if start is None else start  # (not /healthz's, before locust)
            if when - start < after:
                continue
        if kind is not None:
            times.setdefault(kind, []).append(float(ms))
            times["all requests"].append(float(ms))
    return {
        kind: sorted(found)[math.ceil(0.95 * len(found)) - 1]
        for kind, found in times.items()
        if found
    }


def table(
    rows: list[dict],
    server_times: dict[str, float] | None = None,
    later_times: dict[str, float] | None = None,
) -> list[str]:
    """The report's table: locust's rows, each with the server p95 of its kind over the
    whole run (`server_times`) and after the first minute (`later_times`)."""
    server_times, later_times = server_times or {}, later_times or {}

    def ms(times: dict[str, float], kind: str) -> str:
        return "" if kind not in times else f"{times[kind]:.0f}"

    lines = [
        "| request kind | requests | failures | p50 (ms) | p95 (ms) | server p95 (ms) "
        "| server p95 after the first minute (ms) | requests/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        kind = row["kind"]
        lines.append(
            f"| {kind} | {row['requests']:,} | {row['failures']:,} | {row['p50']} "
            f"| {row['p95']} | {ms(server_times, kind)} | {ms(later_times, kind)} "
            f"| {row['rps']:.1f} |"
        )
    return lines


def block(
    rows: list[dict],
    args,
    server_times: dict[str, float] | None = None,
    later_times: dict[str, float] | None = None,
) -> str:
    figures = Figure.objects.count()
    server = f" {server_version()}" if server_version() else ""
    when = datetime.datetime.now().astimezone().isoformat(timespec="minutes")
    cache = (
        "the cache in one Redis shared by the workers, empty at the start"
        if getattr(args, "cache_url", None)
        else "each worker with a cache of its own"
    )
    lines = [
        START,
        "## Load test",
        "",
        f"`make loadtest`, run {when} on {os.cpu_count()} cores, {connection.vendor}{server}, "
        f"{figures:,} figures: {args.users} users (spawned {args.spawn_rate}/s) for "
        f"{args.run_time} against gunicorn on 127.0.0.1 ({args.workers} workers × "
        f"{args.threads} threads, DEBUG off, throttles at their defaults, {cache}). "
        "Three officials in ten save their commune's form of "
        f"{ENTRY_PERIOD} (every indicator, then the form again), three committee members in "
        f"ten open their province's or a district's dashboard of {VIEW_PERIOD}, four API "
        f"clients in ten (tokens) read {INDICATOR} by district and a province's figures (two "
        "pages); each waits 1–3 s between tasks. Times are locust's, in milliseconds, but "
        "the server p95: the portal's own time for the request in gunicorn's log, from its "
        "first middleware to the answer (locust's adds the wait for a thread and the network), "
        "over the whole run and after its first minute (the crowd arriving and signing in, "
        "every dashboard built for the first time). "
        f"{cpu_reference_text(args.cpu_reference)}.",
        "",
        *table(rows, server_times, later_times),
        END,
    ]
    return "\n".join(lines)


def results_write(text: str) -> None:
    """Replaces the load test's block of RESULTS.md, or adds it after the history marker
    (benchmarks/run.py rewrites what is above the marker and keeps what follows)."""
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    if START in current and END in current:
        before, rest = current.split(START, 1)
        after = rest.split(END, 1)[1]
        updated = before + text + after
    else:
        if MARKER not in current:
            current = current.rstrip("\n") + "\n\n" + MARKER + "\n"
        updated = current.rstrip("\n") + "\n\n" + text + "\n"
    RESULTS.write_text(updated, encoding="utf-8")


# --- main ----------------------------------------------------------------------------------


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    environ = os.environ.get
    parser.add_argument("--users", type=int, default=int(environ("LOADTEST_USERS", "100")))
    parser.add_argument("--spawn-rate", type=int, default=None, help="default: users / 20")
    parser.add_argument("--run-time", default=environ("LOADTEST_TIME", "3m"))
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--workers", type=int, default=int(environ("LOADTEST_WORKERS", "3")))
    parser.add_argument("--threads", type=int, default=int(environ("LOADTEST_THREADS", "4")))
    parser.add_argument("--database-url", default=environ("DATABASE_URL", ""))
    args = parser.parse_args()
    if not args.database_url:
        parser.error("DATABASE_URL (or --database-url) must name the benchmark database.")
    if args.users < 1:
        parser.error("--users must be at least 1.")
    seconds(args.run_time)  # refuses a duration locust would not read
    if args.spawn_rate is None:
        # The whole crowd within about 20 s: a login costs the server ~0.5 s of hashing.
        args.spawn_rate = max(1, args.users // 20)
    return args


def main() -> int:
    args = arguments()
    args.cpu_reference = cpu_reference()  # before anything runs
    print(cpu_reference_text(args.cpu_reference), flush=True)
    work = Path(tempfile.mkdtemp(prefix="egov-loadtest-"))
    print(f"preparing {args.users} accounts of each kind…", flush=True)
    accounts = accounts_prepare(args.users)
    communes = [a["unit"] for a in accounts["officials"]]
    reports_clear(ENTRY_PERIOD, communes)
    # What autovacuum does on a production server, as benchmarks/run.py does first: each
    # run leaves dead versions of figures, their history, reports, sessions and accounts,
    # and without a vacuum every run read through more of them than the one before.
    print("vacuum analyze…", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    accounts_file = work / "accounts.json"
    accounts_file.write_text(json.dumps(accounts), encoding="utf-8")
    try:
        locust_code = run(args, accounts_file, work)
    finally:
        connection.close()  # the run took minutes: the driver's connection may be gone
        print(f"removed {reports_clear(ENTRY_PERIOD, communes):,} figures of {ENTRY_PERIOD}")
        accounts_close(accounts)
    rows = stats_read(work / "stats.csv")
    provinces = {account["province"] for account in accounts["committees"]}
    with open(work / "gunicorn.log", encoding="utf-8", errors="replace") as log:
        log_lines = log.readlines()
    server_times = server_p95(log_lines, provinces)
    later_times = server_p95(log_lines, provinces, after=FIRST_MINUTE)
    print("\n".join(table(rows, server_times, later_times)))
    results_write(block(rows, args, server_times, later_times))
    print(f"written to {RESULTS.relative_to(ROOT)}; locust's files in {work}")
    total = next((r for r in rows if r["kind"] == "all requests"), None)
    if total is None or total["requests"] == 0:
        print("no request was made", file=sys.stderr)
        return 1
    if total["failures"]:
        print(f"{total['failures']:,} requests failed (see {work})", file=sys.stderr)
        return 1
    if locust_code:
        # No request failed, but a user's code raised: the run is not what it claims to be.
        print(f"locust ended with code {locust_code} (see its output above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
