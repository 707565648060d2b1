"""Award letters are built by workers: one task per letter, idempotent, acked
late and rejected when the worker dies (requeued), retried with backoff for
passing failures, with an attempt counter in the database so a letter that
always crashes its worker is given up visibly instead of looping."""

from celery import shared_task

from . import services

MAX_RETRIES = 4


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def generate_award_letter(self, *, letter_id: int) -> str:
    try:
        letter = services.letter_build(letter_id=letter_id)
    except Exception as exc:
        final = self.request.retries >= MAX_RETRIES or self.request.is_eager
        services.letter_failed(letter_id=letter_id, error=f"{exc.__class__.__name__}: {exc}", final=final)
        if final:
            raise
        raise self.retry(exc=exc, countdown=2 ** self.request.retries) from exc
    return letter.status
