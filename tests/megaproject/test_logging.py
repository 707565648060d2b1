"""Logs: one JSON object per line with the time, level, logger and message, the request id, the
user's id (never a name), and the access line's method, path, status and duration; the request id
answered in X-Request-ID; a task's log lines carry its task id and the id of the request that
queued it."""

import copy
import io
import json
import logging
import logging.config
import re
from datetime import datetime

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory

from megaproject.celery_app import app as celery_app
from megaproject.celery_app import ping
from megaproject.observability import TASK_REQUEST_ID, TASK_USER_ID, RequestContextMiddleware
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_logs():
    """The portal's own logging configuration with LOG_FORMAT=json and LOG_LEVEL=INFO, its console
    handler writing to a buffer; returns a reader of the lines written so far (each parsed)."""
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"]["formatter"] = "json"
    config["root"]["level"] = "INFO"
    logging.config.dictConfig(config)
    console = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    buffer = io.StringIO()
    console.setStream(buffer)

    def lines() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    lines.raw = buffer.getvalue
    yield lines
    logging.config.dictConfig(settings.LOGGING)


def access_line(lines, request_id: str) -> dict:
    (line,) = [line for line in lines() if line["logger"] == "megaproject.access" and line["request_id"] == request_id]
    return line


def test_every_request_gets_a_request_id_in_the_response_header(client):
    first, second = client.get("/healthz/live")["X-Request-ID"], client.get("/healthz/live")["X-Request-ID"]
    assert HEX32.fullmatch(first) and HEX32.fullmatch(second) and first != second


def test_the_access_line_is_json_with_the_request_id_of_the_response_and_the_users_id_only(client, official,
                                                                                          json_logs):
    assert client.post("/accounts/login/", {"username": official.username, "password": PASSWORD}).status_code == 302
    response = client.get("/accounts/profile/")
    assert response.status_code == 200

    line = access_line(json_logs, response["X-Request-ID"])
    assert {key: line[key] for key in ("level", "logger", "message", "method", "path", "status", "user_id")} == {
        "level": "INFO", "logger": "megaproject.access", "message": "GET /accounts/profile/ 200", "method": "GET",
        "path": "/accounts/profile/", "status": 200, "user_id": official.pk,
    }
    assert datetime.fromisoformat(line["time"]).tzinfo is not None
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    # No one's name, address or log-in in any line.
    raw = json_logs.raw()
    assert official.username not in raw and official.display_name not in raw and official.email not in raw


def test_a_password_reset_token_in_the_path_is_not_logged(client, official, json_logs):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid, token = urlsafe_base64_encode(force_bytes(official.pk)), default_token_generator.make_token(official)
    response = client.get(f"/accounts/password/reset/{uid}/{token}/")
    assert response.status_code == 302  # to the set-password address (the token goes to the session)
    line = access_line(json_logs, response["X-Request-ID"])
    assert line["path"] == f"/accounts/password/reset/{uid}/[token]/"
    assert token not in json_logs.raw()


def test_an_anonymous_request_logs_no_user_id(client, json_logs):
    response = client.get("/accounts/login/")
    line = access_line(json_logs, response["X-Request-ID"])
    assert (line["user_id"], line["status"], line["path"]) == (None, 200, "/accounts/login/")


def test_other_log_lines_of_the_request_carry_its_request_id(client, json_logs):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    warnings = [line for line in json_logs() if line["logger"] == "django.request"]
    assert [(w["level"], w["message"], w["request_id"]) for w in warnings] == [
        ("WARNING", "Not Found: /no/such/page/", response["X-Request-ID"])]


def test_a_sane_request_id_from_the_proxy_is_kept(client, json_logs):
    proxy_id = "7f3c2a9e4b1d4e6fa0c8b2d3e4f5a6b7"
    response = client.get("/healthz/live", HTTP_X_REQUEST_ID=proxy_id)
    assert response["X-Request-ID"] == proxy_id
    assert access_line(json_logs, proxy_id)["path"] == "/healthz/live"


@pytest.mark.parametrize("offered", ["short", "has spaces in it", "<script>alert(1)</script>", "a" * 129,
                                     "line\nbreak-0123456789", "-starts-with-a-dash"])
def test_an_insane_request_id_is_replaced_by_a_new_one(client, offered):
    assert HEX32.fullmatch(client.get("/healthz/live", HTTP_X_REQUEST_ID=offered)["X-Request-ID"])


def test_the_text_format_shows_the_request_id_too(client):
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"]["formatter"] = "text"
    config["root"]["level"] = "INFO"
    logging.config.dictConfig(config)
    buffer = io.StringIO()
    next(h for h in logging.getLogger().handlers if h.get_name() == "console").setStream(buffer)
    try:
        response = client.get("/healthz/live")
    finally:
        logging.config.dictConfig(settings.LOGGING)
    assert f" INFO megaproject.access [{response['X-Request-ID']}] GET /healthz/live 200" in buffer.getvalue()


# --- Tasks -------------------------------------------------------------------------------------


def test_a_task_run_in_process_logs_its_task_id_and_the_request_id_that_queued_it(json_logs):
    queued = []

    def view(request):
        queued.append(ping.apply())  # in process, inside the request (as every task without a broker)
        return HttpResponse("ok")

    response = RequestContextMiddleware(view)(RequestFactory().get("/anything"))

    (task,) = queued
    (pong,) = [line for line in json_logs() if line["message"] == "pong"]
    assert (pong["logger"], pong["task_id"], pong["request_id"]) == (
        "megaproject.celery_app", task.id, response["X-Request-ID"])
    # Once the request is over, nothing carries its ids any more.
    logging.getLogger("megaproject").warning("after")
    after = json_logs()[-1]
    assert (after["message"], after["request_id"], after["task_id"]) == ("after", None, None)


@pytest.fixture
def memory_broker():
    """Publishing for real, to kombu's in-memory transport (no worker): the message can be read back."""
    eager, url = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    connection = celery_app.connection_for_write("memory://")
    yield connection
    connection.release()
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, url


def test_a_task_queued_during_a_request_carries_the_request_and_user_ids_in_its_headers(memory_broker, official,
                                                                                          json_logs):
    queued = []

    def view(request):
        request.user = official  # as AuthenticationMiddleware leaves it once read
        queued.append(ping.apply_async(connection=memory_broker, queue="pytest-headers"))
        return HttpResponse("ok")

    response = RequestContextMiddleware(view)(RequestFactory().get("/anything"))

    message = memory_broker.SimpleQueue("pytest-headers").get(timeout=2)
    message.ack()
    headers = message.headers
    assert (headers["id"], headers[TASK_REQUEST_ID], headers[TASK_USER_ID]) == (
        queued[0].id, response["X-Request-ID"], official.pk)

    # The worker's side: the task runs with those headers and its lines carry both ids.
    ping.apply(task_id=headers["id"], headers={TASK_REQUEST_ID: headers[TASK_REQUEST_ID],
                                               TASK_USER_ID: headers[TASK_USER_ID]})
    (pong,) = [line for line in json_logs() if line["message"] == "pong"]
    assert (pong["task_id"], pong["request_id"], pong["user_id"]) == (
        headers["id"], response["X-Request-ID"], official.pk)
