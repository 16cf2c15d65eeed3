#!/bin/sh
# The container's start. Waits for the database, then:
#   setup   migrate and load the reference data (safe to re-run), then exit
#   web     setup unless MIGRATE_ON_START=0, then gunicorn on :8000
#   worker  the Celery worker (figure imports)
#   other   run as given, e.g. `docker compose run --rm web python manage.py createsuperuser`
set -eu

wait_for_database() {
    python - <<'PY'
import os
import sys
import time

import django

django.setup()
from django.db import connection
from django.db.utils import OperationalError

for _ in range(int(os.environ.get("DB_WAIT_SECONDS", "60"))):
    try:
        connection.ensure_connection()
        sys.exit(0)
    except OperationalError:
        time.sleep(1)
sys.exit("The database did not answer; check DATABASE_URL.")
PY
}

setup() {
    python manage.py migrate --no-input
    python manage.py load_reference_data
    python manage.py load_validation_rules
}

export DJANGO_SETTINGS_MODULE=egov_portal.settings

case "${1:-web}" in
    setup)
        wait_for_database
        setup
        ;;
    web)
        wait_for_database
        if [ "${MIGRATE_ON_START:-1}" = "1" ]; then
            setup
        fi
        # No access log here: egov_portal.request writes one line per request. Threads
        # (gunicorn's gthread workers) as `make loadtest` measures them: a request waiting on
        # the database leaves its worker to the others (benchmarks/RESULTS.md, session 19).
        exec gunicorn egov_portal.wsgi \
            --bind "${BIND_ADDRESS:-0.0.0.0}:${PORT:-8000}" \
            --workers "${WEB_WORKERS:-3}" \
            --threads "${WEB_THREADS:-4}" \
            --timeout "${WEB_TIMEOUT:-120}" \
            --max-requests 1000 --max-requests-jitter 100 \
            --no-control-socket
        ;;
    worker)
        wait_for_database
        # --beat: the worker also runs the periodic sweep of dead jobs (CELERY_BEAT_SCHEDULE).
        # The beat's state file is the container's own; outside one, give each worker its own.
        exec celery -A egov_portal worker --loglevel "${LOG_LEVEL:-INFO}" \
            --concurrency "${WORKER_CONCURRENCY:-2}" \
            --beat --schedule "${BEAT_SCHEDULE_FILE:-/tmp/celerybeat-schedule}"
        ;;
    *)
        exec "$@"
        ;;
esac
