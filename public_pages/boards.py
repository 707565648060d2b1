"""Every write of the public boards: one function per change of a question or a notice.

Each checks the permission (public/rules.py), validates, writes in one transaction and
records who did it (AuditAction.PUBLIC_BOARD). The asker of an answered question is told
through accounts.services.notify: the notification row is written in the same
transaction and its mail goes out through the outbox task after commit, so a worker that
crashes loses nothing (accounts/tasks.py).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import record
from core.permissions import require

from .models import QUESTION_TRANSITIONS, TEXT_MAX_LENGTH, Notice, Question, QuestionState


def _text(value: str, *, field: str, required: bool = True, max_length: int = TEXT_MAX_LENGTH) -> str:
    """A typed text as stored: stripped, no NUL character, within its length."""
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: _("Null characters are not allowed.")})
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > max_length:
        raise ValidationError({field: _("At most %(n)s characters, please.") % {"n": f"{max_length:,}"}})
    return value


def question_transition(question: Question, to: str) -> None:
    """The one place a question's state changes, by its table of moves (QUESTION_TRANSITIONS); the
    caller holds the row's lock, checked the permission and saves the row."""
    if QuestionState(to) not in QUESTION_TRANSITIONS[QuestionState(question.state)]:
        raise ValidationError(_("This question can no longer be changed."))
    question.state = to


def _locked(question: Question) -> Question:
    return Question.objects.select_for_update().select_related("call").get(pk=question.pk)


# --- Questions -------------------------------------------------------------------------------------


def question_ask(*, actor, call, title: str, body: str) -> Question:
    """A regional official asks on a published call; staff find it in their queue."""
    require(actor, "public.ask_question", call)
    question = Question(call=call, asked_by=actor, region_id=actor.region_id,
                        title=_text(title, field="title", max_length=200), body=_text(body, field="body"))
    with transaction.atomic():
        question.save()
        record(actor=actor, action=AuditAction.PUBLIC_BOARD, obj=question,
               summary=f"question asked on call #{call.pk}", after={"title": question.title})
    return question


def question_edit(*, actor, question: Question, title: str, body: str) -> Question:
    """The asker changes their question while it waits for an answer."""
    title, body = _text(title, field="title", max_length=200), _text(body, field="body")
    with transaction.atomic():
        question = _locked(question)
        require(actor, "public.edit_question", question)
        before = {"title": question.title, "body": question.body}
        question.title, question.body = title, body
        question.save(update_fields=["title", "body"])
        record(actor=actor, action=AuditAction.PUBLIC_BOARD, obj=question, summary="question edited by its asker",
               before=before, after={"title": title, "body": body})
    return question


def question_withdraw(*, actor, question: Question) -> Question:
    """The asker withdraws their question while it waits for an answer."""
    with transaction.atomic():
        question = _locked(question)
        require(actor, "public.withdraw_question", question)
        question_transition(question, QuestionState.WITHDRAWN)
        question.save(update_fields=["state"])
        record(actor=actor, action=AuditAction.PUBLIC_BOARD, obj=question, summary="question withdrawn",
               before={"state": QuestionState.WAITING}, after={"state": QuestionState.WITHDRAWN})
    return question


def question_answer(*, actor, question: Question, answer: str, publish: bool, title: str | None = None,
                    body: str | None = None) -> Question:
    """Staff answer a question, publicly (everyone reads it, the asker unnamed) or privately (the asker
    only: a question about one region's case); they may also reword the question as it is published
    (`title`, `body`: recorded as their edit). The first answer is mailed to the asker."""
    answer = _text(answer, field="answer")
    title = None if title is None else _text(title, field="title", max_length=200)
    body = None if body is None else _text(body, field="body")
    to = QuestionState.PUBLISHED if publish else QuestionState.PRIVATE
    with transaction.atomic():
        question = _locked(question)
        require(actor, "public.answer_question", question)
        first = question.state == QuestionState.WAITING
        before = {"state": question.state, "title": question.title, "body": question.body, "answer": question.answer}
        question_transition(question, to)
        now = timezone.now()
        question.answer = answer
        question.answered_by, question.answered_at = actor, question.answered_at or now
        fields = ["state", "answer", "answered_by", "answered_at"]
        if (title is not None and title != question.title) or (body is not None and body != question.body):
            question.title = question.title if title is None else title
            question.body = question.body if body is None else body
            question.edited_by, question.edited_at = actor, now
            fields += ["title", "body", "edited_by", "edited_at"]
        question.save(update_fields=fields)
        after = {"state": question.state, "title": question.title, "body": question.body, "answer": answer}
        record(actor=actor, action=AuditAction.PUBLIC_BOARD, obj=question,
               summary="question answered publicly" if publish else "question answered privately",
               before={k: v for k, v in before.items() if after[k] != v}, after={k: v for k, v in after.items()
                                                                                if before[k] != v})
        if first:
            _tell_asker(question)
    return question


