"""PAdES signatures of the portal's official PDFs with the ministry's certificate (pyHanko).

The certificate and its key come from one PKCS#12 file: DOCUMENT_SIGNING_PKCS12 (its path) and
DOCUMENT_SIGNING_PASSWORD. They are read once per process (`current()`), and checked as the
portal starts (`check_configuration()`, from CoreConfig.ready()): an unreadable file, a wrong
password, a file without a private key, or a certificate not valid today stops the start with
ImproperlyConfigured — the portal never issues unsigned documents silently. A signature that
fails later (the certificate expired while running) fails the document's build, visibly.

No certificate configured: documents are built unsigned, print a visible "not signed" note
(core/_document_seal.html) and `check --deploy` warns (core.W001, core/checks.py).

A demo certificate (`manage.py make_demo_certificate`, `make run`) names itself in its subject
(DEMO_MARKER): the documents print the signer's name and /verify says it has no legal effect.
With DEBUG off a demo certificate is refused.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The subject of every demo certificate starts with this (certificates.make_demo_pkcs12).
DEMO_MARKER = "DEMO"
SIGNATURE_FIELD = "PortalSignature"


class SigningError(RuntimeError):
    """The configured certificate cannot sign now (e.g. it expired since the start)."""


@dataclass(frozen=True)
class Signing:
    """The loaded certificate: pyHanko's signer and what documents and /verify print of it."""

    signer: object  # pyhanko.sign.signers.SimpleSigner
    name: str  # the subject's common name (or organisation)
    not_before: datetime.datetime
    not_after: datetime.datetime
    trust_roots: tuple  # asn1crypto certificates: the chain's root(s), else the signing certificate itself

    @property
    def is_demo(self) -> bool:
        return is_demo_name(self.name)


def is_demo_name(name: str) -> bool:
    return name.strip().upper().startswith(DEMO_MARKER)


def configured() -> bool:
    return bool(settings.DOCUMENT_SIGNING_PKCS12)


def current() -> Signing | None:
    """The configured certificate (None without one); read once per process and configuration."""
    if not configured():
        return None
    return _load(str(settings.DOCUMENT_SIGNING_PKCS12), settings.DOCUMENT_SIGNING_PASSWORD, bool(settings.DEBUG))


def check_configuration() -> None:
    """Refuse to start (ImproperlyConfigured) with a certificate that cannot sign."""
    signing = current()
    if signing is not None:
        _check_validity(signing, refuse=ImproperlyConfigured)


def _subject_name(cert) -> str:
    from cryptography.x509.oid import NameOID

    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        found = cert.subject.get_attributes_for_oid(oid)
        if found:
            return str(found[0].value)
    return cert.subject.rfc4514_string()


@functools.lru_cache(maxsize=4)
def _load(path: str, password: str, debug: bool) -> Signing:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.sign.signers.pdf_cms import translate_pyca_cryptography_cert_to_asn1

    where = f"DOCUMENT_SIGNING_PKCS12 ({path})"
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImproperlyConfigured(f"{where}: cannot read the certificate file ({exc.strerror}).") from exc
    try:
        key, cert, others = pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{where}: cannot open the PKCS#12 file: wrong DOCUMENT_SIGNING_PASSWORD, or not a PKCS#12 file.") from exc
    if key is None:
        raise ImproperlyConfigured(f"{where}: the PKCS#12 file holds no private key (a certificate alone cannot sign).")
    if cert is None:
        raise ImproperlyConfigured(f"{where}: the PKCS#12 file holds no certificate for its private key.")
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, public) != cert.public_key().public_bytes(
            serialization.Encoding.DER, public):
        raise ImproperlyConfigured(f"{where}: the private key does not belong to the certificate.")
    name = _subject_name(cert)
    if is_demo_name(name) and not debug:
        raise ImproperlyConfigured(f"{where}: “{name}” is a demo certificate; production needs the ministry's own "
                                   "(see README, “Signed documents”).")
    loaded = _signer_class().load_pkcs12_data(data, other_certs=[],
                                              passphrase=password.encode() if password else None)
    signer = _signer_class()(signing_cert=loaded.signing_cert, signing_key=loaded.signing_key,
                             cert_registry=loaded.cert_registry)
    roots = [c for c in others if c.subject == c.issuer] or [cert]
    signing = Signing(signer=signer, name=name, not_before=cert.not_valid_before_utc,
                      not_after=cert.not_valid_after_utc,
                      trust_roots=tuple(translate_pyca_cryptography_cert_to_asn1(c) for c in roots))
    _check_validity(signing, refuse=ImproperlyConfigured, where=where)
    return signing


