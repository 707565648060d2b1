"""The call result report: a Korean A4 PDF built by a worker, holding the ranking,
the selected projects' amounts and the charts, with Nanum fonts embedded."""

import datetime
import shutil
import subprocess

import pytest
from django.urls import reverse
from pypdf import PdfReader

from evaluations.models import Assignment, AssignmentKind, Score, Scoresheet, ScoresheetState
from reports import services
from reports.models import CallReport, JobStatus
from tests.factories import ExpertFactory
from tests.login import log_in

from .conftest import compact, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_world(approved, ministry, make_proposal):
    """The approved Gwangju + Jeonnam project scored 8/10 by two evaluators, and a Busan
    proposal scored 6/10 (not selected)."""
    from proposals.models import Proposal, ProposalState
    from tests.factories import region

    busan = make_proposal(lead_region=region("busan"), cooperation_type="leap", title_ko="부산 해양 모빌리티 실증")
    Proposal.objects.filter(pk=busan.pk).update(state=ProposalState.NOT_SELECTED,
                                                submitted_at=datetime.datetime(2027, 1, 20, tzinfo=datetime.UTC))
    Proposal.objects.filter(pk=approved.proposal_id).update(submitted_at=datetime.datetime(2027, 1, 21,
                                                                                          tzinfo=datetime.UTC))
    for i, (target, value) in enumerate([(approved.proposal, 8), (approved.proposal, 8), (busan, 6), (busan, 6)]):
        expert = ExpertFactory(username=f"rep-expert{i}")
        a = Assignment.objects.create(kind=AssignmentKind.EVALUATION, expert=expert, proposal=target,
                                      assigned_by=ministry, declared_at=datetime.datetime.now(datetime.UTC))
        sheet = Scoresheet.objects.create(assignment=a, state=ScoresheetState.SUBMITTED)
        for c in target.call.criteria.all():
            Score.objects.create(scoresheet=sheet, criterion=c, value=value)
    return approved


@pytest.fixture
def built(report_world, ministry, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.call_report_request(actor=ministry, call=report_world.proposal.call)
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        services.call_report_build(report_id=report.pk)
    report.refresh_from_db()
    return report


def test_the_report_holds_the_ranking_and_the_selected_projects_amounts(built, report_world):
    assert built.status == JobStatus.DONE and built.checksum
    text = compact(pdf_text(built.file.path))
    # Ranking: the funded project first (80.00), Busan's second (60.00).
    first, second = text.index("겹눈모사뉴로모픽반도체"), text.index("부산해양모빌리티실증")
    assert first < second
    assert "80.00" in text and "60.00" in text
    # Funding: 18억 a year national, 4억 local a year (two regions), 54억 in all.
    assert "1,800,000,000" in text and "5,400,000,000" in text
    assert "400,000,000" in text and "1,200,000,000" in text
    assert "54억원" in text


def test_the_report_embeds_nanum_and_draws_its_charts_as_vectors(built):
    reader = PdfReader(built.file.path)
    fonts = set()
    for page in reader.pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    assert any("Nanum" in f for f in fonts), fonts
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4
    text = compact(pdf_text(built.file.path))
    # The charts' own labels: "a + b = total" of the stacked region bar, the industry bar's value.
    assert "18억원+6억원" in text or "54억원+6억원" in text
    # Vector drawing: the bars are rectangles ("re") in the page's own content, no image anywhere.
    last = reader.pages[-1]
    xobjects = [x.get_object() for x in ((last.get("/Resources") or {}).get("/XObject") or {}).values()]
    assert "/Image" not in {str(x["/Subtype"]) for x in xobjects}
    assert b" re\n" in last.get_contents().get_data()


def test_page_numbers_are_printed(built):
    if not shutil.which("pdftotext"):
        pytest.skip("needs poppler's pdftotext")
    pages = len(PdfReader(built.file.path).pages)
    out = subprocess.run(["pdftotext", "-f", str(pages), "-l", str(pages), built.file.path, "-"],
                         capture_output=True, text=True, check=True).stdout
    assert f"{pages}/{pages}" in compact(out)


def test_building_again_replaces_the_one_report_of_the_call(built, ministry, django_capture_on_commit_callbacks,
                                                           settings):
    old = built.file.path
    with django_capture_on_commit_callbacks(execute=True):
        again = services.call_report_request(actor=ministry, call=built.call)
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        services.call_report_build(report_id=again.pk)
    again.refresh_from_db()
    assert CallReport.objects.filter(call=built.call).count() == 1
    assert again.pk == built.pk and again.status == JobStatus.DONE
    import os

    # Same figures, same checksum: the same file name is reused; otherwise the old one is gone.
    assert os.path.exists(again.file.path)
    assert again.file.path == old or not os.path.exists(old)


def test_the_report_page_and_download_are_for_staff_only(client, built, official, ministry):
    call = built.call
    log_in(client, ministry)
    response = client.get(reverse("reports:call_report_download", args=[call.pk]))
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert b"report-download" in client.get(reverse("reports:call_report", args=[call.pk])).content
    assert b"call-report" in client.get(reverse("programmes:call_detail", args=[call.pk])).content
    log_in(client, official)
    assert client.get(reverse("reports:call_report_download", args=[call.pk])).status_code == 403
    assert b"call-report" not in client.get(reverse("programmes:call_detail", args=[call.pk])).content


def test_the_report_prints_its_verification_code_and_verify_names_the_call_but_no_figure(built, report_world,
                                                                                         settings):
    from django.test import Client

    text = compact(pdf_text(built.file.path))
    assert f"{settings.PORTAL_BASE_URL}/verify/{built.verification_code}" in text

    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/verify/{built.verification_code}").content.decode()
    assert "a call result report issued by this portal" in page
    assert report_world.proposal.call.title in page and built.checksum in page
    assert [leak for leak in ("80.00", "60.00", "1,800,000,000", report_world.proposal.title_ko) if leak in page] == []
