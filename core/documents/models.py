"""The abstract model of a generated document and its one status enum."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")  # only exports expire (their file is deleted, the row kept)


def document_upload_to(instance, filename: str) -> str:
    """The folder of a model's files (`upload_dir`); the pipeline names the files itself."""
    return f"{instance.upload_dir}{filename}"


class GeneratedDocument(models.Model):
    """A file built by a worker from the database: one row per document (its unique
    key makes the task idempotent), the file switched to only when complete."""

    upload_dir = "documents/"

    status = models.CharField(_("status"), max_length=20, choices=DocumentStatus.choices,
                              default=DocumentStatus.PENDING)
    file = models.FileField(upload_to=document_upload_to, max_length=300, blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_ready(self) -> bool:
        """Built and stored: the file may be served (after the permission check)."""
        return self.status == DocumentStatus.DONE and bool(self.file)

    @property
    def finished(self) -> bool:
        """No worker will touch it again unless someone asks again."""
        return self.status in (DocumentStatus.DONE, DocumentStatus.FAILED, DocumentStatus.EXPIRED)

    def mark_failed(self, error: str, *, final: bool) -> None:
        """Record a failed attempt: failed for good (`final`), or pending until the retry."""
        self.status = DocumentStatus.FAILED if final else DocumentStatus.PENDING
        self.error = error[:2000]
        type(self)._default_manager.filter(pk=self.pk).update(status=self.status, error=self.error)
