"""A real Celery worker builds a background export and the result report (Redis + the
test database; skipped when tasks run in-process)."""

import time

import pytest
from django.db import transaction

from programmes.models import Call
from proposals.models import Participation, Proposal
from reports import services
from reports.models import CallReport, ExportJob, JobStatus
from tests.factories import CallFactory, MinistryFactory, OfficialFactory, region

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def wait_for(model, pk, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        obj = model.objects.get(pk=pk)
        if obj.status in (JobStatus.DONE, JobStatus.FAILED):
            return obj
        time.sleep(0.3)
    pytest.fail(f"{model.__name__} {pk} not finished in {timeout} s")


def test_a_worker_builds_an_export_job_and_a_result_report(reference_data, celery_worker, settings, tmp_path):
    gwangju = region("gwangju")
    official = OfficialFactory(region=gwangju)
    ministry = MinistryFactory()
    call = CallFactory(created_by=ministry)
    made = Proposal.objects.bulk_create([Proposal(call=call, cooperation_type="leap", lead_region=gwangju,
                                                  title_ko=f"작업자 제안서 {i}", created_by=official)
                                         for i in range(30)])
    Participation.objects.bulk_create([Participation(proposal=p, region=gwangju, is_lead=True) for p in made])
    with transaction.atomic():
        job = services.export_request(actor=official, key="proposals", fmt="xlsx", filters={})
        report = services.call_report_request(actor=ministry, call=Call.objects.get(pk=call.pk))
    job = wait_for(ExportJob, job.pk)
    assert (job.status, job.rows_total, job.error) == (JobStatus.DONE, 30, "")
    assert job.file.name.endswith(".xlsx")
    report = wait_for(CallReport, report.pk)
    assert (report.status, report.error) == (JobStatus.DONE, "")
    assert report.size > 10_000
    # The worker wrote to the configured MEDIA_ROOT: leave nothing behind.
    job.file.delete(save=False)
    report.file.delete(save=False)
