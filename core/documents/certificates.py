"""A self-made CA and signing certificate in a PKCS#12 file, for the demo (`make run`,
`manage.py make_demo_certificate`) and the benchmark — never for production, where the
ministry's own certificate is configured (README, "Signed documents").

Plain `cryptography`, no Django: bench/letters.py calls it before Django starts.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

# A certificate's common name holds at most 64 bytes (UTF-8): Hangul takes three each.
DEMO_NAME = "DEMO — 데모용 인증서, 법적 효력 없음"


def make_pkcs12(*, name: str, password: str, days: int = 3650,
                organisation: str = "Mega Project Portal (demo)") -> bytes:
    """A new CA ("<organisation> CA") and a signing certificate named `name` issued by it,
    valid from an hour ago for `days` days, as PKCS#12 bytes (key, certificate, CA)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    start, end = now - datetime.timedelta(hours=1), now + datetime.timedelta(days=days)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "KR"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                         x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation[:58]} CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "KR"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                         x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    from cryptography.hazmat.primitives.serialization import pkcs12

    return pkcs12.serialize_key_and_certificates(
        name=b"portal-signing", key=key, cert=cert, cas=[ca],
        encryption_algorithm=serialization.BestAvailableEncryption(password.encode()))


def write_demo_pkcs12(path: str | Path, password: str, *, name: str = DEMO_NAME) -> bool:
    """Write a demo PKCS#12 at `path` (readable by its owner only) unless one is there;
    True when written."""
    path = Path(path)
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    data = make_pkcs12(name=name, password=password)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return True
