"""Export jobs and result reports are in the Django admin, read-only."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from reports.models import CallReport, ExportJob
from tests.login import log_in

pytestmark = pytest.mark.django_db


def test_export_jobs_and_reports_are_listed_and_read_only(client, admin_user, official, call):
    ExportJob.objects.create(requested_by=official, dataset="proposals", format="csv", expires_at=timezone.now())
    CallReport.objects.create(call=call, requested_by=admin_user)
    log_in(client, admin_user)
    for model in (ExportJob, CallReport):
        assert admin.site.is_registered(model)
        opts = model._meta
        page = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), {"q": "a"})
        assert page.status_code == 200
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
