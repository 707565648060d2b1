"""Coaching bars judging: an expert who consulted on a proposal (any of its versions) never
evaluates it — not by hand, not by the automatic plan — and, unless the call says otherwise,
not its later stage evaluations either. The call can waive the ground."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations.models import Assignment, AssignmentKind
from evaluations.services import exclusions_for, expert_conflicts, panel_assign, panel_auto_plan
from tests.evaluations.conftest import make_expert
from tests.login import log_in
from tests.proposals.conftest import messages_of

pytestmark = pytest.mark.django_db

COACHED = "Coached this proposal as a consultant."


def coached(proposal, expert, *, by, withdrawn=False) -> Assignment:
    """The expert's consulting assignment on the proposal (the rounds happened before it was submitted)."""
    return Assignment.objects.create(kind=AssignmentKind.CONSULTING, expert=expert, proposal=proposal,
                                     assigned_by=by, conflict_declared=withdrawn)


def test_a_coach_cannot_be_assigned_by_hand_to_evaluate_the_proposal(eligible_proposal, ministry):
    coach = make_expert("coach", display_name="컨설팅 전문가")
    coached(eligible_proposal, coach, by=ministry)
    with pytest.raises(ValidationError) as refused:
        panel_assign(actor=ministry, proposal=eligible_proposal, expert=coach)
    assert refused.value.messages == [f"컨설팅 전문가 has a conflict of interest: {COACHED}"]
    assert not Assignment.objects.filter(kind=AssignmentKind.EVALUATION).exists()


def test_the_automatic_plan_never_picks_a_coach_and_lists_the_reason(eligible_proposal, call, ministry):
    call.panel_size = 2
    call.save()
    coach = make_expert("a-coach")
    others = [make_expert(f"b-free-{n}") for n in range(2)]
    coached(eligible_proposal, coach, by=ministry)
    (row,) = panel_auto_plan(call=call).rows
    assert [e for e, _match in row.experts] == others
    assert row.excluded == [(coach, [COACHED])]


def test_the_plan_falls_short_rather_than_take_a_coach(eligible_proposal, call, ministry):
    call.panel_size = 2
    call.save()
    coached(eligible_proposal, make_expert("a-coach"), by=ministry)
    make_expert("b-free")
    plan = panel_auto_plan(call=call)
    # The optimal plan fills a panel completely or plans nothing (the greedy one planned the free expert).
    assert (plan.rows[0].experts, plan.rows[0].missing, len(plan.problems)) == ([], 2, 1)


def test_a_call_that_waives_the_ground_lets_a_coach_evaluate(eligible_proposal, call, ministry):
    call.coi_coached = False
    call.save()
    coach = make_expert("coach")
    coached(eligible_proposal, coach, by=ministry)
    assignment = panel_assign(actor=ministry, proposal=eligible_proposal, expert=coach)
    assert assignment.kind == AssignmentKind.EVALUATION


def test_a_consultant_who_withdrew_with_a_declared_conflict_did_not_coach(eligible_proposal, ministry):
    expert = make_expert("withdrawn-consultant")
    coached(eligible_proposal, expert, by=ministry, withdrawn=True)
    assert expert_conflicts(profile=expert.expert_profile, proposal=eligible_proposal) == []


@pytest.mark.parametrize(("stage_too", "reasons"), [(True, [COACHED]), (False, [])])
def test_the_call_says_whether_coaching_also_bars_the_stage_evaluations(
    eligible_proposal, call, ministry, stage_too, reasons
):
    call.coi_coached_stage = stage_too
    call.save()
    coach = make_expert("coach")
    coached(eligible_proposal, coach, by=ministry)
    eligible_proposal.refresh_from_db()
    assert expert_conflicts(profile=coach.expert_profile, proposal=eligible_proposal,
                            kind=AssignmentKind.STAGE) == reasons


def test_coaching_does_not_bar_consulting_again(eligible_proposal, ministry):
    coach = make_expert("coach")
    coached(eligible_proposal, coach, by=ministry)
    assert expert_conflicts(profile=coach.expert_profile, proposal=eligible_proposal,
                            kind=AssignmentKind.CONSULTING) == []
    assert exclusions_for(eligible_proposal, kind=AssignmentKind.CONSULTING) == []


def test_the_panel_page_shows_the_coach_excluded_with_the_reason_and_refuses_them(client, eligible_proposal, ministry):
    coach = make_expert("coach", display_name="컨설팅 전문가")
    free = make_expert("free")
    coached(eligible_proposal, coach, by=ministry)
    log_in(client, ministry)
    page = client.get(reverse("evaluations:panel", args=[eligible_proposal.pk]))
    assert (list(page.context["candidates"]), page.context["excluded"]) == ([free], [(coach, [COACHED])])
    response = client.post(reverse("evaluations:panel_assign", args=[eligible_proposal.pk]),
                           {"expert": coach.pk, "kind": "evaluation"}, follow=True)
    assert messages_of(response) == [f"컨설팅 전문가 has a conflict of interest: {COACHED}"]
    assert not Assignment.objects.filter(kind=AssignmentKind.EVALUATION).exists()
