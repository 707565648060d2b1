"""Attachments: type checked by content (magic bytes), size limited, names sanitised.

Files are stored under MEDIA_ROOT (or S3) with random names and served only by
a view that checks permission.
"""

import io
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from core.permissions import require
from core.tables import zip_is_reasonable

from ..models import Attachment, Proposal

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


def _touch(actor, proposal: Proposal) -> None:
    from .editing import _finish_section_save

    proposal._dirty = []
    _finish_section_save(actor=actor, proposal=proposal, section="attachments", region=None)


def attachment_add(*, actor, proposal: Proposal, upload, description: str = "") -> Attachment:
    require(actor, "proposals.edit_proposal", proposal)
    name, ext, kind = validate_upload(upload)
    attachment = Attachment(proposal=proposal, original_name=name, extension=ext, kind=kind, size=upload.size,
                            description=description[:200], uploaded_by=actor)
    # Store the file first (slow I/O outside the transaction), then the row;
    # an attachment is part of the plan, so it clears the sign-offs like any edit.
    attachment.file.save(name, upload, save=False)
    try:
        with transaction.atomic():
            locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
            require(actor, "proposals.edit_proposal", locked)
            attachment.save()
            _touch(actor, locked)
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def attachment_delete(*, actor, attachment: Attachment) -> None:
    require(actor, "proposals.edit_proposal", attachment.proposal)
    storage, path = attachment.file.storage, attachment.file.name
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=attachment.proposal_id)
        require(actor, "proposals.edit_proposal", locked)
        attachment.delete()
        _touch(actor, locked)
    transaction.on_commit(lambda: storage.delete(path))
