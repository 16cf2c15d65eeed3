"""The Celery app: configured from Django's settings (every CELERY_* setting), with the tasks
of each app's tasks.py (entry.tasks.import_figures). Without REDIS_URL the settings make tasks
run eagerly, in the process that queues them."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov_portal.settings")

app = Celery("egov_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
