"""Workers of the agreements app: the agreement's PDF (on the document task base)."""

from celery import shared_task

from core.documents.tasks import DocumentTask

from .models import AgreementDocument
from .services import documents


@shared_task(bind=True, base=DocumentTask)
def generate_agreement_document(self, *, document_id: int) -> str:
    return self.build(documents.agreement_document_build, AgreementDocument, document_id=document_id)


@shared_task(bind=True, base=DocumentTask)
def generate_settlement_document(self, *, document_id: int) -> str:
    from .models import SettlementDocument

    return self.build(documents.settlement_document_build, SettlementDocument, document_id=document_id)
