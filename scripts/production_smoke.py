"""The production smoke test: what the containers run, run on this machine (no Docker engine
needed), under production settings, on PostgreSQL and Redis, and checked over HTTP.

    .venv/bin/python scripts/production_smoke.py [--timeout SECONDS] [--keep]

`make smoke` runs it; CI (.ci/run) calls that after `make test`. It needs PostgreSQL (PGHOST,
PGPORT, PGUSER; default postgres@127.0.0.1:5432, allowed to create databases) with its
client programs, and Redis (SMOKE_REDIS_URL, default redis://127.0.0.1:6379). Steps:

 1. a fresh database (egov_smoke_<pid>) and an empty Redis database number;
 2. collectstatic, as the Dockerfile runs it (into a temporary STATIC_ROOT);
 3. `docker/entrypoint.sh setup`: migrate, then the reference data;
 4. accounts made as a deployment makes them: `createsuperuser --noinput`, and an official
    of Thị trấn Hồ Xá (a Membership) through `manage.py shell`;
 5. `docker/entrypoint.sh web` (gunicorn on 127.0.0.1, a free port) and
    `docker/entrypoint.sh worker` (Celery and its beat), until /healthz answers ok; then
    docker-compose.yml's health checks of both;
 6. the official signs in (a CSRF round trip) and saves a draft of Hồ Xá's 2024Q4 form;
 7. the administrator uploads a file of more than IMPORT_SYNC_ROWS rows: it becomes a job,
    which the worker runs to done;
 8. a second job, whose worker is killed (SIGKILL to its process group) while it runs; a
    new worker starts, its beat's sweep marks the job failed once the job has been silent
    for IMPORT_JOB_STALE_MINUTES, and the job is run again from its page, to done;
 9. `manage.py verify_aggregates`: the live aggregates equal a recompute from the figures;
10. a backup with the commands of docs/deploy.md (pg_dump -Fc, createdb, pg_restore), and
    every table's row count compared with the restored copy's;
11. whatever happened: every process started is stopped, both databases dropped, the Redis
    database flushed, the temporary folder removed.

Every wait has a timeout, and the whole run --timeout (default 360 s). Exits 1 on the first
failure, naming its step and showing the end of the processes' logs. Each run makes its own
databases and accounts: it never touches another database.
"""

import argparse
import contextlib
import html.parser
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg2
import redis

ROOT = Path(__file__).resolve().parent.parent
PYTHON_BIN = Path(sys.executable).parent  # the virtualenv's python, gunicorn and celery

PG_HOST = os.environ.get("PGHOST", "127.0.0.1")
PG_PORT = os.environ.get("PGPORT", "5432")
PG_USER = os.environ.get("PGUSER", "postgres")
REDIS_SERVER = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")

HOXA, HOXA_ON = "19363", "2024-01-01"  # Thị trấn Hồ Xá, a commune until 30/06/2025
FORM_PERIOD = "2024Q4"  # the official's draft
# (period, its first day, its last day)
JOB_PERIOD = ("2024Q3", "2024-07-01", "2024-09-30")
KILLED_JOB_PERIOD = ("2024Q2", "2024-04-01", "2024-06-30")
# Two rows per commune in force all through the quarter (about 20,000): the worker spends
# several seconds on them, time enough to be killed in the middle.
ROW_VALUES = (("INF_LAN", "1"), ("HR_IT_STAFF", "2"))
STALE_MINUTES = 1  # the smallest IMPORT_JOB_STALE_MINUTES: a killed job fails after a minute
SWEEP_SECONDS = 5
JOB_STALE = "Việc nhập bị dừng giữa chừng"  # entry.jobs.JOB_STALE begins so
# Celery's line for a sweep (entry.tasks.import_jobs_sweep) that failed one job.
SWEPT_ONE = re.compile(r"import_jobs_sweep\[[^\]]+\] succeeded in [\d.]+s: 1$", re.MULTILINE)
HTTP_TIMEOUT = 60


class SmokeFailure(Exception):
    """A check failed, or a wait ran out: the message says which."""


