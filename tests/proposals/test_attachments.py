"""Attachments: the type is read from the content, the size is limited, the name is cleaned."""

import io
import re
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proposals.models import Attachment, Participation, Proposal
from proposals.services import AttachmentRejected, attachment_add
from proposals.services.attachments import clean_filename
from tests.login import log_in
from tests.proposals.conftest import PDF, form_fields, sign_all

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                                          'package/2006/content-types"/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                                        'wordprocessingml/2006/main"><w:body/></w:document>')
    return buffer.getvalue()


def stored_files(media_root) -> list[str]:
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


def draft_of(proposal) -> tuple:
    p = Proposal.objects.get(pk=proposal.pk)
    return (p.title_ko, p.title_en, p.industry_id, p.summary, p.problem, p.revision, p.section_revisions, p.state)


def upload(client, proposal, name, content, description=""):
    return client.post(reverse("proposals:step", args=[proposal.pk, "attachments"]),
                       {"file": SimpleUploadedFile(name, content), "description": description})


def file_errors(response) -> list[str]:
    return response.context["form"].errors["file"]


def test_a_small_pdf_is_accepted_and_a_partner_downloads_the_same_bytes(
    client, proposal, official, partner_official, _media_root
):
    log_in(client, official)
    response = upload(client, proposal, "사업계획서 최종.pdf", PDF, description="상세 사업계획서")
    assert (response.status_code, response["Location"]) == (
        302, reverse("proposals:step", args=[proposal.pk, "attachments"]))
    attachment = Attachment.objects.get()
    assert (attachment.proposal, attachment.original_name, attachment.extension, attachment.kind, attachment.size,
            attachment.description, attachment.uploaded_by) == (
        proposal, "사업계획서_최종.pdf", ".pdf", "PDF", len(PDF), "상세 사업계획서", official)
    assert re.fullmatch(rf"proposals/{proposal.pk}/[0-9a-f]{{32}}\.pdf", attachment.file.name)
    assert stored_files(_media_root) == [attachment.file.name]

    log_in(client, partner_official)
    download = client.get(reverse("proposals:attachment", args=[proposal.pk, attachment.pk]))
    try:
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PDF
        assert download["Content-Disposition"] == (
            "attachment; filename*=utf-8''%EC%82%AC%EC%97%85%EA%B3%84%ED%9A%8D%EC%84%9C_%EC%B5%9C%EC%A2%85.pdf")
    finally:
        download.close()


def test_an_exe_renamed_pdf_is_refused_and_the_description_typed_is_kept(client, proposal, official, _media_root):
    before = draft_of(proposal)
    log_in(client, official)
    response = upload(client, proposal, "계획서.pdf", EXE, description="위장된 실행 파일")
    assert response.status_code == 200
    assert file_errors(response) == ["The file’s content is not a PDF file; it was not accepted."]
    assert form_fields(response)["description"]["value"] == "위장된 실행 파일"
    assert "The file’s content is not a PDF file; it was not accepted." in response.content.decode()
    assert (Attachment.objects.count(), stored_files(_media_root), draft_of(proposal)) == (0, [], before)


def test_a_file_over_the_size_limit_is_refused(client, proposal, official, settings, _media_root):
    settings.ATTACHMENT_MAX_BYTES = 1_048_576
    before = draft_of(proposal)
    log_in(client, official)
    response = upload(client, proposal, "큰 파일.pdf", PDF + b"\n" * (1_048_577 - len(PDF)), description="큰 파일")
    assert response.status_code == 200
    assert file_errors(response) == ["The file is 1.0 MB; the limit is 1 MB."]
    assert form_fields(response)["description"]["value"] == "큰 파일"
    assert (Attachment.objects.count(), stored_files(_media_root), draft_of(proposal)) == (0, [], before)


def test_a_file_of_exactly_the_size_limit_is_accepted(client, proposal, official, settings):
    settings.ATTACHMENT_MAX_BYTES = len(PDF)
    log_in(client, official)
    assert upload(client, proposal, "a.pdf", PDF).status_code == 302
    assert Attachment.objects.get().size == len(PDF)


