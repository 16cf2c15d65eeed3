"""WSGI entry point (gunicorn egov_portal.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov_portal.settings")

application = get_wsgi_application()

# The site's modules loaded now (the URLconf imports every view, and they the engine, pandas
# and DRF), then moved out of the cyclic garbage collector's reach: otherwise each full
# collection walks all of them again, about 60 ms that fell on one request in ten
# (benchmarks/RESULTS.md, session 14). What requests allocate is collected as before.
get_resolver().url_patterns  # noqa: B018 - loaded for its imports
gc.freeze()
