"""Declaring, then scoring: validation keyed per field, drafts, submission locks,
reopening with a reason, and nobody reaching another expert's scoresheet.

The call's rubric is 25/25/20/15/15, each criterion scored 0–10, comments of at
least 20 characters; the proposal (Gwangju + Jeonnam) is eligible with its
submitted version frozen.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Notification
from audit.models import AuditAction, AuditEvent
from evaluations.models import Score, Scoresheet, ScoresheetEvent, ScoresheetState
from evaluations.services import scoresheet_reopen, scoresheet_save
from tests.evaluations.conftest import (
    COMMENT,
    NO_GROUNDS,
    assign,
    clear,
    criteria_of,
    make_expert,
    score_values,
    submit_scores,
)
from tests.factories import in_review, open_review
from tests.login import log_in
from tests.proposals.conftest import form_fields, messages_of, text_of

pytestmark = pytest.mark.django_db

VISION = "세계 수준의 지능형 센서 거점"  # written by fill(), frozen in the submitted version


@pytest.fixture
def panel_expert(db):
    return make_expert("panel-expert", display_name="이평가 교수")


@pytest.fixture
def assignment(eligible_proposal, panel_expert, ministry):
    return assign(eligible_proposal, panel_expert, by=ministry)


@pytest.fixture
def cleared(assignment):
    open_review(assignment.proposal.call)  # the pages below submit at the present
    return clear(assignment)


@pytest.fixture
def ids(call):
    return [c.pk for c in criteria_of(call)]


def save(assignment, scores, *, comment=COMMENT, submit=False, confidence=2):
    return scoresheet_save(actor=assignment.expert, assignment=assignment,
                           values=score_values(assignment.proposal.call, scores, comment), submit=submit,
                           now=in_review(assignment.proposal.call), confidence=confidence)


def values_in_db(assignment) -> list:
    return list(Score.objects.filter(scoresheet__assignment=assignment)
                .order_by("criterion__order").values_list("value", flat=True))


# --- Declaration first ----------------------------------------------------------------------


def test_the_assignment_page_asks_for_the_declaration_before_showing_the_plan(client, assignment, ids):
    log_in(client, assignment.expert)
    response = client.get(reverse("evaluations:assignment", args=[assignment.pk]))
    fields = form_fields(response)
    assert response.templates[0].name == "evaluations/declare.html"
    assert (fields["decision"]["type"], "note" in fields) == ("radio", True)
    assert VISION not in response.content.decode()
    assert [f"score-{pk}" in fields for pk in ids] == [False] * 5
    assert Scoresheet.objects.count() == 0


def test_after_declaring_no_conflict_the_scoresheet_and_the_plan_are_shown(client, assignment, ids):
    log_in(client, assignment.expert)
    url = reverse("evaluations:assignment", args=[assignment.pk])
    response = client.post(reverse("evaluations:declare", args=[assignment.pk]), {"decision": "none", **NO_GROUNDS},
                           follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert messages_of(response) == ["Declaration recorded. You can now read the proposal."]
    assert response.templates[0].name == "evaluations/scoresheet.html"
    assert VISION in response.content.decode()
    assert response.context["version"].kind == "submission"
    fields = form_fields(response)
    assert [f"score-{pk}" in fields and f"comment-{pk}" in fields for pk in ids] == [True] * 5


# --- Validation -----------------------------------------------------------------------------


def test_out_of_range_and_non_numbers_are_refused_per_field(cleared, ids):
    with pytest.raises(ValidationError) as refused:
        save(cleared, ["11", "-1", "abc", "7.25", "10"])
    assert refused.value.message_dict == {
        f"score-{ids[0]}": ["Score between 0 and 10."],
        f"score-{ids[1]}": ["Score between 0 and 10."],
        f"score-{ids[2]}": ["Enter a number."],
        f"score-{ids[3]}": ["At most one decimal place."],
    }
    assert values_in_db(cleared) == []  # nothing written, not even the empty scoresheet


def test_the_range_follows_each_criterions_highest_score(call, cleared, ids):
    call.criteria.filter(pk=ids[4]).update(max_score=5)
    with pytest.raises(ValidationError) as refused:
        save(cleared, ["0", "10", "9.5", "6.0", "6"])
    assert refused.value.message_dict == {f"score-{ids[4]}": ["Score between 0 and 5."]}


def test_not_a_number_is_refused_like_any_other_non_number(cleared, ids):
    with pytest.raises(ValidationError) as refused:
        save(cleared, ["NaN", "5", "5", "5", "5"])
    assert refused.value.message_dict == {f"score-{ids[0]}": ["Enter a number."]}


def test_submitting_with_a_comment_shorter_than_the_calls_minimum_is_refused(call, cleared, ids):
    call.score_comment_min_length = 30
    call.save()
    values = score_values(call, [8, 7, 6, 5, 4], comment="근거가 서른 글자는 넘도록 충분히 길게 씁니다. 확인.")
    values[ids[1]] = ("7", "  짧은 의견  ")
    with pytest.raises(ValidationError) as refused:
        scoresheet_save(actor=cleared.expert, assignment=cleared, values=values, submit=True, now=in_review(call),
                        confidence=2)
    assert refused.value.message_dict == {
        f"comment-{ids[1]}": ["Explain the score in at least 30 characters (now 5)."]}
    assert list(Scoresheet.objects.values_list("state", flat=True)) == []


def test_submitting_with_a_blank_score_is_refused(cleared, ids):
    with pytest.raises(ValidationError) as refused:
        save(cleared, [8, None, 6, 5, 4], submit=True)
    assert refused.value.message_dict == {f"score-{ids[1]}": ["Score every criterion before submitting."]}


def test_a_draft_with_blanks_and_short_comments_saves(cleared):
    sheet = save(cleared, [8, None, "6.5", None, None], comment="초안")
    assert (sheet.state, sheet.submitted_at) == (ScoresheetState.DRAFT, None)
    assert values_in_db(cleared) == [Decimal("8"), None, Decimal("6.5"), None, None]
    assert ScoresheetEvent.objects.count() == 0


# --- Submission and reopening ------------------------------------------------------------------


def test_submitting_locks_the_scores_and_a_later_save_is_refused(cleared):
    sheet = submit_scores(cleared, [8, 7, 6, 5, 4])
    assert (sheet.state, sheet.submitted_at is not None) == (ScoresheetState.SUBMITTED, True)
    assert list(sheet.events.values_list("action", "actor")) == [("submitted", cleared.expert_id)]
    with pytest.raises(ValidationError) as refused:
        save(cleared, [1, 1, 1, 1, 1])
    assert refused.value.messages == [
        "These scores were submitted and are locked. Ask ministry staff to reopen them."]
    assert values_in_db(cleared) == [Decimal(n) for n in (8, 7, 6, 5, 4)]


def test_ministry_staff_reopen_submitted_scores_with_a_reason(cleared, ministry):
    sheet = submit_scores(cleared, [8, 7, 6, 5, 4])
    reopened = scoresheet_reopen(actor=ministry, scoresheet=sheet, reason="2번 항목 점수와 의견이 맞지 않습니다.")
    assert (reopened.state, reopened.submitted_at) == (ScoresheetState.DRAFT, None)
    event = ScoresheetEvent.objects.get(action="reopened")
    assert (event.scoresheet, event.actor, event.reason) == (sheet, ministry, "2번 항목 점수와 의견이 맞지 않습니다.")
    assert list(Notification.objects.filter(user=cleared.expert, message__startswith="Your scores")
                .values_list("message", flat=True)) == [
        "Your scores were reopened by ministry staff: 2번 항목 점수와 의견이 맞지 않습니다."]
    save(cleared, [9, 7, 6, 5, 4])  # the expert may correct them again
    assert values_in_db(cleared)[0] == Decimal("9")


def test_reopening_without_a_reason_is_refused(cleared, ministry):
    sheet = submit_scores(cleared, [8, 7, 6, 5, 4])
    with pytest.raises(ValidationError) as refused:
        scoresheet_reopen(actor=ministry, scoresheet=sheet, reason="   ")
    assert refused.value.message_dict == {"reason": ["Give the reason for reopening; it is recorded."]}
    assert Scoresheet.objects.get(pk=sheet.pk).state == ScoresheetState.SUBMITTED
    assert ScoresheetEvent.objects.filter(action="reopened").count() == 0


def test_neither_the_expert_nor_an_official_may_reopen(cleared, official):
    sheet = submit_scores(cleared, [8, 7, 6, 5, 4])
    for actor in (cleared.expert, official):
        with pytest.raises(PermissionDenied):
            scoresheet_reopen(actor=actor, scoresheet=sheet, reason="다시 보고 싶습니다.")
    assert Scoresheet.objects.get(pk=sheet.pk).state == ScoresheetState.SUBMITTED


def test_the_panel_page_reopens_with_the_reason(client, cleared, ministry):
    sheet = submit_scores(cleared, [8, 7, 6, 5, 4])
    log_in(client, ministry)
    response = client.post(reverse("evaluations:panel_reopen", args=[cleared.proposal_id]),
                           {"scoresheet": sheet.pk, "reason": "의견 보완 요청"}, follow=True)
    assert messages_of(response) == ["The scores were reopened; the expert was told."]
    assert list(sheet.events.filter(action="reopened").values_list("reason", flat=True)) == ["의견 보완 요청"]


# --- The table of moves ------------------------------------------------------------------------


def test_a_sheet_moves_by_its_table_save_a_draft_submit_reopen():
    from evaluations.services.scoring import SHEET_MOVES

    assert {name: (sorted(m.sources), m.target, m.permission) for name, m in SHEET_MOVES.items()} == {
        "save_draft": (["draft"], "draft", "evaluations.score"),
        "submit": (["draft"], "submitted", "evaluations.score"),
        "reopen": (["submitted"], "draft", "evaluations.reopen_scoresheet"),
    }


def test_reopening_a_draft_is_refused_and_changes_nothing(cleared, ministry):
    sheet = save(cleared, [8, None, None, None, None])
    with pytest.raises(ValidationError) as refused:
        scoresheet_reopen(actor=ministry, scoresheet=sheet, reason="다시 보고 싶습니다.")
    assert refused.value.messages == ["These scores are not submitted."]
    assert (Scoresheet.objects.get(pk=sheet.pk).state, ScoresheetEvent.objects.count(),
            AuditEvent.objects.filter(action=AuditAction.SCORE_REOPEN).count()) == (ScoresheetState.DRAFT, 0, 0)


def test_submitting_submitted_scores_again_is_refused_as_locked(cleared):
    submit_scores(cleared, [8, 7, 6, 5, 4])
    with pytest.raises(ValidationError) as refused:
        submit_scores(cleared, [9, 9, 9, 9, 9])
    assert refused.value.messages == [
        "These scores were submitted and are locked. Ask ministry staff to reopen them."]
    assert list(ScoresheetEvent.objects.values_list("action", flat=True)) == ["submitted"]
    assert values_in_db(cleared) == [Decimal(n) for n in (8, 7, 6, 5, 4)]


def test_an_unknown_move_is_refused(cleared, ministry):
    from evaluations.services.scoring import scoresheet_transition

    sheet = save(cleared, [8, None, None, None, None])
    with pytest.raises(ValidationError) as refused:
        scoresheet_transition(actor=ministry, sheet=sheet, action="lock")
    assert refused.value.messages == ["Unknown action."]


def test_a_draft_save_leaves_no_event_and_no_audit_record_of_its_own(cleared):
    save(cleared, [8, None, None, None, None])
    save(cleared, [8, 7, None, None, None])
    assert (ScoresheetEvent.objects.count(),
            AuditEvent.objects.filter(action__in=[AuditAction.SCORE_SUBMIT, AuditAction.SCORE_REOPEN]).count()) == (
        0, 0)


def test_submit_reopen_and_submit_again_leave_one_event_and_one_record_each(cleared, ministry):
    sheet = submit_scores(cleared, [8, 7, 6, 5, 4])
    scoresheet_reopen(actor=ministry, scoresheet=sheet, reason="의견 보완 요청")
    again = submit_scores(cleared, [9, 7, 6, 5, 4])
    assert (again.state, again.submitted_at is not None) == (ScoresheetState.SUBMITTED, True)
    assert list(again.events.order_by("pk").values_list("action", "reason")) == [
        ("submitted", ""), ("reopened", "의견 보완 요청"), ("submitted", "")]
    assert [(e.action, e.before, e.after["state"]) for e in AuditEvent.objects.filter(
        action__in=[AuditAction.SCORE_SUBMIT, AuditAction.SCORE_REOPEN]).order_by("pk")] == [
        (AuditAction.SCORE_SUBMIT, {"state": "draft"}, "submitted"),
        (AuditAction.SCORE_REOPEN, {"state": "submitted"}, "draft"),
        (AuditAction.SCORE_SUBMIT, {"state": "draft"}, "submitted")]


# --- Who can reach the scoresheet -------------------------------------------------------------


def test_another_expert_cannot_open_the_assignment_nor_its_scoresheet(client, cleared, ids):
    intruder = make_expert("intruder")
    log_in(client, intruder)
    data = {f"score-{ids[0]}": "1", "draft": "1"}
    statuses = [client.get(reverse("evaluations:assignment", args=[cleared.pk])).status_code,
                client.post(reverse("evaluations:score", args=[cleared.pk]), data).status_code,
                client.post(reverse("evaluations:declare", args=[cleared.pk]), {"decision": "none"}).status_code]
    assert statuses == [404, 404, 404]
    assert values_in_db(cleared) == []


@pytest.mark.parametrize("who", ["assigned", "unassigned"])
def test_an_expert_cannot_open_the_proposal_pages(client, cleared, who):
    # Even the assigned expert reads only the frozen version on the assignment page.
    log_in(client, cleared.expert if who == "assigned" else make_expert("unassigned"))
    pk = cleared.proposal_id
    urls = [reverse("proposals:detail", args=[pk]), reverse("proposals:version", args=[pk, 1]),
            reverse("evaluations:consulting", args=[pk]), reverse("evaluations:feedback", args=[pk])]
    assert [client.get(url).status_code for url in urls] == [404, 404, 404, 404]


def test_an_expert_cannot_save_scores_on_another_experts_assignment(cleared, ministry):
    others = clear(assign(cleared.proposal, make_expert("other"), by=ministry))
    with pytest.raises(PermissionDenied):
        scoresheet_save(actor=cleared.expert, assignment=others,
                        values=score_values(cleared.proposal.call, [1, 1, 1, 1, 1]))
    assert values_in_db(others) == []


def test_scores_posted_before_the_declaration_are_refused_and_write_nothing(client, assignment, ids):
    log_in(client, assignment.expert)
    response = client.post(reverse("evaluations:score", args=[assignment.pk]), {f"score-{ids[0]}": "7", "draft": "1"})
    assert (response.status_code, Scoresheet.objects.count(), Score.objects.count()) == (403, 0, 0)


# --- Through the page ------------------------------------------------------------------------


def test_bad_values_come_back_with_status_400_the_typed_values_and_the_messages(client, cleared, ids):
    log_in(client, cleared.expert)
    data = {"draft": "1", "overall_comment": "전반적으로 우수"}
    typed = ["11", "abc", "7", "-1", ""]
    for pk, value in zip(ids, typed, strict=True):
        data[f"score-{pk}"] = value
        data[f"comment-{pk}"] = f"의견 {value}"
    response = client.post(reverse("evaluations:score", args=[cleared.pk]), data)
    assert response.status_code == 400
    assert messages_of(response) == ["Please correct the marked fields. Nothing you typed was lost."]
    fields = form_fields(response)
    assert [fields[f"score-{pk}"].get("value", "") for pk in ids] == typed
    assert [fields[f"comment-{pk}"]["text"] for pk in ids] == [f"의견 {v}" for v in typed]
    assert fields["overall_comment"]["text"] == "전반적으로 우수"
    assert [fields[f"score-{pk}"].get("aria-invalid") for pk in ids] == ["true", "true", None, "true", None]
    assert [text_of(response, f"score-{pk}-error") for pk in (ids[0], ids[1], ids[3])] == [
        "Score between 0 and 10.", "Enter a number.", "Score between 0 and 10."]
    assert values_in_db(cleared) == [None] * 5


def test_a_short_comment_on_submit_is_marked_on_its_field(client, cleared, ids):
    log_in(client, cleared.expert)
    data = {"submit": "1", "confirm": "yes", "confidence": "2"}
    for pk in ids:
        data[f"score-{pk}"], data[f"comment-{pk}"] = "7", COMMENT
    data[f"comment-{ids[2]}"] = "짧음"
    response = client.post(reverse("evaluations:score", args=[cleared.pk]), data)
    assert response.status_code == 400
    assert text_of(response, f"comment-{ids[2]}-error") == "Explain the score in at least 20 characters (now 2)."
    assert Scoresheet.objects.get(assignment=cleared).state == ScoresheetState.DRAFT


def test_submitting_through_the_page_needs_the_confirmation_box_then_locks(client, cleared, ids):
    log_in(client, cleared.expert)
    url = reverse("evaluations:score", args=[cleared.pk])
    data = {"submit": "1", "confidence": "2"}
    for pk in ids:
        data[f"score-{pk}"], data[f"comment-{pk}"] = "7", COMMENT
    unconfirmed = client.post(url, data)
    assert messages_of(unconfirmed) == ["Tick the confirmation box to submit: submitted scores are locked."]
    assert Scoresheet.objects.get(assignment=cleared).state == ScoresheetState.DRAFT
    response = client.post(url, {**data, "confirm": "yes"}, follow=True)
    assert messages_of(response) == ["Scores submitted and locked. Thank you."]
    assert Scoresheet.objects.get(assignment=cleared).state == ScoresheetState.SUBMITTED
    assert all("disabled" in form_fields(response)[f"score-{pk}"] for pk in ids)
    draft = {key: value for key, value in data.items() if key != "submit"}
    again = client.post(url, {**draft, f"score-{ids[0]}": "1", "draft": "1"})
    assert messages_of(again) == ["These scores were submitted and are locked. Ask ministry staff to reopen them."]
    assert values_in_db(cleared) == [Decimal("7")] * 5
