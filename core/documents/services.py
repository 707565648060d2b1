"""Every generated document: asked for (`request_document`), built by a worker
(`build_document`: claim → render → store → switch), downloaded when ready
(`document_for_download`).

The build:
1. Claim the row and count the attempt (in the database, so a document that always
   crashes its worker is given up visibly after LETTER_MAX_ATTEMPTS).
2. Render outside any transaction (the slow part): PDF/A-3b from HTML, signed with the
   ministry's certificate when one is configured (core.documents.signing), or any bytes /
   binary file the caller's `render` gives (CSV, XLSX).
3. Store the file under a new, content-derived name (never over the served one).
4. Switch the row to it in one short transaction; the old file is deleted after
   the commit. A half-written file is never served.

Every status the row takes is a move of the table in core.documents.models
(`document_transition`), made on the row this module has locked.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from . import signing
from .models import DocumentStatus, GeneratedDocument, OfficialDocument, document_transition

logger = logging.getLogger("core.documents")

Content = bytes | IO[bytes]
Render = Callable[[GeneratedDocument], Content]


def request_document(model: type[GeneratedDocument], *, requested_by, enqueue: Callable[[int], None],
                     **key) -> GeneratedDocument:
    """Ask for the document with this key (created once; asking again rebuilds it), inside
    the caller's transaction: the build is enqueued (`enqueue(pk)`) after the commit, and
    never while one is running (never two builds of one document)."""
    row, _created = model.objects.select_for_update().get_or_create(**key, defaults={"requested_by": requested_by})
    if row.status == DocumentStatus.RUNNING:
        return row
    document_transition(row, "request", error="", attempts=0, requested_by=requested_by)
    transaction.on_commit(lambda: enqueue(row.pk))
    return row


def document_for_download(queryset: QuerySet, pk: int, *, user, perm: str) -> GeneratedDocument:
    """The document `user` may download: 404 when it is not theirs to see (or does not
    exist), 403 while it is not ready."""
    row = queryset.filter(pk=pk).first()
    if row is None or not user.has_perm(perm, row):
        raise Http404
    if not row.is_ready:
        raise PermissionDenied
    return row


def pdf_from(html: Callable[[GeneratedDocument], str]) -> Render:
    """The default render: the row's HTML (`html(row)`) as a PDF."""

    def render(row: GeneratedDocument) -> bytes:
        from . import render as weasy  # looked up per call: tests may replace render_pdf

        return weasy.render_pdf(html(row))

    return render


def build_document(
    model: type[GeneratedDocument],
    pk: int,
    *,
    name: Callable[[GeneratedDocument, str], str],
    html: Callable[[GeneratedDocument], str] | None = None,
    render: Render | None = None,
    select_related: Iterable[str] = (),
    settled: Iterable[str] = (),
    claim: Callable[[GeneratedDocument], Iterable[str]] | None = None,
    before_store: Callable[[GeneratedDocument], None] | None = None,
    after_switch: Callable[[GeneratedDocument, bool], None] | None = None,
) -> GeneratedDocument:
    """Build and store one document; returns the row as it ends.

    `html(row)` gives a PDF's HTML (rendered as PDF/A-3b and signed), or `render(row)` any
    content (bytes or a binary file, which is closed here); `name(row, checksum)` the storage name. Hooks:
    `settled` are statuses in which a redelivered task has nothing to do; `claim(row)`
    sets more fields as the attempt starts and returns their names; `before_store(row)`
    runs between the render and the store; `after_switch(row, first_time)` runs inside
    the switch transaction (more fields, notifications, the audit record)."""
    if (html is None) == (render is None):
        raise TypeError("build_document takes html or render")
    row = _claim(model, pk, select_related=select_related, settled=tuple(settled), claim=claim)
    if row.status != DocumentStatus.RUNNING:
        return row  # given up, or nothing to do
    content = (render or pdf_from(html))(row)  # slow work outside any transaction
    signed_by = ""
    if html is not None:  # a PDF: signed (as it is when no certificate is configured; a failure fails the build)
        content, signed_by = signing.sign_pdf(content)
    try:
        checksum, size = _digest(content)
        stored_name = name(row, checksum)
        if before_store is not None:
            before_store(row)
        storage = row.file.storage
        if storage.exists(stored_name):  # same content as stored before: the same file
            stored = stored_name
        else:
            stored = storage.save(stored_name, ContentFile(content) if isinstance(content, bytes) else File(content))
    finally:
        if not isinstance(content, bytes):
            content.close()
    row = _switch(model, pk, stored=stored, checksum=checksum, size=size, signed_by=signed_by,
                  after_switch=after_switch)
    logger.info("%s %s built (%s bytes)", model._meta.model_name, pk, size)
    return row


def _claim(model, pk, *, select_related, settled, claim) -> GeneratedDocument:
    with transaction.atomic():
        row = model.objects.select_for_update().select_related(*select_related).get(pk=pk)
        if row.status in settled:
            return row
        if row.attempts >= settings.LETTER_MAX_ATTEMPTS:
            logger.error("%s %s given up after %s attempts: %s", model._meta.model_name, pk, row.attempts,
                         row.error or "no error recorded (its workers died)")
            return document_transition(row, "give_up",
                                       error=row.error or _("Gave up after %(n)s attempts.") % {"n": row.attempts})
        document_transition(row, "claim", attempts=row.attempts + 1, more=claim)
    return row


def _digest(content: Content) -> tuple[str, int]:
    """SHA-256 and size; a file is read in chunks and put back at its start."""
    if isinstance(content, bytes):
        return hashlib.sha256(content).hexdigest(), len(content)
    content.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := content.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    content.seek(0)
    return digest.hexdigest(), size


def _switch(model, pk, *, stored, checksum, size, signed_by, after_switch) -> GeneratedDocument:
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=pk)
        old = current.file.name
        first_time = current.generated_at is None
        signer = {"signed_by": signed_by} if isinstance(current, OfficialDocument) else {}
        document_transition(current, "store", file=stored, checksum=checksum, size=size, error="",
                            generated_at=timezone.now(), **signer)
        if old and old != stored:
            storage = current.file.storage
            transaction.on_commit(lambda: storage.delete(old))
        if after_switch is not None:
            after_switch(current, first_time)
    return current
