"""Approvals racing for the last of a call's envelope: the call's row is locked, so no
two approvals together overspend it (PostgreSQL; SQLite serialises writers anyway)."""

import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from funding import services
from funding.models import DecisionState, FundingDecision
from proposals.models import Proposal, ProposalState
from tests.factories import EOK, CallFactory
from tests.funding.conftest import fill, region_ids, select

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not settings.IS_POSTGRES,
                       reason="needs PostgreSQL (row locks): DATABASE_URL is unset or not a postgres:// URL"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

THREADS = 6
ROUNDS = 3
REFUSED = ("Approving would exceed the call's envelope: 800,000,000 won committed + 400,000,000 won > "
           "1,000,000,000 won (remaining 200,000,000 won).")


def four_eok_decisions(call, ministry, n) -> list[FundingDecision]:
    """n selected proposals of the call, each with a prepared decision of 4억 over the pilot."""
    from tests.proposals.conftest import ProposalFactory

    decisions = []
    for i in range(n):
        proposal = select(fill(ProposalFactory(call=call, partners=["jeonnam"], title_ko=f"경합 과제 {call.pk}-{i}")))
        years = {2027: 2 * EOK, 2028: 1 * EOK, 2029: 1 * EOK}
        obligations = {(r, y): v // 10 for r in region_ids(proposal) for y, v in years.items()}  # 20% a year
        decisions.append(services.funding_prepare(actor=ministry, proposal=proposal, years=years,
                                                  obligations=obligations))
    return decisions


def race(decisions, actor) -> list:
    """Every decision approved at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(decisions))
    outcomes = [None] * len(decisions)

    def approve(i, decision):
        translation.activate("en")
        try:
            barrier.wait(timeout=10)
            services.funding_approve(actor=actor, decision=decision)
            outcomes[i] = "approved"
        except ValidationError as exc:
            outcomes[i] = exc.messages
        except Exception as exc:  # noqa: BLE001  (reported in the assertion)
            outcomes[i] = repr(exc)
        finally:
            translation.deactivate()
            connection.close()

    threads = [threading.Thread(target=approve, args=(i, d)) for i, d in enumerate(decisions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_six_simultaneous_approvals_of_4_eok_in_a_10_eok_envelope_approve_exactly_two(ministry, ministry2):
    for _round in range(ROUNDS):
        call = CallFactory(created_by=ministry, updated_by=ministry, envelope_won=10 * EOK, cap_won=5 * EOK)
        decisions = four_eok_decisions(call, ministry, THREADS)

        outcomes = race(decisions, ministry2)

        assert sorted(map(str, outcomes)) == sorted(["approved"] * 2 + [str([REFUSED])] * (THREADS - 2))
        approved = FundingDecision.objects.filter(proposal__call=call, state=DecisionState.APPROVED)
        assert sorted(d.pk for d in approved) == sorted(d.pk for d, o in zip(decisions, outcomes, strict=True)
                                                         if o == "approved")
        assert services.committed_won(call) == 8 * EOK
        assert services.committed_won(call) <= call.envelope_won
        assert Proposal.objects.filter(call=call, state=ProposalState.FUNDED).count() == 2
        assert FundingDecision.objects.filter(proposal__call=call, state=DecisionState.PREPARED).count() == THREADS - 2
