# One image for the web server and the Celery worker (the worker changes only its command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=megaproject.settings

# WeasyPrint's libraries, Korean fonts embedded in PDFs, gettext for the catalogues,
# pg_dump/pg_restore for `manage.py backup` and `restore`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-nanum gettext curl postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The lock file (`make lock`): every package pinned, each file checked against its hash.
COPY requirements.txt .
RUN pip install --require-hashes -r requirements.txt

COPY . .
# Build-time only values: collectstatic and compilemessages need the production settings to load
# (nothing here reaches run time: every setting comes from the environment, compose's .env).
# The static files belong to `portal`: compose's migrate service refreshes them in the static volume.
RUN export DEBUG=false SECRET_KEY=build-only-not-secret-build-only-not-secret-000000 \
      ALLOWED_HOSTS=build.invalid PORTAL_BASE_URL=https://build.invalid EMAIL_URL=smtp://build.invalid \
 && python manage.py compilemessages -v0 --ignore=.venv \
 && python manage.py collectstatic --no-input -v0 \
 && useradd --system --uid 10001 portal \
 && mkdir -p /app/media /app/backups && chown -R portal /app/media /app/backups /app/staticfiles

USER portal
EXPOSE 8000
CMD ["gunicorn", "megaproject.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
