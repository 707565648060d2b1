"""/healthz reports the database, the broker and the workers; the ping task round trip."""

import time

import pytest
from django.db import connection

from megaproject.celery_app import app as celery_app
from megaproject.celery_app import ping
from tests.markers import needs_broker, needs_postgres, without_broker

CLOSED_BROKER = "redis://127.0.0.1:1/0"

pytestmark = pytest.mark.django_db


@without_broker
def test_it_answers_200_with_everything_in_process_when_no_broker_is_configured(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {
        "status": "ok",
        "database": {"ok": True, "vendor": connection.vendor},
        "broker": {"ok": True, "mode": "in-process"},
        "workers": {"ok": True, "count": 0, "mode": "in-process"},
    }


@needs_broker
def test_it_answers_200_with_the_broker_and_a_worker_up(client, celery_worker):
    response = client.get("/healthz")
    body = response.json()
    assert (response.status_code, body["status"]) == (200, "ok")
    assert "no-cache" in response["Cache-Control"]
    assert body["database"] == {"ok": True, "vendor": connection.vendor}
    assert body["broker"] == {"ok": True, "mode": "broker"}
    assert body["workers"]["ok"] is True
    assert body["workers"]["count"] >= 1


@needs_postgres
def test_it_reports_postgresql_as_the_database_when_database_url_names_it(client):
    assert client.get("/healthz").json()["database"] == {"ok": True, "vendor": "postgresql"}


@pytest.fixture
def closed_broker(settings, monkeypatch):
    """Point Django's settings and the live Celery app at a port nobody listens on, then restore both.

    The broker check opens a fresh connection from the app's configuration
    (connection_for_write), so the app's connection pool, used by the other
    tests against the real broker, is left alone.
    """
    previous = celery_app.conf.broker_url
    settings.CELERY_BROKER_URL = CLOSED_BROKER
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", CLOSED_BROKER)
    celery_app.conf.broker_url = CLOSED_BROKER
    assert (celery_app.connection_for_write().hostname, celery_app.connection_for_write().port) == ("127.0.0.1", 1)
    yield CLOSED_BROKER
    celery_app.conf.broker_url = previous


def test_it_answers_503_when_the_broker_is_unreachable(client, closed_broker):
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["database"] == {"ok": True, "vendor": connection.vendor}
    assert body["broker"]["ok"] is False
    assert body["workers"] == {"ok": False, "count": 0, "error": "broker unreachable"}
    assert elapsed < 10


def test_it_accepts_only_get(client):
    assert client.post("/healthz").status_code == 405


@needs_broker
def test_the_ping_task_makes_a_round_trip_through_a_real_worker(celery_worker):
    assert ping.delay().get(timeout=20) == "pong"


@without_broker
def test_the_ping_task_runs_in_process_when_no_broker_is_configured():
    result = ping.delay()
    assert (result.successful(), result.get(timeout=1)) == (True, "pong")
