"""Exports and call result reports: every write of the reports app.

Small exports are streamed by the view (`export_stream`, `export_xlsx_file`);
above EXPORT_SYNC_MAX_ROWS rows `export_request` creates an `ExportJob` and a
Celery worker builds the file (`export_build`). Every export — streamed or
built — writes one audit record ("export") through `_audit`.
"""

from __future__ import annotations

import datetime
import tempfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.documents.models import DOCUMENT_MOVES, DocumentStatus, document_transition
from core.documents.services import build_document, request_document
from core.documents.verification import Verified
from core.permissions import require

from . import datasets
from .models import CallReport, ExportFormat, ExportJob
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
    """Build and store one export job's file (core.documents.services.build_document):
    written to a temporary file with its progress counted, stored under a new name and
    the row switched to it only when complete. Visibility is that of the requester now
    (a permission withdrawn since the request stops the export: PermissionDenied)."""
    written = {}

    def render(job: ExportJob):
        user = job.requested_by
        dataset = datasets.get(job.dataset)
        if dataset is None or not user.is_active or not user.has_perm(dataset.perm):
            raise PermissionDenied(job.dataset)
        filters = datasets.clean_filters(job.filters)
        written.update(dataset=dataset, filters=filters, rows=0)

        def progress(n: int) -> None:
            written["rows"] = n
            ExportJob.objects.filter(pk=job.pk).update(rows_done=n)

        tmp = tempfile.TemporaryFile()  # noqa: SIM115 - closed by build_document once stored
        try:
            with translation.override(job.language):
                qs = dataset.queryset(user=user, filters=filters)
                ExportJob.objects.filter(pk=job.pk).update(rows_total=qs.count())
                rows = dataset.iter_rows(user=user, filters=filters, queryset=qs)
                if job.format == ExportFormat.XLSX:
                    write_xlsx(tmp, dataset.columns, rows, title=str(dataset.label), on_rows=progress)
                else:
                    for chunk in csv_chunks(dataset.columns, rows, on_rows=progress):
                        tmp.write(chunk)
        except BaseException:
            tmp.close()
            raise
        return tmp

    def name(job: ExportJob, checksum: str) -> str:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return f"exports/{job.dataset}-{stamp}-{job.pk}-{checksum[:12]}.{job.format}"

    def finish(job: ExportJob, _first_time: bool) -> None:
        job.rows_done = job.rows_total = written["rows"]
        job.expires_at = job.generated_at + datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS)
        job.save(update_fields=["rows_done", "rows_total", "expires_at"])
        audit_export(actor=job.requested_by, dataset=written["dataset"], fmt=job.format,
                     filters=written["filters"], rows=written["rows"], job=job)

    return build_document(
        ExportJob, job_id, render=render, name=name, select_related=("requested_by",),
        settled=(DocumentStatus.DONE, DocumentStatus.EXPIRED), claim=_restart_count, after_switch=finish)


def _restart_count(job: ExportJob) -> list[str]:
    job.rows_done = 0
    return ["rows_done"]


def job_for(*, user, job_id: int) -> ExportJob:
    """A job the user may follow and download (the requester or staff); 404 otherwise."""
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None or not user.has_perm("reports.download_export", job):
        raise Http404
    return job


def job_for_download(*, user, job_id: int) -> ExportJob:
    job = job_for(user=user, job_id=job_id)
    if not job.is_ready or job.expires_at <= timezone.now():
        raise Http404
    return job


def exports_purge_expired(*, now=None) -> int:
    """Delete the files of expired exports; the rows stay (status "expired") as a record.
    An export being built is left to its worker (the expire move does not start from
    running): once stored it is kept EXPORT_KEEP_HOURS from then; if it fails, a later
    purge expires it."""
    now = now or timezone.now()
    expirable = DOCUMENT_MOVES["expire"].sources
    count = 0
    for pk in ExportJob.objects.filter(expires_at__lte=now, status__in=expirable).values_list("pk", flat=True):
        with transaction.atomic():
            job = ExportJob.objects.select_for_update().filter(pk=pk, expires_at__lte=now,
                                                               status__in=expirable).first()
            if job is None:  # claimed by a worker meanwhile
                continue
            old, storage = job.file.name, job.file.storage
            document_transition(job, "expire", file="", size=0)
        if old:  # once the row no longer names it
            storage.delete(old)
        count += 1
    return count


def job_progress(job: ExportJob) -> dict:
    if job.status == DocumentStatus.DONE:
        label = _("Ready: %(n)s rows.") % {"n": f"{job.rows_total:,}"}
    elif job.status == DocumentStatus.FAILED:
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

    generate_call_report.delay(report_id=report_id)


@transaction.atomic
def call_report_request(*, actor, call) -> CallReport:
    """Ask for the call's result report (one per call; asking again rebuilds it)."""
    require(actor, "reports.generate_call_report", call)
    report = request_document(CallReport, call=call, requested_by=actor, enqueue=_enqueue_report)
    if report.status == DocumentStatus.RUNNING:
        return report  # already being built: not asked for again
    _audit(actor=actor, action="export", obj=report,
           summary=_("Result report of “%(call)s” requested") % {"call": call.title},
           after={"dataset": "call_report", "format": "pdf", "call": call.pk})
    return report


def call_report_build(*, report_id: int) -> CallReport:
    """Build and store the report (core.documents.services.build_document, as the award letters)."""
    from .report import report_html

    return build_document(
        CallReport, report_id, html=lambda report: report_html(report.call, report=report), select_related=("call",),
        name=lambda r, checksum: f"reports/call-{r.call.year}-{r.call_id}-{checksum[:12]}.pdf")


def verify_call_report(code: str) -> Verified | None:
    """The public verification of a ready result report by its code (registered with
    core.documents.verification in ReportsConfig.ready): which call's report it is and when it
    was made — none of its figures (results stay sealed until announced)."""
    report = (CallReport.objects.select_related("call")
              .filter(verification_code=code, status=DocumentStatus.DONE).first())
    if report is None:
        return None
    return Verified("reports/verify_call_report.html", {"report": report, "call": report.call})
