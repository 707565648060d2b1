"""Decorators for tests that need the real services or only make sense without them."""

import pytest
from django.conf import settings


def needs_broker(test):
    """Redis and a Celery worker: skipped when CELERY_BROKER_URL is unset."""
    skip = pytest.mark.skipif(
        not settings.CELERY_BROKER_URL, reason="needs Redis and a Celery worker: CELERY_BROKER_URL is unset"
    )
    return pytest.mark.services(skip(test))


def needs_postgres(test):
    """PostgreSQL: skipped when DATABASE_URL is unset (the suite then runs on SQLite)."""
    skip = pytest.mark.skipif(
        not settings.IS_POSTGRES, reason="needs PostgreSQL: DATABASE_URL is unset or not a postgres:// URL"
    )
    return pytest.mark.services(skip(test))


def without_broker(test):
    """The embedded mode: skipped when CELERY_BROKER_URL is set (tasks then go to a worker)."""
    skip = pytest.mark.skipif(
        bool(settings.CELERY_BROKER_URL), reason="in-process mode only: CELERY_BROKER_URL is set"
    )
    return skip(test)
