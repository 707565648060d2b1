"""The Celery application; configuration comes from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "megaproject.settings")

app = Celery("megaproject")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="megaproject.ping")
def ping() -> str:
    """A no-op round trip used by /healthz and the worker tests."""
    return "pong"
