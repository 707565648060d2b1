"""Reads of proposals. Every list and detail goes through `proposals_visible_to`,
so a proposal the user may not see is a 404, never a leak."""

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from accounts.rules import is_expert, is_official, is_staff_member
from audit.version import data_version
from core.choices import label_of
from core.params import parse_id
from programmes.grids import MoneyGrid, amounts
from programmes.models import CooperationType, localized

from . import disclosure
from .models import Participation, Proposal

SORTS = {
    "updated": "-updated_at", "-updated": "updated_at", "title": "title_ko", "-title": "-title_ko",
    # The state the user sees (a region: "under review" while results are sealed).
    "state": "shown_state", "-state": "-shown_state",
    # Never-submitted proposals go last either way (PostgreSQL puts NULLs first by default).
    "submitted": F("submitted_at").desc(nulls_last=True), "-submitted": F("submitted_at").asc(nulls_last=True),
}


def proposals_visible_to(*, user) -> QuerySet[Proposal]:
    qs = Proposal.objects.all()
    if is_staff_member(user):
        return qs
    if is_official(user):
        # A subquery, not a join: annotations such as region_count must still
        # count every participating region, not just the user's.
        return qs.filter(pk__in=Participation.objects.filter(region_id=user.region_id).values("proposal_id"))
    return qs.none()


# The list page's filters, by their query-string names (the exports reuse them).
LIST_FILTERS = ("q", "call", "state", "type", "region", "industry", "sort")


def list_filters(params) -> dict:
    """The list filters from a query string (QueryDict or dict), stripped."""
    return {k: (params.get(k) or "").strip() for k in LIST_FILTERS}


def proposals_filtered(qs: QuerySet[Proposal], *, user, search="", call="", state="", ctype="", region="",
                       industry="") -> QuerySet[Proposal]:
    """The list page's filters applied to any proposal queryset (the list and the exports); the
    state is the one `user` sees (proposals.disclosure)."""
    if search:
        qs = qs.filter(Q(title_ko__icontains=search) | Q(title_en__icontains=search) | Q(summary__icontains=search))
    if (call_id := parse_id(call)) is not None:
        qs = qs.filter(call_id=call_id)
    if state:
        qs = disclosure.shown_state_filter(qs, user=user, state=state)
    if ctype:
        qs = qs.filter(cooperation_type=ctype)
    if region:
        qs = qs.filter(participations__region__code=region)
    if industry:
        qs = qs.filter(industry__code=industry)
    return qs


def proposal_list(*, user, search="", call="", state="", ctype="", region="", industry="", sort="updated"):
    qs = disclosure.with_shown_state(
        proposals_visible_to(user=user)
        .select_related("call", "lead_region", "industry")
        # The plan's long texts are not listed; the region count is a subquery per
        # listed row, not a GROUP BY over every visible proposal.
        .defer("summary", "problem", "vision", "goals", "section_revisions", "state_reason", "call__description")
        .annotate(region_count=Coalesce(Subquery(
            Participation.objects.filter(proposal=OuterRef("pk")).order_by().values("proposal")
            .annotate(n=Count("id")).values("n")[:1]), 0)), user=user)
    qs = proposals_filtered(qs, user=user, search=search, call=call, state=state, ctype=ctype, region=region, industry=industry)
    return qs.order_by(SORTS.get(sort, "-updated_at"), "-id")


# A list page reads its columns as values (no model instance per row, call, region and industry: at a
# page of rows they cost more than the queries), the state as the one rule's SQL expression
# (disclosure.with_shown_state, which the filter and sort use too). The read API lists the same columns.
LIST_COLUMNS = (
    "id", "title_ko", "title_en", "cooperation_type", "shown_state", "submitted_at", "updated_at",
    "call_id", "call__title", "call__year",
    "lead_region_id", "lead_region__code", "lead_region__name_ko", "lead_region__name_en",
    "industry_id", "industry__code", "industry__name_ko", "industry__name_en",
)


def list_rows(rows) -> list[dict]:
    """A page of proposal_list(...).values(*LIST_COLUMNS, "region_count") as the list page shows it, in
    the active language."""
    return [{
        "id": r["id"],
        "title": localized(r["title_ko"], r["title_en"]),
        "state": r["shown_state"],
        "state_label": disclosure.state_label(r["shown_state"]),
        "type": label_of(CooperationType, r["cooperation_type"]),
        "lead_region": localized(r["lead_region__name_ko"], r["lead_region__name_en"]),
        "region_count": r.get("region_count"),
        "industry": localized(r["industry__name_ko"], r["industry__name_en"]) if r["industry_id"] else "",
        "year": r["call__year"],
        "updated_at": r["updated_at"],
    } for r in rows]


def proposal_for(*, user, pk: int) -> Proposal:
    return get_object_or_404(
        proposals_visible_to(user=user).select_related("call", "call__programme", "lead_region", "industry"), pk=pk
    )


def _plan_lookups() -> list:
    """The sections of the plan (snapshot(), checklist() and the budget grid read them)."""
    from django.db.models import Prefetch

    from .models import BudgetLine, Organisation

    return ["stages", "kpis", "linked_projects", "attachments",
            Prefetch("budget_lines", queryset=BudgetLine.objects.select_related("region")),
            Prefetch("organisations", queryset=Organisation.objects.select_related("region"))]


