"""proposals.disclosure: what a region may know of its proposal, state by state, before and
after the call's results are announced; staff always see everything."""

import pytest

from programmes.models import CallStatus
from proposals.disclosure import UNDER_REVIEW, disclosure_for, shown_state_filter, state_choices, with_shown_state
from proposals.models import Proposal, ProposalState

pytestmark = pytest.mark.django_db

S = ProposalState
SEALED = [S.ELIGIBLE, S.SELECTED, S.RESERVE, S.NOT_SELECTED, S.FUNDED]
TOLD_AT_ONCE = [S.DRAFT, S.CONSULTING, S.REVISING, S.SUBMITTED, S.INELIGIBLE, S.WITHDRAWN]


def in_state(proposal, state, *, announced: bool, reason="상위 2개 과제 선정"):
    Proposal.objects.filter(pk=proposal.pk).update(state=state, state_reason=reason)
    proposal.call.status = CallStatus.ANNOUNCED if announced else CallStatus.REVIEW
    proposal.call.save()
    return Proposal.objects.select_related("call").get(pk=proposal.pk)


@pytest.mark.parametrize("state", SEALED)
def test_from_scoring_on_a_region_sees_under_review_and_no_reason_until_the_announcement(proposal, official,
                                                                                         state):
    shown = disclosure_for(user=official, proposal=in_state(proposal, state, announced=False))
    assert (shown.state, str(shown.label), shown.reason, shown.sealed, shown.results) == (
        UNDER_REVIEW, "Under review", "", True, False)


@pytest.mark.parametrize("state", SEALED)
def test_after_the_announcement_a_region_sees_the_result_and_its_reason(proposal, official, state):
    shown = disclosure_for(user=official, proposal=in_state(proposal, state, announced=True))
    assert (shown.state, shown.reason, shown.sealed, shown.results) == (state, "상위 2개 과제 선정", False, True)


@pytest.mark.parametrize("state", TOLD_AT_ONCE)
def test_eligibility_failures_and_earlier_states_are_told_at_once_with_the_reason(proposal, official, state):
    shown = disclosure_for(user=official, proposal=in_state(proposal, state, announced=False, reason="서류 미비"))
    assert (shown.state, shown.reason, shown.sealed) == (state, "서류 미비", False)


@pytest.mark.parametrize("who", ["ministry", "admin_user"])
@pytest.mark.parametrize("state", SEALED)
def test_staff_see_every_result_as_it_is_made(request, proposal, who, state):
    shown = disclosure_for(user=request.getfixturevalue(who), proposal=in_state(proposal, state, announced=False))
    assert (shown.state, shown.reason, shown.sealed, shown.results) == (state, "상위 2개 과제 선정", False, True)


def test_a_region_filtering_by_a_sealed_state_finds_only_announced_ones(proposal, official):
    selected = in_state(proposal, S.SELECTED, announced=False)
    qs = Proposal.objects.filter(pk=selected.pk)
    found = {state: list(shown_state_filter(qs, user=official, state=state).values_list("pk", flat=True))
             for state in (S.SELECTED, S.NOT_SELECTED, S.ELIGIBLE, UNDER_REVIEW)}
    assert found == {S.SELECTED: [], S.NOT_SELECTED: [], S.ELIGIBLE: [], UNDER_REVIEW: [selected.pk]}
    in_state(proposal, S.SELECTED, announced=True)
    assert list(shown_state_filter(qs, user=official, state=S.SELECTED).values_list("pk", flat=True)) == [selected.pk]
    assert list(shown_state_filter(qs, user=official, state=UNDER_REVIEW)) == []


def test_the_shown_state_annotation_matches_the_disclosure(proposal, official, ministry):
    in_state(proposal, S.RESERVE, announced=False)
    qs = Proposal.objects.filter(pk=proposal.pk)
    assert [with_shown_state(qs, user=u).get().shown_state for u in (official, ministry)] == [UNDER_REVIEW, S.RESERVE]


def test_only_regions_get_the_under_review_filter_choice(official, ministry):
    assert [UNDER_REVIEW in dict(state_choices(user=u)) for u in (official, ministry)] == [True, False]
