"""The agreement's PDF: built as the worker builds it (real WeasyPrint), Korean, with the money of
the version; verifiable by its code; downloaded only by those who see the project."""

import pytest
from django.urls import reverse

from agreements.models import AgreementDocument
from agreements.services import documents
from tests.funding.conftest import compact, pdf_text
from tests.login import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(issued, django_capture_on_commit_callbacks):
    document = AgreementDocument.objects.get(version=issued)
    with django_capture_on_commit_callbacks(execute=True):
        return documents.agreement_document_build(document_id=document.pk)


def test_the_pdf_names_the_project_the_parties_and_the_money(built, issued, project):
    assert built.status == "done" and built.file.read(5) == b"%PDF-"
    text = compact(pdf_text(built.file.path))
    assert "협약서" in text
    assert compact(project.proposal.title_ko) in text
    assert "과학기술정보통신부" in text and "광주광역시" in text
    national = issued.lines.filter(source="national").order_by("year").first().amount_won
    assert f"{national:,}" in text
    assert built.verification_code in text


def test_the_code_verifies_the_agreement(built, client, issued):
    response = client.get(reverse("verify", args=[built.verification_code]))
    assert response.status_code == 200
    assert issued.reference in response.content.decode()


def test_the_regions_download_it_and_an_outsider_does_not(built, client, official, outsider_official):
    url = reverse("agreements:download", args=[built.pk])
    log_in(client, official)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content)[:5] == b"%PDF-"
    client.logout()
    log_in(client, outsider_official)
    assert client.get(url).status_code == 404
