"""Workers of proposals: the whole proposal as one PDF (on the document task base,
core.documents.tasks.DocumentTask)."""

from celery import shared_task

from core.documents.tasks import DocumentTask

from .models import ProposalDocument
from .services import documents


@shared_task(bind=True, base=DocumentTask)
def generate_proposal_pdf(self, *, document_id: int) -> str:
    return self.build(documents.proposal_pdf_build, ProposalDocument, document_id=document_id)


@shared_task
def remind_planning_deadlines() -> int:
    """Daily (celery beat): remind the regions with work left before a planning phase closes."""
    from .services.reminders import planning_reminders_send

    return planning_reminders_send()