def test_a_docx_built_with_zipfile_is_accepted(client, proposal, official):
    log_in(client, official)
    assert upload(client, proposal, "협약서.docx", docx()).status_code == 302
    assert list(Attachment.objects.values_list("original_name", "extension", "kind")) == [
        ("협약서.docx", ".docx", "DOCX")]


@pytest.mark.parametrize(("name", "content", "kind"), [
    ("plan.docx", PDF, "DOCX"),
    ("plan.pdf", docx(), "PDF"),
    ("sheet.xlsx", docx(), "XLSX"),
    ("photo.png", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "PNG"),
])
def test_a_file_whose_content_does_not_match_its_extension_is_refused(client, proposal, official, name, content, kind):
    log_in(client, official)
    response = upload(client, proposal, name, content)
    assert file_errors(response) == [f"The file’s content is not a {kind} file; it was not accepted."]
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize("name", ["setup.exe", "script.js", "no-extension", "archive.zip"])
def test_a_file_type_outside_the_list_is_refused(client, proposal, official, name):
    log_in(client, official)
    response = upload(client, proposal, name, PDF)
    assert file_errors(response) == ["Only PDF, HWP/HWPX, DOCX, XLSX, PNG and JPEG files are accepted."]


def test_a_file_name_with_path_parts_is_stored_without_them(client, proposal, official, _media_root):
    log_in(client, official)
    assert upload(client, proposal, "../../etc/passwd.pdf", PDF).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "passwd.pdf"
    assert stored_files(_media_root) == [attachment.file.name]
    assert attachment.file.name.startswith(f"proposals/{proposal.pk}/")


def test_the_service_strips_windows_path_parts_that_survive_the_upload_handler(proposal, official):
    upload_ = SimpleUploadedFile("..\\..\\Windows\\System32\\evil.pdf", PDF)
    assert upload_.name == "..\\..\\Windows\\System32\\evil.pdf"
    attachment = attachment_add(actor=official, proposal=proposal, upload=upload_)
    assert attachment.original_name == "evil.pdf"


@pytest.mark.parametrize(("name", "cleaned"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\boot.ini.pdf", "boot.ini.pdf"),
    ("/var/www/사업 계획서.pdf", "사업_계획서.pdf"),
    ("bad\x00name\x1b\n.pdf", "badname.pdf"),
    ("..", "file"),
    ("", "file"),
])
def test_file_names_are_cleaned(name, cleaned):
    assert clean_filename(name) == cleaned


def test_a_pdf_with_a_long_name_is_accepted_with_its_name_shortened_but_its_extension_kept(proposal, official):
    long_name = "2027년 지역혁신 메가프로젝트 " + "광주·전남 겹눈 모사 뉴로모픽 반도체 " * 8 + "최종.pdf"
    assert 150 < len(long_name) < 255
    attachment = attachment_add(actor=official, proposal=proposal, upload=SimpleUploadedFile(long_name, PDF))
    assert (len(attachment.original_name) <= 150, attachment.original_name[-4:], attachment.kind) == (
        True, ".pdf", "PDF")


def test_an_outsider_cannot_attach_through_the_service(proposal, outsider_official, _media_root):
    with pytest.raises(PermissionDenied):
        attachment_add(actor=outsider_official, proposal=proposal, upload=SimpleUploadedFile("a.pdf", PDF))
    assert stored_files(_media_root) == []


def test_a_refused_file_is_never_written_to_storage(proposal, official, _media_root):
    with pytest.raises(AttachmentRejected):
        attachment_add(actor=official, proposal=proposal, upload=SimpleUploadedFile("a.pdf", EXE))
    assert stored_files(_media_root) == []


def test_attaching_a_file_after_every_region_signed_off_clears_the_sign_offs(complete_proposal, official):
    sign_all(complete_proposal)
    attachment_add(actor=official, proposal=complete_proposal, upload=SimpleUploadedFile("추가 자료.pdf", PDF))
    assert list(Participation.objects.filter(proposal=complete_proposal).values_list("signed_off_at", flat=True)) == [
        None, None]
