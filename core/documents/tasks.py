"""The Celery task base of every generated document.

A document task is thin: keyword-only ids → the domain's build function, run
through `DocumentTask.build`. The base acks late and is rejected when the worker
dies (the broker hands the task to another worker), retries passing failures with
exponential backoff, marks the row pending between retries and failed at the end
(at once in eager mode, where there is no later). The attempt counter lives in
the database (`services.build_document`), so a document that always kills its
worker is given up visibly instead of looping.

    @shared_task(bind=True, base=DocumentTask)
    def generate_award_letter(self, *, letter_id: int) -> str:
        return self.build(services.letter_build, AwardLetter, letter_id=letter_id)
"""

import logging
from collections.abc import Callable

from celery import Task
from django.core.exceptions import PermissionDenied

from .models import DocumentStatus, GeneratedDocument

logger = logging.getLogger("core.documents")


class DocumentTask(Task):
    acks_late = True
    reject_on_worker_lost = True
    max_retries = 4
    never_retried = (PermissionDenied,)  # a retry cannot help: failed at once

    @staticmethod
    def backoff(retries: int) -> int:
        """Seconds before retry number `retries` + 1: 1, 2, 4, 8, …"""
        return 2**retries

    def build(self, build: Callable[..., GeneratedDocument], model: type[GeneratedDocument], **ids: int) -> str:
        """Run `build(**ids)` (one id: the row's primary key); returns the row's status."""
        (pk,) = ids.values()
        try:
            return build(**ids).status
        except self.never_retried as exc:
            logger.exception("%s %s failed: %s", model._meta.model_name, pk, _error(exc))
            model(pk=pk).mark_failed(_error(exc), final=True)
            return DocumentStatus.FAILED
        except Exception as exc:
            final = self.request.retries >= self.max_retries or bool(self.request.is_eager)
            if final:  # ERROR: to Sentry or the ADMINS' mail; officials see only the failure notice
                logger.exception("%s %s failed for good after %s tries: %s", model._meta.model_name, pk,
                                 self.request.retries + 1, _error(exc))
            else:
                logger.warning("%s %s failed, retried in %s s: %s", model._meta.model_name, pk,
                               self.backoff(self.request.retries), _error(exc), exc_info=True)
            model(pk=pk).mark_failed(_error(exc), final=final)
            if final:
                raise
            raise self.retry(exc=exc, countdown=self.backoff(self.request.retries)) from exc


def _error(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"
