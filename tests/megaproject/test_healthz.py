"""Health: /healthz/live says the process answers; /healthz/ready checks the database, the broker
and the workers, with the details only for staff and for requests from the machine itself;
/healthz is the old address, readiness with the status only. The ping task round trip."""

import time

import pytest
from django.db import connection

from megaproject.celery_app import app as celery_app
from megaproject.celery_app import ping
from tests.login import log_in
from tests.markers import needs_broker, needs_postgres, without_broker

CLOSED_BROKER = "redis://127.0.0.1:1/0"
OUTSIDE = {"REMOTE_ADDR": "10.0.0.1"}  # a client on the network, not the machine itself

pytestmark = pytest.mark.django_db

IN_PROCESS_DETAILS = {
    "status": "ok",
    "database": {"ok": True, "vendor": None},  # filled in by the tests (the vendor of this run)
    "broker": {"ok": True, "mode": "in-process"},
    "workers": {"ok": True, "count": 0, "mode": "in-process"},
    "mail": {"failed": 0},
}


def in_process_details() -> dict:
    return {**IN_PROCESS_DETAILS, "database": {"ok": True, "vendor": connection.vendor}}


def point_celery_at(settings, monkeypatch, url: str) -> None:
    """Django's settings and the live Celery app (the checks open fresh connections from its configuration)."""
    settings.CELERY_BROKER_URL = url
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    use_broker(url)


def use_broker(url: str) -> None:
    """The app's broker URL, and its connection and producer pools dropped: control messages (the
    workers' ping) go out through the producer pool, which kombu keeps per URL and the app caches."""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def closed_broker(settings, monkeypatch):
    """A broker on a port nobody listens on; the app's own broker URL restored afterwards."""
    previous = celery_app.conf.broker_url
    point_celery_at(settings, monkeypatch, CLOSED_BROKER)
    assert (celery_app.connection_for_write().hostname, celery_app.connection_for_write().port) == ("127.0.0.1", 1)
    yield CLOSED_BROKER
    use_broker(previous)


# --- Liveness ------------------------------------------------------------------------------


def test_liveness_answers_200_with_the_status_only_to_anyone(client):
    response = client.get("/healthz/live", **OUTSIDE)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert "no-cache" in response["Cache-Control"]


def test_liveness_stays_200_while_the_broker_and_the_workers_are_unreachable(client, closed_broker):
    started = time.monotonic()
    response = client.get("/healthz/live")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert time.monotonic() - started < 1
    assert client.get("/healthz/ready").status_code == 503


def test_liveness_makes_no_database_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz/live").status_code == 200


# --- Readiness --------------------------------------------------------------------------------


@without_broker
def test_readiness_shows_the_details_to_a_request_from_the_machine_itself(client):
    response = client.get("/healthz/ready")  # the test client's address is 127.0.0.1
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == in_process_details()


@without_broker
def test_readiness_shows_only_the_status_to_an_anonymous_client_on_the_network(client):
    response = client.get("/healthz/ready", **OUTSIDE)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@without_broker
def test_readiness_shows_only_the_status_to_an_official_on_the_network(client, official):
    log_in(client, official, **OUTSIDE)
    assert client.get("/healthz/ready", **OUTSIDE).json() == {"status": "ok"}


@without_broker
@pytest.mark.parametrize("staff", ["ministry", "admin_user"])
def test_readiness_shows_the_details_to_staff_on_the_network(request, client, staff):
    log_in(client, request.getfixturevalue(staff), **OUTSIDE)
    assert client.get("/healthz/ready", **OUTSIDE).json() == in_process_details()


