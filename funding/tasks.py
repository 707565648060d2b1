"""Award letters are built by workers: one task per letter, on the document task
base (core.documents.tasks.DocumentTask: acked late, requeued when the worker dies,
retried with backoff, given up visibly through the attempt counter in the database)."""

from celery import shared_task

from core.documents.tasks import DocumentTask

from . import services
from .models import AwardLetter


@shared_task(bind=True, base=DocumentTask)
def generate_award_letter(self, *, letter_id: int) -> str:
    return self.build(services.letter_build, AwardLetter, letter_id=letter_id)
