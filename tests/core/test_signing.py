"""Official PDFs are PDF/A-3b and signed (PAdES) with the configured certificate.

Each test makes its own CA and signing certificate (tests/certificates.py, `cryptography`),
signs a document the portal rendered and checks the result with pyHanko's own validator
and pypdf, not with the portal's code.
"""

import dataclasses
import datetime
import io
import re

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from core.documents import render, signing
from core.documents.seal import document_seal
from tests.certificates import PASSWORD, SIGNER, make_ca, make_signer, write_pkcs12

HTML = """<html lang="ko"><head><meta charset="utf-8"><style>
body { font-family: "NanumMyeongjo", serif; } h1 { font-family: "NanumGothic", sans-serif; }
</style></head><body><h1>선정 통보서</h1><p>Regional Innovation Mega Project · 지역혁신 메가프로젝트</p>
<p><b>국비 5,400,000,000원</b></p></body></html>"""


@pytest.fixture(scope="module")
def pdf_a() -> bytes:
    return render.render_pdf(HTML)


@pytest.fixture
def ca():
    return make_ca()


@pytest.fixture
def certificate(settings, tmp_path, ca):
    """The portal configured with a signing certificate issued by the test's own CA."""
    path = write_pkcs12(tmp_path / "ministry.p12", ca, make_signer(ca))
    settings.DOCUMENT_SIGNING_PKCS12 = str(path)
    settings.DOCUMENT_SIGNING_PASSWORD = PASSWORD
    return path


def trusting(ca) -> ValidationContext:
    root = asn1_x509.Certificate.load(ca[1].public_bytes(serialization.Encoding.DER))
    return ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail")


