"""The whole proposal as one Korean A4 PDF (proposals.services.documents): built for real
with WeasyPrint and read back with pdftotext; one per revision (asked again, reused); for
whoever may view the proposal; never a sealed result."""

import pytest
from django.http import Http404
from django.urls import reverse

from proposals.models import ProposalDocument, ProposalState
from proposals.services import documents
from tests.funding.conftest import compact, pdf_text
from tests.login import log_in

pytestmark = pytest.mark.django_db


def ask(user, proposal, capture):
    with capture(execute=False):
        return documents.proposal_pdf_request(actor=user, proposal=proposal)


@pytest.fixture
def built(complete_proposal, official, django_capture_on_commit_callbacks):
    document = ask(official, complete_proposal, django_capture_on_commit_callbacks)
    return documents.proposal_pdf_build(document_id=document.pk)


def test_the_pdf_holds_the_cover_every_section_the_budget_and_the_sign_offs(built, complete_proposal):
    assert built.status == "done" and built.file.read(5) == b"%PDF-"
    text = compact(pdf_text(built.file.path))
    p = complete_proposal
    assert compact(p.title_ko) in text and compact(p.call.title) in text
    assert "광주광역시" in text and "전라남도" in text  # the regions, lead first
    for heading in ("개요", "비전및목표", "성과지표", "예산", "참여기관", "확인서명"):
        assert heading in text, heading
    assert compact(p.kpis.first().name) in text
    assert compact(p.stages.first().goals)[:10] in text
    assert str(p.call.year) in text  # the budget grid's years
    assert "확인서명" in text  # the regions' sign-offs
    assert built.verification_code in text  # the seal


def test_a_korean_font_is_embedded_and_the_page_is_a4(built):
    from pypdf import PdfReader

    reader = PdfReader(built.file.path)
    fonts = {str(f.get_object().get("/BaseFont")) for page in reader.pages
             for f in (page.get("/Resources") or {}).get("/Font", {}).values()}
    assert any("Nanum" in f for f in fonts), fonts
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points


def test_asking_again_for_the_same_revision_reuses_the_pdf(built, complete_proposal, partner_official,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        again = documents.proposal_pdf_request(actor=partner_official, proposal=complete_proposal)
    assert again.pk == built.pk and again.status == "done" and queued == []
    assert ProposalDocument.objects.count() == 1


def test_a_new_revision_gets_its_own_pdf(built, complete_proposal, official, django_capture_on_commit_callbacks):
    from proposals.models import Proposal

    Proposal.objects.filter(pk=complete_proposal.pk).update(revision=complete_proposal.revision + 1)
    complete_proposal.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        document = documents.proposal_pdf_request(actor=official, proposal=complete_proposal)
    assert document.pk != built.pk and document.status == "pending" and len(queued) == 1


def test_no_sealed_result_is_printed(complete_proposal, official, ministry, django_capture_on_commit_callbacks):
    from proposals.models import Proposal

    Proposal.objects.filter(pk=complete_proposal.pk).update(state=ProposalState.SELECTED)
    complete_proposal.refresh_from_db()
    document = ask(ministry, complete_proposal, django_capture_on_commit_callbacks)
    assert document.content["state"] == "under_review"  # what the regions see, even when staff asks
    html = documents.pdf_html(document, seal=False)
    assert "선정" not in html.replace("선정 심의", "")


def test_only_staff_and_the_regions_of_the_proposal_may_have_it(built, complete_proposal, expert, outsider_official,
                                                                  ministry, partner_official):
    perm = documents.PERMISSION
    assert [u.has_perm(perm, complete_proposal) for u in (ministry, partner_official, expert, outsider_official)] == [
        True, True, False, False]
    assert documents.proposal_pdf_for_download(user=ministry, document_id=built.pk) == built
    with pytest.raises(Http404):
        documents.proposal_pdf_for_download(user=outsider_official, document_id=built.pk)
    with pytest.raises(Http404):
        documents.proposal_pdf_for_download(user=expert, document_id=built.pk)


def test_the_proposal_page_asks_for_it_polls_it_and_downloads_it(client, complete_proposal, official,
                                                                  django_capture_on_commit_callbacks):
    log_in(client, official)
    detail = reverse("proposals:detail", args=[complete_proposal.pk])
    assert reverse("proposals:pdf_request", args=[complete_proposal.pk]) in client.get(detail).content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("proposals:pdf_request", args=[complete_proposal.pk]))
    page = client.get(detail).content.decode()
    assert reverse("proposals:pdf_status", args=[complete_proposal.pk]) in page  # progress shown while it builds
    status = client.get(reverse("proposals:pdf_status", args=[complete_proposal.pk])).json()
    assert status["status"] == "pending" and status["finished"] is False
    assert client.get(reverse("proposals:pdf_download", args=[complete_proposal.pk])).status_code == 403
    documents.proposal_pdf_build(document_id=ProposalDocument.objects.get().pk)
    response = client.get(reverse("proposals:pdf_download", args=[complete_proposal.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content)[:5] == b"%PDF-"
