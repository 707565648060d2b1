"""A project's life: opened by the funding approval, never past ten years in total,
stopped by termination, and its conditions tracked to closure."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluations.models import Assignment, AssignmentKind, Score, Scoresheet, ScoresheetState
from funding import services as funding
from programmes.models import RubricCriterion
from projects.models import (
    ConditionState,
    Outcome,
    PlanState,
    Project,
    ProjectStage,
    ProjectStatus,
    RoundState,
    StageEvaluation,
    StagePlan,
    StageRound,
    StageState,
)
from projects.services import lifecycle, plans, reports, stages
from tests.evaluations.conftest import COMMENT
from tests.factories import ExpertFactory
from tests.funding.conftest import fill, select
from tests.funding.conftest import plan as funding_plan

from .conftest import (
    PILOT,
    WIND_DOWN,
    YEAR,
    approve_plan,
    decide,
    evaluation_of,
    fill_plan,
    fund,
    ready_round,
    stage_rows,
    with_second_kpi,
)

pytestmark = pytest.mark.django_db


# --- Opening --------------------------------------------------------------------------------


def test_approving_a_funding_decision_opens_one_project_with_its_pilot_stage(complete_proposal, ministry, ministry2):
    select(complete_proposal)
    years, obligations = funding_plan(complete_proposal)
    decision = funding.funding_prepare(actor=ministry, proposal=complete_proposal, years=years,
                                       obligations=obligations)
    assert Project.objects.count() == 0  # prepared is not funded

    funding.funding_approve(actor=ministry2, decision=decision)

    project = Project.objects.get()
    assert (project.proposal_id, project.status, project.start_year) == (
        complete_proposal.pk, ProjectStatus.ACTIVE, complete_proposal.start_year)
    assert stage_rows(project) == [(1, YEAR, 3, StageState.RUNNING)]
    assert project.stages.get().year_list == PILOT
    assert project.stages.get().goals == complete_proposal.stages.get(order=1).goals


def test_the_pilot_lasts_the_calls_pilot_years(make_proposal, ministry, ministry2, call):
    call.pilot_years = 2
    call.save()
    project = fund(with_second_kpi(fill(make_proposal(partners=["jeonnam"]))), prepared_by=ministry,
                   approved_by=ministry2)
    assert stage_rows(project) == [(1, YEAR, 2, StageState.RUNNING)]


def test_opening_again_keeps_the_one_project_and_its_one_stage(project):
    decision = project.proposal.funding_decisions.get()
    again = lifecycle.project_open(decision=decision)
    assert (again.pk, Project.objects.count(), ProjectStage.objects.count()) == (project.pk, 1, 1)


# --- The ten-year rule --------------------------------------------------------------------


def test_three_plus_three_plus_four_years_reach_exactly_ten_and_no_further(
        project, call, ministry, ministry2, stage_expert):
    # Pilot 2023–2025, evaluated; continued for 3 years.
    rnd1 = ready_round(call, by=ministry, expert=stage_expert)
    plan2 = StagePlan.objects.get(evaluation=decide(evaluation_of(rnd1, project), by=ministry))
    approve_plan(fill_plan(plan2), endorser=ministry, approver=ministry2)
    # Stage 2 (2026–2028), evaluated; continued for 4 years.
    rnd2 = ready_round(call, by=ministry, expert=stage_expert, stage_number=2, next_stage_years=4, year=2028)
    plan3 = StagePlan.objects.get(evaluation=decide(evaluation_of(rnd2, project), by=ministry))
    assert (plan3.stage_number, plan3.start_year, plan3.years) == (3, 2029, 4)
    approve_plan(fill_plan(plan3), endorser=ministry, approver=ministry2)

    assert stage_rows(project) == [(1, 2023, 3, StageState.CLOSED), (2, 2026, 3, StageState.CLOSED),
                                   (3, 2029, 4, StageState.RUNNING)]
    assert (lifecycle.total_years(project), lifecycle.remaining_years(project)) == (10, 0)

    # Stage 3 evaluated: there is no year left to continue into.
    rnd3 = ready_round(call, by=ministry, expert=stage_expert, stage_number=3, year=2032)
    evaluation = evaluation_of(rnd3, project)
    for outcome, conditions in ((Outcome.CONTINUE, ()), (Outcome.CONDITIONS, [{"text": "추가 실증"}])):
        with pytest.raises(ValidationError) as refused:
            decide(evaluation, by=ministry, outcome=outcome, conditions=conditions)
        assert refused.value.message_dict == {"outcome": ["The project has used all 10 years; it cannot continue."]}
    evaluation.refresh_from_db()
    assert (evaluation.outcome, StagePlan.objects.filter(evaluation=evaluation).exists()) == ("", False)
    assert lifecycle.total_years(project) == 10


def test_a_plan_cannot_be_lengthened_past_ten_years(continued, official):
    with pytest.raises(ValidationError) as refused:
        plans.plan_save(actor=official, plan=continued, years=8)
    assert refused.value.message_dict == {"years": [
        "The project already has 3 years; 8 more would make 11, beyond the limit of 10 years in total. "
        "At most 7 more year(s) can be planned."]}
    continued.refresh_from_db()
    assert (continued.years, continued.lines.count()) == (3, 6)


def test_a_plan_can_be_lengthened_to_exactly_ten_years(continued, official, gwangju_id, jeonnam_id):
    plan = plans.plan_save(actor=official, plan=continued, years=7)
    assert (plan.years, plan.year_list) == (7, list(range(2026, 2033)))
    assert sorted(plan.lines.values_list("region_id", "year")) == sorted(
        (r, y) for r in (gwangju_id, jeonnam_id) for y in range(2026, 2033))


def test_a_stage_lasts_at_least_one_year(continued, official):
    with pytest.raises(ValidationError) as refused:
        plans.plan_save(actor=official, plan=continued, years=0)
    assert refused.value.message_dict == {"years": ["A stage lasts at least one year."]}


def test_the_continue_outcome_opens_a_plan_no_longer_than_the_years_left(project, call, ministry, stage_expert):
    rnd = ready_round(call, by=ministry, expert=stage_expert, next_stage_years=10)
    plan = StagePlan.objects.get(evaluation=decide(evaluation_of(rnd, project), by=ministry))
    assert (plan.start_year, plan.years) == (2026, 7)


def test_approval_checks_the_ten_year_rule_again(continued, official, ministry, ministry2):
    """The plan was within the limit when saved; the project's stages changed before approval
    (here the pilot was extended by a year), so approving would make 11 years."""
    plan = fill_plan(continued)
    plan = plans.plan_save(actor=official, plan=plan, years=7)
    plan = fill_plan(plan)
    plans.plan_submit(actor=official, plan=plan)
    plans.plan_endorse(actor=ministry, plan=plan)
    ProjectStage.objects.filter(project=plan.project, number=1).update(years=4)

    with pytest.raises(ValidationError) as refused:
        plans.plan_approve(actor=ministry2, plan=plan)
    assert refused.value.message_dict == {"years": [
        "The project already has 4 years; 7 more would make 11, beyond the limit of 10 years in total. "
        "At most 6 more year(s) can be planned."]}
    plan.refresh_from_db()
    assert (plan.state, plan.project.stages.count()) == (PlanState.ENDORSED, 1)


# --- Termination ----------------------------------------------------------------------------


@pytest.fixture
def terminated(ready, ministry):
    return decide(ready, by=ministry, outcome=Outcome.TERMINATE, wind_down_on=WIND_DOWN.isoformat())


def test_terminating_records_the_wind_down_and_closes_the_stage(terminated, project):
    project.refresh_from_db()
    assert (project.status, project.wind_down_on, terminated.wind_down_on) == (
        ProjectStatus.TERMINATED, WIND_DOWN, WIND_DOWN)
    assert stage_rows(project) == [(1, 2023, 3, StageState.CLOSED)]
    assert StagePlan.objects.filter(project=project).count() == 0  # no next stage to fund


def test_terminating_needs_a_wind_down_date(ready, ministry, project):
    with pytest.raises(ValidationError) as refused:
        decide(ready, by=ministry, outcome=Outcome.TERMINATE)
    assert refused.value.message_dict == {"wind_down_on": ["Give the wind-down date."]}
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE


def test_a_terminated_project_gets_no_report_after_its_wind_down(terminated, project, official):
    with pytest.raises(ValidationError) as refused:
        reports.report_open(actor=official, project=project, year=2026)
    assert refused.value.messages == ["This project is “Terminated”: no reports after its wind-down."]
    assert project.reports.count() == 0


def test_a_terminated_project_can_still_report_a_year_before_its_wind_down(terminated, project, official):
    assert reports.report_open(actor=official, project=project, year=2025).year == 2025


def test_the_daily_opening_of_reports_skips_a_terminated_project(terminated, project, make_project):
    running = make_project()
    opened = reports.reports_open_due(today=datetime.date(2027, 1, 5))
    assert sorted((r.project_id, r.year) for r in opened) == [(running.pk, y) for y in PILOT]
    assert project.reports.count() == 0


def test_a_terminated_project_gets_no_more_funding(continued, official, ministry, ministry2):
    """A plan left behind (here: the project was terminated while its plan was endorsed)
    can be neither changed nor approved."""
    plan = fill_plan(continued)
    plans.plan_submit(actor=official, plan=plan)
    plans.plan_endorse(actor=ministry, plan=plan)
    Project.objects.filter(pk=plan.project_id).update(status=ProjectStatus.TERMINATED, wind_down_on=WIND_DOWN)
    refusal = ["This project is “Terminated”: no further reports, plans or funding."]

    with pytest.raises(ValidationError) as refused:
        plans.plan_approve(actor=ministry2, plan=plan)
    assert refused.value.messages == refusal
    plans.plan_return(actor=ministry, plan=plan, comment="재검토")
    with pytest.raises(ValidationError) as refused:
        plans.plan_save(actor=official, plan=plan, goals="변경")
    assert refused.value.messages == refusal
    assert (plans.round_committed_won(plan.evaluation.round), plan.project.stages.count()) == (0, 1)


def test_terminating_voids_a_plan_not_yet_approved(project, continued, ministry):
    """Should a project with a draft plan be terminated by another evaluation of it
    (a special round, written here straight to the models), the draft goes."""
    special = StageRound.objects.create(call=project.proposal.call, stage_number=9, title="특별 평가", year=2026,
                                        envelope_won=0, opened_by=ministry, state=RoundState.SCORING)
    criterion = RubricCriterion.objects.create(stage_call=special.call, stage_number=special.stage_number, order=1,
                                               name_ko="종합", weight=100)
    evaluation = StageEvaluation.objects.create(round=special, project=project, stage=project.stages.get(number=1))
    assignment = Assignment.objects.create(kind=AssignmentKind.STAGE, expert=ExpertFactory(), proposal=project.proposal,
                                           stage_number=special.stage_number, assigned_by=ministry)
    sheet = Scoresheet.objects.create(assignment=assignment, state=ScoresheetState.SUBMITTED)
    # 70 points: graded average, so no good-faith review stands before the termination (test_good_faith).
    Score.objects.create(scoresheet=sheet, criterion=criterion, value=7, comment=COMMENT)

    decide(evaluation, by=ministry, outcome=Outcome.TERMINATE, wind_down_on=WIND_DOWN)
    assert StagePlan.objects.filter(project=project).count() == 0


# --- Conditions ----------------------------------------------------------------------------


@pytest.fixture
def with_conditions(ready, ministry):
    return decide(ready, by=ministry, outcome=Outcome.CONDITIONS, conditions=[
        {"text": "지방비 매칭 계획 보완", "due_on": "2026-03-31"},
        {"text": "기업 유치 실적 보고", "due_on": ""},
        {"text": "   "},  # blank rows of the form are ignored
    ])


def test_continue_with_conditions_records_each_condition_open(with_conditions, project):
    assert list(lifecycle_conditions(project)) == [
        ("지방비 매칭 계획 보완", datetime.date(2026, 3, 31), ConditionState.OPEN),
        ("기업 유치 실적 보고", None, ConditionState.OPEN)]
    assert StagePlan.objects.filter(evaluation=with_conditions).count() == 1  # the project continues


def lifecycle_conditions(project):
    return stages.open_conditions(project).values_list("text", "due_on", "state")


def test_continue_with_conditions_needs_a_condition(ready, ministry):
    with pytest.raises(ValidationError) as refused:
        decide(ready, by=ministry, outcome=Outcome.CONDITIONS, conditions=[{"text": " "}])
    assert refused.value.message_dict == {"conditions": ["State at least one condition."]}


def test_conditions_belong_to_the_conditional_outcome_only(ready, ministry):
    with pytest.raises(ValidationError) as refused:
        decide(ready, by=ministry, outcome=Outcome.CONTINUE, conditions=[{"text": "보완"}])
    assert refused.value.message_dict == {"conditions": ["Conditions belong to “continue with conditions” only."]}


def test_staff_close_a_condition_with_evidence(with_conditions, project, ministry2):
    first = with_conditions.conditions.order_by("pk").first()
    closed = stages.condition_close(actor=ministry2, condition=first, evidence="  보완 계획서 제출(2026.3.15)  ")
    assert (closed.state, closed.evidence, closed.closed_by, closed.closed_at is not None) == (
        ConditionState.MET, "보완 계획서 제출(2026.3.15)", ministry2, True)
    assert [c.text for c in stages.open_conditions(project)] == ["기업 유치 실적 보고"]


def test_a_condition_closes_once(with_conditions, ministry):
    first = with_conditions.conditions.order_by("pk").first()
    stages.condition_close(actor=ministry, condition=first, evidence="제출 완료")
    with pytest.raises(ValidationError) as refused:
        stages.condition_close(actor=ministry, condition=first, evidence="다시")
    assert refused.value.messages == ["This condition is already closed."]
    first.refresh_from_db()
    assert first.evidence == "제출 완료"


def test_closing_a_condition_needs_evidence(with_conditions, project, ministry):
    first = with_conditions.conditions.order_by("pk").first()
    with pytest.raises(ValidationError) as refused:
        stages.condition_close(actor=ministry, condition=first, evidence="   ")
    assert refused.value.message_dict == {"evidence": ["Record how the condition was met."]}
    assert stages.open_conditions(project).count() == 2


def test_officials_cannot_close_their_own_conditions(with_conditions, project, official, partner_official):
    first = with_conditions.conditions.order_by("pk").first()
    for who in (official, partner_official):
        with pytest.raises(PermissionDenied):
            stages.condition_close(actor=who, condition=first, evidence="완료했습니다")
    assert stages.open_conditions(project).count() == 2