@without_broker
def test_behind_our_proxy_the_forwarded_client_address_counts_not_the_proxys_loopback(client, settings):
    """nginx on the same machine connects from 127.0.0.1; the client is the address it forwards."""
    settings.TRUSTED_PROXY_COUNT = 1
    forwarded = {"REMOTE_ADDR": "127.0.0.1"}
    assert client.get("/healthz/ready", HTTP_X_FORWARDED_FOR="203.0.113.9", **forwarded).json() == {"status": "ok"}
    # A client cannot claim to be the machine itself: only the entry our proxy wrote counts.
    assert client.get("/healthz/ready", HTTP_X_FORWARDED_FOR="127.0.0.1, 203.0.113.9", **forwarded).json() == {
        "status": "ok"}
    assert client.get("/healthz/ready", HTTP_X_FORWARDED_FOR="127.0.0.1", **forwarded).json() == in_process_details()


def test_readiness_answers_503_when_the_broker_is_unreachable(client, closed_broker):
    started = time.monotonic()
    response = client.get("/healthz/ready")
    elapsed = time.monotonic() - started
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["database"] == {"ok": True, "vendor": connection.vendor}
    assert body["broker"]["ok"] is False
    assert body["workers"] == {"ok": False, "count": 0, "error": "broker unreachable"}
    assert elapsed < 10


def test_readiness_tells_an_anonymous_client_on_the_network_only_that_it_fails(client, closed_broker):
    response = client.get("/healthz/ready", **OUTSIDE)
    assert (response.status_code, response.json()) == (503, {"status": "fail"})


@needs_broker
def test_readiness_answers_503_when_the_broker_answers_but_no_worker_does(client, settings, monkeypatch):
    """A Redis database of its own: no worker listens there (control messages stay within one database)."""
    previous = celery_app.conf.broker_url
    point_celery_at(settings, monkeypatch, settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/15")
    try:
        response = client.get("/healthz/ready")
        live = client.get("/healthz/live")
    finally:
        use_broker(previous)
    body = response.json()
    assert (response.status_code, body["status"], body["broker"], body["workers"]) == (
        503, "fail", {"ok": True, "mode": "broker"}, {"ok": False, "count": 0})
    assert (live.status_code, live.json()) == (200, {"status": "ok"})


@needs_broker
def test_readiness_answers_200_with_the_broker_and_a_worker_up(client, celery_worker):
    response = client.get("/healthz/ready")
    body = response.json()
    assert (response.status_code, body["status"]) == (200, "ok")
    assert "no-cache" in response["Cache-Control"]
    assert body["database"] == {"ok": True, "vendor": connection.vendor}
    assert body["broker"] == {"ok": True, "mode": "broker"}
    assert body["workers"]["ok"] is True
    assert body["workers"]["count"] >= 1


@needs_postgres
def test_readiness_reports_postgresql_as_the_database_when_database_url_names_it(client):
    assert client.get("/healthz/ready").json()["database"] == {"ok": True, "vendor": "postgresql"}


# --- The former address ---------------------------------------------------------------------


@without_broker
def test_the_former_address_answers_readiness_with_the_status_only_even_from_the_machine_itself(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert "no-cache" in response["Cache-Control"]


def test_the_former_address_answers_503_when_readiness_fails(client, closed_broker):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (503, {"status": "fail"})


@pytest.mark.parametrize("path", ["/healthz", "/healthz/live", "/healthz/ready"])
def test_health_accepts_only_get(client, path):
    assert client.post(path).status_code == 405


# --- The ping task ------------------------------------------------------------------------------


@needs_broker
def test_the_ping_task_makes_a_round_trip_through_a_real_worker(celery_worker):
    assert ping.delay().get(timeout=20) == "pong"


@without_broker
def test_the_ping_task_runs_in_process_when_no_broker_is_configured():
    result = ping.delay()
    assert (result.successful(), result.get(timeout=1)) == (True, "pong")


@without_broker
def test_readiness_tells_staff_how_many_mails_failed_without_becoming_unready(client):
    from accounts.models import MailState, Notification
    from tests.factories import OfficialFactory

    Notification.objects.create(user=OfficialFactory(), message="x", mail_state=MailState.FAILED)
    response = client.get("/healthz/ready")
    assert (response.status_code, response.json()["mail"]) == (200, {"failed": 1})
