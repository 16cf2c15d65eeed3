"""Settings for egov-portal, read from the environment.

DATABASE_URL          default: a SQLite file in the project; postgres://user@host:port/name
DATABASE_REPLICA_URL  optional read replica for the dashboards and the analytics API
SECRET_KEY            required unless DEBUG is on
DEBUG                 "1"/"true"/"yes" or "0"/"false"/"no"; default on for a developer's checkout
ALLOWED_HOSTS         comma-separated; default localhost names while DEBUG is on
CSRF_TRUSTED_ORIGINS  comma-separated, e.g. https://egov.example.vn
REDIS_URL             Celery broker, and the cache unless REDIS_CACHE_URL says otherwise
EMAIL_BACKEND         smtp (default with DEBUG off), console (default with DEBUG on), dummy
EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL,
EMAIL_TIMEOUT, DEFAULT_FROM_EMAIL   the SMTP server the password reset and notification mails
                      go through
PORTAL_URL            the portal's address, for the links in notification mails
NOTIFY_DUE_SOON_DAYS  days before a report's due date its officials are reminded (default 5)
LOG_LEVEL             DEBUG, INFO (default), WARNING, ERROR
STATIC_ROOT           where collectstatic writes; default: staticfiles/ in the project
The security settings (SECURE_SSL_REDIRECT, cookies, HSTS, proxy header) are on when DEBUG is
off; each can be overridden by a variable of the same name. docs/deploy.md lists them all.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no; got {raw!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None


def env_rate(name: str, default: str) -> str:
    """A throttle rate as DRF reads it: "300/min", "30/minute", "1000/day"."""
    raw = os.environ.get(name, default).strip()
    count, _, period = raw.partition("/")
    if not (count.isdigit() and period[:1] in {"s", "m", "h", "d"}):
        raise ImproperlyConfigured(f"{name} must look like 300/min or 1000/day; got {raw!r}.")
    return raw


EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}


def env_email_backend(name: str, default: str) -> str:
    """A mail backend: smtp, console, dummy, or a backend's dotted path."""
    raw = os.environ.get(name, default).strip()
    if raw in EMAIL_BACKENDS:
        return EMAIL_BACKENDS[raw]
    if "." not in raw:
        raise ImproperlyConfigured(
            f"{name} must be smtp, console, dummy or a backend's dotted path; got {raw!r}."
        )
    return raw


DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: never used once DEBUG is off (see the check above).
    SECRET_KEY = "django-insecure-development-key-for-egov-portal-only"  # noqa: S105

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "egov_portal.apps.AxesConfig",  # django-axes, under Vietnamese names
    "csp",
    "units",
    "indicators",
    "plans",
    "accounts",
    "notifications",
    "quality",
    "entry",
    "reports",
    "public",
    "dhis2_api",
]

MIDDLEWARE = [
    # First, so that its one log line times the whole request and every later log record
    # carries the request id.
    "egov_portal.middleware.RequestLogMiddleware",
    # Before anything reads the database with the path or a parameter.
    "egov_portal.middleware.NulRefusalMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "egov_portal.middleware.ReplicaReadsMiddleware",
    # A deadlock or a lock not had in time: a 409 saying to save again, not a 500.
    "egov_portal.middleware.WriteClashMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "egov_portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "egov_portal.context_processors.nav_tab",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# Inputs and selects written by Python, the same HTML as Django's templates (issue 17).
FORM_RENDERER = "egov_portal.form_renderer.FormRenderer"

WSGI_APPLICATION = "egov_portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
    )
}
# A streaming replica of the same database: the dashboards and the analytics API read the
# published data from it (egov_portal/db_router.py); everything else, and every write, uses
# the primary. Tests mirror it onto the test database.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["egov_portal.db_router.ReplicaRouter"]
# PostgreSQL's JIT compiler costs 100-150 ms on queries that take 15 ms; the portal runs no
# long analytical queries (docs/decisions/0009-national-scale.md).
for _database in DATABASES.values():
    if "postgresql" in _database["ENGINE"]:
        _database.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
