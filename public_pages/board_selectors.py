"""Reads of the public boards.

The public pages read only what everyone may see: published answers of published calls
(never the asker: the querysets below select no asker or region) and published notices.
Which calls are public is programmes.selectors' rule, asked for an anonymous visitor.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from core.params import parse_id
from programmes.selectors import calls_visible_to

from .models import Notice, Question, QuestionState

# What a public page may show of a question: nothing that names who asked.
PUBLIC_QUESTION_FIELDS = ("id", "call_id", "title", "body", "answer", "asked_at", "answered_at", "edited_at")


def public_calls() -> QuerySet:
    """The calls anyone may read: those an anonymous visitor sees (never a draft)."""
    return calls_visible_to(user=AnonymousUser())


def public_call(*, pk) -> object:
    """A published call for a public page; 404 for a draft or no such call."""
    return get_object_or_404(public_calls(), pk=pk)


def published_questions(*, call, search: str = "") -> QuerySet[Question]:
    """The answered questions of `call` that were published, newest answer first, without their asker."""
    qs = Question.objects.filter(call=call, state=QuestionState.PUBLISHED).only(*PUBLIC_QUESTION_FIELDS)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(body__icontains=search) | Q(answer__icontains=search))
    return qs.order_by("-answered_at", "-id")


def questions_of(*, user) -> QuerySet[Question]:
    """A person's own questions, with their call, newest first ("My questions")."""
    return Question.objects.filter(asked_by=user).select_related("call").order_by("-asked_at", "-id")


def own_question(*, user, pk) -> Question:
    return get_object_or_404(questions_of(user=user), pk=pk)


def question_queue(*, call: str = "", state: str = "", search: str = "") -> QuerySet[Question]:
    """Staff's queue: every question with its call, asker and region; filters as the page's."""
    qs = Question.objects.select_related("call", "asked_by", "region")
    if (call_id := parse_id(call)) is not None:
        qs = qs.filter(call_id=call_id)
    if state == "answered":
        qs = qs.filter(state__in=[QuestionState.PUBLISHED, QuestionState.PRIVATE])
    elif state in QuestionState.values:
        qs = qs.filter(state=state)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(body__icontains=search) | Q(answer__icontains=search))
    # Waiting questions first, the oldest of them first: the next one to answer is on top.
    waiting_first = Case(When(state=QuestionState.WAITING, then=Value(0)), default=Value(1))
    return qs.order_by(waiting_first, "asked_at", "id")


def queue_question(*, pk) -> Question:
    return get_object_or_404(Question.objects.select_related("call", "asked_by", "region", "answered_by",
                                                             "edited_by"), pk=pk)


def published_notices(*, search: str = "") -> QuerySet[Notice]:
    """The published notices, pinned ones first, then the newest."""
    qs = Notice.objects.filter(is_published=True).select_related("call")
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(body__icontains=search))
    return qs.order_by("-is_pinned", "-published_at", "-id")


def notices_for(*, user, search: str = "") -> QuerySet[Notice]:
    """Staff also see the unpublished notices on the list; everyone else the published ones."""
    if not user.has_perm("public.manage_notices"):
        return published_notices(search=search)
    qs = Notice.objects.select_related("call")
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(body__icontains=search))
    return qs.order_by("-is_pinned", "is_published", "-published_at", "-id")


def notice_for(*, user, pk) -> Notice:
    """A notice `user` may read: published, or any for staff; 404 otherwise."""
    return get_object_or_404(notices_for(user=user), pk=pk)
