"""The public boards: questions and answers per call, and the notices board (공지사항).

A question is asked by a regional official on a published call and answered by staff. A
published answer is read by everyone without logging in; the asker and their region are
never part of what the public pages show (public/board_selectors.py reads no asker). An
answer given privately (the question was about one region's case) stays between the asker
and staff.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The longest text a person may type into a question, an answer or a notice.
TEXT_MAX_LENGTH = 10_000


class QuestionState(models.TextChoices):
    WAITING = "waiting", pgettext_lazy("question", "Waiting for an answer")
    PUBLISHED = "published", pgettext_lazy("question", "Answered publicly")
    PRIVATE = "private", pgettext_lazy("question", "Answered privately")
    WITHDRAWN = "withdrawn", pgettext_lazy("question", "Withdrawn")


ANSWERED = (QuestionState.PUBLISHED, QuestionState.PRIVATE)

# Allowed moves of a question's state (public_pages.boards); anything else is refused.
QUESTION_TRANSITIONS = {
    QuestionState.WAITING: {QuestionState.PUBLISHED, QuestionState.PRIVATE, QuestionState.WITHDRAWN},
    QuestionState.PUBLISHED: {QuestionState.PUBLISHED, QuestionState.PRIVATE},
    QuestionState.PRIVATE: {QuestionState.PUBLISHED, QuestionState.PRIVATE},
    QuestionState.WITHDRAWN: set(),
}


class Question(models.Model):
    call = models.ForeignKey("programmes.Call", on_delete=models.PROTECT, related_name="questions",
                             verbose_name=_("call"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="questions",
                                 verbose_name=_("asked by"))
    # The asker's region when they asked (staff see it in the queue; never shown publicly).
    region = models.ForeignKey("programmes.Region", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("region"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("question"), max_length=TEXT_MAX_LENGTH)
    state = models.CharField(_("status"), max_length=20, choices=QuestionState.choices,
                             default=QuestionState.WAITING, db_index=True)
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answer = models.TextField(_("answer"), max_length=TEXT_MAX_LENGTH, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("answered by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # The last staff member who changed the question's published wording, and when.
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("edited by"))
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)

    class Meta:
        ordering = ["-asked_at", "-id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        indexes = [models.Index(fields=["call", "state"], name="question_call_state")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state__in=["published", "private"]) | models.Q(answered_at__isnull=False),
                name="question_answered_has_date"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_answered(self) -> bool:
        return self.state in ANSWERED


def notice_attachment_path(instance, filename: str) -> str:
    # Never the uploader's file name on disk: a random name.
    return f"notices/{uuid.uuid4().hex}{instance.attachment_extension}"


class Notice(models.Model):
    """A notice of the ministry (공지사항): plain text with line breaks, maybe a file, maybe tied to a call."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=TEXT_MAX_LENGTH)
    call = models.ForeignKey("programmes.Call", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="notices", verbose_name=_("call"))
    is_published = models.BooleanField(_("published"), default=False, db_index=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    is_pinned = models.BooleanField(_("pinned to the top"), default=False)
    attachment = models.FileField(_("attachment"), upload_to=notice_attachment_path, max_length=300, blank=True)
    attachment_name = models.CharField(_("file name"), max_length=200, blank=True)
    attachment_extension = models.CharField(max_length=10, blank=True, verbose_name=_("attachment file extension"))
    attachment_size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("written by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("changed by"))
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        ordering = ["-is_pinned", "-published_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [models.Index(fields=["is_published", "-is_pinned", "-published_at"], name="notice_public_order")]

    def __str__(self) -> str:
        return self.title
