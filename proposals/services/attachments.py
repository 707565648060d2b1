"""Attachments of a proposal: the upload checked by core.uploads (type by content, size, name),
stored under MEDIA_ROOT (or S3) with random names and served only by a view that checks permission.
"""

from django.db import transaction

from core.permissions import require
from core.uploads import ALLOWED, OLE2, AttachmentRejected, clean_filename, sniff, validate_upload  # noqa: F401

from ..models import Attachment, Proposal


def _touch(actor, proposal: Proposal) -> None:
    from .editing import _finish_section_save

    proposal._dirty = []
    _finish_section_save(actor=actor, proposal=proposal, section="attachments", region=None)


def attachment_add(*, actor, proposal: Proposal, upload, description: str = "") -> Attachment:
    require(actor, "proposals.edit_proposal", proposal)
    name, ext, kind = validate_upload(upload)
    attachment = Attachment(proposal=proposal, kind=kind, description=description[:200], uploaded_by=actor)
    # Store the file first (slow I/O outside the transaction), then the row;
    # an attachment is part of the plan, so it clears the sign-offs like any edit.
    attachment.take(upload, name=name, ext=ext)
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
