"""Export jobs (large exports built by a worker) and call result reports (PDF).

An `ExportJob` keeps who asked for which dataset, with which filters and format,
the progress of the worker (rows done / total) and the file, which is kept
until `expires_at` and then deleted by a periodic task (the row stays, "expired").
A `CallReport` is the one current result report of a call: asking again rebuilds
the same row. Both are generated documents (core.documents).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.documents.models import DocumentStatus, GeneratedDocument, OfficialDocument

JobStatus = DocumentStatus  # the one status of generated documents, under the name reports uses


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class ExportJob(GeneratedDocument):
    """Status, file, checksum, size, attempts, error and generated_at (when the file was
    finished): `GeneratedDocument`."""

    upload_dir = "exports/"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    dataset = models.CharField(_("dataset"), max_length=40)
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=5, default="ko")
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("kept until"), db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")

    def __str__(self) -> str:
        return f"{self.dataset}.{self.format} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == DocumentStatus.DONE:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0


class CallReport(OfficialDocument):
    """The call's result report; one per call (the unique key makes the task idempotent).
    Status, file, checksum, size, attempts, error, generated_at, verification code and
    signer: `OfficialDocument`."""

    upload_dir = "reports/"

    call = models.OneToOneField("programmes.Call", on_delete=models.PROTECT, related_name="result_report",
                                verbose_name=_("call"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), auto_now=True)

    class Meta:
        verbose_name = _("call result report")
        verbose_name_plural = _("call result reports")

    def __str__(self) -> str:
        return f"{self.call} ({self.get_status_display()})"