REPLICA_READ_PATHS = ["/dashboard/", "/api/v1/analytics/", "/api/v1/readiness/"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id first (docs/decisions/0033): Django's Argon2PasswordHasher with our costs, under
# its name "argon2", so it stands in for Django's own (listed too, it would never be reached).
# The others still check hashes made before, stored again with Argon2id at their next sign-in.
# Django's BCryptSHA256PasswordHasher is left out: bcrypt was never installed, so no database
# holds such a hash, and listed without it, it would fail with an error rather than say no.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic puts the files WhiteNoise serves: the image collects them at build
# time; elsewhere (scripts/production_smoke.py) a folder outside the checkout can be given.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", "").strip() or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "egov_portal" / "static"]
# Uploaded evidence (quality.Evidence): on the file system under MEDIA_ROOT, never served as
# static media (a view checks who may see it); on an S3-compatible store when
# EVIDENCE_S3_BUCKET is set (django-storages; AWS_S3_ENDPOINT_URL for a non-AWS store,
# credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY as boto3 reads them).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", "").strip() or BASE_DIR / "media")
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_MB", 10) * 1024 * 1024
EVIDENCE_S3_BUCKET = os.environ.get("EVIDENCE_S3_BUCKET", "").strip()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "evidence": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": EVIDENCE_S3_BUCKET,
                "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
        if EVIDENCE_S3_BUCKET
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
        }
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "entry:entry-list"
LOGOUT_REDIRECT_URL = "home"

# Uploads of figures (files and the bulk API) larger than this are refused before reading.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 20) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024

# An import (a file of figures, the bulk API, the admin's) takes at most this many rows of
# figures, and a sheet at most this many columns: past them a file is refused, before it is
# read, so that no file, whatever it claims, takes a worker past about 300 MB
# (egov_portal/spreadsheets.py, docs/decisions/0011-import-limits.md).
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 100)

# Imports of figures from the entry pages (/entry/import/): files of up to this many rows are
# imported during the request; larger ones become an entry.ImportJob run by Celery.
IMPORT_SYNC_ROWS = env_int("IMPORT_SYNC_ROWS", 2000)
# A running ImportJob whose worker gave no sign of life for this long is marked failed (its
# worker was killed; nothing of it was stored) and can be run again: see entry.jobs.
IMPORT_JOB_STALE_MINUTES = env_int("IMPORT_JOB_STALE_MINUTES", 30)

