"""Every state change of a funded project leaves one audit record with its actor
and before/after values (the audit app's trail: issue 7's "who changed this")."""

import pytest

from audit.models import AuditEvent
from projects.models import ConditionState, Outcome
from projects.services import reports, stages

from .conftest import approve_plan, decide, fill_plan

pytestmark = pytest.mark.django_db


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_report_submission_and_review_are_recorded(submitted_report, official, ministry):
    submitted = events("report_state")
    assert len(submitted) == 1
    assert submitted[0].actor == official
    assert (submitted[0].before, submitted[0].after) == ({"state": "draft"}, {"state": "submitted"})
    reports.report_review(actor=ministry, report=submitted_report, accept=False, comment="집행 실적 보완")
    returned = events("report_state")[1:]
    assert len(returned) == 1 and returned[0].actor == ministry
    assert returned[0].after == {"state": "returned", "comment": "집행 실적 보완"}


def test_round_opening_start_outcome_and_condition_closing_are_recorded(ready, ministry, ministry2):
    rounds = events("stage_round")
    assert [e.after["state"] for e in rounds] == ["preparing", "scoring"]  # opened, then scoring started
    evaluation = decide(ready, by=ministry2, outcome=Outcome.CONDITIONS,
                        conditions=[{"text": "사업화 전략 보완", "due_on": "2026-12-31"}])
    (outcome,) = events("stage_outcome")
    assert outcome.actor == ministry2
    assert outcome.after["outcome"] == "conditions" and outcome.after["conditions"] == ["사업화 전략 보완"]
    assert outcome.after["score_mean"] is not None
    condition = evaluation.conditions.get()
    stages.condition_close(actor=ministry, condition=condition, evidence="보완 전략 제출(2026-11-20)")
    (closed,) = events("condition")
    assert closed.actor == ministry and closed.before == {"state": "open"}
    assert closed.after == {"state": ConditionState.MET, "evidence": "보완 전략 제출(2026-11-20)"}


def test_each_plan_step_is_recorded_with_its_actor(continued, official, ministry, ministry2):
    approve_plan(fill_plan(continued), endorser=ministry, approver=ministry2)
    steps = events("plan_state")
    assert [(e.after["state"], e.actor) for e in steps] == [
        ("submitted", official), ("endorsed", ministry), ("approved", ministry2)]
    assert steps[-1].after["national_total_won"] == continued.__class__.objects.get(pk=continued.pk).national_total_won