def proposal_page(*, user, pk: int, plan: bool = True) -> Proposal:
    """proposal_for with every section of the plan read at once (one query per kind of row),
    for the detail page: snapshot(), checklist() and the budget grid then reuse them.
    plan=False: without the plan's sections (the page found its plan in the cache; with_plan
    reads them when it did not)."""
    from django.db.models import Prefetch

    from .models import ProposalDocument, ProposalVersion

    # "project" (the funded project, if any) is shown by the page's template.
    qs = proposals_visible_to(user=user).select_related(
        "call", "lead_region", "industry", "project"
    ).prefetch_related(
        # The page shows each region and when it signed off (who signed: the PDF, which reads its own).
        Prefetch("participations", queryset=Participation.objects.select_related("region")),
        Prefetch("versions", queryset=ProposalVersion.objects.defer("snapshot")),
        *(_plan_lookups() if plan else []),
    )
    # Whether the current revision has its PDF (services.documents.current_pdf): most have none,
    # and then the page reads no documents at all.
    qs = qs.annotate(current_pdf_id=Subquery(
        ProposalDocument.objects.filter(proposal=OuterRef("pk"), revision=OuterRef("revision")).values("pk")[:1]))
    return get_object_or_404(qs, pk=pk)


def with_plan(proposal: Proposal) -> Proposal:
    """The plan's sections of a proposal read by proposal_page(plan=False), one query per kind of row."""
    from django.db.models import prefetch_related_objects

    prefetch_related_objects([proposal], *_plan_lookups())
    return proposal


def plan_cache_key(proposal: Proposal, language: str) -> str:
    """The key the proposal page's rendered plan (overview, KPIs, roadmap, links, organisations,
    the budget grid and the attachments) and its newest events are cached under: the proposal,
    its edit revision and last change, the language, and the data version (audit.version: any
    recorded change anywhere, a region's name included). The plan reads the same for everyone
    who may open the page (proposals_visible_to decides that first); nothing of the evaluation
    or the results is in it (the events are sealed per reader after the cache, by
    disclosure.visible_events). Every event comes with an edit (a new revision) or a recorded
    move or sign-off (a new data version)."""
    return "proposal-plan:{}:{}:{}:{}:{}".format(proposal.pk, proposal.revision, proposal.updated_at.timestamp(),
                                                   language or "ko", data_version())


def prefetched(proposal: Proposal, name: str, *related):
    """The proposal's `name` rows: those prefetched by proposal_page, else one query joining `related`."""
    if name in getattr(proposal, "_prefetched_objects_cache", {}):
        return getattr(proposal, name).all()
    return getattr(proposal, name).select_related(*related)


def participations_of(proposal: Proposal) -> list:
    return list(prefetched(proposal, "participations", "region", "signed_off_by"))


def officials_of(proposal: Proposal):
    """Active officials of every region taking part (who is told about the proposal)."""
    from accounts.models import Role, User

    return User.objects.filter(role=Role.OFFICIAL, is_active=True,
                               region_id__in=proposal.participations.values("region_id"))


def budget_summary(proposal: Proposal, participations) -> dict:
    """The budget plan of the whole project for display: a row per year with each region's
    national / local / other funds and the year's totals, the grand totals, and the pilot's
    national funding against the call's cap (programmes.grids)."""
    lines = list(proposal.budget_lines.all())
    pilot = proposal.pilot_years()
    grid = MoneyGrid(regions=[p.region for p in participations], fields=("national", "local", "other"),
                     years=sorted(set(proposal.project_years()) | {b.year for b in lines}),
                     saved=amounts(lines, "national", "local", "other"))
    rows = [{**row, **row["totals"], "total": sum(row["totals"].values()), "pilot": row["year"] in pilot}
            for row in grid.by_year()]
    total = {k: sum(r[k] for r in rows) for k in ("national", "local", "other", "total")}
    return {"years": list(grid.years), "rows": rows, "total": total,
            "pilot_national": sum(r["national"] for r in rows if r["pilot"]), "cap": proposal.call.cap_won}


# --- Candidate themes (issue 17) -----------------------------------------------------------------


def themes_visible_to(*, user):
    """Staff see every candidate theme; an official the themes their region takes part in; an expert the themes
    they review, once they signed the review's pledge and declared no conflict (and while it is theirs: the
    evaluations app answers through `advice.reviewed_themes`); anyone else none."""
    from . import advice
    from .models import CandidateTheme, ThemeRegion

    qs = CandidateTheme.objects.select_related("call", "lead_region", "industry")
    if is_staff_member(user):
        return qs
    if is_official(user):
        return qs.filter(pk__in=ThemeRegion.objects.filter(region_id=user.region_id).values("theme_id"))
    if is_expert(user) and (reviewed := advice.reviewed_themes(user)) is not None:
        return qs.filter(pk__in=reviewed)
    return qs.none()


def theme_for(*, user, pk):
    """A candidate theme the user may see, with its regions and files; 404 otherwise."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        themes_visible_to(user=user).prefetch_related("regions__region", "attachments"), pk=pk)


def proposal_for_patents(*, user, pk):
    """A proposal whose patent analysis the user may read (whoever reads the proposal, and an expert
    consulting on it, cleared of conflicts); 404 otherwise — an expert never learns of other proposals."""
    from django.http import Http404

    proposal = get_object_or_404(
        Proposal.objects.select_related("call", "lead_region", "origin_theme"), pk=pk)
    if not user.has_perm("proposals.view_patent_analysis", proposal):
        raise Http404
    return proposal


def patent_analysis_of(proposal):
    """The proposal's patent analysis with its key patents, or None."""
    from .models import PatentAnalysis

    return (PatentAnalysis.objects.filter(proposal=proposal).select_related("written_by", "answered_by")
            .prefetch_related("patents").first())
