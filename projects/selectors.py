"""Reads of funded projects. Every list and detail goes through
`projects_visible_to`, so a project the user may not see is a 404, never a leak."""

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.rules import is_official, is_staff_member
from audit.version import data_version
from core.params import parse_id
from programmes.grids import MoneyGrid, amounts
from proposals.disclosure import results_q
from proposals.models import Participation

from .models import (
    AnnualReport,
    OutcomeKind,
    OutcomeRecord,
    OutcomeState,
    Project,
    ProjectStatus,
    ReportState,
    StageEvaluation,
    StagePlan,
    StageRound,
)

LIST_FILTERS = ("q", "call", "status", "region", "stage")


def projects_visible_to(*, user) -> QuerySet[Project]:
    qs = Project.objects.all()
    if is_staff_member(user):
        return qs
    if is_official(user):
        # A project opened by an approval before its call's results are announced stays sealed.
        return qs.filter(results_q(user=user, path="proposal__"),
                         proposal__in=Participation.objects.filter(region_id=user.region_id).values("proposal_id"))
    return qs.none()


def list_filters(params) -> dict:
    return {k: (params.get(k) or "").strip() for k in LIST_FILTERS}


def project_list(*, user, q="", call="", status="", region="", stage="", today=None) -> QuerySet[Project]:
    """One query: each project with its current stage number and overdue report count."""
    today = today or timezone.localdate()
    qs = (projects_visible_to(user=user)
          .select_related("proposal__call", "proposal__lead_region")
          .annotate(stage_number=Max("stages__number"),
                    overdue_count=Count("reports", distinct=True, filter=Q(
                        reports__state__in=[ReportState.DRAFT, ReportState.RETURNED], reports__due_on__lt=today)),
                    region_count=Count("proposal__participations", distinct=True)))
    if q:
        qs = qs.filter(Q(proposal__title_ko__icontains=q) | Q(proposal__title_en__icontains=q))
    if (call_id := parse_id(call)) is not None:
        qs = qs.filter(proposal__call_id=call_id)
    if status in ProjectStatus.values:
        qs = qs.filter(status=status)
    if region:
        qs = qs.filter(proposal__participations__region__code=region)
    if (stage_number := parse_id(stage)) is not None:
        qs = qs.filter(stage_number=stage_number)
    return qs.order_by("-proposal__call__year", "proposal__title_ko", "pk")


def project_for(*, user, pk: int) -> Project:
    return get_object_or_404(
        projects_visible_to(user=user).select_related("proposal__call", "proposal__lead_region",
                                                      "proposal__industry"), pk=pk)


def overdue_count(*, user, today=None) -> int:
    """Overdue annual reports among the projects the user sees (dashboard card)."""
    today = today or timezone.localdate()
    return AnnualReport.objects.filter(
        project__in=projects_visible_to(user=user), project__status=ProjectStatus.ACTIVE,
        state__in=[ReportState.DRAFT, ReportState.RETURNED], due_on__lt=today).count()


def overdue_reports(user, *, today=None) -> list[AnnualReport]:
    """Overdue annual reports of running projects the user sees (the dashboards list them),
    each with its page's address."""
    from django.urls import reverse

    today = today or timezone.localdate()
    out = list(AnnualReport.objects.filter(
        project__in=projects_visible_to(user=user), project__status=ProjectStatus.ACTIVE,
        state__in=[ReportState.DRAFT, ReportState.RETURNED], due_on__lt=today)
        .select_related("project__proposal").order_by("due_on", "project_id"))
    for report in out:
        url = reverse("projects:report", args=[report.project_id, report.year])
        report.get_absolute_url = lambda url=url: url
    return out


def report_for(*, user, project_pk: int, year: int) -> AnnualReport:
    project = project_for(user=user, pk=project_pk)
    return get_object_or_404(AnnualReport.objects.select_related("project__proposal__call", "submitted_by",
                                                                 "reviewed_by"), project=project, year=year)


def page_cache_key(project: Project, language: str) -> str:
    """The key the project's workspace page keeps what it shows every reader under (projects.views):
    the project, its status, the language and the data version (audit.version: every recorded
    change anywhere — a report, a stage evaluation, a plan, a decision, a region's name — moves it).
    Who may open the page is decided before (projects_visible_to); what depends on the reader is
    added after the cache."""
    return "project-page:{}:{}:{}:{}".format(project.pk, project.status, language or "ko", data_version())


