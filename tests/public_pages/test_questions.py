"""The questions and answers board of a call: officials ask, staff answer, everyone reads the
published answers without ever learning who asked."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import MailState, Notification
from accounts.tasks import send_notification_emails
from audit.models import AuditAction, AuditEvent
from programmes.models import CallStatus
from public_pages import boards
from public_pages.models import Question, QuestionState
from tests.factories import CallFactory, OfficialFactory, region

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


def board(call) -> str:
    return reverse("public:call_questions", args=[call.pk])


def answer(question, ministry, publish=True, **extra):
    return boards.question_answer(actor=ministry, question=question, answer="국비의 20% 이상입니다.",
                                  publish=publish, **extra)


# --- Asking ----------------------------------------------------------------------------------------


def test_an_official_asks_through_the_form_and_the_question_waits_unpublished(browser, anonymous, asker, call):
    response = browser(asker).post(reverse("public:ask_question", args=[call.pk]),
                                   {"title": "제출 서류 질의", "body": "서식 3은 필수입니까?"})
    assert response.status_code == 302 and response["Location"] == reverse("public:my_questions")
    question = Question.objects.get()
    assert (question.asked_by, question.region_id, question.state) == (asker, asker.region_id, QuestionState.WAITING)
    assert "제출 서류 질의" not in anonymous.get(board(call)).content.decode()


def test_an_official_of_a_region_not_eligible_may_ask_too(call):
    busan = OfficialFactory(username="busan-asker", region=region("busan"))
    call.eligible_regions.set([region("gwangju")])
    question = boards.question_ask(actor=busan, call=call, title="참여 자격", body="부산도 협력 지역이 될 수 있습니까?")
    assert question.region == region("busan")


def test_a_question_about_a_draft_call_is_impossible(asker, ministry, browser, anonymous):
    draft = CallFactory(status=CallStatus.DRAFT, created_by=ministry, updated_by=ministry)
    with pytest.raises(PermissionDenied):
        boards.question_ask(actor=asker, call=draft, title="질의", body="본문")
    assert browser(asker).get(reverse("public:ask_question", args=[draft.pk])).status_code == 404
    assert anonymous.get(board(draft)).status_code == 404
    assert browser(ministry).get(board(draft)).status_code == 404  # not even for staff: the board is public
    assert Question.objects.count() == 0


@pytest.mark.parametrize("status", [CallStatus.OPEN, CallStatus.CLOSED, CallStatus.REVIEW, CallStatus.ANNOUNCED])
def test_the_board_of_a_call_open_or_later_is_public(anonymous, ministry, status):
    call = CallFactory(status=status, created_by=ministry, updated_by=ministry)
    assert anonymous.get(board(call)).status_code == 200


def test_experts_and_staff_do_not_ask(expert, ministry, call):
    for person in (expert, ministry):
        with pytest.raises(PermissionDenied):
            boards.question_ask(actor=person, call=call, title="질의", body="본문")


@pytest.mark.parametrize(("title", "body", "field"), [
    ("", "본문", "title"), ("   ", "본문", "title"), ("제목", "", "body"), ("제목", "가" * 10_001, "body"),
    ("가" * 201, "본문", "title"), ("제목", "a\x00b", "body"),
])
def test_an_empty_huge_or_nul_question_is_refused_at_its_field(asker, call, title, body, field):
    with pytest.raises(ValidationError) as refused:
        boards.question_ask(actor=asker, call=call, title=title, body=body)
    assert list(refused.value.message_dict) == [field]
    assert Question.objects.count() == 0


def test_a_huge_or_nul_question_typed_into_the_form_is_a_400_and_nothing_is_saved(browser, asker, call):
    client = browser(asker)
    url = reverse("public:ask_question", args=[call.pk])
    assert client.post(url, {"title": "제목", "body": "가" * 20_000}).status_code == 400
    assert client.post(url, {"title": "제목\x00", "body": "본문"}).status_code == 400
    assert Question.objects.count() == 0


# --- The public board never names the asker ----------------------------------------------------------


def test_the_public_board_shows_the_answer_but_never_the_asker_or_their_region(anonymous, question, ministry, asker):
    answer(question, ministry)
    gwangju = region("gwangju")
    for language in ("ko", "en"):
        anonymous.cookies["django_language"] = language
        html = anonymous.get(board(question.call)).content.decode()
        assert "지방비 매칭 비율 질의" in html and "국비의 20% 이상입니다." in html
        for secret in (asker.display_name, asker.username, asker.email, "asker-7f3", gwangju.name_ko, gwangju.name_en,
                       f'"{asker.pk}"', ministry.display_name):
            assert secret not in html, secret


def test_unanswered_private_and_withdrawn_questions_are_not_public(anonymous, asker, call, ministry):
    waiting = boards.question_ask(actor=asker, call=call, title="대기 중 질의", body="본문 하나")
    private = answer(boards.question_ask(actor=asker, call=call, title="광주 사정 질의", body="본문 둘"), ministry,
                     publish=False)
    withdrawn = boards.question_withdraw(actor=asker, question=boards.question_ask(
        actor=asker, call=call, title="철회한 질의", body="본문 셋"))
    assert (waiting.state, private.state, withdrawn.state) == ("waiting", "private", "withdrawn")
    html = anonymous.get(board(call)).content.decode()
    assert "대기 중 질의" not in html and "광주 사정 질의" not in html and "철회한 질의" not in html


def test_a_published_answer_taken_private_leaves_the_board(anonymous, question, ministry):
    answer(question, ministry)
    assert "지방비 매칭 비율 질의" in anonymous.get(board(question.call)).content.decode()
    answer(question, ministry, publish=False)
    assert "지방비 매칭 비율 질의" not in anonymous.get(board(question.call)).content.decode()


def test_script_and_formulas_in_a_question_are_shown_as_text(anonymous, asker, call, ministry):
    q = boards.question_ask(actor=asker, call=call, title=f"제목 {SCRIPT}", body='=HYPERLINK("http://x","y")\n둘째 줄')
    answer(q, ministry)
    html = anonymous.get(board(call)).content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)<br>둘째 줄" in html


def test_the_public_board_searches_titles_questions_and_answers(anonymous, asker, call, ministry):
    answer(boards.question_ask(actor=asker, call=call, title="예산 질의", body="본문"), ministry)
    answer(boards.question_ask(actor=asker, call=call, title="일정 질의", body="발표평가 일정"), ministry)
    html = anonymous.get(board(call), {"q": "발표평가"}).content.decode()
    assert "일정 질의" in html and "예산 질의" not in html


@pytest.mark.parametrize("count", [1, 3])
def test_the_public_board_costs_the_same_queries_for_one_or_three_answers(
        anonymous, asker, call, ministry, count, django_assert_num_queries):
    for n in range(count):
        answer(boards.question_ask(actor=asker, call=call, title=f"질의 {n}", body="본문"), ministry)
    anonymous.get(board(call))  # the session and the cached reference data
    with django_assert_num_queries(3):  # the call, the count, the page
        assert anonymous.get(board(call)).status_code == 200


# --- Answering -------------------------------------------------------------------------------------


def test_the_answer_is_mailed_to_the_asker_through_the_outbox(question, ministry, asker,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answer(question, ministry)
    # Committed with the answer: the notification waits in the outbox for the mail worker.
    notification = Notification.objects.get(user=asker)
    assert notification.mail_state == MailState.PENDING
    assert notification.url == reverse("public:my_questions")
    assert len(callbacks) == 1 and mail.outbox == []
    send_notification_emails.apply(kwargs={"notification_ids": [notification.pk]})
    assert [m.to for m in mail.outbox] == [[asker.email]]
    assert "지방비 매칭 비율 질의" in mail.outbox[0].subject
    notification.refresh_from_db()
    assert notification.mail_state == MailState.SENT


def test_a_changed_answer_is_not_mailed_again(question, ministry, asker):
    answer(question, ministry)
    answer(question, ministry, publish=False)
    assert Notification.objects.filter(user=asker).count() == 1


def test_staff_answer_from_the_queue_and_may_reword_the_published_question(browser, question, ministry, anonymous):
    client = browser(ministry)
    queue = client.get(reverse("public:question_queue"))
    assert "지방비 매칭 비율 질의" in queue.content.decode() and "홍길동주무관" in queue.content.decode()
    response = client.post(reverse("public:answer_question", args=[question.pk]), {
        "title": "지방비 매칭 기준", "body": "초광역 협력형의 매칭 기준은?", "answer": "국비의 20% 이상입니다.",
        "visibility": "public"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.state, question.answered_by, question.edited_by) == ("published", ministry, ministry)
    assert question.title == "지방비 매칭 기준"
    html = anonymous.get(board(question.call)).content.decode()
    assert "초광역 협력형의 매칭 기준은?" in html and "초광역 협력형의 지방비 매칭 기준을" not in html
    event = AuditEvent.objects.filter(action=AuditAction.PUBLIC_BOARD, summary="question answered publicly").get()
    assert event.actor == ministry
    assert event.before["title"] == "지방비 매칭 비율 질의" and event.after["title"] == "지방비 매칭 기준"


def test_every_change_of_a_question_is_one_audit_record_by_who_made_it(asker, call, ministry):
    q = boards.question_ask(actor=asker, call=call, title="질의", body="본문")
    boards.question_edit(actor=asker, question=q, title="질의 (수정)", body="본문")
    answer(q, ministry)
    rows = list(AuditEvent.objects.filter(action=AuditAction.PUBLIC_BOARD).order_by("pk")
                .values_list("actor__username", "summary"))
    assert rows == [(asker.username, f"question asked on call #{call.pk}"),
                    (asker.username, "question edited by its asker"),
                    (ministry.username, "question answered publicly")]


def test_the_queue_filters_by_call_state_and_words(browser, asker, call, ministry):
    other = CallFactory(created_by=ministry, updated_by=ministry)
    answer(boards.question_ask(actor=asker, call=call, title="답변된 질의", body="본문"), ministry)
    boards.question_ask(actor=asker, call=call, title="기다리는 질의", body="본문")
    boards.question_ask(actor=asker, call=other, title="다른 공모 질의", body="검색어 포함")
    client = browser(ministry)

    def titles(**params):
        return [q.title for q in client.get(reverse("public:question_queue"), params).context["page"].object_list]

    assert titles(state="waiting") == ["기다리는 질의", "다른 공모 질의"]
    assert titles(state="answered") == ["답변된 질의"]
    assert titles(call=str(other.pk)) == ["다른 공모 질의"]
    assert titles(q="검색어") == ["다른 공모 질의"]
    assert len(titles(call="abc", state="nonsense")) == 3


def test_a_withdrawn_question_cannot_be_answered(question, asker, ministry):
    boards.question_withdraw(actor=asker, question=question)
    with pytest.raises(PermissionDenied):
        answer(question, ministry)


# --- The asker's own questions ---------------------------------------------------------------------


def test_the_asker_sees_their_questions_with_the_status_and_the_answer(browser, question, ministry, asker, call):
    answer(question, ministry, publish=False)
    boards.question_ask(actor=asker, call=call, title="두 번째 질의", body="본문")
    html = browser(asker, "en").get(reverse("public:my_questions")).content.decode()
    assert "Answered privately" in html and "Waiting for an answer" in html
    assert "국비의 20% 이상입니다." in html


def test_another_official_sees_none_of_them(browser, question, partner_official):
    client = browser(partner_official)
    assert "지방비 매칭 비율 질의" not in client.get(reverse("public:my_questions")).content.decode()
    assert client.get(reverse("public:question_edit", args=[question.pk])).status_code == 404
    assert client.post(reverse("public:question_withdraw", args=[question.pk])).status_code == 404


def test_the_asker_edits_and_withdraws_until_answered_then_no_more(browser, question, asker, ministry):
    client = browser(asker)
    edit = reverse("public:question_edit", args=[question.pk])
    assert client.post(edit, {"title": "고친 제목", "body": "고친 본문"}).status_code == 302
    question.refresh_from_db()
    assert question.title == "고친 제목"
    answer(question, ministry)
    assert client.get(edit).status_code == 403
    assert client.post(reverse("public:question_withdraw", args=[question.pk])).status_code == 403
    question.refresh_from_db()
    assert (question.state, question.title) == ("published", "고친 제목")


# --- Staff-only actions ----------------------------------------------------------------------------


def test_staff_only_pages_and_actions_are_refused_to_officials_and_experts(browser, question, asker, expert):
    for person in (asker, expert):
        client = browser(person)
        assert client.get(reverse("public:question_queue")).status_code == 403
        assert client.get(reverse("public:answer_question", args=[question.pk])).status_code == 403
        assert client.post(reverse("public:answer_question", args=[question.pk]), {
            "title": "t", "body": "b", "answer": "a", "visibility": "public"}).status_code == 403
    with pytest.raises(PermissionDenied):
        boards.question_answer(actor=asker, question=question, answer="스스로 답변", publish=True)
    question.refresh_from_db()
    assert question.state == QuestionState.WAITING


def test_the_logged_in_call_page_offers_officials_to_ask(browser, asker, call, ministry):
    html = browser(asker).get(reverse("programmes:call_detail", args=[call.pk])).content.decode()
    assert reverse("public:ask_question", args=[call.pk]) in html
    html = browser(ministry).get(reverse("programmes:call_detail", args=[call.pk])).content.decode()
    assert reverse("public:ask_question", args=[call.pk]) not in html
    assert reverse("public:call_questions", args=[call.pk]) in html