# Celery (egov_portal/celery.py reads every CELERY_* setting). With REDIS_URL set, jobs go to
# Redis and a worker runs them (`celery -A egov_portal worker`); without it, a task runs in
# the process that queues it, so a fresh machine needs nothing more.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
else:
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True  # a job's outcome is its ImportJob row, not a result backend
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Run by the worker's embedded beat (`celery … worker --beat`, as docker/entrypoint.sh does):
# a job whose worker died is marked failed within this many seconds of going stale, even if
# no one opens its page and no worker restarts. Harmless if several workers run it.
IMPORT_JOB_SWEEP_SECONDS = env_int("IMPORT_JOB_SWEEP_SECONDS", 600)
# Officials are told (in the portal, and by mail unless they turned it off) when their
# report for a quarter is due within this many days and not sent yet: once per person and
# report, by a daily run at 07:00 (or `manage.py send_deadline_reminders` from cron).
NOTIFY_DUE_SOON_DAYS = env_int("NOTIFY_DUE_SOON_DAYS", 5)
CELERY_BEAT_SCHEDULE = {
    "import-jobs-fail-stale": {
        "task": "entry.tasks.import_jobs_sweep",
        "schedule": IMPORT_JOB_SWEEP_SECONDS,
    },
    "deadline-reminders": {
        "task": "entry.tasks.deadline_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
}


# The cache holds the API's throttle counters, so every web container must share it: Redis
# in production. Without Redis, each process counts on its own (fine for one developer).
# Sessions stay in the database: any web container can serve any request, and signing in
# works while Redis is down. So does everything else: the backend acts as a cache miss while
# Redis cannot be reached (throttles let requests through, roll-ups are computed afresh) and
# logs it once (egov_portal/redis_cache.py). A connect to Redis on the local network takes
# milliseconds; the short timeouts keep a dead host from holding requests up.
def redis_caches(url: str) -> dict:
    """CACHES for a Redis server at `url`."""
    return {
        "default": {
            "BACKEND": "egov_portal.redis_cache.DegradingRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "egov",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }


# How long a dashboard's data and sections are kept in the cache at most: they are served
# only while the data versions of its province stand (docs/decisions/0031); this bounds what a
# change made outside the portal could leave unseen. 0: built for every request.
DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 3600)

# Whether a process keeps the stored rows of the districts an approval read, and the rows it
# wrote, while their marks stand (indicators/known_rows.py, aggregate_table._last_written,
# docs/decisions/0041). Off while containers of a release before the marks (migration
# indicators 0017) still write: theirs leave no mark.
KNOWN_ROWS_KEPT = env_bool("KNOWN_ROWS_KEPT", True)

REDIS_CACHE_URL = os.environ.get("REDIS_CACHE_URL", REDIS_URL).strip()
if REDIS_CACHE_URL:
    CACHES = redis_caches(REDIS_CACHE_URL)

# E-mail: the password reset links. Printed to the console under DEBUG; otherwise sent by
# SMTP to EMAIL_HOST. A reset whose mail cannot be sent says so (accounts/views.py), so the
# timeout stays well under the web timeout. EMAIL_BACKEND may also be "console", "dummy" or a
# backend's dotted path.
EMAIL_BACKEND = env_email_backend("EMAIL_BACKEND", "console" if DEBUG else "smtp")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost").strip()
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)  # STARTTLS, usually on port 587
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # TLS from the start, usually on port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
EMAIL_PORT = env_int("EMAIL_PORT", 465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)  # seconds, for each connect and command
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost").strip()
# The portal's address as officials reach it, for the links in notification mails (none
# when empty): e.g. https://egov.example.vn
PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000" if DEBUG else "").strip()

# Lockout after repeated failed logins (django-axes): 5 failures for a username lock it
# for an hour; a successful login resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.MemberBackend",  # ModelBackend, the user read with their membership
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
# By username, not by address: a commune office's officials share one public address, and
# one mistyped password must not lock them all out (hence axes.W006 is silenced).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.backends.MemberTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["egov_portal.api.IsStaffOrReadOnly"],
    # DRF's own three; the JSON one refuses a body nested too deeply with a 400, not a 500.
    "DEFAULT_PARSER_CLASSES": [
        "egov_portal.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "egov_portal.api.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Per client address (anonymous) or per user; the bulk import (throttle_scope "bulk") is
    # counted on its own too. The counters live in the cache (see CACHES).
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("THROTTLE_ANON", "300/min"),
        "user": env_rate("THROTTLE_USER", "3000/min"),
        "bulk": env_rate("THROTTLE_BULK", "30/min"),
    },
    # Behind one proxy, the client is the last address of X-Forwarded-For; without a proxy
    # (NUM_PROXIES=0) it is the connection's address, and the header is ignored.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0 if DEBUG else 1),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "egov-portal API",
    "DESCRIPTION": (
        "Đơn vị hành chính, chỉ tiêu và số liệu chính quyền điện tử. "
        "Administrative units, indicators and e-government figures."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # UI assets come from drf-spectacular-sidecar's static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "kind" or a "scope": name each choice set after its owner.
    "ENUM_NAME_OVERRIDES": {
        "FigureScopeEnum": "indicators.models.Figure.Scope",
        "TargetScopeEnum": "plans.models.Target.Scope",
        "PlanKindEnum": "plans.models.Plan.Kind",
        "UnitChangeKindEnum": "units.models.UnitChange.Kind",
        "AgencyKindEnum": "units.models.Agency.Kind",
    },
}

# Numbers and dates shown the Vietnamese way (1.234,5 and 31/12/2025): see formats/vi.
# Thousands are grouped where a template asks (intcomma), not everywhere: ids and years in
# URLs and attributes must stay bare.
FORMAT_MODULE_PATH = ["egov_portal.formats"]

# Production security: on whenever DEBUG is off (`manage.py check --deploy` is clean), each
# overridable, e.g. SECURE_SSL_REDIRECT=0 to try a production build over plain http locally.
# TLS ends at the proxy, which must set X-Forwarded-Proto (and overwrite what clients send).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer probes the containers over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("SECURE_PROXY_SSL_HEADER", not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Content-Security-Policy (django-csp): scripts, styles, fonts and fetches from the portal
# itself only: no inline script, no CDN. Chart.js draws on a canvas and sizes it through the
# CSSOM, which style-src does not govern; Bootstrap's icons are data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# One line per request (egov_portal.request) and every record with its request id, to stderr.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").strip().upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR; got {LOG_LEVEL!r}."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "egov_portal.middleware.RequestIdFilter"},
        "value_cap": {"()": "egov_portal.middleware.LogValueCap"},
    },
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "filters": ["request_id", "value_cap"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own handlers would print its records a second time.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # The filter here too, so that a 500's traceback record has the id wherever it goes.
        "django.request": {"filters": ["request_id"]},
        "axes.apps": {"level": "WARNING"},  # "AXES: BEGIN" at the start of every process
    },
}
