"""Large exports: streamed in chunks (memory flat), or built by a worker as a job
with progress, a permission-checked download and an expiry."""

import datetime
import tracemalloc
from unittest import mock

import pytest
from django.db.models.query import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from proposals.models import Participation, Proposal
from reports import datasets, services
from reports.models import ExportJob, JobStatus
from tests.factories import region
from tests.login import log_in

from .conftest import body_of, csv_rows

pytestmark = pytest.mark.django_db

ROWS = 10_000


@pytest.fixture
def many_proposals(call, official):
    gwangju = region("gwangju")
    Proposal.objects.bulk_create(
        [Proposal(call=call, cooperation_type="leap", lead_region=gwangju, title_ko=f"대량 제안서 {i:05d}",
                  created_by=official) for i in range(ROWS)], batch_size=2000)


@pytest.fixture
def some_proposals(call, official):
    """Twelve Gwangju proposals (with their participation, so the official sees them)."""
    gwangju = region("gwangju")
    made = Proposal.objects.bulk_create(
        [Proposal(call=call, cooperation_type="leap", lead_region=gwangju, title_ko=f"대량 제안서 {i:05d}",
                  created_by=official) for i in range(12)])
    Participation.objects.bulk_create([Participation(proposal=p, region=gwangju, is_lead=True) for p in made])


def test_ten_thousand_rows_are_streamed_in_chunks_never_loaded_at_once(client, ministry, many_proposals, settings):
    settings.EXPORT_SYNC_MAX_ROWS = ROWS
    chunk_sizes = []
    real_iterator = QuerySet.iterator

    def spy(self, chunk_size=None):
        chunk_sizes.append(chunk_size)
        return real_iterator(self, chunk_size=chunk_size)

    loaded = []
    real_fetch_all = QuerySet._fetch_all

    def fetch_all(self):
        loaded.append(self.model)
        return real_fetch_all(self)

    log_in(client, ministry)
    with mock.patch.object(QuerySet, "iterator", spy), mock.patch.object(QuerySet, "_fetch_all", fetch_all):
        response = client.get(reverse("reports:export", args=["proposals", "csv"]))
        assert response.streaming
        tracemalloc.start()
        pieces = 0
        size = 0
        for piece in response.streaming_content:
            pieces += 1
            size += len(piece)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert chunk_sizes == [datasets.CHUNK_SIZE]
    assert Proposal not in loaded  # no query of proposals was read whole (list(), len(), iteration)
    assert pieces >= ROWS // 500  # sent in many pieces, not one body
    # The whole CSV is ~1.3 MB; holding all rows as dicts would take many times that.
    assert size > 1_000_000
    assert peak < 8 * 1024 * 1024, peak


def test_above_the_limit_the_export_becomes_a_job_with_progress_and_a_download(client, ministry, official,
                                                                             outsider_official, some_proposals,
                                                                             settings, django_capture_on_commit_callbacks):
    settings.EXPORT_SYNC_MAX_ROWS = 5
    log_in(client, official)
    url = reverse("reports:export", args=["proposals", "csv"]) + "?q=%EB%8C%80%EB%9F%89"
    page = client.get(url)
    assert page.status_code == 200 and b"start-export" in page.content
    assert not ExportJob.objects.exists()  # a GET never starts a job
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:job", args=[job.pk])
    assert (job.requested_by, job.dataset, job.filters) == (official, "proposals", {"q": "대량"})
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        services.export_build(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == (JobStatus.DONE, 12, 12)
    progress = client.get(reverse("reports:job_progress", args=[job.pk])).json()
    assert (progress["finished"], progress["done"], progress["total"]) == (True, 12, 12)
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    rows = csv_rows(body_of(download))
    assert sorted(r[3] for r in rows[1:]) == [f"대량 제안서 {i:05d}" for i in range(12)]
    assert AuditEvent.objects.filter(action="export", actor=official, after__job=job.pk).count() == 1
    # Staff may download it; another official may not even see it.
    staff = Client()
    log_in(staff, ministry)
    assert staff.get(reverse("reports:job_download", args=[job.pk])).status_code == 200
    other = Client()
    log_in(other, outsider_official)
    for name in ("job", "job_progress", "job_download"):
        assert other.get(reverse(f"reports:{name}", args=[job.pk])).status_code == 404


def test_an_expired_export_s_file_is_deleted_and_no_longer_served(client, official, some_proposals, settings,
                                                                  django_capture_on_commit_callbacks):
    settings.EXPORT_SYNC_MAX_ROWS = 5
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_request(actor=official, key="proposals", fmt="xlsx", filters={"q": "대량"})
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        services.export_build(job_id=job.pk)
    job.refresh_from_db()
    path = job.file.path
    assert job.expires_at > timezone.now() + datetime.timedelta(hours=23)
    assert services.exports_purge_expired() == 0
    assert services.exports_purge_expired(now=job.expires_at + datetime.timedelta(seconds=1)) == 1
    job.refresh_from_db()
    assert (job.status, job.file.name) == (JobStatus.EXPIRED, "")
    import os

    assert not os.path.exists(path)
    log_in(client, official)
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404
    assert b"expired" in client.get(reverse("reports:job", args=[job.pk])).content


def test_an_export_being_built_is_not_expired_under_its_worker(official):
    past = timezone.now() - datetime.timedelta(minutes=1)
    jobs = {status: ExportJob.objects.create(requested_by=official, dataset="proposals", format="csv",
                                             expires_at=past, status=status)
            for status in (JobStatus.PENDING, JobStatus.RUNNING, JobStatus.FAILED)}

    assert services.exports_purge_expired() == 2
    assert {s: ExportJob.objects.get(pk=j.pk).status for s, j in jobs.items()} == {
        JobStatus.PENDING: JobStatus.EXPIRED, JobStatus.RUNNING: JobStatus.RUNNING,
        JobStatus.FAILED: JobStatus.EXPIRED}
    # Its worker fails it for good: the next purge expires it; an expired export stays as it is.
    ExportJob(pk=jobs[JobStatus.RUNNING].pk).mark_failed("OSError: disk full", final=True)
    assert services.exports_purge_expired() == 1
    assert services.exports_purge_expired() == 0
    assert set(ExportJob.objects.values_list("status", flat=True)) == {JobStatus.EXPIRED}


def test_the_exports_page_lists_the_user_s_own_jobs_only(client, official, outsider_official, some_proposals,
                                                         django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=False):
        mine = services.export_request(actor=official, key="proposals", fmt="csv", filters={})
        services.export_request(actor=outsider_official, key="funding", fmt="xlsx", filters={})
    log_in(client, official)
    page = client.get(reverse("reports:exports")).content.decode()
    assert reverse("reports:job", args=[mine.pk]) in page
    assert page.count("/reports/exports/jobs/") == 1
