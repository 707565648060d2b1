"""core.documents: the WeasyPrint URL fetcher, the one build pipeline, the task base and /verify.

The pipeline and the task base are shown on export-job rows (the simplest concrete
generated document: no PDF needed); PDFs are real WeasyPrint output read with pypdf.
"""

import datetime
import hashlib
import io
import logging
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from celery import shared_task
from celery.exceptions import Retry
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone, translation
from PIL import Image
from pypdf import PdfReader

from core.documents import verification
from core.documents.models import DOCUMENT_MOVES, DocumentStatus, document_transition
from core.documents.render import render_pdf, static_file, url_fetcher
from core.documents.services import build_document, document_for_download, request_document
from core.documents.tasks import DocumentTask
from reports.models import CallReport, ExportJob

# --- The URL fetcher ---------------------------------------------------------------------------


def png_bytes(colour="red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, format="PNG")
    return out.getvalue()


def images_in(pdf: bytes) -> int:
    assert pdf[:5] == b"%PDF-"
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def page_with(src: str) -> str:
    return f'<html><body><p>문서</p><img src="{src}" style="width: 2cm"></body></html>'


@pytest.fixture
def refusals(caplog):
    """The resources WeasyPrint could not load, as it logs them (a warning, not an error)."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    return lambda: [r.getMessage() for r in caplog.records if "FetchRefused" in r.getMessage()]


def test_the_fetcher_is_a_weasyprint_url_fetcher():
    from weasyprint.urls import URLFetcher

    fetcher = url_fetcher()
    assert isinstance(fetcher, URLFetcher)
    assert fetcher._fail_on_errors is False


def test_a_static_image_found_by_the_staticfiles_finders_is_rendered(settings, tmp_path, refusals):
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "seal.png").write_bytes(png_bytes())
    settings.STATICFILES_DIRS = [tmp_path]

    assert images_in(render_pdf(page_with("/static/img/seal.png"))) == 1
    assert refusals() == []


def test_a_static_image_in_static_root_is_rendered_too(settings, tmp_path, refusals):
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "collected.png").write_bytes(png_bytes("blue"))

    assert images_in(render_pdf(page_with(f"{settings.PORTAL_BASE_URL}/static/collected.png"))) == 1
    assert refusals() == []


def test_a_data_uri_image_is_rendered(refusals):
    import base64

    uri = "data:image/png;base64," + base64.b64encode(png_bytes("green")).decode()
    assert images_in(render_pdf(page_with(uri))) == 1
    assert refusals() == []


def test_a_file_url_is_refused_and_the_document_still_renders(tmp_path, refusals):
    secret = tmp_path / "secret.png"
    secret.write_bytes(png_bytes())
    html = page_with(secret.as_uri())

    from weasyprint import HTML

    assert images_in(HTML(string=html).write_pdf()) == 1  # WeasyPrint alone would read it

    pdf = render_pdf(html)

    assert images_in(pdf) == 0
    assert len(refusals()) == 1 and secret.as_uri() in refusals()[0]


class _Recorder(BaseHTTPRequestHandler):
    paths: list

    def do_GET(self):  # noqa: N802 - the http.server API
        self.paths.append(self.path)
        body = png_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    """A real HTTP server on this machine that records every request it gets."""
    handler = type("Recorder", (_Recorder,), {"paths": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler.paths
    server.shutdown()
    server.server_close()


def test_an_http_url_is_refused_without_being_fetched(http_server, refusals):
    address, requests = http_server
    from weasyprint import HTML

    HTML(string=page_with(f"{address}/control.png")).write_pdf()
    assert requests == ["/control.png"]  # the server answers: a fetch would show here

    pdf = render_pdf(page_with(f"{address}/tracker.png"))

    assert images_in(pdf) == 0
    assert requests == ["/control.png"]
    assert len(refusals()) == 1


@pytest.mark.parametrize("src", ["/media/letters/x.png", "/funding/letters/1/download/", "/static/../manage.py",
                                 "/static/img/missing.png"])
def test_other_paths_of_the_portal_are_refused(src, refusals):
    assert images_in(render_pdf(page_with(src))) == 0
    assert len(refusals()) == 1


def test_a_static_path_cannot_climb_out_of_the_static_folders(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    (tmp_path / "static").mkdir()
    (tmp_path / "outside.png").write_bytes(png_bytes())

    assert [static_file(p) for p in ("../outside.png", "/../outside.png", "%2e%2e/outside.png", "", ".")] == [
        None] * 5


# --- The pipeline: claim → render → store → switch ---------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def job(ministry):
    return ExportJob.objects.create(requested_by=ministry, dataset="proposals", format="csv",
                                    expires_at=timezone.now() + datetime.timedelta(hours=1))


def files_in(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in Path(media).rglob("*") if p.is_file())


def name(row, checksum):
    return f"exports/test-{row.pk}-{checksum[:12]}.csv"


def build(row, content=b"a,b\n1,2\n", **hooks):
    return build_document(ExportJob, row.pk, render=lambda _row: content, name=name, **hooks)


def test_building_twice_keeps_one_row_and_one_file(job, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = build(job)
    with django_capture_on_commit_callbacks(execute=True):
        second = build(job)

    checksum = hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    assert (second.pk, second.status, second.attempts, second.checksum, second.size, second.error) == (
        job.pk, DocumentStatus.DONE, 2, checksum, 8, "")
    assert second.file.name == first.file.name == f"exports/test-{job.pk}-{checksum[:12]}.csv"
    assert files_in(media) == [first.file.name]
    assert ExportJob.objects.count() == 1 and second.is_ready


def test_new_content_gets_a_new_file_and_the_old_one_is_deleted_after_the_commit(
        job, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        old = build(job, b"old\n").file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        new = build(job, b"new\n").file.name

    assert new != old
    assert files_in(media) == sorted([old, new])  # the old file is served until the commit
    for callback in callbacks:
        callback()
    assert files_in(media) == [new]


def test_a_streamed_temporary_file_is_stored_and_closed(job, media, django_capture_on_commit_callbacks):
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - build_document closes it (asserted)
    tmp.write(b"x" * 3_000_000)

    with django_capture_on_commit_callbacks(execute=True):
        built = build(job, tmp)

    assert (built.size, built.checksum) == (3_000_000, hashlib.sha256(b"x" * 3_000_000).hexdigest())
    assert (Path(media) / built.file.name).read_bytes() == b"x" * 3_000_000
    assert tmp.closed


def test_html_is_rendered_as_a_pdf_by_default(job, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        built = build_document(ExportJob, job.pk, html=lambda row: f"<p>{row.pk}</p>", name=name)

    assert (Path(media) / built.file.name).read_bytes()[:5] == b"%PDF-"


def test_the_hooks_run_at_their_steps(job, media, django_capture_on_commit_callbacks):
    seen = []

    def claim(row):
        row.rows_done = 0
        seen.append(("claim", row.status, row.attempts))
        return ["rows_done"]

    def before_store(row):
        seen.append(("before_store", files_in(media)))

    def after_switch(row, first_time):
        seen.append(("after_switch", row.status, first_time))

    ExportJob.objects.filter(pk=job.pk).update(rows_done=7)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            build(job, claim=claim, before_store=before_store, after_switch=after_switch)

    assert seen == [("claim", "running", 1), ("before_store", []), ("after_switch", "done", True),
                    ("claim", "running", 2), ("before_store", [name(job, hashlib.sha256(b"a,b\n1,2\n").hexdigest())]),
                    ("after_switch", "done", False)]
    assert ExportJob.objects.get(pk=job.pk).rows_done == 0


def test_a_settled_row_is_left_as_it_is(job, media):
    ExportJob.objects.filter(pk=job.pk).update(status=DocumentStatus.EXPIRED)

    kept = build(job, settled=(DocumentStatus.DONE, DocumentStatus.EXPIRED))

    assert (kept.status, kept.attempts, files_in(media)) == (DocumentStatus.EXPIRED, 0, [])


def test_the_pipeline_gives_up_visibly_after_the_attempt_limit(job, media, settings):
    settings.LETTER_MAX_ATTEMPTS = 2
    renders = []

    def broken(row):
        renders.append(row.attempts)
        raise OSError("disk full")

    for _ in range(2):
        with pytest.raises(OSError):
            build_document(ExportJob, job.pk, render=broken, name=name)
        ExportJob.objects.get(pk=job.pk).mark_failed("OSError: disk full", final=False)
    assert ExportJob.objects.get(pk=job.pk).status == DocumentStatus.PENDING

    given_up = build_document(ExportJob, job.pk, render=broken, name=name)

    assert renders == [1, 2]  # no third render
    assert (given_up.status, given_up.attempts, given_up.error, files_in(media)) == (
        DocumentStatus.FAILED, 2, "OSError: disk full", [])
    assert not given_up.is_ready and given_up.finished


def test_at_the_limit_without_an_error_the_row_says_why(job, media, settings):
    ExportJob.objects.filter(pk=job.pk).update(attempts=settings.LETTER_MAX_ATTEMPTS)

    with translation.override("en"):
        given_up = build(job)

    assert (given_up.status, given_up.error) == (
        DocumentStatus.FAILED, f"Gave up after {settings.LETTER_MAX_ATTEMPTS} attempts.")


def test_asking_again_resets_the_row_and_enqueues_after_the_commit_but_never_beside_a_running_build(
        call, ministry, ministry2, django_capture_on_commit_callbacks):
    enqueued = []
    with django_capture_on_commit_callbacks(execute=True):
        first = request_document(CallReport, call=call, requested_by=ministry, enqueue=enqueued.append)
    CallReport.objects.filter(pk=first.pk).update(status=DocumentStatus.FAILED, attempts=3, error="OSError")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = request_document(CallReport, call=call, requested_by=ministry2, enqueue=enqueued.append)
    assert enqueued == [first.pk]  # not before the commit
    for callback in callbacks:
        callback()
    assert (again.pk, again.status, again.attempts, again.error, again.requested_by, enqueued) == (
        first.pk, DocumentStatus.PENDING, 0, "", ministry2, [first.pk, first.pk])

    CallReport.objects.filter(pk=first.pk).update(status=DocumentStatus.RUNNING, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        running = request_document(CallReport, call=call, requested_by=ministry, enqueue=enqueued.append)
    assert (running.status, running.attempts, len(enqueued), CallReport.objects.count()) == (
        DocumentStatus.RUNNING, 1, 2, 1)


def test_a_document_is_downloaded_when_ready_by_whom_may_see_it(job, ministry, expert):
    from django.http import Http404

    ExportJob.objects.filter(pk=job.pk).update(status=DocumentStatus.DONE, file="exports/x.csv")
    mine = ExportJob.objects.all()
    assert document_for_download(mine, job.pk, user=ministry, perm="reports.download_export") == job
    for user, pk in ((expert, job.pk), (ministry, job.pk + 1)):
        with pytest.raises(Http404):
            document_for_download(mine, pk, user=user, perm="reports.download_export")
    ExportJob.objects.filter(pk=job.pk).update(status=DocumentStatus.RUNNING)
    with pytest.raises(PermissionDenied):
        document_for_download(mine, job.pk, user=ministry, perm="reports.download_export")


# --- The table of status moves ------------------------------------------------------------------

D = DocumentStatus


def test_the_status_moves_are_system_moves_of_one_table():
    assert {name: (sorted(m.sources), m.target, m.permission) for name, m in DOCUMENT_MOVES.items()} == {
        "request": (["done", "failed", "pending"], "pending", ""),
        "claim": (["done", "failed", "pending", "running"], "running", ""),
        "give_up": (["done", "failed", "pending", "running"], "failed", ""),
        "store": (["done", "failed", "pending", "running"], "done", ""),
        "retry": (["done", "failed", "pending", "running"], "pending", ""),
        "fail": (["done", "failed", "pending", "running"], "failed", ""),
        "expire": (["done", "failed", "pending"], "expired", ""),
    }


def locked(row):
    return type(row).objects.select_for_update().get(pk=row.pk)


@pytest.mark.parametrize(("status", "action", "message"), [
    (D.RUNNING, "request", "This document is “Being built”: it cannot be asked for again now."),
    (D.EXPIRED, "request", "This document is “Expired”: it cannot be asked for again now."),
    (D.EXPIRED, "claim", "This document is “Expired”: it is not built again."),
    (D.EXPIRED, "store", "This document is “Expired”: no file is stored for it."),
    (D.EXPIRED, "fail", "This document is “Expired”: a failed build does not change it."),
    (D.RUNNING, "expire", "This document is “Being built”: it cannot expire now."),
    (D.EXPIRED, "expire", "This document is “Expired”: it cannot expire now."),
])
def test_a_move_not_in_the_table_is_refused_and_writes_nothing(job, status, action, message):
    ExportJob.objects.filter(pk=job.pk).update(status=status, file="exports/kept.csv", attempts=1)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        document_transition(locked(job), action)
    assert refused.value.messages == [message]
    assert ExportJob.objects.filter(pk=job.pk).values_list("status", "file", "attempts").get() == (
        status, "exports/kept.csv", 1)


def test_an_unknown_move_and_a_field_the_move_does_not_write_are_refused(job):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        document_transition(locked(job), "publish")
    assert refused.value.messages == ["Unknown action."]
    with pytest.raises(TypeError):
        document_transition(locked(job), "expire", checksum="")
    assert ExportJob.objects.get(pk=job.pk).status == D.PENDING


def test_a_move_sets_the_status_and_its_fields_in_one_save(job):
    moved = document_transition(locked(job), "claim", attempts=1, more=lambda row: ["rows_done"])
    assert ExportJob.objects.filter(pk=job.pk).values_list("status", "attempts").get() == (D.RUNNING, 1)
    assert moved.status == D.RUNNING


def test_a_worker_killed_mid_build_leaves_the_row_running_and_the_next_delivery_claims_it(
        job, media, django_capture_on_commit_callbacks):
    ExportJob.objects.filter(pk=job.pk).update(status=D.RUNNING, attempts=1)  # the first worker died here
    with django_capture_on_commit_callbacks(execute=True):
        built = build(job)
    assert (built.status, built.attempts, built.error) == (D.DONE, 2, "")


@pytest.mark.parametrize(("final", "status"), [(False, D.PENDING), (True, D.FAILED)])
def test_mark_failed_reads_the_stored_row_and_moves_it(job, final, status):
    ExportJob.objects.filter(pk=job.pk).update(status=D.RUNNING, attempts=1)
    moved = ExportJob(pk=job.pk).mark_failed("OSError: disk full", final=final)
    assert (moved.status, moved.attempts) == (status, 1)
    assert ExportJob.objects.filter(pk=job.pk).values_list("status", "error").get() == (status, "OSError: disk full")
    assert ExportJob(pk=job.pk + 1).mark_failed("gone", final=True) is None


# --- The task base -------------------------------------------------------------------------------


def flaky_build(*, job_id: int) -> ExportJob:
    def render(row):
        raise OSError("storage away")

    return build_document(ExportJob, job_id, render=render, name=name)


def forbidden_build(*, job_id: int) -> ExportJob:
    raise PermissionDenied("proposals")


@shared_task(bind=True, base=DocumentTask, name="tests.core.flaky_document")
def flaky_document(self, *, job_id: int) -> str:
    return self.build(flaky_build, ExportJob, job_id=job_id)


@shared_task(bind=True, base=DocumentTask, name="tests.core.forbidden_document")
def forbidden_document(self, *, job_id: int) -> str:
    return self.build(forbidden_build, ExportJob, job_id=job_id)


@pytest.fixture
def broker(monkeypatch):
    """The broker is the boundary: what a retry sends to it is recorded instead."""
    sent = []
    monkeypatch.setattr(flaky_document, "apply_async",
                        lambda args=None, kwargs=None, **options: sent.append((kwargs, options)))
    return sent


def delivered(task, *, job_id: int, retries: int):
    """Run the task as a worker runs its delivery number `retries` + 1 (not eagerly)."""
    task.push_request(id=f"delivery-{retries}", retries=retries, is_eager=False, called_directly=False,
                      args=[], kwargs={"job_id": job_id})
    try:
        return task.run(job_id=job_id)
    finally:
        task.pop_request()


def test_the_task_base_is_acked_late_and_rejected_when_the_worker_dies():
    assert (flaky_document.acks_late, flaky_document.reject_on_worker_lost, flaky_document.max_retries) == (
        True, True, 4)


def test_the_task_base_retries_with_backoff_then_marks_the_row_failed(job, media, broker, settings):
    settings.LETTER_MAX_ATTEMPTS = 10
    for retries in range(flaky_document.max_retries):
        with pytest.raises(Retry) as retry:
            delivered(flaky_document, job_id=job.pk, retries=retries)
        assert retry.value.when == 2**retries
        row = ExportJob.objects.get(pk=job.pk)
        assert (row.status, row.error, row.attempts) == (DocumentStatus.PENDING, "OSError: storage away",
                                                         retries + 1)
    assert [(kwargs, options["retries"], options["countdown"]) for kwargs, options in broker] == [
        ({"job_id": job.pk}, n + 1, 2**n) for n in range(4)]

    with pytest.raises(OSError):
        delivered(flaky_document, job_id=job.pk, retries=flaky_document.max_retries)

    row = ExportJob.objects.get(pk=job.pk)
    assert (row.status, row.error, row.attempts, len(broker)) == (DocumentStatus.FAILED, "OSError: storage away", 5, 4)


def test_in_eager_mode_the_first_failure_is_final(job, media):
    with pytest.raises(OSError):
        flaky_document.apply(kwargs={"job_id": job.pk})

    row = ExportJob.objects.get(pk=job.pk)
    assert (row.status, row.error, row.attempts) == (DocumentStatus.FAILED, "OSError: storage away", 1)


def test_a_refused_permission_fails_the_row_at_once_without_retry(job, media, broker):
    assert delivered(forbidden_document, job_id=job.pk, retries=0) == DocumentStatus.FAILED

    row = ExportJob.objects.get(pk=job.pk)
    assert (row.status, row.error, broker) == (DocumentStatus.FAILED, "PermissionDenied: proposals", [])


# --- /verify -------------------------------------------------------------------------------------


@pytest.fixture
def verifiers():
    """A registry with only the test's verifiers (the apps' own are put back after it)."""
    apps_own = list(verification._verifiers)
    verification._verifiers[:] = []
    yield verification.register_verifier
    verification._verifiers[:] = apps_own


def test_the_registry_asks_each_verifier_with_the_code_trimmed_and_in_upper_case(verifiers):
    asked = []

    def nothing(code):
        asked.append(("nothing", code))

    def mine(code):
        asked.append(("mine", code))
        return verification.Verified("mine.html", {"n": 1}) if code == "ABC234" else None

    verifiers(nothing)
    verifiers(mine)
    verifiers(mine)  # once only

    assert verification.verify(" abc234 ") == verification.Verified("mine.html", {"n": 1})
    assert asked == [("nothing", "ABC234"), ("mine", "ABC234")]
    assert verification.verify("ZZZ") is None


@pytest.mark.django_db
def test_the_verify_page_is_public_and_a_code_nobody_knows_is_404():
    response = Client().get("/verify/23456789ABCD")

    assert response.status_code == 404
    assert 'role="alert"' in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
