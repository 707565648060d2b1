"""The evaluations' to-dos (evaluations.todos): each appears while the rule allows the action and
is gone once it is done; the pledge comes before anything of a proposal; nothing names a result."""

import pytest
from django.urls import reverse

from core.todos import todos_for
from evaluations.models import AssignmentKind
from evaluations.services import assignment_declare, consulting_answer, consulting_comment_add, pledge_sign
from proposals.services import proposal_send_to_consulting
from tests.evaluations.conftest import assign, clear, make_expert, submit_scores

pytestmark = pytest.mark.django_db


def kinds(user):
    return [t.kind for t in todos_for(user)]


def test_an_evaluator_pledges_then_declares_then_scores_with_the_review_end_as_deadline(
        eligible_proposal, ministry):
    expert = make_expert("evaluator")
    assignment = assign(eligible_proposal, expert, by=ministry, pledged=False)
    assert kinds(expert) == ["evaluations.pledge"]  # nothing of the proposal before the pledge
    pledge_sign(actor=expert, call=eligible_proposal.call, signed_name=expert.display_name, agree=True)
    assert kinds(expert) == ["evaluations.declare"]
    clear(assignment)
    [todo] = todos_for(expert)
    assert todo.kind == "evaluations.score"
    assert todo.url == reverse("evaluations:assignment", args=[assignment.pk])
    assert todo.due.date() == eligible_proposal.call.review_end
    submit_scores(assignment, [8, 8, 7, 6, 6])
    assert kinds(expert) == []


def test_a_declared_conflict_leaves_nothing_to_do(eligible_proposal, ministry):
    expert = make_expert("conflicted")
    assignment = assign(eligible_proposal, expert, by=ministry)
    assignment_declare(actor=expert, assignment=assignment, conflict=True, note="같은 기관 소속")
    assert kinds(expert) == []


@pytest.fixture
def in_consulting(complete_proposal, official, before_deadline):
    return proposal_send_to_consulting(actor=official, proposal=complete_proposal, now=before_deadline)


def test_staff_assign_consultants_to_a_draft_in_consulting_without_any(in_consulting, ministry, official):
    assert "evaluations.assign_consultants" in kinds(ministry)
    assert "evaluations.assign_consultants" not in kinds(official)
    consultant = clear(assign(in_consulting, make_expert("consultant"), by=ministry, kind=AssignmentKind.CONSULTING))
    assert "evaluations.assign_consultants" not in kinds(ministry)
    assert kinds(consultant.expert) == ["evaluations.comment"]


def test_the_region_answers_the_consultants_comments(in_consulting, ministry, official, partner_official,
                                                     outsider_official):
    consultant = clear(assign(in_consulting, make_expert("consultant"), by=ministry, kind=AssignmentKind.CONSULTING))
    comment = consulting_comment_add(actor=consultant.expert, assignment=consultant, section="overview",
                                     text="문제 정의를 더 구체적으로 써 주세요.")
    assert kinds(consultant.expert) == []  # commented
    assert "evaluations.answer_comments" in kinds(official)
    assert "evaluations.answer_comments" in kinds(partner_official)
    assert "evaluations.answer_comments" not in kinds(outsider_official)
    consulting_answer(actor=official, comment=comment, text="반영했습니다.")
    assert "evaluations.answer_comments" not in kinds(official)


def test_a_comment_and_its_answer_move_the_data_version_the_to_do_lists_are_cached_by(
        in_consulting, ministry, official):
    """reports.todo_list caches each person's to-dos per data version (the last audit event): a
    comment or an answer that wrote none left the expert's and the region's to-do for five minutes."""
    from audit.models import AuditEvent
    from audit.services import acting_as
    from reports.figures import data_version

    consultant = clear(assign(in_consulting, make_expert("consultant"), by=ministry, kind=AssignmentKind.CONSULTING))
    before = data_version()
    with acting_as(consultant.expert):  # as a request's middleware does
        comment = consulting_comment_add(actor=consultant.expert, assignment=consultant, section="overview",
                                         text="문제 정의를 더 구체적으로 써 주세요.")
    assert data_version() > before
    assert AuditEvent.objects.filter(actor=consultant.expert, object_id=str(comment.pk)).exists()
    before = data_version()
    consulting_answer(actor=official, comment=comment, text="반영했습니다.")
    assert data_version() > before