@functools.cache
def _signer_class():
    """pyHanko's SimpleSigner, with the private key parsed once: pyHanko parses it again for
    every raw signature (~40 ms for RSA with cryptography's key checks, twice a document)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from pyhanko.sign.general import get_pyca_cryptography_hash
    from pyhanko.sign.signers import SimpleSigner

    class PortalSigner(SimpleSigner):
        @functools.cached_property
        def _private_key(self):
            return serialization.load_der_private_key(self.signing_key.dump(), password=None)

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)["algorithm"].native
            hash_algo = get_pyca_cryptography_hash(digest_algorithm)
            if mechanism in ("rsassa_pkcs1v15", "sha256_rsa", "sha384_rsa", "sha512_rsa"):
                return self._private_key.sign(data, PKCS1v15(), hash_algo)
            if mechanism in ("ecdsa", "sha256_ecdsa", "sha384_ecdsa", "sha512_ecdsa"):
                return self._private_key.sign(data, ECDSA(hash_algo))
            return super().sign_raw(data, digest_algorithm)

    return PortalSigner


def _check_validity(signing: Signing, *, refuse, where: str = "DOCUMENT_SIGNING_PKCS12") -> None:
    now = datetime.datetime.now(datetime.UTC)
    if now < signing.not_before:
        raise refuse(f"{where}: the certificate “{signing.name}” is not valid before "
                     f"{signing.not_before:%Y-%m-%d %H:%M} UTC.")
    if now > signing.not_after:
        raise refuse(f"{where}: the certificate “{signing.name}” expired on {signing.not_after:%Y-%m-%d %H:%M} UTC.")


def outside_event_loop(call):
    """`call()` where pyHanko's synchronous API may start its own asyncio loop: in this thread, or in a
    short-lived one when this thread already runs a loop (an async server, a browser driver in tests)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def sign_pdf(pdf: bytes) -> tuple[bytes, str]:
    """The PDF signed (PAdES B-B, SHA-256, the certificate chain embedded) and the signer's
    name; without a configured certificate the PDF as it is and ""."""
    signing = current()
    if signing is None:
        return pdf, ""
    _check_validity(signing, refuse=SigningError)
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD, subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256",
        name=signing.name, reason="Official document issued by the Mega Project Portal",
        location=settings.PORTAL_BASE_URL or None)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    out = outside_event_loop(lambda: signers.PdfSigner(meta, signer=signing.signer).sign_pdf(
        writer, bytes_reserved=_reserved(signing.signer)))
    return out.getvalue(), signing.name


def _reserved(signer) -> int:
    """Room for the signature container: its certificates plus ample room for the signed
    attributes and the signature (so pyHanko need not sign a dry run to measure it)."""
    size = 8192 + len(signer.signing_cert.dump()) + sum(len(c.dump()) for c in signer.cert_registry)
    return size + size % 2  # pyHanko wants an even number


def signature_valid(pdf: bytes) -> bool:
    """Whether `pdf` carries exactly one signature, intact, covering the whole file, made by a
    certificate the configured one trusts (its chain's root). False for anything else,
    a file pyHanko cannot read included."""
    signing = current()
    if signing is None:
        return False
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko.sign.validation.status import SignatureCoverageLevel
        from pyhanko_certvalidator import ValidationContext

        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
        if len(signatures) != 1:
            return False
        context = ValidationContext(trust_roots=list(signing.trust_roots), allow_fetching=False,
                                    revocation_mode="soft-fail")
        status = outside_event_loop(lambda: validate_pdf_signature(signatures[0], signer_validation_context=context))
        return bool(status.intact and status.valid and status.trusted
                    and status.coverage == SignatureCoverageLevel.ENTIRE_FILE)
    except Exception:  # noqa: BLE001 - a hostile or broken file is simply not ours
        return False
