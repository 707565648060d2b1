"""The pages of the public boards.

Without log-in: a call's questions and answers board (published answers only, the asker never
shown), the notices list and each notice with its file. Logged in: officials ask and follow
their questions; staff answer from their queue and write notices.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST, require_safe

from core.forms import apply_errors, perform
from core.permissions import require

from . import board_selectors as selectors
from . import boards
from .board_forms import AnswerForm, NoticeForm, QuestionForm
from .models import Notice, QuestionState

PAGE_SIZE = 20


def _search(request) -> str:
    return request.GET.get("q", "").strip()[:200]


# --- Questions and answers -------------------------------------------------------------------------


@require_safe
def call_questions(request, pk):
    """A published call's answered questions, for everyone (a draft call: 404)."""
    call = selectors.public_call(pk=pk)
    search = _search(request)
    page = Paginator(selectors.published_questions(call=call, search=search), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "public/boards/call_questions.html", {"call": call, "page": page, "search": search})


@login_required
def ask_question(request, pk):
    call = selectors.public_call(pk=pk)
    require(request.user, "public.ask_question", call)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            boards.question_ask(actor=request.user, call=call, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your question was sent. You are told when it is answered."))
            return redirect("public:my_questions")
    return render(request, "public/boards/question_form.html", {"call": call, "form": form, "editing": False},
                  status=400 if form.errors else 200)


@login_required
def my_questions(request):
    require(request.user, "public.view_own_questions")
    page = Paginator(selectors.questions_of(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "public/boards/my_questions.html", {"page": page, "states": QuestionState})


@login_required
def question_edit(request, pk):
    question = selectors.own_question(user=request.user, pk=pk)
    require(request.user, "public.edit_question", question)
    form = QuestionForm(request.POST or None, initial={"title": question.title, "body": question.body})
    if request.method == "POST" and form.is_valid():
        try:
            boards.question_edit(actor=request.user, question=question, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your question was changed."))
            return redirect("public:my_questions")
    return render(request, "public/boards/question_form.html",
                  {"call": question.call, "form": form, "editing": True, "question": question},
                  status=400 if form.errors else 200)


@require_POST
@login_required
def question_withdraw(request, pk):
    question = selectors.own_question(user=request.user, pk=pk)
    require(request.user, "public.withdraw_question", question)
    perform(request, lambda: boards.question_withdraw(actor=request.user, question=question),
            _("Your question was withdrawn."))
    return redirect("public:my_questions")


@login_required
def question_queue(request):
    require(request.user, "public.view_question_queue")
    call, state, search = request.GET.get("call", ""), request.GET.get("state", ""), _search(request)
    qs = selectors.question_queue(call=call, state=state, search=search)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "public/boards/question_queue.html", {
        "page": page, "call": call, "state": state, "search": search, "calls": selectors.public_calls().order_by("-year", "-id"),
        "states": [("waiting", QuestionState.WAITING.label), ("answered", pgettext("questions", "Answered")),
                   ("published", QuestionState.PUBLISHED.label), ("private", QuestionState.PRIVATE.label),
                   ("withdrawn", QuestionState.WITHDRAWN.label)],
    })


@login_required
def answer_question(request, pk):
    require(request.user, "public.view_question_queue")
    question = selectors.queue_question(pk=pk)
    can_answer = request.user.has_perm("public.answer_question", question)
    initial = {"title": question.title, "body": question.body, "answer": question.answer,
               "visibility": AnswerForm.PRIVATE if question.state == QuestionState.PRIVATE else AnswerForm.PUBLIC}
    form = AnswerForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require(request.user, "public.answer_question", question)
        if form.is_valid():
            data = form.cleaned_data
            try:
                boards.question_answer(actor=request.user, question=question, answer=data["answer"],
                                       publish=data["visibility"] == AnswerForm.PUBLIC, title=data["title"],
                                       body=data["body"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The answer was saved."))
                return redirect("public:question_queue")
    return render(request, "public/boards/answer_question.html",
                  {"question": question, "form": form, "can_answer": can_answer},
                  status=400 if form.errors else 200)


# --- Notices ---------------------------------------------------------------------------------------


@require_safe
def notices(request):
    search = _search(request)
    page = Paginator(selectors.notices_for(user=request.user, search=search), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "public/boards/notices.html", {"page": page, "search": search})


@require_safe
def notice_detail(request, pk):
    notice = selectors.notice_for(user=request.user, pk=pk)
    return render(request, "public/boards/notice_detail.html", {"notice": notice})


@require_safe
def notice_attachment(request, pk):
    notice = selectors.notice_for(user=request.user, pk=pk)
    if not notice.attachment:
        raise Http404
    return FileResponse(notice.attachment.open("rb"), as_attachment=True, filename=notice.attachment_name)


def _notice_form_page(request, notice: Notice):
    initial = {"title": notice.title, "body": notice.body, "call": notice.call_id} if notice.pk else None
    form = NoticeForm(request.POST or None, request.FILES or None, initial=initial)
    if not notice.attachment_name:
        del form.fields["remove_attachment"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = boards.notice_save(actor=request.user, notice=notice, title=data["title"], body=data["body"],
                                       call=data["call"], upload=data["attachment"],
                                       remove_attachment=data.get("remove_attachment", False))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The notice was saved."))
            return redirect("public:notice_detail", pk=saved.pk)
    return render(request, "public/boards/notice_form.html", {"form": form, "notice": notice},
                  status=400 if form.errors else 200)


@login_required
def notice_create(request):
    require(request.user, "public.manage_notices")
    return _notice_form_page(request, Notice())


@login_required
def notice_edit(request, pk):
    require(request.user, "public.manage_notices")
    return _notice_form_page(request, selectors.notice_for(user=request.user, pk=pk))


@require_POST
@login_required
def notice_publish(request, pk):
    require(request.user, "public.manage_notices")
    notice = selectors.notice_for(user=request.user, pk=pk)
    published = request.POST.get("published") == "1"
    perform(request, lambda: boards.notice_publish(actor=request.user, notice=notice, published=published),
            _("The notice was published.") if published else _("The notice was taken off the public board."))
    return redirect("public:notice_detail", pk=notice.pk)


@require_POST
@login_required
def notice_pin(request, pk):
    require(request.user, "public.manage_notices")
    notice = selectors.notice_for(user=request.user, pk=pk)
    pinned = request.POST.get("pinned") == "1"
    perform(request, lambda: boards.notice_pin(actor=request.user, notice=notice, pinned=pinned),
            _("The notice was pinned to the top.") if pinned else _("The notice was unpinned."))
    return redirect("public:notice_detail", pk=notice.pk)
