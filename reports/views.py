"""Exports and the call result report (being built)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


exports_page = export_download = job_page = job_progress = job_download = _todo
call_report_page = call_report_status = call_report_download = _todo
