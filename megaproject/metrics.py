"""Prometheus metrics at /metrics (prometheus-client).

- `portal_http_requests_total{view,method,status}` and
  `portal_http_request_duration_seconds{view,status}` (histogram): every request, fed by
  megaproject.observability.RequestContextMiddleware; `view` is the URL name
  ("funding:decision"), "static" or "unmatched", never a raw path.
- `portal_db_queries_per_request{view}` (histogram): SQL queries made for one request.
- `portal_celery_tasks_total{task,state}`: sent, started, succeeded, failed, retried,
  revoked (Celery signals, connected in megaproject.celery_app).
- `portal_documents_total{kind,outcome}`: generated documents built or failed for good
  (core.documents.metrics, counted by the pipeline).
- `portal_celery_queue_length{queue}`: messages waiting in the broker's queue (Redis
  LLEN, read at each scrape; absent without a Redis broker), and `portal_broker_up`.

Only a client whose address is in METRICS_ALLOWED_NETWORKS (default loopback) or that
sends `Authorization: Bearer <METRICS_TOKEN>` is served; anyone else gets 404.

Several processes (gunicorn workers, Celery workers on the same machine): set
PROMETHEUS_MULTIPROC_DIR to an empty directory writable by all of them, emptied before
they start. prometheus_client then keeps each process's figures in files there and
/metrics adds them up. Without it every process counts for itself (fine for one process,
e.g. `runserver`).
"""

from __future__ import annotations

import hmac
import ipaddress
import os

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from .throttling import client_ip

REQUESTS = Counter("portal_http_requests", "HTTP requests answered, by view, method and status.",
                   ["view", "method", "status"])
LATENCY = Histogram("portal_http_request_duration_seconds", "Time to answer one request, by view and status.",
                    ["view", "status"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
QUERIES = Histogram("portal_db_queries_per_request", "SQL queries made to answer one request, by view.",
                    ["view"], buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200))
TASKS = Counter("portal_celery_tasks", "Celery tasks by name and state (sent, started, succeeded, failed, "
                "retried, revoked).", ["task", "state"])


def observe_request(*, view: str, method: str, status: int, seconds: float, queries: int) -> None:
    code = str(status)
    REQUESTS.labels(view, method, code).inc()
    LATENCY.labels(view, code).observe(seconds)
    QUERIES.labels(view).observe(queries)


# --- Celery tasks (receivers connected in megaproject.celery_app) ------------------------


def _task_name(sender) -> str:
    return sender if isinstance(sender, str) else getattr(sender, "name", None) or "unknown"


def task_sent(sender=None, **_kwargs) -> None:
    TASKS.labels(_task_name(sender), "sent").inc()


def task_started(sender=None, **_kwargs) -> None:
    TASKS.labels(_task_name(sender), "started").inc()


def task_succeeded(sender=None, **_kwargs) -> None:
    TASKS.labels(_task_name(sender), "succeeded").inc()


def task_failed(sender=None, **_kwargs) -> None:
    TASKS.labels(_task_name(sender), "failed").inc()


def task_retried(sender=None, **_kwargs) -> None:
    TASKS.labels(_task_name(sender), "retried").inc()


def task_revoked(sender=None, request=None, **_kwargs) -> None:
    TASKS.labels(_task_name(sender or getattr(request, "task", None)), "revoked").inc()


# --- The broker's queue, read at each scrape ---------------------------------------------

# kombu's Redis transport keeps a queue's messages of priority p > 0 in "<queue>\x06\x16<p>".
_PRIORITY_SEP, _PRIORITY_STEPS = "\x06\x16", (0, 3, 6, 9)
_redis_clients: dict[str, object] = {}


def _redis(url: str):
    client = _redis_clients.get(url)
    if client is None:
        import redis

        client = _redis_clients[url] = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    return client


class QueueLengthCollector:
    """portal_celery_queue_length and portal_broker_up, asked of Redis when scraped."""

    def describe(self):
        return []

    def collect(self):
        url = settings.CELERY_BROKER_URL
        if not url.startswith(("redis://", "rediss://")):
            return
        from .celery_app import app as celery_app

        queue = celery_app.conf.task_default_queue
        up = GaugeMetricFamily("portal_broker_up", "1 when the broker answered the scrape's queue-length read.")
        try:
            with _redis(url).pipeline(transaction=False) as pipe:
                for step in _PRIORITY_STEPS:
                    pipe.llen(queue if step == 0 else f"{queue}{_PRIORITY_SEP}{step}")
                length = sum(pipe.execute())
        except Exception:  # the broker is down: say so, never fail the scrape
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        waiting = GaugeMetricFamily("portal_celery_queue_length", "Task messages waiting in the broker's queue.",
                                    labels=["queue"])
        waiting.add_metric([queue], length)
        yield waiting


# --- The view ----------------------------------------------------------------------------


def scrape_allowed(request) -> bool:
    """A bearer token equal to METRICS_TOKEN, or a client address in METRICS_ALLOWED_NETWORKS
    (the address our own proxies report, as for log-in throttling: megaproject.throttling.client_ip)."""
    token = settings.METRICS_TOKEN
    scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(offered.strip().encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(client_ip(request) or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in settings.METRICS_ALLOWED_NETWORKS)


def multiprocess_mode() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


@never_cache
@require_GET
def metrics(request):
    if not scrape_allowed(request):
        raise Http404
    registry = CollectorRegistry()
    registry.register(QueueLengthCollector())
    if multiprocess_mode():
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
        output = generate_latest(registry)
    else:
        output = generate_latest(REGISTRY) + generate_latest(registry)
    return HttpResponse(output, content_type=CONTENT_TYPE_LATEST)
