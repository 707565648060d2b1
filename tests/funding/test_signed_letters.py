"""Award letters are signed PDF/A-3b files, and /verify/ recognises an uploaded letter.

The certificate is the test's own (tests/certificates.py); the signature is checked with
pyHanko's validator trusting the test's CA. Uploads: only the very file the portal stored
is recognised; anything else gets one plain answer, and nothing is stored.
"""

import hashlib
import io

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from core.documents.render import render_pdf
from funding.models import AwardLetter
from tests.certificates import PASSWORD, SIGNER, make_ca, make_signer, write_pkcs12
from tests.core.test_signing import fonts_without_a_file, validated, xmp
from tests.funding.conftest import compact, pdf_text, text_of

pytestmark = pytest.mark.django_db

NOT_OURS = "This is not a document issued by this portal."


@pytest.fixture
def certificate(settings, tmp_path):
    """The portal signs with a certificate of the test's own CA (set before the letter is built)."""
    ca = make_ca()
    folder = tmp_path / "signing"
    folder.mkdir()
    settings.DOCUMENT_SIGNING_PKCS12 = str(write_pkcs12(folder / "ministry.p12", ca, make_signer(ca)))
    settings.DOCUMENT_SIGNING_PASSWORD = PASSWORD
    return ca


@pytest.fixture
def anonymous(settings):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def stored(letter: AwardLetter) -> bytes:
    with letter.file.open("rb") as f:
        return f.read()


def upload(client, data: bytes, name: str = "letter.pdf"):
    return client.post("/verify/", {"document": SimpleUploadedFile(name, data, content_type="application/pdf")})


def one_byte_changed(data: bytes) -> bytes:
    changed = bytearray(data)
    changed[12] ^= 0x01  # the header's binary comment: the file still parses
    return bytes(changed)


# --- Built by the pipeline ------------------------------------------------------------------------


def test_the_letter_built_for_an_approved_decision_is_signed_pdf_a(certificate, letter):
    data = stored(letter)

    assert letter.signed_by == SIGNER
    assert hashlib.sha256(data).hexdigest() == letter.checksum
    status = validated(data, certificate)
    assert (status.intact, status.trusted, status.bottom_line) == (True, True, True)
    assert status.signing_cert.subject.native["common_name"] == SIGNER
    assert 'pdfaid:part="3"' in xmp(data) and 'pdfaid:conformance="B"' in xmp(data)
    assert fonts_without_a_file(data) == []


def test_the_signed_letter_prints_its_signer_its_code_and_the_qr_code_of_its_address(certificate, letter, settings):
    text = compact(pdf_text(letter.file.path))

    assert compact(SIGNER) in text
    assert f"{settings.PORTAL_BASE_URL}/verify/{letter.verification_code}" in text
    assert "Notelectronicallysigned" not in text and "전자서명되지" not in text
    # The QR code is drawn as vectors (SVG): no image is embedded for it.
    assert sum(len(page.images) for page in PdfReader(io.BytesIO(stored(letter))).pages) == 0


def test_without_a_certificate_the_letter_is_unsigned_and_says_so(korean_catalogue, settings, letter):
    assert settings.DOCUMENT_SIGNING_PKCS12 == ""
    data = stored(letter)

    assert letter.signed_by == ""
    assert PdfFileReader(io.BytesIO(data)).embedded_signatures == []
    assert "전자서명되지않은문서" in compact(pdf_text(letter.file.path))
    assert 'pdfaid:part="3"' in xmp(data)


# --- /verify/ with a file -------------------------------------------------------------------------


def test_the_issued_letter_uploaded_is_recognised_with_the_facts_its_code_shows(certificate, letter, anonymous):
    response = upload(anonymous, stored(letter))

    assert response.status_code == 200
    main = text_of(response, "main")
    assert "This file was issued by this portal and is unchanged" in main
    assert "its electronic signature is valid" in main
    proposal = letter.decision.proposal
    assert [fact for fact in (letter.decision.reference, proposal.title_ko, SIGNER, letter.checksum)
            if fact not in main] == []
    by_code = text_of(anonymous.get(f"/verify/{letter.verification_code}"), "main")
    assert letter.decision.reference in by_code and SIGNER in by_code


