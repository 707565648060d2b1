"""Funded-project fixtures and helpers (the test modules import the helpers from here).

The proposal fixtures and page helpers of tests/proposals/conftest.py are
re-exported (messages compared in English, uploads in a per-test MEDIA_ROOT).

The standard project: Gwangju (lead) + Jeonnam in a **2023** call (pilot
2023–2025, ten years at most, local funds ≥ 20% of national), funded the real
way — `funding_prepare` by `ministry`, `funding_approve` by `ministry2` — which
opens the project and its pilot stage. 2023, so that every pilot year has begun
and its annual report can be opened today. The proposal has two KPIs.

Officials: `official` (Gwangju, lead), `partner_official` (Jeonnam),
`outsider_official` (Busan). Experts come from Daejeon (conflict-free).

A stage evaluation goes: `open_round` (stage 1, the round's own four-criterion
rubric 35/20/25/20) → `seat` an expert (stage_assign + no-conflict declaration)
→ `round_start_scoring` → `score` → `decide`. `ready_round` does all of it with
one expert. A continued project gets a plan; `fill_plan` has each region enter
its own money (5억 national + 1억 local per region and year: exactly 20%),
the lead the goals; `approve_plan` submits, endorses (`ministry`) and approves
(`ministry2`).

Services are called inside the test's transaction, so after-commit work
(notification e-mails, award letters) does not run unless a test asks for it.
"""

import datetime

import pytest
from django.utils import timezone

from evaluations.models import Assignment
from evaluations.services import assignment_declare, scoresheet_save
from funding import services as funding
from programmes.models import CallStatus
from projects.models import Outcome, PlanState, Project, ProjectStage, StageEvaluation, StagePlan, StageRound
from projects.services import plans, reports, stages
from proposals.models import KPI, Proposal
from tests.evaluations.conftest import COMMENT, make_expert, pledge
from tests.factories import EOK, CallFactory
from tests.funding.conftest import plan as funding_plan
from tests.funding.conftest import region_ids, select
from tests.proposals.conftest import (  # noqa: F401  (fixtures shared with the proposals tests)
    PDF,
    ProposalFactory,
    _english,
    _media_root,
    client,
    complete_proposal,
    fill,
    form_fields,
    make_proposal,
    messages_of,
    official_of,
    other_client,
    proposal,
    text_of,
)

YEAR = 2023
PILOT = [2023, 2024, 2025]
NATIONAL = 5 * EOK  # per region and year in a filled plan
LOCAL = 1 * EOK  # per region and year: 2억 local for 10억 national = exactly 20%
WIND_DOWN = datetime.date(2026, 6, 30)


# --- Projects ---------------------------------------------------------------------------


def fund(subject: Proposal, *, prepared_by, approved_by) -> Project:
    """Select, prepare (18억 national a year) and approve the funding decision; the project it opened."""
    select(subject)
    years, obligations = funding_plan(subject)
    decision = funding.funding_prepare(actor=prepared_by, proposal=subject, years=years, obligations=obligations)
    funding.funding_approve(actor=approved_by, decision=decision)
    return Project.objects.select_related("proposal__call").get(proposal=subject)


def project_straight(subject: Proposal) -> Project:
    """A project and its pilot stage written straight to the models (for tests that need many,
    outside the funding path)."""
    project = Project.objects.create(proposal=subject, start_year=subject.start_year)
    ProjectStage.objects.create(project=project, number=1, start_year=subject.start_year,
                                years=subject.call.pilot_years, goals="원천기술 확보")
    return project


@pytest.fixture
def call(ministry):
    """The 2023 call (announced), every region eligible, rubric 25/25/20/15/15."""
    return CallFactory(year=YEAR, status=CallStatus.ANNOUNCED, title="2023년 메가프로젝트 공모",
                       created_by=ministry, updated_by=ministry)


def with_second_kpi(subject: Proposal) -> Proposal:
    KPI.objects.create(proposal=subject, order=2, name="기업 유치", unit="개", baseline=0, targets=["3", "6", "10"])
    return subject


@pytest.fixture
def make_project(make_proposal, partner_official, ministry, ministry2):  # noqa: F811
    """A funded Gwangju + Jeonnam project of the 2023 call (kwargs go to the proposal)."""

    def make(**kwargs) -> Project:
        kwargs.setdefault("partners", ["jeonnam"])
        return fund(with_second_kpi(fill(make_proposal(**kwargs))), prepared_by=ministry, approved_by=ministry2)

    return make


@pytest.fixture
def project(complete_proposal, ministry, ministry2, partner_official):  # noqa: F811
    """The standard project (the `proposal` fixture, funded)."""
    return fund(with_second_kpi(complete_proposal), prepared_by=ministry, approved_by=ministry2)


@pytest.fixture
def gwangju_id(project):
    return project.proposal.lead_region_id


@pytest.fixture
def jeonnam_id(project):
    return next(r for r in region_ids(project.proposal) if r != project.proposal.lead_region_id)


# --- Annual reports -----------------------------------------------------------------------


@pytest.fixture
def report(project, official):
    """The 2023 report, opened by the lead region (parts for Gwangju and Jeonnam, two KPI rows)."""
    return reports.report_open(actor=official, project=project, year=YEAR)


def part_of(report, region_id):
    return report.parts.get(region_id=region_id)


