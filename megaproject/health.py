"""Health for load balancers and operators.

- `/healthz/live`: the process answers (200, `{"status": "ok"}`). Touches nothing else:
  a web node stays in the pool while the database, the broker or the PDF workers are down.
- `/healthz/ready`: the database, the broker and the workers (200 when every part the
  configuration needs is up, 503 otherwise). With no broker configured, tasks run
  in-process and neither broker nor worker is needed. Everyone gets the status; the
  details (database vendor, broker mode, worker count, error names) only staff
  (`accounts.view_health_details`) and requests from the machine itself (loopback,
  as our proxies report the client: megaproject.throttling.client_ip).
- `/healthz`: the old address, kept as an alias of readiness that answers the status only.
"""

import ipaddress

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.selectors import failed_mail_count

from .celery_app import app as celery_app
from .throttling import client_ip


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
        # A fresh connection from the current configuration (not the app's pool).
        with celery_app.connection_for_write() as conn:
            replies = celery_app.control.inspect(timeout=1.0, connection=conn).ping() or {}
    except Exception as exc:
        return {"ok": False, "count": 0, "error": exc.__class__.__name__}
    return {"ok": bool(replies), "count": len(replies)}


def _check_mail() -> dict:
    try:
        return {"failed": failed_mail_count()}
    except Exception as exc:  # e.g. a database not migrated yet: reported, never raised
        return {"error": exc.__class__.__name__}


def readiness() -> tuple[bool, dict]:
    database = _check_database()
    broker = _check_broker()
    workers = _check_workers(broker["ok"])
    ok = database["ok"] and broker["ok"] and workers["ok"]
    # Failed mails do not make the portal unready, but staff must see them (Admin → Notifications).
    mail = _check_mail() if database["ok"] else {}
    return ok, {"database": database, "broker": broker, "workers": workers, "mail": mail}


def _from_loopback(request) -> bool:
    try:
        return ipaddress.ip_address(client_ip(request) or "").is_loopback
    except ValueError:
        return False


def may_see_details(request) -> bool:
    return _from_loopback(request) or request.user.has_perm("accounts.view_health_details")


def _status(ok: bool) -> dict:
    return {"status": "ok" if ok else "fail"}


@never_cache
@require_GET
def live(request):
    return JsonResponse(_status(True))


@never_cache
@require_GET
def ready(request):
    ok, details = readiness()
    body = {**_status(ok), **details} if may_see_details(request) else _status(ok)
    return JsonResponse(body, status=200 if ok else 503)


@never_cache
@require_GET
def healthz(request):
    """The former single check: readiness, status only (for probes still configured with it)."""
    ok, _details = readiness()
    return JsonResponse(_status(ok), status=200 if ok else 503)
