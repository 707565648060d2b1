"""The consulting loop: a consultant comments per section on the version sent to
consulting, the regions answer and revise, and each comment tells whether its
section changed since.

The Gwangju (lead) + Jeonnam proposal is sent to consulting (v1); ministry staff
assign a consultant from Daejeon, who declares no conflict.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Notification
from evaluations.models import AssignmentKind, CommentAnswer, ConsultingComment
from evaluations.services import consulting_answer, consulting_comment_add
from proposals.models import ProposalState
from proposals.services import (
    proposal_save_overview,
    proposal_send_to_consulting,
    proposal_start_revising,
    section_revision,
)
from tests.evaluations.conftest import assign, clear, make_expert
from tests.login import log_in
from tests.proposals.conftest import messages_of

pytestmark = pytest.mark.django_db

OVERVIEW_COMMENT = "지역 문제와 기술 목표의 연결이 약합니다. 보완하세요."
LINKS_COMMENT = "연계 사업의 예산 중복 여부를 밝혀 주십시오."


@pytest.fixture
def in_consulting(complete_proposal, official, before_deadline):
    return proposal_send_to_consulting(actor=official, proposal=complete_proposal, now=before_deadline)


@pytest.fixture
def consultant(in_consulting, ministry):
    expert = make_expert("consultant", display_name="정자문 교수")
    return clear(assign(in_consulting, expert, by=ministry, kind=AssignmentKind.CONSULTING))


@pytest.fixture
def commented(consultant):
    overview = consulting_comment_add(actor=consultant.expert, assignment=consultant, section="overview",
                                      text=OVERVIEW_COMMENT)
    links = consulting_comment_add(actor=consultant.expert, assignment=consultant, section="links", text=LINKS_COMMENT)
    return {"overview": overview, "links": links}


def consulting_url(proposal) -> str:
    return reverse("evaluations:consulting", args=[proposal.pk])


def items_of(response) -> list:
    return [(r["round"].number, item["comment"].section, item["changed"], item["expert"])
            for r in response.context["rounds"] for item in r["items"]]


def revise_overview(proposal, official, before_deadline):
    """The lead region closes the round, rewrites the summary and sends version 2."""
    proposal_start_revising(actor=official, proposal=proposal)
    proposal.refresh_from_db()
    proposal_save_overview(actor=official, proposal=proposal, expected_revision=section_revision(proposal, "overview"),
                           data={"title_ko": proposal.title_ko, "title_en": proposal.title_en,
                                 "industry": proposal.industry, "summary": "광주·전남이 역할을 나누어 실증한다.",
                                 "problem": proposal.problem})
    return proposal_send_to_consulting(actor=official, proposal=proposal, now=before_deadline)


# --- The consultant ----------------------------------------------------------------------------


def test_staff_assign_a_consultant_to_a_proposal_in_consulting(in_consulting, consultant):
    assert (consultant.kind, consultant.proposal, consultant.is_cleared) == (
        AssignmentKind.CONSULTING, in_consulting, True)


def test_the_consultant_reads_the_version_and_comments_on_a_section(client, consultant, in_consulting, official,
                                                                    partner_official):
    log_in(client, consultant.expert)
    page = client.get(reverse("evaluations:assignment", args=[consultant.pk]))
    assert (page.templates[0].name, page.context["version"].number) == ("evaluations/consult.html", 1)
    url = reverse("evaluations:comment", args=[consultant.pk])
    response = client.post(url, {"section": "overview", "text": OVERVIEW_COMMENT}, follow=True)
    assert messages_of(response) == ["Comment sent to the region."]
    comment = ConsultingComment.objects.get()
    assert (comment.round.number, comment.round.version.number, comment.section, comment.text) == (
        1, 1, "overview", OVERVIEW_COMMENT)
    told = Notification.objects.filter(message__startswith="A consultant commented")
    assert sorted(told.values_list("user__username", flat=True)) == ["official-gwangju", "official-jeonnam"]


def test_a_comment_needs_a_section_and_ten_characters(client, consultant):
    log_in(client, consultant.expert)
    response = client.post(reverse("evaluations:comment", args=[consultant.pk]), {"section": "overview", "text": "짧음"})
    assert (response.status_code, messages_of(response)) == (400, ["Write at least 10 characters and choose a section."])
    assert ConsultingComment.objects.count() == 0


def test_the_consultant_cannot_comment_once_the_proposal_is_not_in_consulting(client, consultant, in_consulting,
                                                                              official):
    proposal_start_revising(actor=official, proposal=in_consulting)
    with pytest.raises(ValidationError) as refused:
        consulting_comment_add(actor=consultant.expert, assignment=consultant, section="goals", text=OVERVIEW_COMMENT)
    assert refused.value.messages == ["Comments are taken while the proposal is in consulting."]
    log_in(client, consultant.expert)
    response = client.post(reverse("evaluations:comment", args=[consultant.pk]),
                           {"section": "goals", "text": OVERVIEW_COMMENT})
    assert (response.status_code, messages_of(response)) == (400, ["Comments are taken while the proposal is in consulting."])
    assert ConsultingComment.objects.count() == 0


def test_an_undeclared_consultant_cannot_comment(in_consulting, ministry):
    pending = assign(in_consulting, make_expert("pending"), by=ministry, kind=AssignmentKind.CONSULTING)
    with pytest.raises(PermissionDenied):
        consulting_comment_add(actor=pending.expert, assignment=pending, section="overview", text=OVERVIEW_COMMENT)
    assert ConsultingComment.objects.count() == 0


def test_an_evaluator_cannot_comment(eligible_proposal, ministry):
    evaluator = clear(assign(eligible_proposal, make_expert("evaluator"), by=ministry))
    with pytest.raises(PermissionDenied):
        consulting_comment_add(actor=evaluator.expert, assignment=evaluator, section="overview", text=OVERVIEW_COMMENT)


# --- The regions -------------------------------------------------------------------------------


def test_the_lead_official_sees_the_comments_without_the_consultants_name(client, commented, in_consulting, official):
    log_in(client, official)
    response = client.get(consulting_url(in_consulting))
    assert response.status_code == 200
    assert items_of(response) == [(1, "links", False, None), (1, "overview", False, None)]
    body = response.content.decode()
    assert ("정자문 교수" in body, OVERVIEW_COMMENT in body, "Consultant" in body) == (False, True, True)


def test_the_consultants_name_is_shown_when_the_call_reveals_it(client, commented, in_consulting, official):
    call = in_consulting.call
    call.reveal_expert_names = True
    call.save()
    log_in(client, official)
    response = client.get(consulting_url(in_consulting))
    assert [expert for *_rest, expert in items_of(response)] == [commented["links"].assignment.expert] * 2
    assert "정자문 교수" in response.content.decode()


def test_ministry_staff_see_the_names_but_do_not_answer(client, commented, in_consulting, ministry):
    log_in(client, ministry)
    response = client.get(consulting_url(in_consulting))
    assert "정자문 교수" in response.content.decode()
    assert response.context["can_answer"] is False
    refused = client.post(consulting_url(in_consulting), {"comment": commented["links"].pk, "text": "답변"})
    assert (refused.status_code, CommentAnswer.objects.count()) == (403, 0)


def test_the_lead_official_answers_through_the_consulting_page(client, commented, in_consulting, official):
    log_in(client, official)
    response = client.post(consulting_url(in_consulting),
                           {"comment": commented["overview"].pk, "text": "2장에 지역 문제를 보강하겠습니다."}, follow=True)
    assert messages_of(response) == ["Answer saved."]
    answer = CommentAnswer.objects.get()
    assert (answer.comment, answer.author, answer.text) == (commented["overview"], official, "2장에 지역 문제를 보강하겠습니다.")
    assert "2장에 지역 문제를 보강하겠습니다." in response.content.decode()


def test_a_partner_official_can_answer(client, commented, in_consulting, partner_official):
    log_in(client, partner_official)
    client.post(consulting_url(in_consulting), {"comment": commented["links"].pk, "text": "전남 사업과 중복 없음."})
    assert list(CommentAnswer.objects.values_list("comment", "author")) == [
        (commented["links"].pk, partner_official.pk)]


def test_a_comment_is_answered_once(commented, official, partner_official):
    consulting_answer(actor=official, comment=commented["links"], text="첫 답변")
    with pytest.raises(ValidationError) as refused:
        consulting_answer(actor=partner_official, comment=commented["links"], text="두 번째 답변")
    assert refused.value.messages == ["This comment already has an answer."]


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_outsider_and_the_consultant_get_404_on_the_consulting_page(
    client, commented, in_consulting, outsider_official, method
):
    statuses = []
    for user in (outsider_official, commented["links"].assignment.expert):
        log_in(client, user)
        response = getattr(client, method)(consulting_url(in_consulting),
                                           {"comment": commented["links"].pk, "text": "가로챈 답변"})
        statuses.append(response.status_code)
    assert (statuses, CommentAnswer.objects.count()) == ([404, 404], 0)


# --- Revising: "changed since" ------------------------------------------------------------------


def test_after_a_revised_overview_is_sent_only_the_overview_comment_shows_changed_since(
    client, commented, in_consulting, official, before_deadline
):
    revised = revise_overview(in_consulting, official, before_deadline)
    assert (revised.state, revised.versions.count()) == (ProposalState.CONSULTING, 2)
    log_in(client, official)
    response = client.get(consulting_url(in_consulting))
    assert items_of(response) == [(1, "links", False, None), (1, "overview", True, None)]
    body = response.content.decode()
    assert (body.count('text-bg-success">changed since'), body.count("not changed since")) == (1, 1)


def test_a_comment_on_the_new_version_opens_round_two(commented, consultant, in_consulting, official,
                                                       before_deadline):
    revise_overview(in_consulting, official, before_deadline)
    comment = consulting_comment_add(actor=consultant.expert, assignment=consultant, section="overview",
                                     text="수정된 요약은 역할 분담이 분명합니다.")
    assert (comment.round.number, comment.round.version.number) == (2, 2)
