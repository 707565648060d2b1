"""Plan approvals racing for the last of a round's envelope: the round's row is
locked, so no two approvals together overspend it (PostgreSQL; SQLite serialises
writers anyway)."""

import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from programmes.models import CallStatus
from projects.models import Outcome, PlanState, PlanYear, ProjectStage, StageEvaluation, StagePlan, StageRound
from projects.services import plans
from tests.factories import EOK, CallFactory
from tests.funding.conftest import region_ids
from tests.proposals.conftest import ProposalFactory

from .conftest import project_straight

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not settings.IS_POSTGRES,
                       reason="needs PostgreSQL (row locks): DATABASE_URL is unset or not a postgres:// URL"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

THREADS = 6
ROUNDS = 3
REFUSED = ("Approving would exceed the next stage's envelope: 800,000,000 won committed + 400,000,000 won > "
           "1,000,000,000 won (remaining 200,000,000 won).")


def endorsed_plans(ministry, n) -> tuple[StageRound, list[StagePlan]]:
    """A round with a 10억 envelope and n continued projects, each with an endorsed
    two-year plan of 4억 national (1억 per region and year, local 20%)."""
    call = CallFactory(year=2023, status=CallStatus.ANNOUNCED, created_by=ministry, updated_by=ministry)
    rnd = StageRound.objects.create(call=call, stage_number=1, title="1단계 평가", year=2025, envelope_won=10 * EOK,
                                    next_stage_years=2, opened_by=ministry, state="scoring")
    result = []
    for i in range(n):
        project = project_straight(ProposalFactory(call=call, partners=["jeonnam"], title_ko=f"경합 과제 {i}"))
        evaluation = StageEvaluation.objects.create(round=rnd, project=project, stage=project.stages.get(),
                                                    outcome=Outcome.CONTINUE, decided_by=ministry,
                                                    decided_at=timezone.now())
        plan = StagePlan.objects.create(evaluation=evaluation, project=project, stage_number=2, start_year=2026,
                                        years=2, goals="실증", state=PlanState.ENDORSED, national_total_won=4 * EOK,
                                        endorsed_by=ministry, endorsed_at=timezone.now())
        PlanYear.objects.bulk_create([PlanYear(plan=plan, region_id=r, year=y, national_won=EOK, local_won=EOK // 5)
                                      for r in region_ids(project.proposal) for y in (2026, 2027)])
        result.append(plan)
    return rnd, result


def race(items, actor) -> list:
    """Every plan approved at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(items))
    outcomes = [None] * len(items)

    def approve(i, plan):
        translation.activate("en")
        try:
            barrier.wait(timeout=10)
            plans.plan_approve(actor=actor, plan=plan)
            outcomes[i] = "approved"
        except ValidationError as exc:
            outcomes[i] = exc.messages
        except Exception as exc:  # noqa: BLE001  (reported in the assertion)
            outcomes[i] = repr(exc)
        finally:
            translation.deactivate()
            connection.close()

    threads = [threading.Thread(target=approve, args=(i, p)) for i, p in enumerate(items)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_six_simultaneous_plan_approvals_of_4_eok_in_a_10_eok_envelope_approve_exactly_two(ministry, ministry2):
    for _round in range(ROUNDS):
        rnd, items = endorsed_plans(ministry, THREADS)

        outcomes = race(items, ministry2)

        assert sorted(map(str, outcomes)) == sorted(["approved"] * 2 + [str([REFUSED])] * (THREADS - 2))
        approved = StagePlan.objects.filter(evaluation__round=rnd, state=PlanState.APPROVED)
        assert sorted(p.pk for p in approved) == sorted(p.pk for p, o in zip(items, outcomes, strict=True)
                                                         if o == "approved")
        assert plans.round_committed_won(rnd) == 8 * EOK <= rnd.envelope_won
        assert ProjectStage.objects.filter(project__proposal__call=rnd.call, number=2).count() == 2
