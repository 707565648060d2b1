"""The proposal state machine, as a table: every move × every state × every role."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from proposals.models import Proposal, ProposalEvent, ProposalState, ProposalVersion, VersionKind
from proposals.services import (
    MOVES,
    proposal_check_eligibility,
    proposal_save_overview,
    proposal_send_to_consulting,
    proposal_start_revising,
    proposal_submit,
    proposal_transition,
    proposal_withdraw,
)
from proposals.services.versions import snapshot
from tests.clock import at, on
from tests.proposals.conftest import sign_all

pytestmark = pytest.mark.django_db

S = ProposalState

# The specification, written out independently of proposals.services.MOVES.
SOURCES = {
    "send_to_consulting": {S.DRAFT, S.REVISING},
    "start_revising": {S.CONSULTING},
    "submit": {S.DRAFT, S.REVISING},
    "pass_eligibility": {S.SUBMITTED},
    "fail_eligibility": {S.SUBMITTED},
    "withdraw": {S.DRAFT, S.CONSULTING, S.REVISING, S.SUBMITTED},
    "select": {S.ELIGIBLE, S.RESERVE},
    "reserve": {S.ELIGIBLE},
    "not_select": {S.ELIGIBLE, S.RESERVE},
    "fund": {S.SELECTED},
}
TARGET = {
    "send_to_consulting": S.CONSULTING,
    "start_revising": S.REVISING,
    "submit": S.SUBMITTED,
    "pass_eligibility": S.ELIGIBLE,
    "fail_eligibility": S.INELIGIBLE,
    "withdraw": S.WITHDRAWN,
    "select": S.SELECTED,
    "reserve": S.RESERVE,
    "not_select": S.NOT_SELECTED,
    "fund": S.FUNDED,
}
FREEZES = {"send_to_consulting": VersionKind.CONSULTING, "submit": VersionKind.SUBMISSION}
# Fixture names of the roles, and which of them may make each move.
RESULTS = {S.ELIGIBLE, S.SELECTED, S.RESERVE, S.NOT_SELECTED, S.FUNDED}
ROLES = ["official", "partner_official", "outsider_official", "ministry", "expert"]
MAY = {
    "send_to_consulting": {"official"},
    "start_revising": {"official", "ministry"},
    "submit": {"official"},
    "pass_eligibility": {"ministry"},
    "fail_eligibility": {"ministry"},
    "withdraw": {"official"},
    "select": {"ministry"},
    "reserve": {"ministry"},
    "not_select": {"ministry"},
    "fund": {"ministry"},
}
NEEDS_REASON = {"fail_eligibility", "select", "reserve", "not_select"}
REASON = "신청 자격 요건을 충족하지 못함"

CASES = [(action, state) for action in SOURCES for state in S.values]


def expected_outcome(action, state, role) -> str:
    # The state is checked before the role: a move that is impossible now is impossible for everyone.
    if state not in SOURCES[action]:
        return "refused: wrong state"
    if role not in MAY[action]:
        return "refused: wrong role"
    return "done"


def attempt(**kwargs) -> tuple[str, list]:
    """Runs the move; any exception other than the two refusals fails the test."""
    try:
        proposal_transition(**kwargs)
    except PermissionDenied:
        return "refused: wrong role", []
    except ValidationError as exc:
        return "refused: wrong state", exc.messages
    return "done", []


def in_state(proposal: Proposal, state: str) -> Proposal:
    Proposal.objects.filter(pk=proposal.pk).update(state=state)
    proposal.refresh_from_db()
    return proposal


def events(proposal) -> list[tuple]:
    return list(ProposalEvent.objects.filter(proposal=proposal).order_by("id").values_list(
        "actor__username", "action", "from_state", "to_state", "note"))


def test_the_table_covers_exactly_the_moves_of_the_service():
    assert set(SOURCES) == set(MOVES)
    assert {name: set(move.sources) for name, move in MOVES.items()} == SOURCES
    assert {name: move.target for name, move in MOVES.items()} == TARGET


def outcome_of_each_role(request, proposal, action, state, now) -> dict[str, str]:
    """Each role tries the move on the same proposal; what a successful move wrote is
    checked, then rolled back so the next role starts from the same state."""
    outcomes = {}
    for role in ROLES:
        actor = request.getfixturevalue(role)
        with transaction.atomic():
            before = events(proposal)
            reason = REASON if action in NEEDS_REASON else ""
            outcome, messages = attempt(actor=actor, proposal=proposal, action=action, reason=reason, now=now)
            outcomes[role] = outcome
            proposal.refresh_from_db()
            if outcome == "done":
                assert proposal.state == TARGET[action]
                assert events(proposal)[len(before):] == [
                    (actor.username, action, state, TARGET[action], reason or ("v1" if action in FREEZES else ""))]
                assert list(proposal.versions.values_list("number", "kind", "revision", "created_by")) == (
                    [(1, FREEZES[action], proposal.revision, actor.pk)] if action in FREEZES else [])
            else:
                assert (proposal.state, events(proposal), proposal.versions.count()) == (state, before, 0)
                if outcome == "refused: wrong state":
                    # The state as the actor may know it: a result is "under review" for all but staff
                    # until the call's results are announced (the call here is open).
                    shown = S(state).label if role == "ministry" or state not in RESULTS else "Under review"
                    assert messages == [
                        f"“{MOVES[action].label}” is not possible while the proposal is “{shown}”."]
            transaction.set_rollback(True)
        proposal.refresh_from_db()
    return outcomes


@pytest.mark.parametrize(("action", "state"), CASES, ids=[f"{a}-from-{s}" for a, s in CASES])
def test_a_move_is_made_only_from_its_source_states_and_only_by_its_roles(
    request, complete_proposal, before_deadline, action, state
):
    proposal = in_state(complete_proposal, state)
    assert outcome_of_each_role(request, proposal, action, state, before_deadline) == {
        role: expected_outcome(action, state, role) for role in ROLES
    }


def test_an_unknown_action_is_refused(complete_proposal, official):
    with pytest.raises(ValidationError) as exc:
        proposal_transition(actor=official, proposal=complete_proposal, action="approve")
    assert exc.value.messages == ["Unknown action."]


# --- Eligibility --------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_failing_eligibility_without_a_reason_is_refused(complete_proposal, ministry, reason):
    proposal = in_state(complete_proposal, S.SUBMITTED)
    with pytest.raises(ValidationError) as exc:
        proposal_check_eligibility(actor=ministry, proposal=proposal, passed=False, reason=reason)
    assert exc.value.message_dict == {"reason": ["Give the reason; the regions will read it."]}
    proposal.refresh_from_db()
    assert (proposal.state, proposal.events.count()) == (S.SUBMITTED, 0)


def test_failing_eligibility_with_a_reason_stores_the_reason(complete_proposal, ministry):
    proposal = in_state(complete_proposal, S.SUBMITTED)
    proposal_check_eligibility(actor=ministry, proposal=proposal, passed=False, reason="  매칭 비율 미달 \n")
    proposal.refresh_from_db()
    assert (proposal.state, proposal.state_reason) == (S.INELIGIBLE, "매칭 비율 미달")
    assert events(proposal) == [("ministry", "fail_eligibility", S.SUBMITTED, S.INELIGIBLE, "매칭 비율 미달")]


def test_passing_eligibility_needs_no_reason(complete_proposal, ministry):
    proposal = in_state(complete_proposal, S.SUBMITTED)
    proposal_check_eligibility(actor=ministry, proposal=proposal, passed=True)
    proposal.refresh_from_db()
    assert (proposal.state, proposal.state_reason) == (S.ELIGIBLE, "")


# --- Frozen versions -------------------------------------------------------------------------


def test_sending_to_consulting_freezes_version_1_with_the_snapshot_of_the_plan(
    complete_proposal, official, before_deadline
):
    expected = snapshot(complete_proposal)
    proposal_send_to_consulting(actor=official, proposal=complete_proposal, now=before_deadline)
    version = ProposalVersion.objects.get(proposal=complete_proposal)
    assert (version.number, version.kind, version.revision, version.created_by) == (
        1, VersionKind.CONSULTING, complete_proposal.revision, official)
    assert version.snapshot == expected
    assert version.snapshot["summary"] == complete_proposal.summary
    y = on(2027, 1, 29).year  # the call's year: 2027 as written (tests/clock.py)
    assert [(b["region"], b["year"], b["national"], b["local"]) for b in version.snapshot["budget"]] == [
        ("gwangju", y, 900_000_000, 200_000_000), ("jeonnam", y, 900_000_000, 200_000_000),
        ("gwangju", y + 1, 900_000_000, 200_000_000), ("jeonnam", y + 1, 900_000_000, 200_000_000),
        ("gwangju", y + 2, 900_000_000, 200_000_000), ("jeonnam", y + 2, 900_000_000, 200_000_000),
    ]


def test_consulting_then_submission_freezes_v1_and_v2_each_with_the_plan_of_its_time(
    complete_proposal, official, partner_official, ministry, industry_ai, before_deadline
):
    proposal = proposal_send_to_consulting(actor=official, proposal=complete_proposal, now=before_deadline)
    proposal = proposal_start_revising(actor=ministry, proposal=proposal)
    proposal = proposal_save_overview(actor=official, proposal=proposal, expected_revision=0, data={
        "title_ko": proposal.title_ko, "title_en": proposal.title_en, "industry": industry_ai,
        "summary": "컨설팅 의견을 반영해 실증 범위를 넓혔다.", "problem": proposal.problem,
    })
    sign_all(proposal)
    proposal = proposal_submit(actor=official, proposal=proposal, now=before_deadline)

    v1, v2 = ProposalVersion.objects.filter(proposal=proposal).order_by("number")
    assert [(v.number, v.kind) for v in (v1, v2)] == [(1, VersionKind.CONSULTING), (2, VersionKind.SUBMISSION)]
    assert (v1.revision, v2.revision) == (1, 2)
    assert (v1.snapshot["summary"], v2.snapshot["summary"]) == (
        complete_proposal.summary, "컨설팅 의견을 반영해 실증 범위를 넓혔다.")
    assert v2.snapshot == snapshot(Proposal.objects.get(pk=proposal.pk))
    assert [(a, n) for _u, a, _f, _t, n in events(proposal)] == [
        ("send_to_consulting", "v1"), ("start_revising", ""), ("sign_offs_cleared", "overview"), ("submit", "v2"),
    ]


def test_submitting_records_when(complete_proposal, official, before_deadline):
    proposal_submit(actor=official, proposal=complete_proposal, now=before_deadline)
    complete_proposal.refresh_from_db()
    assert (complete_proposal.state, complete_proposal.submitted_at) == (S.SUBMITTED, before_deadline)


# --- Withdrawal --------------------------------------------------------------------------


def test_the_lead_region_withdraws_a_submitted_proposal_before_the_deadline(complete_proposal, official, call):
    proposal = in_state(complete_proposal, S.SUBMITTED)
    proposal_withdraw(actor=official, proposal=proposal, now=call.submission_deadline)
    proposal.refresh_from_db()
    assert proposal.state == S.WITHDRAWN


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED])
def test_withdrawing_after_the_deadline_is_refused(complete_proposal, official, call, state):
    proposal = in_state(complete_proposal, state)
    with pytest.raises(ValidationError) as exc:
        proposal_withdraw(actor=official, proposal=proposal,
                          now=call.submission_deadline + datetime.timedelta(seconds=1))
    assert exc.value.messages == [f"The submission deadline has passed ({at(2027, 1, 29, 18):%Y-%m-%d %H:%M:%S}, Korea time)."]
    proposal.refresh_from_db()
    assert (proposal.state, proposal.events.count()) == (state, 0)