def _tell_asker(question: Question) -> None:
    from accounts.mail import mail_language
    from accounts.services import notify

    asker = question.asked_by
    with translation.override(mail_language(asker)):
        message = _("Your question “%(title)s” on the call “%(call)s” has been answered.") % {
            "title": question.title[:150], "call": question.call.title[:150]}
    notify(users=[asker], message=message, url=reverse("public:my_questions"))


# --- Notices ---------------------------------------------------------------------------------------


def _attach(notice: Notice, upload) -> None:
    """Check `upload` with the portal's rules for files (type by content, size, a safe name) and store it."""
    from proposals.services.attachments import validate_upload

    try:
        name, ext, _kind = validate_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"attachment": exc.messages}) from exc
    notice.attachment_name, notice.attachment_extension, notice.attachment_size = name, ext, upload.size
    notice.attachment.save(name, upload, save=False)


def notice_save(*, actor, notice: Notice, title: str, body: str, call=None, upload=None,
                remove_attachment: bool = False) -> Notice:
    """Staff write a new notice (unpublished until they publish it) or change one."""
    require(actor, "public.manage_notices")
    title, body = _text(title, field="title", max_length=200), _text(body, field="body")
    creating = notice.pk is None
    before = {} if creating else {"title": notice.title, "body": notice.body, "call": notice.call_id,
                                  "attachment": notice.attachment_name}
    old_file = notice.attachment.name if notice.attachment and (upload is not None or remove_attachment) else ""
    storage = notice.attachment.storage
    notice.title, notice.body, notice.call, notice.updated_by = title, body, call, actor
    if creating:
        notice.created_by = actor
    if remove_attachment and upload is None:
        notice.attachment, notice.attachment_name, notice.attachment_extension = "", "", ""
        notice.attachment_size = None
    if upload is not None:
        _attach(notice, upload)  # the file first (slow I/O outside the transaction), then the row
    try:
        with transaction.atomic():
            notice.save()
            after = {"title": notice.title, "body": notice.body, "call": notice.call_id,
                     "attachment": notice.attachment_name}
            record(actor=actor, action=AuditAction.PUBLIC_BOARD, obj=notice,
                   summary="notice written" if creating else "notice changed",
                   before={k: v for k, v in before.items() if after[k] != v} or None,
                   after={k: v for k, v in after.items() if before.get(k) != v})
    except Exception:
        if upload is not None and notice.attachment:
            notice.attachment.delete(save=False)
        raise
    if old_file:
        transaction.on_commit(lambda: storage.delete(old_file))
    return notice


def notice_publish(*, actor, notice: Notice, published: bool) -> Notice:
    """Staff publish a notice (everyone reads it) or take it back (the public get a 404)."""
    require(actor, "public.manage_notices")
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if notice.is_published == published:
            return notice
        notice.is_published, notice.updated_by = published, actor
        fields = ["is_published", "updated_by", "updated_at"]
        if published and notice.published_at is None:
            notice.published_at = timezone.now()
            fields.append("published_at")
        notice.save(update_fields=fields)
        record(actor=actor, action=AuditAction.PUBLIC_BOARD, obj=notice,
               summary="notice published" if published else "notice unpublished",
               before={"is_published": not published}, after={"is_published": published})
    return notice


def notice_pin(*, actor, notice: Notice, pinned: bool) -> Notice:
    """Staff pin a notice to the top of the list, or unpin it."""
    require(actor, "public.manage_notices")
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if notice.is_pinned == pinned:
            return notice
        notice.is_pinned, notice.updated_by = pinned, actor
        notice.save(update_fields=["is_pinned", "updated_by", "updated_at"])
        record(actor=actor, action=AuditAction.PUBLIC_BOARD, obj=notice,
               summary="notice pinned" if pinned else "notice unpinned",
               before={"is_pinned": not pinned}, after={"is_pinned": pinned})
    return notice
