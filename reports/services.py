"""Exports and call result reports: every write of the reports app.

Small exports are streamed by the view (`export_stream`, `export_xlsx_file`);
above EXPORT_SYNC_MAX_ROWS rows `export_request` creates an `ExportJob` and a
Celery worker builds the file (`export_build`). Every export — streamed or
built — writes one audit record ("export") through `_audit`.
"""

from __future__ import annotations

import datetime
import secrets
import tempfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.permissions import require

from . import datasets
from .models import CallReport, ExportFormat, ExportJob, JobStatus
from .writers import csv_chunks, write_xlsx


def _audit(*, actor, action: str, obj=None, summary: str = "", before=None, after=None) -> None:
    """One audit record (the one place the reports app writes to the trail)."""
    from audit.services import record

    record(actor=actor, action=action, obj=obj, summary=summary, before=before, after=after)


def audit_export(*, actor, dataset: datasets.Dataset, fmt: str, filters: dict, rows: int | None, job=None) -> None:
    _audit(actor=actor, action="export", obj=job,
           summary=_("Export of “%(dataset)s” as %(format)s") % {"dataset": dataset.label, "format": fmt.upper()},
           after={"dataset": dataset.key, "format": fmt, "filters": filters, "rows": rows,
                  "job": job.pk if job else None})


# --- Exports -----------------------------------------------------------------------------------


def export_dataset(*, user, key: str, filters: dict) -> datasets.Dataset:
    """The dataset, if it exists and the user may export it (404 / 403 otherwise)."""
    dataset = datasets.get(key)
    if dataset is None:
        raise Http404
    require(user, dataset.perm)
    return dataset


def export_row_count(*, user, dataset: datasets.Dataset, filters: dict) -> int:
    return dataset.queryset(user=user, filters=filters).count()


def export_stream(*, user, dataset: datasets.Dataset, filters: dict, rows: int):
    """CSV byte chunks, read in chunks from the database. The audit record is written
    before the first byte goes out, so an interrupted download is recorded too."""
    audit_export(actor=user, dataset=dataset, fmt="csv", filters=filters, rows=rows)
    return csv_chunks(dataset.columns, dataset.iter_rows(user=user, filters=filters))


def export_xlsx_file(*, user, dataset: datasets.Dataset, filters: dict):
    """The XLSX as a temporary file, positioned at its start."""
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    count = write_xlsx(tmp, dataset.columns, dataset.iter_rows(user=user, filters=filters), title=str(dataset.label))
    tmp.seek(0)
    audit_export(actor=user, dataset=dataset, fmt="xlsx", filters=filters, rows=count)
    return tmp


def _enqueue_export(job_id: int) -> None:
    from .tasks import build_export

    transaction.on_commit(lambda: build_export.delay(job_id=job_id))


@transaction.atomic
def export_request(*, actor, key: str, fmt: str, filters: dict) -> ExportJob:
    """Ask a worker to build the export (for large ones); the file is kept EXPORT_KEEP_HOURS."""
    dataset = export_dataset(user=actor, key=key, filters=filters)
    if fmt not in ExportFormat.values:
        raise ValidationError(_("Unknown format."))
    job = ExportJob.objects.create(
        requested_by=actor, dataset=dataset.key, format=fmt, filters=filters,
        language=(translation.get_language() or settings.LANGUAGE_CODE)[:5],
        expires_at=timezone.now() + datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS))
    _enqueue_export(job.pk)
    return job


