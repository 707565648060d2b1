from django.contrib import admin

from audit.admin import ReadOnlyAdmin

from .models import CallReport, ExportJob

# Exports and reports are made by their pages and workers (permission, visibility,
# audit record); here they are looked at.


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "requested_by", "dataset", "format", "status", "rows_done", "rows_total",
                    "expires_at")
    list_filter = ("status", "dataset", "format")
    search_fields = ("requested_by__username", "requested_by__display_name", "dataset")
    list_select_related = ("requested_by",)
    date_hierarchy = "created_at"


@admin.register(CallReport)
class CallReportAdmin(ReadOnlyAdmin):
    list_display = ("call", "status", "generated_at", "requested_by", "attempts", "size")
    list_filter = ("status",)
    search_fields = ("call__title",)
    list_select_related = ("call", "requested_by")
