"""Exports and result reports are built by workers, like award letters: on the
document task base (core.documents.tasks.DocumentTask: idempotent, acked late and
requeued when the worker dies, retried with backoff, given up visibly through the
attempt counter in the database; a withdrawn permission fails the job at once)."""

from celery import shared_task

from core.documents.tasks import DocumentTask

from . import services
from .models import CallReport, ExportJob


@shared_task(bind=True, base=DocumentTask)
def build_export(self, *, job_id: int) -> str:
    return self.build(services.export_build, ExportJob, job_id=job_id)


@shared_task(bind=True, base=DocumentTask)
def generate_call_report(self, *, report_id: int) -> str:
    return self.build(services.call_report_build, CallReport, report_id=report_id)


@shared_task(acks_late=True)
def purge_expired_exports() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): delete the files of expired exports."""
    return services.exports_purge_expired()