def test_an_unsigned_letter_is_recognised_by_its_checksum_alone(letter, anonymous):
    response = upload(anonymous, stored(letter))

    main = text_of(response, "main")
    assert "It is not electronically signed." in main
    assert letter.decision.reference in main


@pytest.mark.parametrize("signed", [True, False])
def test_the_letter_with_one_byte_changed_is_not_recognised(request, signed, letter, anonymous):
    if signed:
        request.getfixturevalue("certificate")
        letter = AwardLetter.objects.get(pk=letter.pk)
    response = upload(anonymous, one_byte_changed(stored(letter)))

    main = text_of(response, "main")
    assert NOT_OURS in main
    assert [leak for leak in (letter.decision.reference, letter.verification_code, letter.checksum,
                              letter.decision.proposal.title_ko) if leak in main] == []


def test_a_signed_letter_is_not_recognised_once_its_signature_is_no_longer_trusted(certificate, letter, anonymous,
                                                                                   settings, tmp_path):
    """The same bytes as stored, but the portal now trusts another CA: the signature is not ours."""
    other = make_ca()
    settings.DOCUMENT_SIGNING_PKCS12 = str(write_pkcs12(tmp_path / "signing" / "other.p12", other, make_signer(other)))

    assert NOT_OURS in text_of(upload(anonymous, stored(letter)), "main")


@pytest.mark.parametrize("data", [
    pytest.param(None, id="a PDF the portal did not issue"),
    pytest.param(b"", id="an empty file"),
    pytest.param(b"GIF89a\x01\x00\x01\x00", id="an image"),
    pytest.param(b"%PDF-1.7\n garbage that no reader parses", id="a broken PDF"),
])
def test_anything_else_gets_the_plain_answer(data, letter, anonymous):
    if data is None:
        data = render_pdf("<p>선정 통보서</p>")
    response = upload(anonymous, data)

    assert response.status_code == 200
    assert text_of(response, "verify-result") == NOT_OURS


def test_a_file_over_the_limit_is_refused_with_the_limit(settings, letter, anonymous):
    settings.DOCUMENT_VERIFY_MAX_BYTES = 1000
    response = upload(anonymous, stored(letter))

    assert response.status_code == 413
    assert "The file is larger than 1000" in text_of(response, "main")
    assert letter.decision.reference not in response.content.decode()


def test_no_file_is_a_field_error(anonymous):
    response = anonymous.post("/verify/", {})

    assert response.status_code == 400
    assert "This field is required." in text_of(response, "main")


def test_nothing_is_stored_by_a_verification(certificate, letter, anonymous, settings):
    def rows():
        return {m._meta.label: m._default_manager.count() for m in apps.get_models()}

    def files():
        return sorted(str(p) for p in settings.MEDIA_ROOT.rglob("*"))

    before = (rows(), files())
    for data in (stored(letter), one_byte_changed(stored(letter)), b"not a pdf"):
        upload(anonymous, data)

    assert (rows(), files()) == before


def test_the_upload_needs_the_csrf_token(letter):
    response = Client(enforce_csrf_checks=True).post(
        "/verify/", {"document": SimpleUploadedFile("letter.pdf", stored(letter))})

    assert response.status_code == 403


def test_a_typed_code_goes_to_its_page_and_a_malformed_one_is_refused(anonymous, letter):
    response = anonymous.get("/verify/", {"code": f" {letter.verification_code.lower()} "})
    assert (response.status_code, response["Location"]) == (302, f"/verify/{letter.verification_code}")

    refused = anonymous.get("/verify/", {"code": "<script>alert(1)</script>"})
    assert refused.status_code == 400
    assert "A verification code is 12 letters and digits" in text_of(refused, "main")
    assert "<script>alert(1)" not in refused.content.decode()