def evaluations_of(project: Project) -> list[StageEvaluation]:
    return list(project.evaluations.select_related("round", "stage", "decided_by")
                .prefetch_related("conditions__closed_by").order_by("round__year", "pk"))


def plans_visible_to(*, user) -> QuerySet[StagePlan]:
    return StagePlan.objects.filter(project__in=projects_visible_to(user=user))


def plan_for(*, user, pk: int) -> StagePlan:
    return get_object_or_404(plans_visible_to(user=user).select_related(
        "project__proposal__call", "evaluation__round", "evaluation__stage", "submitted_by", "endorsed_by",
        "approved_by"), pk=pk)


def plan_grid(plan: StagePlan, participations, *, typed=None, problems=None) -> tuple[list, list]:
    """The plan's money: a row per region with its cells year by year (each region enters its
    own), and each year's totals with the year's problem (programmes.grids)."""
    grid = MoneyGrid(regions=[p.region for p in participations], years=plan.year_list, fields=("national", "local"),
                     saved=amounts(plan.lines.all(), "national", "local"), typed=typed, problems=problems or {})
    return grid.by_region(), grid.year_totals()


def round_list() -> QuerySet[StageRound]:
    return StageRound.objects.select_related("call").annotate(
        project_count=Count("evaluations", distinct=True),
        decided_count=Count("evaluations", distinct=True, filter=~Q(evaluations__outcome="")))


def round_evaluations(rnd: StageRound) -> list[StageEvaluation]:
    """The round's projects with their panels (experts and sheet states), for staff:
    every panel of the round is read in one query."""
    evaluations = list(rnd.evaluations.select_related("project__proposal__lead_region", "stage", "decided_by")
                       .prefetch_related("conditions").order_by("project__proposal__title_ko"))
    panels: dict[int, list] = {}
    for a in rnd.assignments.select_related("expert", "scoresheet"):
        panels.setdefault(a.proposal_id, []).append(a)
    for e in evaluations:
        e.round = rnd
        e.panel = panels.get(e.project.proposal_id, [])
    return evaluations


def stage_evaluation_of(*, proposal_id: int, stage_number: int | None) -> StageEvaluation | None:
    """The stage evaluation a stage assignment (proposal, stage number) belongs to."""
    if stage_number is None:
        return None
    return (StageEvaluation.objects.select_related("round", "project__proposal", "stage")
            .filter(project__proposal_id=proposal_id, round__stage_number=stage_number,
                    round__call_id=F("project__proposal__call_id")).first())


def expert_choices(evaluation: StageEvaluation) -> list[dict]:
    """Every active expert with the reasons they cannot sit on this project's panel
    (the evaluations app's conflict rules: home region, affiliation, declarations)."""
    from evaluations.models import AssignmentKind, ExpertProfile
    from evaluations.services.panels import exclusions_for

    excluded = {u.pk: reasons for u, reasons in exclusions_for(evaluation.project.proposal, kind=AssignmentKind.STAGE)}
    taken = {a.expert_id for a in evaluation.panel}
    out = []
    for profile in ExpertProfile.objects.select_related("user", "home_region").filter(user__is_active=True).order_by(
            "user__username"):
        if profile.user_id in taken:
            continue
        out.append({"user": profile.user, "profile": profile, "reasons": excluded.get(profile.user_id, [])})
    return out


def stage_facts(evaluation: StageEvaluation) -> dict:
    """What a stage evaluator reads after declaring no conflict: the stage's plan,
    KPIs planned vs achieved, the annual reports and budget execution. Nothing
    about the other evaluators."""
    from .figures import REPORTED_STATES, funding_rows, kpi_rows

    project = evaluation.project
    stage = evaluation.stage
    reports = list(project.reports.filter(year__in=stage.year_list, state__in=REPORTED_STATES)
                   .prefetch_related("parts__region").order_by("year"))
    return {
        "project": project, "stage": stage, "roadmap": list(project.proposal.stages.all()),
        "kpis": kpi_rows(project, stage=stage), "funding": funding_rows(project, years=stage.year_list),
        "reports": reports,
    }


def stage_page_context(*, assignment) -> dict:
    """Beside a stage evaluator's scoresheet (registered with evaluations.hooks): the stage's facts."""
    evaluation = stage_evaluation_of(proposal_id=assignment.proposal_id, stage_number=assignment.stage_number)
    if evaluation is None:
        return {}
    return {"side_template": "projects/_stage_facts.html", "stage_facts": stage_facts(evaluation)}


def outcomes_visible_to(*, user):
    """Outcome records of the projects the user sees (a foreign one is a 404)."""
    return OutcomeRecord.objects.filter(project__in=projects_visible_to(user=user))


