"""Production settings, from the environment alone: `check --deploy` is clean, and what a
deployment must provide is refused when missing or malformed."""

import json
import os
import secrets

from django.conf import settings

from tests.processes import run_python

# Variables of this machine that would change what the subprocess sees.
OURS = {
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "REDIS_URL",
    "REDIS_CACHE_URL",
    "CSRF_TRUSTED_ORIGINS",
    "LOG_LEVEL",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_TIMEOUT",
    "DEFAULT_FROM_EMAIL",
}
SECURITY_OFF = [
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
]
SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'ssl': s.SECURE_SSL_REDIRECT, 'proxy': s.SECURE_PROXY_SSL_HEADER, "
    "'session': s.SESSION_COOKIE_SECURE, 'csrf': s.CSRF_COOKIE_SECURE, "
    "'hsts': s.SECURE_HSTS_SECONDS, 'origins': s.CSRF_TRUSTED_ORIGINS, "
    "'cache': s.CACHES['default']['BACKEND'], 'databases': sorted(s.DATABASES), "
    "'mirror': s.DATABASES.get('replica', {}).get('TEST', {}).get('MIRROR'), "
    "'rates': s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'], "
    "'mail': [s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, "
    "s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.EMAIL_TIMEOUT, "
    "s.DEFAULT_FROM_EMAIL]}))"
)


def production_env(tmp_path, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in OURS and k not in SECURITY_OFF}
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "egov_portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "egov.example.vn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        **extra,
    }


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_when_a_security_setting_is_turned_off(tmp_path):
    env = production_env(tmp_path, SESSION_COOKIE_SECURE="0")
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "security.W012" in result.stderr


