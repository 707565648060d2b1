"""Workers of funded projects: the stage-evaluation report, and the daily
opening and reminding of annual reports."""

from celery import shared_task

from .services import documents, reports

MAX_RETRIES = 4


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def generate_stage_report(self, *, report_id: int) -> str:
    try:
        report = documents.stage_report_build(report_id=report_id)
    except Exception as exc:
        final = self.request.retries >= MAX_RETRIES or self.request.is_eager
        documents.stage_report_failed(report_id=report_id, error=f"{exc.__class__.__name__}: {exc}", final=final)
        if final:
            raise
        raise self.retry(exc=exc, countdown=2 ** self.request.retries) from exc
    return report.status


@shared_task
def annual_reports_daily() -> dict:
    """Open the reports of ended years and remind the overdue ones (beat, daily)."""
    opened = reports.reports_open_due()
    reminded = reports.remind_overdue()
    return {"opened": len(opened), "reminded": reminded}
