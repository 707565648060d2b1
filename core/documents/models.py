"""The abstract model of a generated document, its one status enum, and the table of
its status moves beside the one function that makes them (`document_transition`)."""

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..moves import Move, move_of
from . import metrics

# Who may read why a build failed (the exception's text): staff, named in accounts.rules.
VIEW_ERRORS = "core.view_document_errors"
FAILURE_NOTICE = _("This document could not be built — staff have been told.")


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")  # only exports expire (their file is deleted, the row kept)


def document_upload_to(instance, filename: str) -> str:
    """The folder of a model's files (`upload_dir`); the pipeline names the files itself."""
    return f"{instance.upload_dir}{filename}"


class GeneratedDocument(models.Model):
    """A file built by a worker from the database: one row per document (its unique
    key makes the task idempotent), the file switched to only when complete."""

    upload_dir = "documents/"

    status = models.CharField(_("status"), max_length=20, choices=DocumentStatus.choices,
                              default=DocumentStatus.PENDING)
    file = models.FileField(upload_to=document_upload_to, max_length=300, blank=True, verbose_name=_("file"))
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0, verbose_name=pgettext_lazy("model field", "file size"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_ready(self) -> bool:
        """Built and stored: the file may be served (after the permission check)."""
        return self.status == DocumentStatus.DONE and bool(self.file)

    @property
    def finished(self) -> bool:
        """No worker will touch it again unless someone asks again."""
        return self.status in (DocumentStatus.DONE, DocumentStatus.FAILED, DocumentStatus.EXPIRED)

    @property
    def failure_notice(self) -> str:
        """What someone who may not read the error is shown instead (the failure itself is
        logged, and reported to Sentry or mailed to ADMINS, by the task base)."""
        return str(FAILURE_NOTICE)

    def error_for(self, user) -> str:
        """The failure as `user` may read it: the error text for staff
        (core.view_document_errors), `failure_notice` for anyone else; "" when none."""
        if not self.error:
            return ""
        return self.error if user.has_perm(VIEW_ERRORS) else self.failure_notice

    def mark_failed(self, error: str, *, final: bool) -> "GeneratedDocument | None":
        """Record a failed attempt on the stored row: failed for good (`final`), or pending
        until the retry. The row is read and locked here (the task base calls this on a
        bare `Model(pk=…)`); it is returned as moved (None if it was deleted meanwhile)."""
        with transaction.atomic():
            row = type(self)._default_manager.select_for_update().filter(pk=self.pk).first()
            if row is not None:
                document_transition(row, "fail" if final else "retry", error=error[:2000])
        return row


def new_verification_code() -> str:
    """12 characters from an alphabet without look-alikes (no 0/O, 1/I/L)."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _i in range(12))


class OfficialDocument(GeneratedDocument):
    """A PDF the portal issues (award letter, stage-evaluation report, call result report):
    PDF/A-3b, signed with the ministry's certificate when one is configured
    (core.documents.signing), with its verification code and the QR code of its /verify
    address printed on it (core/_document_seal.html). `checksum` is the SHA-256 of the
    signed file as stored: /verify recognises an uploaded copy by it."""

    verification_code = models.CharField(_("verification code"), max_length=16, unique=True,
                                         default=new_verification_code)
    signed_by = models.CharField(_("signed by"), max_length=200, blank=True,
                                 help_text=_("The signing certificate's name; empty: not signed."))

    class Meta:
        abstract = True

    @property
    def signed_with_demo_certificate(self) -> bool:
        from .signing import is_demo_name

        return bool(self.signed_by) and is_demo_name(self.signed_by)


# --- The status moves -----------------------------------------------------------------------------
#
# Every status a document takes is one of these moves, made by `document_transition` and
# by nothing else (core.documents.services: asked for, claimed, given up, stored; the
# task base through `mark_failed`: retried or failed; reports' export purge: expired).
#
# They are system moves: no button makes them, so a move carries no permission (an
# empty name). The person's own permission was asked by the domain's service before it
# asked for the document (e.g. funding.generate_letters); the worker re-checks what the
# document shows at its render. Nor do they leave an audit record here: the foundation
# writes none (the domain's hooks do, e.g. the export's). The caller reads the row with
# select_for_update inside its transaction, as the pipeline always did.
#
# The sources are wide on purpose: they are where the pipeline finds a row today.
# Claimed or stored while running: a worker was killed mid-build and the task was
# handed to another one; claimed while done: a rebuild (a letter redelivered or asked
# for again); stored or failed whatever another delivery of the same task did meanwhile.
# What no move allows: asking again while a build runs (never two builds of one
# document), expiring a running export, and anything once expired (an expired export is
# a record: its file is gone and it is never built again).


@dataclass(frozen=True)
class DocumentMove(Move):
    """A system move: `permission` stays empty; `writes` are the fields it may set besides the status."""

    permission: str = ""
    writes: frozenset = frozenset()


D = DocumentStatus
_BUILDABLE = frozenset({D.PENDING, D.RUNNING, D.DONE, D.FAILED})

DOCUMENT_MOVES = {
    "request": DocumentMove(
        "ask (again)", frozenset({D.PENDING, D.DONE, D.FAILED}), D.PENDING,
        not_now=_("This document is “%(status)s”: it cannot be asked for again now."),
        writes=frozenset({"error", "attempts", "requested_by"})),
    "claim": DocumentMove(
        "claim for a build", _BUILDABLE, D.RUNNING,
        not_now=_("This document is “%(status)s”: it is not built again."), writes=frozenset({"attempts"})),
    "give_up": DocumentMove(
        "give up at the attempt limit", _BUILDABLE, D.FAILED,
        not_now=_("This document is “%(status)s”: it is not built again."), writes=frozenset({"error"})),
    "store": DocumentMove(
        "switch to the stored file", _BUILDABLE, D.DONE,
        not_now=_("This document is “%(status)s”: no file is stored for it."),
        writes=frozenset({"file", "checksum", "size", "error", "generated_at", "signed_by"})),
    "retry": DocumentMove(
        "wait for the retry", _BUILDABLE, D.PENDING,
        not_now=_("This document is “%(status)s”: a failed build does not change it."), writes=frozenset({"error"})),
    "fail": DocumentMove(
        "fail for good", _BUILDABLE, D.FAILED,
        not_now=_("This document is “%(status)s”: a failed build does not change it."), writes=frozenset({"error"})),
    "expire": DocumentMove(
        "expire (the file is deleted, the row kept)", frozenset({D.PENDING, D.DONE, D.FAILED}), D.EXPIRED,
        not_now=_("This document is “%(status)s”: it cannot expire now."), writes=frozenset({"file", "size"})),
}


def document_transition(row: GeneratedDocument, action: str, *, more=None, **fields) -> GeneratedDocument:
    """Make the system move `action` on `row`, read with select_for_update in the caller's
    transaction: the move starts from the row's status (else its refusal, a
    ValidationError), the status becomes the move's target, `fields` (only those the move
    writes) are set, and `more(row)` — a domain's hook, run once the move is made —
    returns the names of the further fields it set; one save with update_fields."""
    move = move_of(DOCUMENT_MOVES, action)
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("document_transition needs the row locked in a transaction")
    if row.status not in move.sources:
        raise ValidationError(str(move.not_now) % {"status": row.get_status_display()})
    if not set(fields) <= move.writes:
        raise TypeError(f"the move {action!r} does not write {sorted(set(fields) - move.writes)}")
    row.status = move.target
    for name, value in fields.items():
        setattr(row, name, value)
    row.save(update_fields=["status", *fields, *(more(row) if more is not None else ())])
    metrics.count(row, action)
    return row
