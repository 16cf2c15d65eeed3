# The Celery app is loaded with Django, so @shared_task uses it (see egov_portal/celery.py).
from egov_portal.celery import app as celery_app

__all__ = ("celery_app",)
