"""Funding's to-do: a prepared decision waits for a second staff member, never its preparer."""

import pytest

from core.todos import todos_for
from funding.models import DecisionState, FundingDecision
from tests.proposals.conftest import ProposalFactory

pytestmark = pytest.mark.django_db


def test_a_prepared_decision_is_a_to_do_of_the_other_staff_member_only(call, ministry, ministry2, official):
    proposal = ProposalFactory(call=call, partners=[])
    decision = FundingDecision.objects.create(proposal=proposal, prepared_by=ministry, national_total_won=1)
    assert "funding.approve" not in [t.kind for t in todos_for(ministry)]
    assert "funding.approve" in [t.kind for t in todos_for(ministry2)]
    assert "funding.approve" not in [t.kind for t in todos_for(official)]  # never a region's to see
    decision.state = DecisionState.APPROVED
    decision.save(update_fields=["state"])
    assert "funding.approve" not in [t.kind for t in todos_for(ministry2)]