def validated(pdf: bytes, ca):
    (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    return signing.outside_event_loop(lambda: validate_pdf_signature(signature, signer_validation_context=trusting(ca)))


def xmp(pdf: bytes) -> str:
    return PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_object().get_data().decode()


def fonts_without_a_file(pdf: bytes) -> list[str]:
    missing = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"].get_object().get("/Font", {}).values():
            font = font.get_object()
            descriptors = [font.get("/FontDescriptor")] + [
                d.get_object().get("/FontDescriptor") for d in font.get("/DescendantFonts", [])]
            if not any(d is not None and {"/FontFile", "/FontFile2", "/FontFile3"} & set(d.get_object())
                       for d in descriptors):
                missing.append(str(font.get("/BaseFont")))
    return missing


# --- PDF/A-3b -------------------------------------------------------------------------------------


def test_a_rendered_document_declares_pdf_a_3b_in_its_xmp_metadata(pdf_a):
    metadata = xmp(pdf_a)
    part = re.search(r'pdfaid:part(?:="|>)(\d)', metadata)
    conformance = re.search(r'pdfaid:conformance(?:="|>)(\w)', metadata)
    assert (part.group(1), conformance.group(1)) == ("3", "B")


def test_a_rendered_document_has_an_srgb_output_intent(pdf_a):
    intents = PdfReader(io.BytesIO(pdf_a)).trailer["/Root"]["/OutputIntents"]
    assert [(i.get_object()["/S"], "/DestOutputProfile" in i.get_object()) for i in intents] == [("/GTS_PDFA1", True)]


def test_every_font_of_every_page_is_embedded(pdf_a):
    fonts = [f.get_object()["/BaseFont"] for page in PdfReader(io.BytesIO(pdf_a)).pages
             for f in page["/Resources"].get_object()["/Font"].values()]
    assert any("Nanum" in name for name in fonts)
    assert fonts_without_a_file(pdf_a) == []


def test_weasyprint_alone_is_not_pdf_a():
    """The variant is what makes it archival: the plain render has no output intent."""
    plain = render.render_pdf(HTML, variant=None)
    assert "/OutputIntents" not in PdfReader(io.BytesIO(plain)).trailer["/Root"]


# --- Signing --------------------------------------------------------------------------------------


def test_a_signed_document_is_intact_trusted_and_names_its_signer(certificate, ca, pdf_a):
    signed, signer = signing.sign_pdf(pdf_a)

    status = validated(signed, ca)
    assert (status.intact, status.valid, status.trusted, status.bottom_line) == (True, True, True, True)
    assert status.signing_cert.subject.native["common_name"] == SIGNER == signer
    assert status.md_algorithm == "sha256"
    (embedded,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"


def test_the_signed_document_is_still_pdf_a_3b_with_its_fonts(certificate, pdf_a):
    signed, _signer = signing.sign_pdf(pdf_a)

    assert 'pdfaid:part="3"' in xmp(signed) or "<pdfaid:part>3<" in xmp(signed)
    assert "/OutputIntents" in PdfReader(io.BytesIO(signed)).trailer["/Root"]
    assert fonts_without_a_file(signed) == []


def test_one_byte_changed_breaks_the_signature(certificate, ca, pdf_a):
    signed, _signer = signing.sign_pdf(pdf_a)
    changed = bytearray(signed)
    changed[12] ^= 0x01  # in the header's binary comment: the file still parses

    status = validated(bytes(changed), ca)
    assert (status.intact, status.bottom_line) == (False, False)
    assert signing.signature_valid(signed) is True
    assert signing.signature_valid(bytes(changed)) is False


def test_a_signature_from_another_ca_with_the_same_name_is_not_the_portals(certificate, tmp_path, pdf_a, settings):
    stranger_ca = make_ca("Test Root CA")  # even the CA's name is the same
    settings.DOCUMENT_SIGNING_PKCS12 = str(write_pkcs12(tmp_path / "stranger.p12", stranger_ca,
                                                        make_signer(stranger_ca)))
    forged, _signer = signing.sign_pdf(pdf_a)
    settings.DOCUMENT_SIGNING_PKCS12 = str(certificate)

    assert signing.signature_valid(forged) is False


def test_without_a_certificate_the_pdf_is_left_unsigned(settings, pdf_a):
    settings.DOCUMENT_SIGNING_PKCS12 = ""

    assert signing.sign_pdf(pdf_a) == (pdf_a, "")
    assert PdfFileReader(io.BytesIO(pdf_a)).embedded_signatures == []


def test_a_certificate_that_expired_since_the_start_fails_the_signature(certificate, pdf_a, monkeypatch):
    loaded = signing.current()
    expired = dataclasses.replace(loaded, not_after=datetime.datetime.now(datetime.UTC) - datetime.timedelta(1))
    monkeypatch.setattr(signing, "current", lambda: expired)

    with pytest.raises(signing.SigningError, match="expired"):
        signing.sign_pdf(pdf_a)


# --- The seal printed on each document ------------------------------------------------------------


@dataclasses.dataclass
class Row:
    verification_code: str = "ABCD23456789"


def test_the_seal_gives_the_verify_address_its_qr_code_and_the_signer(certificate, settings):
    import segno

    seal = document_seal(Row())

    url = f"{settings.PORTAL_BASE_URL}/verify/ABCD23456789"
    assert (seal["verify_url"], seal["code"], seal["signer"], seal["demo"]) == (url, "ABCD23456789", SIGNER, False)
    assert seal["qr_svg"].startswith("<svg") and 'viewBox="0 0 ' in seal["qr_svg"]
    # The drawn modules are those of the address's QR code (the symbol's size follows from its data).
    size = segno.make(url, error="m", micro=False).symbol_size(scale=1, border=0)
    assert f'viewBox="0 0 {size[0]} {size[1]}"' in seal["qr_svg"]


def test_a_demo_certificate_is_named_as_such(settings, tmp_path):
    from core.documents.certificates import DEMO_NAME, write_demo_pkcs12

    write_demo_pkcs12(tmp_path / "demo.p12", "pw")
    settings.DEBUG = True  # a demo certificate is refused with DEBUG off (tests/core/test_signing_startup.py)
    settings.DOCUMENT_SIGNING_PKCS12, settings.DOCUMENT_SIGNING_PASSWORD = str(tmp_path / "demo.p12"), "pw"

    seal = document_seal(Row())
    assert (seal["signer"], seal["demo"]) == (DEMO_NAME, True)
    assert DEMO_NAME.startswith("DEMO — 데모용 인증서, 법적 효력 없음")


def test_the_seal_says_not_signed_without_a_certificate(settings):
    settings.DOCUMENT_SIGNING_PKCS12 = ""
    html = render_seal(document_seal(Row()))

    assert "Not electronically signed" in html
    assert "ABCD23456789" in html and "/verify/ABCD23456789" in html


def render_seal(seal) -> str:
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("en"):
        return render_to_string("core/_document_seal.html", {"seal": seal})


# --- An uploaded file (core.documents.verification.verify_file) -----------------------------------


@pytest.mark.django_db
def test_a_file_the_portal_never_stored_is_never_parsed(monkeypatch):
    from core.documents import verification

    def parse(data):
        raise AssertionError("a stranger's file was parsed")

    monkeypatch.setattr(verification, "_parses", parse)
    assert verification.verify_file(b"%PDF-1.7\n" + b"x" * 100) is None
    assert verification.verify_file(b"<html>not a pdf</html>") is None
