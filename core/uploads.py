"""Uploaded files: type checked by content (magic bytes), size limited, names sanitised.

The one check every upload of the portal goes through (proposals' attachments, reports,
objections, planning guidelines and candidate themes): a file that lies about its type is refused.
"""

import io
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from core.tables import zip_is_reasonable

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ALLOWED = {".pdf": "PDF", ".hwp": "HWP", ".hwpx": "HWPX", ".docx": "DOCX", ".xlsx": "XLSX",
           ".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}


class AttachmentRejected(ValidationError):
    pass


def sniff(head: bytes, fileobj) -> str | None:
    """The file's real type from its content, or None."""
    if head.startswith(b"%PDF-"):
        return "PDF"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(OLE2):
        return "HWP"  # HWP 5 is an OLE2 compound file
    if head.startswith(b"PK\x03\x04"):
        try:
            fileobj.seek(0)
            with zipfile.ZipFile(fileobj) as z:
                if not zip_is_reasonable(z):
                    return None
                names = set(z.namelist())
                if "mimetype" in names and z.read("mimetype").startswith(b"application/hwp+zip"):
                    return "HWPX"
                if "[Content_Types].xml" in names:
                    if any(n.startswith("word/") for n in names):
                        return "DOCX"
                    if any(n.startswith("xl/") for n in names):
                        return "XLSX"
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, ValueError, EOFError):
            return None
    return None


def clean_filename(name: str) -> str:
    """A safe display name: no path, no control characters, Korean kept."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable())
    try:
        cleaned = get_valid_filename(base)
    except Exception:  # SuspiciousFileOperation for names like ".."
        cleaned = "file"
    suffix = PurePath(cleaned).suffix[:10]
    stem = cleaned[: len(cleaned) - len(suffix)] if suffix else cleaned
    return (stem[: 150 - len(suffix)] or "file") + suffix


def validate_upload(upload) -> tuple[str, str, str]:
    """Returns (display name, extension, kind) or raises AttachmentRejected."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise AttachmentRejected(_("The file is %(size)s MB; the limit is %(limit)s MB.") % {
            "size": f"{upload.size / 1_048_576:.1f}", "limit": f"{limit / 1_048_576:.0f}"})
    name = clean_filename(upload.name)
    ext = PurePath(name).suffix.lower()
    if ext not in ALLOWED:
        raise AttachmentRejected(_("Only PDF, HWP/HWPX, DOCX, XLSX, PNG and JPEG files are accepted."))
    upload.seek(0)
    head = upload.read(16)
    data = upload if hasattr(upload, "seek") else io.BytesIO(upload.read())
    kind = sniff(head, data)
    upload.seek(0)
    if kind != ALLOWED[ext]:
        raise AttachmentRejected(_("The file’s content is not a %(kind)s file; it was not accepted.") % {
            "kind": ALLOWED[ext]})
    return name, ext, kind
