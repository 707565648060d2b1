"""Exports and result reports are built by workers, like award letters: idempotent
(keyed by the job / the call), acked late and rejected when the worker dies,
retried with backoff for passing failures, with an attempt counter in the
database so a job that always crashes its worker is given up visibly."""

from celery import shared_task
from django.core.exceptions import PermissionDenied

from . import services

MAX_RETRIES = 4


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def build_export(self, *, job_id: int) -> str:
    try:
        job = services.export_build(job_id=job_id)
    except PermissionDenied as exc:  # never worth a retry
        services.export_failed(job_id=job_id, error=f"PermissionDenied: {exc}", final=True)
        return "failed"
    except Exception as exc:
        final = self.request.retries >= MAX_RETRIES or self.request.is_eager
        services.export_failed(job_id=job_id, error=f"{exc.__class__.__name__}: {exc}", final=final)
        if final:
            raise
        raise self.retry(exc=exc, countdown=2 ** self.request.retries) from exc
    return job.status


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def generate_call_report(self, *, report_id: int) -> str:
    try:
        report = services.call_report_build(report_id=report_id)
    except Exception as exc:
        final = self.request.retries >= MAX_RETRIES or self.request.is_eager
        services.call_report_failed(report_id=report_id, error=f"{exc.__class__.__name__}: {exc}", final=final)
        if final:
            raise
        raise self.retry(exc=exc, countdown=2 ** self.request.retries) from exc
    return report.status


@shared_task(acks_late=True)
def purge_expired_exports() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): delete the files of expired exports."""
    return services.exports_purge_expired()
