"""/healthz: the state of the database, the broker and the workers as JSON.

200 when every part the configuration needs is up, 503 otherwise. With no
broker configured, tasks run in-process and neither broker nor worker is needed.
"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery_app import app as celery_app


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any failure is reported, never raised
        return {"ok": False, "error": exc.__class__.__name__}


def _check_broker() -> dict:
    if not settings.CELERY_BROKER_URL:
        return {"ok": True, "mode": "in-process"}
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "mode": "broker"}
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}


def _check_workers(broker_ok: bool) -> dict:
    if not settings.CELERY_BROKER_URL:
        return {"ok": True, "count": 0, "mode": "in-process"}
    if not broker_ok:
        return {"ok": False, "count": 0, "error": "broker unreachable"}
    try:
        replies = celery_app.control.inspect(timeout=1.0).ping() or {}
    except Exception as exc:
        return {"ok": False, "count": 0, "error": exc.__class__.__name__}
    return {"ok": bool(replies), "count": len(replies)}


@never_cache
@require_GET
def healthz(request):
    database = _check_database()
    broker = _check_broker()
    workers = _check_workers(broker["ok"])
    ok = database["ok"] and broker["ok"] and workers["ok"]
    body = {"status": "ok" if ok else "fail", "database": database, "broker": broker, "workers": workers}
    return JsonResponse(body, status=200 if ok else 503)
