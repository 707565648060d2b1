"""The Celery application; configuration comes from Django settings (CELERY_*).

Signals: a task queued during a request carries that request's id in its headers and
its logs carry its task id and that request id (megaproject.observability); tasks are
counted by state for /metrics (megaproject.metrics).
"""

import logging
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "megaproject.settings")

app = Celery("megaproject")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def connect_signals() -> None:
    """Called once by MegaprojectConfig.ready() (the receivers need the apps loaded)."""
    from . import metrics, observability

    signals.before_task_publish.connect(observability.carry_request_ids, weak=False)
    signals.task_prerun.connect(observability.enter_task, weak=False)
    signals.task_postrun.connect(observability.leave_task, weak=False)
    signals.after_task_publish.connect(metrics.task_sent, weak=False)
    signals.task_prerun.connect(metrics.task_started, weak=False)
    signals.task_success.connect(metrics.task_succeeded, weak=False)
    signals.task_failure.connect(metrics.task_failed, weak=False)
    signals.task_retry.connect(metrics.task_retried, weak=False)
    signals.task_revoked.connect(metrics.task_revoked, weak=False)


@app.task(name="megaproject.ping")
def ping() -> str:
    """A no-op round trip used by /healthz/ready and the worker tests; logs one line."""
    logger.info("pong")
    return "pong"
