"""Funded projects: stages and their evaluations' outcomes, funding per year, annual reports,
follow-up plans and KPIs, as the project list and workspace show them (projects.selectors:
staff every project, a region's official its own region's once the call's results are announced,
nobody else)."""

import datetime
from decimal import Decimal

from django.db.models import Prefetch, Sum
from django.http import Http404
from django.utils import timezone
from ninja import Path, Query, Router, Schema
from ninja.pagination import paginate

from projects.figures import funding_rows, kpi_rows
from projects.models import (
    ConditionState,
    Outcome,
    PlanState,
    ProjectStatus,
    ReportState,
    StageState,
)
from projects.selectors import evaluations_of, plans_visible_to, project_list
from projects.services.lifecycle import total_years
from proposals.models import Participation

from ..auth import token_auth
from ..errors import ERRORS
from ..pagination import Mapped, Page
from ..schemas import Labelled, labelled, seoul
from ..scopes import Scope
from .proposals import MAX_ID, CallRef, RegionRef, TakingPart, region_ref

router = Router(tags=["projects"], auth=token_auth(Scope.PROJECTS))


class ProjectSummary(Schema):
    id: int
    title: str
    proposal_id: int
    call: CallRef
    status: Labelled
    current_stage: int | None
    lead_region: RegionRef
    regions: list[TakingPart]
    start_year: int
    end_year: int | None  # the last year of the stages approved so far
    overdue_reports: int


class LocalFunding(Schema):
    region: RegionRef
    planned_won: int
    spent_won: int | None  # None while the year's report is not submitted


class FundingRow(Schema):
    """Planned: the approved funding decision and approved stage plans. Spent: what the regions
    reported in submitted or accepted annual reports (None before)."""

    year: int
    stage: int | None
    national_planned_won: int
    national_spent_won: int | None
    local: list[LocalFunding]
    local_planned_won: int
    local_spent_won: int | None


class ConditionOut(Schema):
    text: str
    due_on: datetime.date | None
    state: Labelled
    closed_by: str | None
    closed_at: datetime.datetime | None
    evidence: str


class RoundRef(Schema):
    title: str
    year: int
    stage_number: int


class EvaluationOut(Schema):
    id: int
    round: RoundRef
    outcome: Labelled | None  # None while not decided
    outcome_reason: str
    wind_down_on: datetime.date | None
    conditions: list[ConditionOut]


class ProjectStage(Schema):
    number: int
    start_year: int
    end_year: int
    years: int
    state: Labelled
    goals: str
    evaluations: list[EvaluationOut]


class AnnualReportOut(Schema):
    year: int
    state: Labelled
    due_on: datetime.date
    overdue: bool
    submitted_at: datetime.datetime | None
    accepted_at: datetime.datetime | None
    national_spent_won: int
    local_spent_won: int


class PlanLine(Schema):
    year: int
    region: RegionRef
    national_won: int
    local_won: int


class PlanOut(Schema):
    id: int
    stage_number: int
    start_year: int
    years: int
    state: Labelled
    goals: str
    national_total_won: int
    local_total_won: int
    submitted_at: datetime.datetime | None
    endorsed_at: datetime.datetime | None
    approved_at: datetime.datetime | None
    lines: list[PlanLine]


class ProjectKPI(Schema):
    """An indicator with its baseline, the current stage's target and the latest reported value
    (decimals as strings)."""

    name: str
    unit: str
    baseline: Decimal
    target: str | None
    achieved: Decimal | None
    achieved_year: int | None
    met: bool | None
    targets: list[str]


class ProjectDetail(ProjectSummary):
    wind_down_on: datetime.date | None
    years_used: int
    max_years: int
    funding: list[FundingRow]
    stages: list[ProjectStage]
    annual_reports: list[AnnualReportOut]
    plans: list[PlanOut]
    kpis: list[ProjectKPI]


def summary(project) -> dict:
    proposal = project.proposal
    stages = list(project.stages.all())
    return {
        "id": project.pk,
        "title": proposal.title,
        "proposal_id": proposal.pk,
        "call": {"id": proposal.call.pk, "title": proposal.call.title, "year": proposal.call.year},
        "status": labelled(project.status, ProjectStatus),
        "current_stage": stages[-1].number if stages else None,
        "lead_region": region_ref(proposal.lead_region),
        "regions": [{**region_ref(p.region), "lead": p.is_lead} for p in proposal.participations.all()],
        "start_year": project.start_year,
        "end_year": max((s.end_year for s in stages), default=None),
        "overdue_reports": getattr(project, "overdue_count", 0),
    }


_PARTICIPATIONS = Prefetch("proposal__participations", queryset=Participation.objects.select_related("region"))


@router.get("/", response={200: list[ProjectSummary], **ERRORS}, summary="List funded projects")
@paginate(Page)
def list_projects(
    request,
    q: str = Query("", max_length=200, description="Words of the title (Korean or English)."),
    call: int | None = Query(None, ge=1, le=MAX_ID, description="A call's id."),
    status: ProjectStatus | None = None,
    region: str = Query("", max_length=20, description="A participating region's code, e.g. gwangju."),
    stage: int | None = Query(None, ge=1, le=20, description="The current stage's number (1: the pilot)."),
):
    """Funded projects the token's owner may see, with the project list's filters: `q` (title),
    `call` (id), `status`, `region` (a participating region's code), `stage` (the current stage's
    number). Newest call first, then by title."""
    qs = project_list(
        user=request.user,
        q=q.strip(),
        call="" if call is None else str(call),
        status=status or "",
        region=region.strip(),
        stage="" if stage is None else str(stage),
    ).prefetch_related("stages", _PARTICIPATIONS)
    return Mapped(qs, summary)