def test_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = run_python(["manage.py", "check", "--deploy"], env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_security_is_on_with_debug_off_and_each_part_can_be_turned_off(tmp_path):
    on = run_python(["-c", SHOW], production_env(tmp_path))
    assert on.returncode == 0, on.stderr
    shown = json.loads(on.stdout)
    assert shown["ssl"] and shown["session"] and shown["csrf"]
    assert shown["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert shown["hsts"] == 365 * 24 * 3600

    local_http = production_env(tmp_path, SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0")
    off = json.loads(run_python(["-c", SHOW], local_http).stdout)
    assert (off["ssl"], off["hsts"]) == (False, 0)
    assert off["session"]  # the rest stays on


def test_developer_defaults_are_unchanged():
    # This test run has the developer's environment (DEBUG on, though the test runner turns it
    # off once the settings are read): nothing secure-only, no Redis.
    assert not settings.SECURE_SSL_REDIRECT
    assert not settings.SESSION_COOKIE_SECURE
    assert settings.SECURE_HSTS_SECONDS == 0
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")


def test_redis_replica_origins_and_rates_come_from_the_environment(tmp_path):
    env = production_env(
        tmp_path,
        REDIS_URL="redis://redis:6379/0",
        DATABASE_REPLICA_URL=f"sqlite:///{tmp_path / 'replica.sqlite3'}",
        CSRF_TRUSTED_ORIGINS="https://egov.example.vn, https://www.egov.example.vn",
        THROTTLE_BULK="5/min",
    )
    result = run_python(["-c", SHOW], env)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["cache"] == "egov_portal.redis_cache.DegradingRedisCache"
    assert shown["databases"] == ["default", "replica"]
    assert shown["mirror"] == "default"  # tests never write to a second database
    assert shown["origins"] == ["https://egov.example.vn", "https://www.egov.example.vn"]
    assert shown["rates"] == {"anon": "300/min", "user": "3000/min", "bulk": "5/min"}


def test_refuses_a_throttle_rate_or_log_level_it_cannot_read(tmp_path):
    rate = run_python(["-c", SHOW], production_env(tmp_path, THROTTLE_ANON="fast"))
    assert rate.returncode != 0
    assert "THROTTLE_ANON must look like 300/min" in rate.stderr
    level = run_python(["-c", SHOW], production_env(tmp_path, LOG_LEVEL="loud"))
    assert level.returncode != 0
    assert "LOG_LEVEL must be" in level.stderr


SMTP = "django.core.mail.backends.smtp.EmailBackend"


def test_mail_goes_by_smtp_in_production_and_to_the_console_under_debug(tmp_path):
    production = json.loads(run_python(["-c", SHOW], production_env(tmp_path)).stdout)
    assert production["mail"] == [
        SMTP,
        "localhost",
        25,
        "",
        "",
        False,
        False,
        10,
        "webmaster@localhost",
    ]
    development = run_python(["-c", SHOW], production_env(tmp_path, DEBUG="1"))
    assert json.loads(development.stdout)["mail"][0] == (
        "django.core.mail.backends.console.EmailBackend"
    )


def test_mail_settings_come_from_the_environment(tmp_path):
    env = production_env(
        tmp_path,
        EMAIL_HOST="smtp.quangtri.gov.vn",
        EMAIL_HOST_USER="egov",
        EMAIL_HOST_PASSWORD="s3cret",
        EMAIL_USE_TLS="1",
        EMAIL_TIMEOUT="5",
        DEFAULT_FROM_EMAIL="egov-portal <egov@quangtri.gov.vn>",
    )
    shown = json.loads(run_python(["-c", SHOW], env).stdout)
    assert shown["mail"] == [
        SMTP,
        "smtp.quangtri.gov.vn",
        587,  # STARTTLS's port, unless EMAIL_PORT says otherwise
        "egov",
        "s3cret",
        True,
        False,
        5,
        "egov-portal <egov@quangtri.gov.vn>",
    ]
    ssl = json.loads(run_python(["-c", SHOW], production_env(tmp_path, EMAIL_USE_SSL="1")).stdout)
    assert ssl["mail"][2] == 465
    other = production_env(tmp_path, EMAIL_BACKEND="dummy", EMAIL_PORT="2525")
    assert json.loads(run_python(["-c", SHOW], other).stdout)["mail"][:3] == [
        "django.core.mail.backends.dummy.EmailBackend",
        "localhost",
        2525,
    ]


def test_refuses_mail_settings_it_cannot_read(tmp_path):
    both = run_python(["-c", SHOW], production_env(tmp_path, EMAIL_USE_TLS="1", EMAIL_USE_SSL="1"))
    assert both.returncode != 0
    assert "EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on" in both.stderr
    backend = run_python(["-c", SHOW], production_env(tmp_path, EMAIL_BACKEND="sendmail"))
    assert backend.returncode != 0
    assert "EMAIL_BACKEND must be smtp, console, dummy" in backend.stderr
    port = run_python(["-c", SHOW], production_env(tmp_path, EMAIL_PORT="smtp"))
    assert port.returncode != 0
    assert "EMAIL_PORT must be a whole number" in port.stderr


def test_the_containers_share_a_writable_volume_for_uploaded_evidence():
    """The image runs as the unprivileged user `egov` in /app, which root owns: uploads go to
    MEDIA_ROOT (/app/media in the image), which the image makes the user's, and every
    container that reads or writes them (web, worker, setup) mounts one shared volume there.
    (No Docker engine runs here: this reads the files the containers are built from.)"""
    import yaml

    root = settings.BASE_DIR
    assert root / "media" == settings.MEDIA_ROOT  # /app/media once /app is BASE_DIR
    dockerfile = (root / "Dockerfile").read_text()
    assert "chown egov /app/media" in dockerfile and 'VOLUME ["/app/media"]' in dockerfile
    assert dockerfile.index("chown egov /app/media") < dockerfile.index("USER egov")
    compose = yaml.safe_load((root / "docker-compose.yml").read_text())
    assert "media" in compose["volumes"]
    for name in ("setup", "web", "worker"):
        assert "media:/app/media" in compose["services"][name]["volumes"], name


def test_the_wsgi_module_loads_every_view_and_freezes_them_out_of_the_collector(tmp_path):
    # What gunicorn imports: the URLconf (and so every view, the engine, pandas) loaded at
    # once, and moved out of the cyclic collector's full collections (egov_portal/wsgi.py).
    probe = (
        "import gc, sys; import egov_portal.wsgi;"
        "print(gc.get_freeze_count(), 'reports.views' in sys.modules, 'pandas' in sys.modules)"
    )
    result = run_python(["-c", probe], production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    frozen, views, pandas = result.stdout.split()
    assert int(frozen) > 100_000
    assert views == pandas == "True"