def export_build(*, job_id: int) -> ExportJob:
    """Build and store one export job's file. Visibility is that of the requester now
    (a permission withdrawn since the request stops the export). The file is written
    under a new name and the row switched to it only when complete."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("requested_by").get(pk=job_id)
        if job.status in (JobStatus.DONE, JobStatus.EXPIRED):
            return job  # a redelivered task: nothing to do
        if job.attempts >= settings.LETTER_MAX_ATTEMPTS:
            job.status = JobStatus.FAILED
            job.error = job.error or _("Gave up after %(n)s attempts.") % {"n": job.attempts}
            job.save(update_fields=["status", "error"])
            return job
        job.attempts += 1
        job.status = JobStatus.RUNNING
        job.rows_done = 0
        job.save(update_fields=["attempts", "status", "rows_done"])
    user = job.requested_by
    dataset = datasets.get(job.dataset)
    if dataset is None or not user.is_active or not user.has_perm(dataset.perm):
        raise PermissionDenied(job.dataset)
    filters = datasets.clean_filters(job.filters)

    written = {"rows": 0}

    def progress(n: int) -> None:
        written["rows"] = n
        ExportJob.objects.filter(pk=job_id).update(rows_done=n)

    with translation.override(job.language), tempfile.TemporaryFile() as tmp:
        qs = dataset.queryset(user=user, filters=filters)
        total = qs.count()
        ExportJob.objects.filter(pk=job_id).update(rows_total=total)
        rows = dataset.iter_rows(user=user, filters=filters, queryset=qs)
        if job.format == ExportFormat.XLSX:
            write_xlsx(tmp, dataset.columns, rows, title=str(dataset.label), on_rows=progress)
        else:
            for chunk in csv_chunks(dataset.columns, rows, on_rows=progress):
                tmp.write(chunk)
        count = written["rows"]
        tmp.seek(0)
        storage = job.file.storage
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        stored = storage.save(f"exports/{job.dataset}-{stamp}-{secrets.token_hex(6)}.{job.format}", File(tmp))
        size = storage.size(stored)
    with transaction.atomic():
        current = ExportJob.objects.select_for_update().get(pk=job_id)
        old = current.file.name
        current.file.name = stored
        current.size = size
        current.rows_done = count
        current.rows_total = count
        current.status = JobStatus.DONE
        current.error = ""
        current.finished_at = timezone.now()
        current.expires_at = current.finished_at + datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS)
        current.save(update_fields=["file", "size", "rows_done", "rows_total", "status", "error", "finished_at",
                                    "expires_at"])
        if old and old != stored:
            transaction.on_commit(lambda: storage.delete(old))
        audit_export(actor=user, dataset=dataset, fmt=current.format, filters=filters, rows=count, job=current)
    return current


def export_failed(*, job_id: int, error: str, final: bool) -> None:
    ExportJob.objects.filter(pk=job_id).update(status=JobStatus.FAILED if final else JobStatus.PENDING,
                                               error=error[:2000])


def job_for(*, user, job_id: int) -> ExportJob:
    """A job the user may follow and download (the requester or staff); 404 otherwise."""
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None or not user.has_perm("reports.download_export", job):
        raise Http404
    return job


def job_for_download(*, user, job_id: int) -> ExportJob:
    job = job_for(user=user, job_id=job_id)
    if job.status != JobStatus.DONE or not job.file or job.expires_at <= timezone.now():
        raise Http404
    return job


def exports_purge_expired(*, now=None) -> int:
    """Delete the files of expired exports; the rows stay (status "expired") as a record."""
    now = now or timezone.now()
    count = 0
    for job in ExportJob.objects.filter(expires_at__lte=now).exclude(status=JobStatus.EXPIRED):
        if job.file:
            job.file.storage.delete(job.file.name)
        ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.EXPIRED, file="", size=0)
        count += 1
    return count


def job_progress(job: ExportJob) -> dict:
    if job.status == JobStatus.DONE:
        label = _("Ready: %(n)s rows.") % {"n": f"{job.rows_total:,}"}
    elif job.status == JobStatus.FAILED:
        label = _("Failed.")
    elif job.rows_total:
        label = _("%(done)s of %(total)s rows written") % {"done": f"{job.rows_done:,}", "total": f"{job.rows_total:,}"}
    else:
        label = str(job.get_status_display())
    return {"status": job.status, "label": label, "done": job.rows_done, "total": job.rows_total,
            "percent": job.percent, "finished": job.finished}


# --- Call result report ------------------------------------------------------------------------


def _enqueue_report(report_id: int) -> None:
    from .tasks import generate_call_report

    transaction.on_commit(lambda: generate_call_report.delay(report_id=report_id))


@transaction.atomic
def call_report_request(*, actor, call) -> CallReport:
    """Ask for the call's result report (one per call; asking again rebuilds it)."""
    require(actor, "reports.generate_call_report", call)
    report, _created = CallReport.objects.select_for_update().get_or_create(call=call, defaults={"requested_by": actor})
    if report.status == JobStatus.RUNNING:
        return report  # already being built: never two builds of one report
    CallReport.objects.filter(pk=report.pk).update(status=JobStatus.PENDING, error="", attempts=0, requested_by=actor)
    _enqueue_report(report.pk)
    report.refresh_from_db()
    _audit(actor=actor, action="export", obj=report,
           summary=_("Result report of “%(call)s” requested") % {"call": call.title},
           after={"dataset": "call_report", "format": "pdf", "call": call.pk})
    return report


def call_report_build(*, report_id: int) -> CallReport:
    """Build and store the report (funding.pdf.build_stored_pdf, as the award letters)."""
    from funding.pdf import build_stored_pdf

    from .report import report_html

    def html(report):
        with translation.override("ko"):
            return report_html(report.call)

    return build_stored_pdf(
        CallReport, report_id, html=html, select_related=("call",),
        name=lambda r, checksum: f"reports/call-{r.call.year}-{r.call_id}-{checksum[:12]}.pdf")


def call_report_failed(*, report_id: int, error: str, final: bool) -> None:
    CallReport.objects.filter(pk=report_id).update(status=JobStatus.FAILED if final else JobStatus.PENDING,
                                                   error=error[:2000])
