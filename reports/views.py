"""Exports (page, streamed downloads, background jobs) and the call result report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.permissions import require
from programmes.models import CooperationType, Region, StrategicIndustry
from programmes.selectors import calls_visible_to
from proposals.disclosure import state_choices

from . import datasets, services
from .models import CallReport, ExportFormat, JobStatus


def _filename(dataset, fmt: str) -> str:
    return f"{dataset.key}-{timezone.localdate():%Y%m%d}.{fmt}"


@login_required
def exports_page(request):
    require(request.user, "reports.view_exports")
    f = datasets.clean_filters(request.GET)
    return render(request, "reports/exports.html", {
        "datasets": datasets.available_to(request.user), "f": f, "query": request.GET.urlencode(),
        "states": state_choices(user=request.user), "types": CooperationType.choices, "regions": Region.objects.all(),
        "industries": StrategicIndustry.objects.all(), "calls": calls_visible_to(user=request.user),
        "can_name_evaluators": request.user.has_perm("reports.export_evaluations_named"),
        "jobs": [(job, datasets.get(job.dataset)) for job in
                 services.ExportJob.objects.filter(requested_by=request.user).order_by("-created_at")[:10]],
        "sync_max": services.settings.EXPORT_SYNC_MAX_ROWS,
    })


@login_required
def export_download(request, dataset, fmt):
    """GET: the file, streamed (CSV) or written to a temporary file (XLSX); above
    EXPORT_SYNC_MAX_ROWS a page offers a background job instead. POST: start that job."""
    if fmt not in ExportFormat.values:
        raise Http404
    filters = datasets.clean_filters(request.GET)
    ds = services.export_dataset(user=request.user, key=dataset, filters=filters)
    if request.method == "POST":
        try:
            job = services.export_request(actor=request.user, key=ds.key, fmt=fmt, filters=filters)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("reports:exports")
        return redirect("reports:job", pk=job.pk)
    rows = services.export_row_count(user=request.user, dataset=ds, filters=filters)
    if rows > services.settings.EXPORT_SYNC_MAX_ROWS:
        return render(request, "reports/export_large.html", {
            "dataset": ds, "fmt": fmt, "rows": rows, "query": request.GET.urlencode(),
            "keep_hours": services.settings.EXPORT_KEEP_HOURS})
    if fmt == ExportFormat.CSV:
        response = StreamingHttpResponse(
            services.export_stream(user=request.user, dataset=ds, filters=filters, rows=rows),
            content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{_filename(ds, fmt)}"'
        return response
    tmp = services.export_xlsx_file(user=request.user, dataset=ds, filters=filters)
    return FileResponse(tmp, as_attachment=True, filename=_filename(ds, fmt),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@login_required
def job_page(request, pk):
    job = services.job_for(user=request.user, job_id=pk)
    return render(request, "reports/job.html", {
        "job": job, "dataset": datasets.get(job.dataset), "progress": services.job_progress(job),
        "expired": job.status == JobStatus.EXPIRED or job.expires_at <= timezone.now(),
    })


@never_cache
@login_required
def job_progress(request, pk):
    return JsonResponse(services.job_progress(services.job_for(user=request.user, job_id=pk)))


@login_required
def job_download(request, pk):
    job = services.job_for_download(user=request.user, job_id=pk)
    ds = datasets.get(job.dataset)
    content_type = ("text/csv; charset=utf-8" if job.format == ExportFormat.CSV
                    else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return FileResponse(job.file.open("rb"), as_attachment=True, content_type=content_type,
                        filename=f"{ds.key if ds else job.dataset}-{timezone.localtime(job.created_at):%Y%m%d}-"
                                 f"{job.pk}.{job.format}")


# --- Call result report ------------------------------------------------------------------------


def _call(request, pk):
    require(request.user, "reports.generate_call_report")
    return get_object_or_404(calls_visible_to(user=request.user), pk=pk)


def _report_progress(report) -> dict:
    if report is None:
        return {"status": "", "label": "", "done": 0, "total": 1, "finished": True}
    finished = report.status in (JobStatus.DONE, JobStatus.FAILED)
    return {"status": report.status, "label": str(report.get_status_display()), "done": 1 if finished else 0,
            "total": 1, "finished": finished}


@login_required
def call_report_page(request, pk):
    call = _call(request, pk)
    if request.method == "POST":
        services.call_report_request(actor=request.user, call=call)
        messages.success(request, _("The result report is being built."))
        return redirect("reports:call_report", pk=call.pk)
    report = CallReport.objects.filter(call=call).select_related("requested_by").first()
    return render(request, "reports/call_report.html", {
        "call": call, "report": report, "progress": _report_progress(report)})


@never_cache
@login_required
def call_report_status(request, pk):
    call = _call(request, pk)
    return JsonResponse(_report_progress(CallReport.objects.filter(call=call).first()))


@login_required
def call_report_download(request, pk):
    call = _call(request, pk)
    require(request.user, "reports.download_call_report", call)
    report = CallReport.objects.filter(call=call, status=JobStatus.DONE).exclude(file="").first()
    if report is None:
        raise Http404
    return FileResponse(report.file.open("rb"), as_attachment=True, content_type="application/pdf",
                        filename=f"result-report-{call.year}-{call.pk}.pdf")