def outcomes_of(project: Project, *, kind: str = "", year: str = ""):
    """A project's outcomes for its page, with who entered and reviewed them and their evidence."""
    qs = (OutcomeRecord.objects.filter(project=project)
          .select_related("region", "entered_by", "reviewed_by").prefetch_related("evidence"))
    if kind in OutcomeKind.values:
        qs = qs.filter(kind=kind)
    if year.isdigit():
        qs = qs.filter(year=int(year))
    return qs


# --- The outcomes dashboard ---------------------------------------------------------------------

OUTCOME_FILTERS = ("year", "region", "industry", "call")


def _outcome_measures() -> dict:
    """The dashboard's figures of a group of outcome records (the KPIs' measures,
    services.outcomes.KPI_MEASURE, plus the transfers' fees), as aggregates of one query."""
    k = OutcomeKind
    return {
        "papers": Count("pk", filter=Q(kind=k.PAPER)),
        "indexed": Count("pk", filter=Q(kind=k.PAPER, indexed=True)),
        "patents": Count("pk", filter=Q(kind=k.PATENT)),
        "transfers": Count("pk", filter=Q(kind=k.TRANSFER)),
        "fees": Sum("amount_won", filter=Q(kind=k.TRANSFER)),
        "startups": Sum("count", filter=Q(kind=k.STARTUP)),
        "jobs": Sum("count", filter=Q(kind=k.JOBS)),
        "investment": Sum("amount_won", filter=Q(kind=k.INVESTMENT)),
    }


def outcome_filters(params) -> dict:
    return {k: (params.get(k) or "").strip() for k in OUTCOME_FILTERS}


# The outcomes dashboard's figures, per process (settings.CACHES["figures"]), keyed by the data version.
OUTCOME_CACHE_SECONDS = 300


def outcome_dashboard_key(*, user, year="", region="", industry="", call="") -> str:
    """What the outcomes dashboard's figures depend on: the person (what they see), the filters and the
    data version. The page's rendered body is cached under it too (projects.outcome_views)."""
    import hashlib

    from audit.version import data_version

    typed = hashlib.sha256(repr((year, region, industry, call)).encode()).hexdigest()[:24]  # typed by the user
    return f"outcomes:{user.pk}:{typed}:{data_version()}"


def outcome_dashboard(*, user, year="", region="", industry="", call=""):
    """The outcomes the user sees (rejected ones left out), filtered, as the totals (a dict) and lists
    of rows per region of the reporting region, per strategic industry and per project, each ONE
    grouped query whatever the number of projects. Worked out once per person, filter and data
    version (audit.version: every outcome entered or reviewed moves it), then read from the
    process's cache: at 2,000 projects each grouping reads every record."""
    from django.core.cache import caches

    cache = caches["figures"]
    key = outcome_dashboard_key(user=user, year=year, region=region, industry=industry, call=call)
    figures = cache.get(key)
    if figures is None:
        figures = {name: value if name == "totals" else list(value) for name, value in _outcome_dashboard(
            user=user, year=year, region=region, industry=industry, call=call).items()}
        cache.set(key, figures, OUTCOME_CACHE_SECONDS)
    return figures


def _outcome_dashboard(*, user, year="", region="", industry="", call=""):
    qs = outcomes_visible_to(user=user).exclude(state=OutcomeState.REJECTED)
    if year.isdigit():
        qs = qs.filter(year=int(year))
    if (region_id := parse_id(region)) is not None:
        qs = qs.filter(region_id=region_id)
    if (industry_id := parse_id(industry)) is not None:
        qs = qs.filter(project__proposal__industry_id=industry_id)
    if (call_id := parse_id(call)) is not None:
        qs = qs.filter(project__proposal__call_id=call_id)
    qs = qs.order_by()
    m = _outcome_measures()
    return {
        "totals": qs.aggregate(**m),
        "by_region": qs.values("region_id", "region__name_ko", "region__name_en", "region__order")
                       .annotate(**m).order_by("region__order"),
        "by_industry": qs.values("project__proposal__industry_id", "project__proposal__industry__name_ko",
                                 "project__proposal__industry__name_en")
                         .annotate(**m).order_by("project__proposal__industry__name_ko"),
        "by_project": qs.values("project_id", "project__proposal__title_ko", "project__proposal__title_en",
                                "project__proposal__call__year")
                        .annotate(**m).order_by("-project__proposal__call__year", "project_id"),
    }