def complete_report(report, *, lead, partner, narrative="1차년도 목표를 달성함.") -> None:
    """Both regions write their part, the lead region the KPI values and the narrative."""
    for who, spent in ((lead, 9 * EOK), (partner, 8 * EOK)):
        reports.report_part_save(actor=who, part=part_of(report, who.region_id), national_spent=spent,
                                 local_spent=2 * EOK, narrative=f"{who.region.name} 추진 실적")
    report.refresh_from_db()
    values = {r.pk: (str(10 + i), "") for i, r in enumerate(report.kpi_results.order_by("kpi__order"))}
    reports.report_save(actor=lead, report=report, narrative=narrative, kpi_values=values)
    report.refresh_from_db()


@pytest.fixture
def submitted_report(report, official, partner_official):
    complete_report(report, lead=official, partner=partner_official)
    reports.report_submit(actor=official, report=report)
    report.refresh_from_db()
    return report


# --- Stage evaluations --------------------------------------------------------------------


def open_round(call, *, by, stage_number=1, envelope_won=100 * EOK, next_stage_years=3, year=None,
               criteria=None, projects=None) -> StageRound:
    return stages.round_open(actor=by, call=call, stage_number=stage_number, title=f"{stage_number}단계 평가",
                             year=year or YEAR + 2, envelope_won=envelope_won, next_stage_years=next_stage_years,
                             criteria=criteria, projects=projects)


def evaluation_of(rnd: StageRound, project: Project) -> StageEvaluation:
    return StageEvaluation.objects.select_related("round", "stage", "project__proposal").get(round=rnd,
                                                                                            project=project)


def seat(evaluation: StageEvaluation, expert, *, by) -> Assignment:
    """Assign the expert to the stage panel; they signed the call's pledge and declare no conflict."""
    assignment = stages.stage_assign(actor=by, evaluation=evaluation, expert=expert)
    pledge(expert, assignment.proposal.call)
    return assignment_declare(actor=expert, assignment=assignment, conflict=False)


def round_values(rnd: StageRound, scores, comment: str = COMMENT) -> dict:
    """{criterion id: (value, comment)} over the round's criteria in order."""
    criteria = list(rnd.criteria.order_by("order", "pk"))
    return {c.pk: ("" if s is None else str(s), comment) for c, s in zip(criteria, scores, strict=True)}


def score(assignment: Assignment, scores, *, submit=True):
    rnd = StageRound.objects.get(call_id=assignment.proposal.call_id, stage_number=assignment.stage_number)
    return scoresheet_save(actor=assignment.expert, assignment=assignment, values=round_values(rnd, scores),
                           submit=submit, confidence=2)


def ready_round(call, *, by, expert, stage_number=1, scores=(8, 7, 8, 9), **round_kwargs) -> StageRound:
    """A round whose every evaluation has one expert's submitted scores."""
    rnd = open_round(call, by=by, stage_number=stage_number, **round_kwargs)
    assignments = [seat(e, expert, by=by) for e in rnd.evaluations.all()]
    stages.round_start_scoring(actor=by, rnd=rnd)
    for a in assignments:
        score(a, scores)
    return rnd


def decide(evaluation, *, by, outcome=Outcome.CONTINUE, conditions=(), wind_down_on=None):
    return stages.stage_decide(actor=by, evaluation=evaluation, outcome=outcome, panel_comment="목표 대비 성과 우수",
                               reason="평가 점수에 따른 결정", conditions=conditions, wind_down_on=wind_down_on)


@pytest.fixture
def stage_expert(db):
    return make_expert("stage-expert", display_name="박서연 박사")


@pytest.fixture
def ready(project, call, ministry, stage_expert):
    """The pilot-end round of the standard project, scored by one expert, not yet decided."""
    rnd = ready_round(call, by=ministry, expert=stage_expert)
    return evaluation_of(rnd, project)


@pytest.fixture
def continued(ready, ministry):
    """The standard project continued after its pilot: its stage 2 plan (draft, no money yet)."""
    decide(ready, by=ministry)
    return StagePlan.objects.get(evaluation=ready)


# --- Follow-up plans -----------------------------------------------------------------------


def fill_plan(plan: StagePlan, *, national=NATIONAL, local=LOCAL, goals="실증 확대 및 기업 유치") -> StagePlan:
    """Each region enters its own money for every year; the lead region writes the goals."""
    plan.refresh_from_db()
    lead_region = plan.project.proposal.lead_region_id
    for region_id in region_ids(plan.project.proposal):
        who = official_of(plan.lines.filter(region_id=region_id).first().region)
        plan = plans.plan_save(actor=who, plan=plan, goals=goals if region_id == lead_region else None,
                               amounts={(region_id, y): (national, local) for y in plan.year_list})
    return plan


def approve_plan(plan: StagePlan, *, endorser, approver) -> StagePlan:
    lead = official_of(plan.project.proposal.lead_region)
    plans.plan_submit(actor=lead, plan=plan)
    plans.plan_endorse(actor=endorser, plan=plan)
    plan = plans.plan_approve(actor=approver, plan=plan)
    assert plan.state == PlanState.APPROVED
    return plan


def stage_rows(project: Project) -> list[tuple]:
    return list(project.stages.order_by("number").values_list("number", "start_year", "years", "state"))


@pytest.fixture
def today():
    return timezone.localdate()
