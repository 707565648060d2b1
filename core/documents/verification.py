"""Verification of a generated document: by the code printed on it (`/verify/<code>`), or by
the file itself (`/verify/`, `verify_file`).

Each domain app registers a verifier in its `AppConfig.ready()`:
`register_verifier(fn, model=...)`, where `fn(code)` gets the code (trimmed, upper case) and
returns a `Verified` — the template fragment showing the document's main facts and its
context — or None when the code is not one of its ready documents. `model` (an
`OfficialDocument` model) lets an uploaded file be recognised by its SHA-256.

A file shows exactly what its code would show, and only when it is byte for byte a file the
portal stored (its checksum) and, if it was signed, its signature is intact, covers the
whole file and was made with the configured certificate. Anything else gets one plain
answer (None): no hint of why, nothing stored.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

Verifier = Callable[[str], "Verified | None"]

_verifiers: list[Verifier] = []
_documents: list = []  # the OfficialDocument models an uploaded file may be


@dataclass(frozen=True)
class Verified:
    template: str
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class VerifiedFile:
    """An uploaded file the portal issued, unchanged: what its code shows, and its signer ("" if unsigned)."""

    verified: Verified
    checksum: str
    signed_by: str


def register_verifier(verifier: Verifier, *, model=None) -> Verifier:
    """Add a verifier (once; usable as a decorator), and the document model whose stored
    files it answers for."""
    if verifier not in _verifiers:
        _verifiers.append(verifier)
    if model is not None and model not in _documents:
        _documents.append(model)
    return verifier


def verify(code: str) -> Verified | None:
    """What the page shows for `code`: the first verifier's answer, or None."""
    code = code.strip().upper()
    for verifier in _verifiers:
        found = verifier(code)
        if found is not None:
            return found
    return None


def _issued_row(checksum: str):
    from .models import DocumentStatus

    for model in _documents:
        row = (model.objects.filter(checksum=checksum, status=DocumentStatus.DONE).exclude(file="")
               .only("verification_code", "signed_by").first())
        if row is not None:
            return row
    return None


def _parses(data: bytes) -> bool:
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        PdfFileReader(io.BytesIO(data), strict=False).root  # noqa: B018 - reading the catalogue is the check
    except Exception:  # noqa: BLE001 - not a PDF pyHanko reads: not ours
        return False
    return True


def verify_file(data: bytes) -> VerifiedFile | None:
    """The uploaded file's verdict: a `VerifiedFile` when the portal issued it unchanged, else None.

    Cheap checks first (the PDF header, then the checksum against the stored documents), so a
    stranger's file is never parsed; a file that matches is parsed and its signature checked."""
    from . import signing

    if not data.startswith(b"%PDF-"):
        return None
    checksum = hashlib.sha256(data).hexdigest()
    row = _issued_row(checksum)
    if row is None or not _parses(data):
        return None
    if row.signed_by and not signing.signature_valid(data):
        return None
    found = verify(row.verification_code)
    if found is None:
        return None
    return VerifiedFile(verified=found, checksum=checksum, signed_by=row.signed_by)
