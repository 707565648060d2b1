"""Logs that can be followed: a request id on every request, every log line and every task.

- `RequestContextMiddleware` (first in MIDDLEWARE): takes a sane `X-Request-ID` from our
  proxy or makes a uuid4 hex, answers it in the `X-Request-ID` header, counts the
  request's SQL queries, writes one access line per request (logger
  `megaproject.access`: method, path, status, duration_ms, view, queries) and feeds the
  request metrics (megaproject.metrics).
- `ContextFilter` (on the log handlers): every record gets `request_id`, `user_id` (the
  numeric id of the signed-in user, never a name) and `task_id`.
- `JsonFormatter`: one JSON object per line (LOG_FORMAT=json, the default with DEBUG off).
- The Celery signal receivers (connected in megaproject.celery_app): a task queued during a
  request carries that request's id (and user id) in its message headers; while a task
  runs, its logs carry its task id and that request id.
- `server_error`: the 500 page with the request id, rendered without a database or a
  request context (handler500).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

ACCESS = logging.getLogger("megaproject.access")

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's id may look like (nginx's $request_id is 32 hex digits); anything else is replaced.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
# Task message headers (a request's ids travel with the tasks it queues).
TASK_REQUEST_ID = "portal_request_id"
TASK_USER_ID = "portal_user_id"

_request = ContextVar("portal_request", default=None)
_request_id: ContextVar[str | None] = ContextVar("portal_request_id", default=None)
_user_id: ContextVar[int | None] = ContextVar("portal_user_id", default=None)  # a task's: the request's user
_task_id: ContextVar[str | None] = ContextVar("portal_task_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def accepted_request_id(value: str | None) -> str:
    """The proxy's id when it is sane, otherwise a new uuid4 hex."""
    if value and _SANE_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def current_user_id(request=None) -> int | None:
    """The signed-in user's id, read only if the request already loaded its user (a log
    line never causes a query), or the id a task was queued with."""
    request = request if request is not None else _request.get()
    if request is None:
        return _user_id.get()
    user = request.__dict__.get("user")
    if user is None:
        return None
    from django.utils.functional import empty

    if getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


# --- Log records ------------------------------------------------------------------


class ContextFilter(logging.Filter):
    """Adds request_id, user_id and task_id to every record (None outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a 4xx/5xx response (django.request) after the middleware has returned,
        # with the request attached to the record: its ids are read from there.
        request = getattr(record, "request", None)
        if not hasattr(request, "request_id"):
            request = None
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get() or (request.request_id if request is not None else None)
        if not hasattr(record, "user_id"):
            record.user_id = current_user_id(request)
        if not hasattr(record, "task_id"):
            record.task_id = _task_id.get()
        return True


class JsonFormatter(_BaseJsonFormatter):
    """time (ISO 8601, UTC), level, logger, message, then the record's extra fields
    (request_id, user_id, task_id, and the access line's method, path, status, duration_ms)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(["levelname", "name", "message"], *args, **kwargs)

    def process_log_record(self, log_record: dict) -> dict:
        # django.request adds the request object itself (for the admins' mail): not a log field.
        log_record.pop("request", None)
        log_record.pop("server_time", None)
        return log_record


# --- Requests -------------------------------------------------------------------------


class _QueryCounter:
    __slots__ = ("count",)

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _logged_path(request) -> str:
    """The path, with a password-reset token (a secret until used) replaced by "[token]"."""
    match = getattr(request, "resolver_match", None)
    token = match.kwargs.get("token") if match is not None else None
    if token and token != "set-password" and token in request.path:  # Django's placeholder once in the session
        return request.path.replace(token, "[token]")
    return request.path


def _view_name(request) -> str:
    from django.conf import settings

    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name
    if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return "static"
    return "unmatched"


class RequestContextMiddleware:
    """The request id, the access line, the request metrics. First in MIDDLEWARE, so
    redirects to https, static files and errors are counted too."""

    def __init__(self, get_response):
        from django.db import connection

        from . import metrics

        self.get_response = get_response
        self.connection = connection
        self.observe = metrics.observe_request

    def __call__(self, request):
        request_id = accepted_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        tokens = (_request.set(request), _request_id.set(request_id))
        counter = _QueryCounter()
        started = time.perf_counter()
        try:
            with self.connection.execute_wrapper(counter):
                response = self.get_response(request)
            seconds = time.perf_counter() - started
            response[REQUEST_ID_HEADER] = request_id
            view = _view_name(request)
            self.observe(view=view, method=request.method, status=response.status_code, seconds=seconds,
                         queries=counter.count)
            if ACCESS.isEnabledFor(logging.INFO):
                path = _logged_path(request)
                ACCESS.info("%s %s %s", request.method, path, response.status_code, extra={
                    "method": request.method, "path": path, "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1), "view": view, "queries": counter.count})
            return response
        finally:
            _request_id.reset(tokens[1])
            _request.reset(tokens[0])


def server_error(request, *args, **kwargs):
    """handler500: templates/500.html with the request id and nothing else (no request
    context: no context processor may touch the database that may be what failed)."""
    from django.http import HttpResponseServerError
    from django.template import loader

    request_id = getattr(request, "request_id", None) or _request_id.get() or ""
    try:
        body = loader.get_template("500.html").render({"request_id": request_id})
    except Exception:  # the page of last resort must not fail in turn
        logging.getLogger(__name__).exception("the 500 page could not be rendered")
        body = f"Server error · 서버 오류 (request id: {request_id})"
        return HttpResponseServerError(body, content_type="text/plain; charset=utf-8")
    return HttpResponseServerError(body)


# --- Celery tasks -------------------------------------------------------------------
# Connected by megaproject.celery_app. In eager mode (no broker) the task runs inside the
# request: no message is published and the request's ids are simply still current.


def carry_request_ids(headers=None, **_kwargs) -> None:
    """before_task_publish: the ids of the request (or task) that queues the task go in its headers."""
    if headers is None:
        return
    request_id, user_id = _request_id.get(), current_user_id()
    if request_id and TASK_REQUEST_ID not in headers:
        headers[TASK_REQUEST_ID] = request_id
    if user_id is not None and TASK_USER_ID not in headers:
        headers[TASK_USER_ID] = user_id


_task_tokens: dict[str, tuple] = {}


def _header(task, name: str):
    request = task.request
    value = getattr(request, name, None)
    if value is None:
        value = (getattr(request, "headers", None) or {}).get(name)
    return value


def enter_task(task_id=None, task=None, **_kwargs) -> None:
    """task_prerun: the task's logs carry its id and the id of the request that queued it."""
    if task is None or task_id is None:
        return
    request_id = _header(task, TASK_REQUEST_ID) or _request_id.get()
    user_id = _header(task, TASK_USER_ID)
    if user_id is None:
        user_id = _user_id.get() if _request.get() is None else current_user_id()
    _task_tokens[task_id] = (_task_id.set(task_id), _request_id.set(request_id), _user_id.set(user_id))


def leave_task(task_id=None, **_kwargs) -> None:
    """task_postrun: back to the ids before the task (none in a worker, the request's in eager mode)."""
    tokens = _task_tokens.pop(task_id, None)
    if tokens is None:
        return
    task_token, request_token, user_token = tokens
    for var, token in ((_user_id, user_token), (_request_id, request_token), (_task_id, task_token)):
        try:
            var.reset(token)
        except ValueError:  # set in another context (should not happen): leave it cleared
            var.set(None)