def _funding(project, regions) -> list[dict]:
    out = []
    for row in funding_rows(project, region_ids=[r.pk for r in regions]):
        reported = row.national_spent is not None
        out.append(
            {
                "year": row.year,
                "stage": row.stage,
                "national_planned_won": row.national_planned,
                "national_spent_won": row.national_spent,
                "local": [
                    {"region": region_ref(r), "planned_won": planned, "spent_won": spent}
                    for r, (planned, spent) in zip(regions, row.local_cells, strict=True)
                ],
                "local_planned_won": row.local_planned_total,
                "local_spent_won": row.local_spent_total if reported else None,
            }
        )
    return out


def _evaluation(e) -> dict:
    return {
        "id": e.pk,
        "round": {"title": e.round.title, "year": e.round.year, "stage_number": e.round.stage_number},
        "outcome": labelled(e.outcome, Outcome) if e.outcome else None,
        "outcome_reason": e.outcome_reason,
        "wind_down_on": e.wind_down_on,
        "conditions": [
            {
                "text": c.text,
                "due_on": c.due_on,
                "state": labelled(c.state, ConditionState),
                "closed_by": str(c.closed_by) if c.closed_by else None,
                "closed_at": seoul(c.closed_at),
                "evidence": c.evidence,
            }
            for c in e.conditions.all()
        ],
    }


def _plan(plan) -> dict:
    lines = list(plan.lines.all())
    return {
        "id": plan.pk,
        "stage_number": plan.stage_number,
        "start_year": plan.start_year,
        "years": plan.years,
        "state": labelled(plan.state, PlanState),
        "goals": plan.goals,
        "national_total_won": sum(line.national_won for line in lines),
        "local_total_won": sum(line.local_won for line in lines),
        "submitted_at": seoul(plan.submitted_at),
        "endorsed_at": seoul(plan.endorsed_at),
        "approved_at": seoul(plan.approved_at),
        "lines": [
            {"year": line.year, "region": region_ref(line.region), "national_won": line.national_won, "local_won": line.local_won}
            for line in lines
        ],
    }


def _kpi(row) -> dict:
    return {
        "name": row.kpi.name,
        "unit": row.kpi.unit,
        "baseline": row.baseline,
        "target": None if row.target is None else str(row.target),
        "achieved": row.achieved,
        "achieved_year": row.year,
        "met": row.met,
        "targets": [str(t) for t in (row.kpi.targets or [])],
    }


@router.get("/{project_id}", response={200: ProjectDetail, **ERRORS}, summary="One funded project")
def get_project(request, project_id: int = Path(..., ge=1, le=MAX_ID)):
    """One project as its workspace shows it: funding per year planned and spent, the stages with
    their evaluations' outcomes and conditions, the annual reports, the follow-up plans and the
    KPIs (the current stage's targets). 404 when the token's owner may not see it."""
    # The list's selector (its overdue count) narrowed to one: 404 when the owner may not see it.
    project = project_list(user=request.user).filter(pk=project_id).prefetch_related("stages", _PARTICIPATIONS).first()
    if project is None or not request.user.has_perm("projects.view_project", project):
        raise Http404
    participations = list(project.proposal.participations.all())
    regions = [p.region for p in participations]
    stages = list(project.stages.all())
    current_stage = stages[-1] if stages else None
    evaluations = evaluations_of(project)
    today = timezone.localdate()
    reports = project.reports.annotate(national=Sum("parts__national_spent_won"), local=Sum("parts__local_spent_won")).order_by("year")
    plans = plans_visible_to(user=request.user).filter(project=project).prefetch_related("lines__region").order_by("stage_number", "pk")
    return {
        **summary(project),
        "wind_down_on": project.wind_down_on,
        "years_used": total_years(project, stages=stages),
        "max_years": project.proposal.call.max_total_years,
        "funding": _funding(project, regions),
        "stages": [
            {
                "number": s.number,
                "start_year": s.start_year,
                "end_year": s.end_year,
                "years": s.years,
                "state": labelled(s.state, StageState),
                "goals": s.goals,
                "evaluations": [_evaluation(e) for e in evaluations if e.stage_id == s.pk],
            }
            for s in stages
        ],
        "annual_reports": [
            {
                "year": r.year,
                "state": labelled(r.state, ReportState),
                "due_on": r.due_on,
                "overdue": r.is_overdue(today),
                "submitted_at": seoul(r.submitted_at),
                "accepted_at": seoul(r.reviewed_at) if r.state == ReportState.ACCEPTED else None,
                "national_spent_won": r.national or 0,
                "local_spent_won": r.local or 0,
            }
            for r in reports
        ],
        "plans": [_plan(p) for p in plans],
        "kpis": [_kpi(k) for k in kpi_rows(project, stage=current_stage)],
    }
