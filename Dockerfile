# The portal's image: gunicorn serves the site (static files by WhiteNoise, collected here);
# the same image runs the Celery worker. Settings come from the environment only (see
# docs/deploy.md); docker-compose.yml wires it to PostgreSQL and Redis.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first: this layer is rebuilt only when requirements.txt changes.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Hashed, compressed static files in the image. The key only lets the settings load; it
# signs nothing (collectstatic touches no database and no session).
RUN DEBUG=0 SECRET_KEY=collectstatic-only-not-a-secret ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --no-input \
    && useradd --system --uid 10001 --no-create-home --home-dir /app egov \
    && chmod 0755 docker/entrypoint.sh \
    && mkdir -p /app/media && chown egov /app/media

# Uploaded evidence (MEDIA_ROOT): the only place the portal writes files, owned by the
# user it runs as; docker-compose.yml mounts a volume shared by web and worker here.
VOLUME ["/app/media"]

USER egov
EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