def wait_for(what: str, check, *, timeout: float, every: float = 0.5, alive=()):
    """check()'s first truthy answer, tried every `every` seconds; SmokeFailure after
    `timeout`, or at once if one of the `alive` processes has ended."""
    end = time.monotonic() + timeout
    while True:
        answer = check()
        if answer:
            return answer
        for process in alive:
            if process.poll() is not None:
                raise SmokeFailure(f"{process.name} exited ({process.returncode}) before {what}")
        if time.monotonic() > end:
            raise SmokeFailure(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


# --- processes --------------------------------------------------------------------------


class Service:
    """A process started in a session (and process group) of its own, its output in a log
    file: stopping it stops everything it started (gunicorn's or Celery's workers)."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path):
        self.name, self.log = name, log
        with log.open("ab") as out:
            self.popen = subprocess.Popen(  # noqa: S603 (this script's own command lines)
                args,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def returncode(self):
        return self.popen.returncode

    def poll(self):
        return self.popen.poll()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL to the whole group: no shutdown, as when a container is killed."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stop(self, grace: float = 20) -> None:
        """SIGTERM to the group (gunicorn and Celery shut down warmly), SIGKILL after
        `grace` seconds, and any process of the group still there killed too."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=grace)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)


def run(args: list[str], env: dict[str, str], *, timeout: float, **kwargs) -> str:
    """Run a command to its end; its output (unless `stdout` is given), or SmokeFailure
    with the output's end."""
    kwargs.setdefault("stdout", subprocess.PIPE)
    try:
        done = subprocess.run(  # noqa: S603 (this script's own command lines)
            args,
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            timeout=timeout,
            check=False,
            **kwargs,
        )
    except subprocess.TimeoutExpired:
        raise SmokeFailure(f"`{' '.join(args)}` timed out after {timeout:.0f} s") from None
    output = (done.stdout or b"").decode(errors="replace")
    if done.returncode != 0:
        errors = done.stderr.decode(errors="replace")
        raise SmokeFailure(f"`{' '.join(args)}` exited {done.returncode}:\n{tail(output + errors)}")
    return output


def tail(text: str, lines: int = 25) -> str:
    return "\n".join("    " + line for line in text.rstrip().splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- PostgreSQL and Redis ---------------------------------------------------------------


def database_url(name: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def pg_args(program: str) -> list[str]:
    return [program, "-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER]


class Database:
    """A connection in autocommit, for what a check reads."""

    def __init__(self, name: str):
        self.connection = psycopg2.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=name, connect_timeout=10
        )
        self.connection.autocommit = True

    def rows(self, sql: str, params=()) -> list[tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def value(self, sql: str, params=()):
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    def row_counts(self) -> dict[str, int]:
        """Every table's exact row count (the public schema: the portal's tables)."""
        tables = [
            name
            for (name,) in self.rows(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                "AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ]
        return {t: self.value(f'SELECT count(*) FROM "{t}"') for t in tables}  # noqa: S608

    def close(self) -> None:
        self.connection.close()


def redis_db_claim() -> int:
    """An empty Redis database number (from 15 down), claimed with a key of its own so that
    two runs at once never share one: this run's queue and cache, flushed at the end."""
    for number in range(15, 1, -1):
        client = redis.Redis.from_url(f"{REDIS_SERVER}/{number}", socket_timeout=5)
        try:
            if client.dbsize() == 0 and client.set("egov-smoke", os.getpid(), nx=True):
                return number
        finally:
            client.close()
    raise SmokeFailure("no empty Redis database among 2-15")


# --- HTTP -------------------------------------------------------------------------------


class Page:
    def __init__(self, status: int, url: str, text: str, headers):
        self.status, self.url, self.text, self.headers = status, url, text, headers

    def json(self):
        return json.loads(self.text)


class FormFields(html.parser.HTMLParser):
    """The fields a browser would send with the form whose action is `action`: inputs
    (but buttons, and check boxes: left unticked), each select's selected option, textareas."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.found = action, False, False
        self.fields: dict[str, str] = {}
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
            self.found = self.found or self.inside
        elif not self.inside or (not a.get("name") and tag != "option"):
            return
        elif tag == "input" and a.get("type") not in ("submit", "button", "checkbox", "radio"):
            self.fields[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self.select = a["name"]
            self.fields.setdefault(self.select, "")
        elif tag == "option" and self.select and ("selected" in a):
            self.fields[self.select] = a.get("value") or ""
        elif tag == "textarea":
            self.textarea = a["name"]
            self.fields[self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.inside and self.textarea:
            self.fields[self.textarea] += data


def form_fields(page: Page, action: str) -> dict[str, str]:
    parser = FormFields(action)
    parser.feed(page.text)
    if not parser.found:
        raise SmokeFailure(f"{page.url} has no form posting to {action}")
    if not parser.fields.get("csrfmiddlewaretoken"):
        raise SmokeFailure(f"the form posting to {action} on {page.url} has no CSRF token")
    return parser.fields


class Browser:
    """Cookies kept, redirects followed, and what a browser sends with a form: the page's
    CSRF token, Origin and Referer."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def _open(self, request: urllib.request.Request) -> Page:
        # Only ever http://127.0.0.1:<port>/…: the base is this script's.
        try:
            with self.opener.open(request, timeout=HTTP_TIMEOUT) as response:
                body = response.read().decode("utf-8", errors="replace")
                return Page(response.status, response.url, body, response.headers)
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", errors="replace")
            return Page(error.code, error.url, body, error.headers)

    def get(self, path: str) -> Page:
        return self._open(urllib.request.Request(self.base + path))  # noqa: S310

    def post(self, path: str, fields: dict[str, str], *, referer: str, files=None) -> Page:
        headers = {"Origin": self.base, "Referer": referer}
        if files:
            body, headers["Content-Type"] = multipart(fields, files)
        else:
            body = urllib.parse.urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310
        return self._open(request)

    def log_in(self, username: str, password: str) -> Page:
        form = self.get("/accounts/login/")
        expect(form.status == 200, f"the login page answered {form.status}")
        fields = form_fields(form, "/accounts/login/")
        fields.update(username=username, password=password)
        page = self.post("/accounts/login/", fields, referer=form.url)
        expect(
            page.status == 200 and "/accounts/login/" not in page.url,
            f"{username} could not log in (HTTP {page.status} at {page.url})",
        )
        return page


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]):
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, (filename, data, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def expect(condition, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


# --- the run ----------------------------------------------------------------------------


class Smoke:
    def __init__(self, *, keep: bool):
        self.keep = keep
        self.pid = os.getpid()
        self.database = f"egov_smoke_{self.pid}"
        self.restored = f"{self.database}_restore"
        self.tmp = Path(tempfile.mkdtemp(prefix="egov-smoke-"))
        self.services: list[Service] = []
        self.made_databases: list[str] = []
        self.redis_db: int | None = None
        self.db: Database | None = None
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.admin = ("smoke.admin", secrets.token_urlsafe(18))
        self.official = ("smoke.hoxa", secrets.token_urlsafe(18))
        self.worker: Service | None = None
        self.secret_key = secrets.token_urlsafe(50)

    # The environment a container gets: docker-compose.yml's, with plain http allowed (as
    # docs/deploy.md says for trying the stack on one machine) and a quick sweep.
    def env(self, **extra: str) -> dict[str, str]:
        passed = ("HOME", "LANG", "LC_ALL", "TZ", "PGPASSWORD")
        kept = {k: os.environ[k] for k in passed if k in os.environ}
        return {
            **kept,
            "PATH": f"{PYTHON_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "DEBUG": "0",
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url(self.database),
            "REDIS_URL": f"{REDIS_SERVER}/{self.redis_db}",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "LOG_LEVEL": "INFO",
            "STATIC_ROOT": str(self.tmp / "static"),
            "BEAT_SCHEDULE_FILE": str(self.tmp / "celerybeat-schedule"),
            "IMPORT_JOB_SWEEP_SECONDS": str(SWEEP_SECONDS),
            "IMPORT_JOB_STALE_MINUTES": str(STALE_MINUTES),
            "DB_WAIT_SECONDS": "30",
            **extra,
        }

    def entrypoint(self, *args: str) -> list[str]:
        return ["sh", "docker/entrypoint.sh", *args]

    # 1
    def fresh_database(self) -> str:
        run([*pg_args("createdb"), self.database], self.env(), timeout=30)
        self.made_databases.append(self.database)
        self.redis_db = redis_db_claim()
        self.db = Database(self.database)
        return f"database {self.database}, Redis database {self.redis_db}"

    # 2
    def collectstatic(self) -> str:
        # As the Dockerfile's RUN: a throwaway key and host, no database, no Redis.
        env = self.env(SECRET_KEY="collectstatic-only-not-a-secret", ALLOWED_HOSTS="localhost")  # noqa: S106
        for name in ("DATABASE_URL", "REDIS_URL"):
            env.pop(name)
        out = run([sys.executable, "manage.py", "collectstatic", "--no-input"], env, timeout=120)
        manifest = self.tmp / "static" / "staticfiles.json"
        expect(manifest.exists(), f"collectstatic wrote no {manifest}")
        return out.strip().splitlines()[-1]

    # 3
    def setup(self) -> str:
        run(self.entrypoint("setup"), self.env(), timeout=180)
        units = self.db.value("SELECT count(*) FROM units_unit")
        migrations = self.db.value("SELECT count(*) FROM django_migrations")
        expect(units and units > 10000, f"only {units} units after load_reference_data")
        return f"{migrations} migrations, {units} units"

    # 4
    def accounts(self) -> str:
        username, password = self.admin
        env = self.env(
            DJANGO_SUPERUSER_USERNAME=username,
            DJANGO_SUPERUSER_PASSWORD=password,
            DJANGO_SUPERUSER_EMAIL="smoke@example.vn",
        )
        command = ["python", "manage.py", "createsuperuser", "--no-input"]
        run(self.entrypoint(*command), env, timeout=60)
        username, password = self.official
        make_official = (
            "import datetime, os\n"
            "from django.contrib.auth import get_user_model\n"
            "from accounts.models import Membership\n"
            "from units.models import Unit\n"
            "user = get_user_model().objects.create_user("
            "os.environ['SMOKE_USERNAME'], password=os.environ['SMOKE_PASSWORD'])\n"
            f"unit = Unit.objects.in_force(datetime.date.fromisoformat('{HOXA_ON}'))"
            f".get(code='{HOXA}')\n"
            "Membership.objects.create(user=user, unit=unit, is_data_entry=True)\n"
        )
        env = self.env(SMOKE_USERNAME=username, SMOKE_PASSWORD=password)
        run(self.entrypoint("python", "manage.py", "shell", "-c", make_official), env, timeout=60)
        return f"superuser {self.admin[0]}, official {username} (data entry of {HOXA})"

    # 5
    def start(self) -> str:
        web_env = self.env(
            PORT=str(self.port), BIND_ADDRESS="127.0.0.1", WEB_WORKERS="2", MIGRATE_ON_START="0"
        )
        web = Service("web", self.entrypoint("web"), web_env, self.tmp / "web.log")
        self.services.append(web)
        self.worker_start()

        def healthy():
            try:
                page = Browser(self.base).get("/healthz")
            except (urllib.error.URLError, OSError):
                return None
            return page.status == 200 and page.json()

        health = wait_for("/healthz to answer ok", healthy, timeout=90, alive=[web])
        expect(health == {"status": "ok", "database": "ok", "redis": "ok"}, f"/healthz: {health}")
        # docker-compose.yml's health checks of both, as compose runs them.
        run(["python", "docker/healthcheck.py"], web_env, timeout=30)
        node = f"celery@{socket.gethostname()}"
        ping = ["celery", "-A", "egov_portal", "inspect", "ping", "-d", node, "--timeout", "10"]
        run(ping, self.env(), timeout=60)
        # DEBUG is off: no technical 404 page; static files hashed and cached for long.
        browser = Browser(self.base)
        missing = browser.get("/no-such-page/")
        expect(missing.status == 404, f"/no-such-page/ answered {missing.status}")
        expect("URLconf" not in missing.text, "the 404 page is Django's DEBUG page")
        login = browser.get("/accounts/login/")
        css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', login.text)
        expect(css, "the login page links no hashed stylesheet (collectstatic's manifest)")
        static = browser.get(css.group(1))
        expect(static.status == 200, f"{css.group(1)} answered {static.status}")
        expect("max-age=315360000" in static.headers.get("Cache-Control", ""), "not cached long")
        return (
            f"gunicorn on {self.base}, /healthz {json.dumps(health)}, {node} answers ping; "
            f"static {css.group(1)}"
        )

    def worker_start(self) -> None:
        number = sum(1 for s in self.services if s.name.startswith("worker")) + 1
        name = f"worker{number}"
        self.worker = Service(name, self.entrypoint("worker"), self.env(), self.tmp / f"{name}.log")
        self.services.append(self.worker)
        worker = self.worker
        wait_for(
            f"{name} to be ready",
            lambda: " ready." in worker.output(),
            timeout=90,
            alive=[worker],
        )

    # 6
    def entry_form(self) -> str:
        browser = Browser(self.base)
        browser.log_in(*self.official)
        units = browser.get(f"/api/v1/units/?code={HOXA}&on={HOXA_ON}").json()["results"]
        expect(len(units) == 1, f"/api/v1/units/?code={HOXA}: {len(units)} units")
        path = f"/entry/{units[0]['id']}/{FORM_PERIOD}/"
        form = browser.get(path)
        expect(form.status == 200, f"{path} answered {form.status}")
        fields = form_fields(form, path)
        typed = {"HR_IT_STAFF-value": "3", "HR_PROFICIENT-numerator": "45"}
        typed["HR_PROFICIENT-denominator"] = "50"
        for name in typed:
            expect(name in fields, f"the form of {path} has no field {name}")
        saved = browser.post(path, {**fields, **typed, "action": "save"}, referer=form.url)
        expect(saved.status == 200, f"saving {path} answered {saved.status}")
        expect("Đã lưu nháp: 2 chỉ tiêu được cập nhật." in saved.text, "no 'saved' message")
        again = form_fields(browser.get(path), path)
        expect(again["HR_IT_STAFF-value"] == "3", "the form does not show the saved value")
        stored = self.db.rows(
            "SELECT i.code, f.value, f.status FROM indicators_figure f "
            "JOIN indicators_indicator i ON i.id = f.indicator_id "
            "JOIN units_unit u ON u.id = f.unit_id WHERE u.code = %s AND f.period = %s "
            "ORDER BY i.code",
            (HOXA, FORM_PERIOD),
        )
        values = [(code, float(value), status) for code, value, status in stored]
        expect(
            values == [("HR_IT_STAFF", 3.0, "draft"), ("HR_PROFICIENT", 90.0, "draft")],
            f"stored figures: {values}",
        )
        return f"{path}: draft of 2 figures stored ({values})"

    # 7, 8
    def job_file(self, period: str, start: str, end: str) -> tuple[bytes, int]:
        """A CSV of ROW_VALUES for every commune in force all through the period."""
        communes = [
            code
            for (code,) in self.db.rows(
                "SELECT code FROM units_unit WHERE level = 'commune' "
                "AND (valid_from IS NULL OR valid_from <= %s) "
                "AND (valid_to IS NULL OR valid_to >= %s) ORDER BY code",
                (start, end),
            )
        ]
        lines = ["unit_code,on,indicator,period,value,numerator,denominator,source,note"]
        for code in communes:
            lines += [f"{code},{end},{ind},{period},{v},,,Báo cáo quý," for ind, v in ROW_VALUES]
        return ("\n".join(lines) + "\n").encode(), len(lines) - 1

    def upload(self, browser: Browser, name: str, data: bytes) -> int:
        form = browser.get("/entry/import/")
        fields = form_fields(form, "/entry/import/")
        files = {"file": (name, data, "text/csv")}
        page = browser.post("/entry/import/", fields, referer=form.url, files=files)
        job = re.search(r"/entry/import/(\d+)/$", page.url)
        expect(page.status == 200 and job, f"the upload went to {page.url} ({page.status})")
        return int(job.group(1))

    def job_done(self, browser: Browser, job: int, *, timeout: float) -> dict:
        def finished():
            status = browser.get(f"/entry/import/{job}/status/").json()
            return status if status["finished"] else None

        status = wait_for(f"job {job} to finish", finished, timeout=timeout, every=1)
        error = self.db.value("SELECT error FROM entry_importjob WHERE id = %s", (job,))
        expect(status["status"] == "done", f"job {job} ended {status['status']}: {error}")
        return status

    def figures_in(self, period: str) -> int:
        return self.db.value("SELECT count(*) FROM indicators_figure WHERE period = %s", (period,))

    def import_job(self) -> str:
        browser = Browser(self.base)
        browser.log_in(*self.admin)
        period = JOB_PERIOD[0]
        data, rows = self.job_file(*JOB_PERIOD)
        started = time.monotonic()
        job = self.upload(browser, f"communes-{period}.csv", data)
        self.job_done(browser, job, timeout=120)
        seconds = time.monotonic() - started
        expect(self.figures_in(period) == rows, f"{self.figures_in(period)} figures of {rows}")
        return f"job {job}: {rows} rows stored by the worker in {seconds:.1f} s"

    def killed_job(self) -> str:
        browser = Browser(self.base)
        browser.log_in(*self.admin)
        period = KILLED_JOB_PERIOD[0]
        data, rows = self.job_file(*KILLED_JOB_PERIOD)
        job = self.upload(browser, f"communes-{period}.csv", data)

        def state() -> tuple[str, int, str]:
            return self.db.rows(
                "SELECT status, progress, error FROM entry_importjob WHERE id = %s", (job,)
            )[0]

        def checking():  # past reading the file: in the middle
            status, progress, _error = state()
            return status == "running" and progress > 0

        wait_for(f"job {job} to be running", checking, timeout=60, every=0.05)
        self.worker.kill()
        status, progress, _error = state()
        expect(status == "running", f"job {job} was {status} when its worker was killed")
        lines = [f"job {job} ({rows} rows): worker killed at {progress}%"]
        # Started again at once: the job is not yet stale, so the beat's sweep will fail it
        # (or the worker's start, if it takes longer than IMPORT_JOB_STALE_MINUTES).
        self.worker_start()
        started = time.monotonic()
        wait_for(
            f"job {job} to be marked failed",
            lambda: state()[0] != "running",
            timeout=STALE_MINUTES * 60 + SWEEP_SECONDS * 4 + 30,
            every=1,
        )
        status, _progress, error = state()
        expect(status == "failed" and error.startswith(JOB_STALE), f"job {job}: {status} {error}")
        expect(self.figures_in(period) == 0, f"the failed job stored {self.figures_in(period)}")
        swept = SWEPT_ONE.search(self.worker.output())
        by = "the beat's sweep" if swept else f"{self.worker.name}'s start"
        lines.append(f"failed by {by} {time.monotonic() - started:.0f} s later")
        page = browser.get(f"/entry/import/{job}/")
        rerun = f"/entry/import/{job}/rerun/"
        fields = form_fields(page, rerun)
        answer = browser.post(rerun, fields, referer=page.url)
        expect(answer.status == 200, f"{rerun} answered {answer.status}")
        self.job_done(browser, job, timeout=120)
        expect(self.figures_in(period) == rows, f"{self.figures_in(period)} figures of {rows}")
        lines.append(f"run again from its page: done, {rows} rows stored")
        return "; ".join(lines)

    # 9
    def aggregates(self) -> str:
        # The seeds, the official's draft and the worker's import went through the write
        # path: the live aggregates must equal a recompute from the figures.
        command = ["python", "manage.py", "verify_aggregates"]
        out = run(self.entrypoint(*command), self.env(), timeout=240)
        rows = self.db.value("SELECT count(*) FROM indicators_aggregate")
        expect(rows and rows > 0, "no rows in the live aggregates after the setup")
        return f"{rows} rows; {out.strip().splitlines()[-1]}"

    # 10
    def backup(self) -> str:
        dump = self.tmp / f"{self.database}.dump"
        env = self.env()
        with dump.open("wb") as out:
            run([*pg_args("pg_dump"), "-Fc", self.database], env, timeout=120, stdout=out)
        run([*pg_args("createdb"), self.restored], env, timeout=30)
        self.made_databases.append(self.restored)
        with dump.open("rb") as source:
            run(
                [*pg_args("pg_restore"), "-d", self.restored, "--no-owner", "--exit-on-error"],
                env,
                timeout=120,
                stdin=source,
            )
        original = self.db.row_counts()
        copy = Database(self.restored)
        try:
            restored = copy.row_counts()
        finally:
            copy.close()
        differ = {t: (original.get(t), restored.get(t)) for t in original.keys() | restored.keys()}
        differ = {t: counts for t, counts in differ.items() if counts[0] != counts[1]}
        expect(not differ, f"row counts differ (original, restored): {differ}")
        check = ["python", "manage.py", "migrate", "--check"]
        run(self.entrypoint(*check), self.env(DATABASE_URL=database_url(self.restored)), timeout=60)
        size = dump.stat().st_size / 1024
        total = sum(original.values())
        return f"{size:.0f} kB dump; {len(original)} tables, {total} rows, equal in the copy"

    # 10
    def clean_up(self) -> list[str]:
        problems = []
        for service in reversed(self.services):
            try:
                service.stop()
            except Exception as exc:  # every one is tried, whatever the others do
                problems.append(f"stopping {service.name}: {exc}")
        if self.db is not None:
            self.db.close()
        for name in self.made_databases:
            try:  # --force: a connection left by a killed process does not stop it
                run([*pg_args("dropdb"), "--if-exists", "--force", name], os.environ, timeout=60)
            except (SmokeFailure, subprocess.SubprocessError) as exc:
                problems.append(str(exc))
        if self.redis_db is not None:
            try:
                client = redis.Redis.from_url(f"{REDIS_SERVER}/{self.redis_db}", socket_timeout=5)
                client.flushdb()
                client.close()
            except redis.RedisError as exc:
                problems.append(f"flushing Redis database {self.redis_db}: {exc}")
        if self.keep:
            print(f"smoke: logs kept in {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return problems


STEPS = [
    ("fresh database", "fresh_database"),
    ("collectstatic", "collectstatic"),
    ("entrypoint setup", "setup"),
    ("accounts", "accounts"),
    ("entrypoint web and worker", "start"),
    ("official saves a draft over HTTP", "entry_form"),
    ("import through the worker", "import_job"),
    ("worker killed mid-job, job failed, rerun", "killed_job"),
    ("live aggregates equal a recompute", "aggregates"),
    ("backup and restore", "backup"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=int, default=360, help="seconds for the whole run")
    parser.add_argument("--keep", action="store_true", help="keep the processes' logs")
    options = parser.parse_args()

    def give_up(signum, frame):
        cause = f"the overall timeout ({options.timeout} s)" if signum == signal.SIGALRM else None
        raise SmokeFailure(f"stopped by {cause or signal.Signals(signum).name}")

    stops = (signal.SIGALRM, signal.SIGTERM, signal.SIGINT)
    for signum in stops:
        signal.signal(signum, give_up)
    signal.alarm(options.timeout)
    begun = time.monotonic()
    smoke = Smoke(keep=options.keep)
    failed = None
    step = "(start)"
    try:
        for number, (step, method) in enumerate(STEPS, 1):
            print(f"smoke [{number}/{len(STEPS)}] {step} ...", flush=True)
            started = time.monotonic()
            detail = getattr(smoke, method)()
            print(f"    ok ({time.monotonic() - started:.1f} s): {detail}", flush=True)
    except Exception as exc:
        failed = str(exc) if isinstance(exc, SmokeFailure) else f"{type(exc).__name__}: {exc}"
    finally:
        # The clean-up is not cut short (each of its waits has a timeout of its own).
        signal.alarm(0)
        for signum in stops:
            signal.signal(signum, signal.SIG_IGN)
        if failed:
            for service in smoke.services:
                print(f"--- the end of {service.name}'s log ---\n{tail(service.output(), 30)}")
        print("smoke: stopping everything ...", flush=True)
        problems = smoke.clean_up()
    for problem in problems:
        print(f"smoke: clean-up: {problem}", file=sys.stderr)
    if failed:
        print(f"smoke FAILED at step '{step}': {failed}", file=sys.stderr)
        return 1
    print(f"smoke passed in {time.monotonic() - begun:.0f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
