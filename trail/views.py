"""The audit trail pages: browse with filters, and the same rows as CSV. Read-only:
every view answers GET (and HEAD) only; nothing here can change a record."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from audit import services
from audit.models import AuditAction
from core.permissions import require
from core.spreadsheet import csv_lines

from . import selectors
from .forms import PersonalDataFilterForm, TrailFilterForm

PAGE_SIZE = 50


@login_required
@require_safe
def trail(request):
    require(request.user, "audit.view_trail")
    form = TrailFilterForm(request.GET or None)
    events = selectors.trail(**form.filters())
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(event, selectors.diff_rows(event)) for event in page.object_list]
    return render(request, "trail/trail.html", {"form": form, "page": page, "rows": rows,
                                                "filtered": bool(request.GET.dict().keys() - {"page"})})


def _csv_rows(events):
    """Header, then one row per changed field (officials' text made harmless: core.spreadsheet)."""
    yield [
        _("When"), _("Who"), _("Action"), pgettext("audit record", "Kind"), _("Object type"), _("Object id"), _("Object"), _("Summary"),
        _("Field"), _("Before"), _("After"), _("IP address")]
    for event in events.iterator(chunk_size=1000):
        common = [timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"), event.actor_name,
                  event.get_action_display(), event.get_source_display(),
                  event.content_type.name if event.content_type_id else "", event.object_id, event.object_repr,
                  event.summary]
        diff = selectors.diff_rows(event) or [{"field": "", "before": "", "after": ""}]
        for row in diff:
            yield [*common, row["field"], row["before"], row["after"], event.ip or ""]


@login_required
@require_safe
def export_csv(request):
    """The filtered trail as CSV (UTF-8 with BOM for Excel), streamed: one row per changed field."""
    require(request.user, "audit.view_trail")
    form = TrailFilterForm(request.GET or None)
    filters = form.filters()
    events = selectors.trail(**filters)
    services.record(actor=request.user, action=AuditAction.EXPORT, summary=_("Audit trail (CSV)"),
                    after={"filters": {k: v for k, v in filters.items() if v}}, request=request)
    response = StreamingHttpResponse(csv_lines(_csv_rows(events)), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    return response


# --- The access log of personal data (administrators) ---------------------------------------------


@login_required
@require_safe
def personal_data(request):
    require(request.user, "audit.view_personal_data_log")
    form = PersonalDataFilterForm(request.GET or None)
    page = Paginator(selectors.personal_data_log(**form.filters()), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "trail/personal_data.html", {
        "form": form, "page": page, "filtered": bool(request.GET.dict().keys() - {"page"}),
        "retention_days": settings.PERSONAL_DATA_LOG_RETENTION_DAYS})


def _personal_data_rows(entries):
    yield [_("When"), _("Who read"), _("Channel"), _("Purpose"), _("Purpose (details)"), _("Items"),
           _("What was read"), _("Whose details"), _("Rows exported"), _("IP address")]
    for entry in entries.iterator(chunk_size=500):
        yield [timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"), entry.accessor_name,
               entry.get_channel_display(), entry.get_purpose_display(), entry.purpose_detail,
               ", ".join(entry.item_labels()), entry.description,
               "; ".join(s.subject_name for s in entry.subjects.all()),
               "" if entry.row_count is None else entry.row_count, entry.ip or ""]


@login_required
@require_safe
def personal_data_csv(request):
    """The filtered access log as CSV (core.spreadsheet), streamed; the export is on the audit trail."""
    require(request.user, "audit.view_personal_data_log")
    filters = PersonalDataFilterForm(request.GET or None).filters()
    entries = selectors.personal_data_log(**filters)
    services.record(actor=request.user, action=AuditAction.EXPORT, summary=_("Personal data access log (CSV)"),
                    after={"filters": {k: v for k, v in filters.items() if v}}, request=request)
    response = StreamingHttpResponse(csv_lines(_personal_data_rows(entries)), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="personal-data-access-{stamp}.csv"'
    return response
