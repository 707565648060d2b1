"""Certificates the tests make for themselves with `cryptography`: a CA of their own and a
signing certificate it issues, written as a PKCS#12 file (what the ministry configures).
Independent of core.documents.certificates on purpose: the tests do not trust the code they test."""

import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

SIGNER = "과학기술정보통신부 테스트 서명"
PASSWORD = "test-signing-pw"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "KR"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Ministry"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_ca(common_name: str = "Test Root CA"):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(_name(common_name)).issuer_name(_name(common_name))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=30)).not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def make_signer(ca, *, name: str = SIGNER, valid_from_days: int = -1, valid_for_days: int = 365):
    ca_key, ca_cert = ca
    key = ec.generate_private_key(ec.SECP256R1())
    start = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=valid_from_days)
    cert = (x509.CertificateBuilder().subject_name(_name(name)).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=valid_for_days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def write_pkcs12(path: Path, ca, signer, *, password: str = PASSWORD, with_key: bool = True) -> Path:
    key, cert = signer
    data = pkcs12.serialize_key_and_certificates(
        name=b"signing", key=key if with_key else None, cert=cert, cas=[ca[1]],
        encryption_algorithm=serialization.BestAvailableEncryption(password.encode()))
    path.write_bytes(data)
    return path


def signing_pkcs12(path: Path, **signer_options) -> Path:
    """A PKCS#12 file at `path`: a new CA and a signing certificate valid today (or as `signer_options` say)."""
    ca = make_ca()
    return write_pkcs12(path, ca, make_signer(ca, **signer_options))
