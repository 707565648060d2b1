"""Workers of funded projects: the stage-evaluation report (on the document task
base, core.documents.tasks.DocumentTask), and the daily opening and reminding of
annual reports."""

from celery import shared_task

from core.documents.tasks import DocumentTask

from .models import StageReport
from .services import documents, reports


@shared_task(bind=True, base=DocumentTask)
def generate_stage_report(self, *, report_id: int) -> str:
    return self.build(documents.stage_report_build, StageReport, report_id=report_id)


@shared_task
def annual_reports_daily() -> dict:
    """Open the reports of ended years and remind the overdue ones (beat, daily)."""
    opened = reports.reports_open_due()
    reminded = reports.remind_overdue()
    return {"opened": len(opened), "reminded": reminded}
