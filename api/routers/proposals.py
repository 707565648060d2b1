"""Proposals: the list, one proposal's plan, regions, budget and versions, and a frozen version —
as the person may see them on the proposal pages (proposals.selectors, proposals.disclosure).

Sealed results stay sealed: while a call's results are not announced, a region reads the state
"under_review" and no reason, exactly as on the pages. A proposal the person cannot open in the
browser is a 404 here.

Filters are the list page's (q, call, state, type, region, industry, sort). Unlike the page, which
quietly ignores a value it does not know, the API answers an unknown state, type, region, industry
or sort with a 422 problem: a typo never reads as "no proposal matches".
"""

import datetime
import hashlib
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import ValidationError
from ninja.pagination import paginate
from pydantic import BaseModel

from programmes.models import CooperationType, Region, StrategicIndustry, localized
from proposals import disclosure, selectors
from proposals.models import OrganisationKind, Participation, ProposalState, ProposalVersion, StageKind, VersionKind
from proposals.services.versions import snapshot

from ..auth import token_auth
from ..errors import ERRORS
from ..pagination import Mapped, Page
from ..schemas import Labelled, labelled, seoul
from ..scopes import Scope

router = Router(tags=["proposals"], auth=token_auth(Scope.PROPOSALS))

# Every state a list may be filtered by: the real states and the sealed "under review" a region sees.
ShownStateCode = Literal[(*ProposalState.values, disclosure.UNDER_REVIEW)]
SortKey = Literal[tuple(selectors.SORTS)]
# Ids in paths: a database key (bigint); anything else is a 422, never a database error.
MAX_ID = 2**63 - 1


# --- Schemas ----------------------------------------------------------------------------------------


class Row(BaseModel):
    """A listed row's parts, shaped as dicts: plain pydantic models, without the attribute getter ninja's
    Schema wraps around every object it validates (a tenth of the list's time at 50 rows)."""


class CallRef(Row):
    id: int
    title: str
    year: int


class RegionRef(Row):
    id: int
    code: str
    name: str


class TakingPart(RegionRef):
    lead: bool


class IndustryRef(Row):
    id: int
    code: str
    name: str


class ProposalSummary(Row):
    id: int
    title: str
    title_ko: str
    title_en: str
    call: CallRef
    cooperation_type: Labelled
    lead_region: RegionRef
    regions: list[TakingPart] = Field(description="The lead region first, then the partners in the usual order.")
    industry: IndustryRef | None
    state: Labelled = Field(
        description='The state as the token\'s owner sees it: a region reads "under_review" while the result is sealed.'
    )
    submitted_at: datetime.datetime | None
    updated_at: datetime.datetime


class KPIOut(Schema):
    name: str
    unit: str
    baseline: str = Field(description="A decimal number, as text.")
    targets: list[str] = Field(description="One target per roadmap stage, as text (empty when not set).")


class StageOut(Schema):
    order: int
    kind: Labelled
    years: int
    goals: str
    deliverables: str


class LinkedProjectOut(Schema):
    name: str
    ministry: str
    connection: str


class OrganisationOut(Schema):
    region: str = Field(description="The region's code.")
    region_name: str
    name: str
    kind: Labelled
    role: str


class AttachmentOut(Schema):
    name: str
    size: int


class PlanRegion(Schema):
    code: str
    name: str
    lead: bool


class Plan(Schema):
    """The plan's sections: the current ones, or those frozen in a version."""

    revision: int
    cooperation_type: Labelled
    title_ko: str
    title_en: str
    industry: str
    summary: str
    problem: str
    vision: str
    goals: str
    regions: list[PlanRegion]
    kpis: list[KPIOut]
    stages: list[StageOut]
    linked_projects: list[LinkedProjectOut]
    organisations: list[OrganisationOut]
    attachments: list[AttachmentOut]


class ParticipationOut(Schema):
    region: RegionRef
    lead: bool
    signed_off_at: datetime.datetime | None
    signed_current_revision: bool = Field(description="The region signed off the plan's current revision.")


class Money(Schema):
    national_won: int
    local_won: int
    other_won: int


class MoneyTotal(Money):
    total_won: int


class RegionMoney(Money):
    region: RegionRef


class BudgetYear(MoneyTotal):
    year: int
    pilot: bool
    regions: list[RegionMoney]


class Budget(Schema):
    years: list[int]
    rows: list[BudgetYear] = Field(description="A row per year: each region's money and the year's totals, in won.")
    total: MoneyTotal
    pilot_national_won: int
    cap_won: int = Field(description="The call's cap on national funding over the pilot, in won.")


class VersionOut(Schema):
    number: int
    kind: Labelled
    created_at: datetime.datetime


class ProposalDetail(ProposalSummary):
    state_reason: str = Field(description="The reason of the state as shown (empty while sealed).")
    sealed: bool = Field(description="A result exists or is being reached and is hidden from the token's owner.")
    results_disclosed: bool = Field(description="Scores, ranking, selection and funding may be shown to the token's owner.")
    created_at: datetime.datetime
    plan: Plan
    participations: list[ParticipationOut]
    budget: Budget
    versions: list[VersionOut]


class BudgetLineOut(Money):
    region: str = Field(description="The region's code.")
    region_name: str
    year: int


class VersionDetail(VersionOut):
    plan: Plan
    budget: list[BudgetLineOut]


class ProposalFilters(Schema):
    q: str = Field("", max_length=200, description="Words in the title (Korean or English) or the summary.")
    call: int | None = Field(None, ge=1, le=MAX_ID, description="A call's id.")
    state: ShownStateCode | None = Field(None, description='A state as the token\'s owner sees it ("under_review" for a region only).')
    type: CooperationType | None = Field(None, description="The cooperation type.")
    region: str = Field("", max_length=20, description="A participating region's code (e.g. gwangju).")
    industry: str = Field("", max_length=40, description="A strategic industry's code.")
    sort: SortKey = Field("updated", description="The list page's orders; ties go to the newer proposal.")


# --- Shaping ------------------------------------------------------------------------------------------


def region_ref(region) -> dict:
    return {"id": region.pk, "code": region.code, "name": region.name}


def state_of(user, proposal) -> dict:
    code, label = disclosure.shown_state(user=user, proposal=proposal)
    return {"code": code, "label": label}


def summary_of(user, proposal) -> dict:
    """The listed fields of one proposal read from its instance (the detail page's, whose regions
    proposal_page prefetched); the list shapes the same fields from values (`summaries`)."""
    industry = proposal.industry
    return {
        "id": proposal.pk,
        "title": proposal.title,
        "title_ko": proposal.title_ko,
        "title_en": proposal.title_en,
        "call": {"id": proposal.call_id, "title": proposal.call.title, "year": proposal.call.year},
        "cooperation_type": labelled(proposal.cooperation_type, CooperationType),
        "lead_region": region_ref(proposal.lead_region),
        "regions": [{**region_ref(p.region), "lead": p.is_lead} for p in proposal.participations.all()],
        "industry": {"id": industry.pk, "code": industry.code, "name": industry.name} if industry else None,
        "state": state_of(user, proposal),
        "submitted_at": seoul(proposal.submitted_at),
        "updated_at": seoul(proposal.updated_at),
    }


def plan_of(snap: dict) -> dict:
    """The plan's sections from a snapshot (proposals.services.versions.snapshot); an older
    version may lack a section, which then reads empty."""
    return {
        "revision": snap.get("revision", 0),
        "cooperation_type": labelled(snap.get("cooperation_type", ""), CooperationType),
        **{name: snap.get(name) or "" for name in ("title_ko", "title_en", "industry", "summary", "problem", "vision", "goals")},
        "regions": [{"code": r["code"], "name": r["name"], "lead": bool(r.get("lead"))} for r in snap.get("regions", [])],
        "kpis": [
            {
                "name": k["name"],
                "unit": k.get("unit", ""),
                "baseline": str(k.get("baseline", "")),
                "targets": ["" if t is None else str(t) for t in k.get("targets") or []],
            }
            for k in snap.get("kpis", [])
        ],
        "stages": [
            {
                "order": s["order"],
                "kind": labelled(s["kind"], StageKind),
                "years": s["years"],
                "goals": s.get("goals", ""),
                "deliverables": s.get("deliverables", ""),
            }
            for s in snap.get("stages", [])
        ],
        "linked_projects": [
            {"name": x["name"], "ministry": x.get("ministry", ""), "connection": x.get("connection", "")} for x in snap.get("links", [])
        ],
        "organisations": [
            {
                "region": o.get("region", ""),
                "region_name": o.get("region_name", ""),
                "name": o["name"],
                "kind": labelled(o.get("kind", ""), OrganisationKind),
                "role": o.get("role", ""),
            }
            for o in snap.get("organisations", [])
        ],
        "attachments": [{"name": a["name"], "size": a["size"]} for a in snap.get("attachments", [])],
    }


def budget_of(summary: dict) -> dict:
    """proposals.selectors.budget_summary in won, year × region × source."""

    def money(d: dict) -> dict:
        return {"national_won": d["national"], "local_won": d["local"], "other_won": d["other"]}

    return {
        "years": summary["years"],
        "rows": [
            {
                "year": row["year"],
                "pilot": row["pilot"],
                **money(row),
                "total_won": row["total"],
                "regions": [{"region": region_ref(c["region"]), **money(c)} for c in row["cells"]],
            }
            for row in summary["rows"]
        ],
        "total": {**money(summary["total"]), "total_won": summary["total"]["total"]},
        "pilot_national_won": summary["pilot_national"],
        "cap_won": summary["cap"],
    }


def version_of(version) -> dict:
    return {"number": version.number, "kind": labelled(version.kind, VersionKind), "created_at": seoul(version.created_at)}


def _invalid(field: str, message: str):
    return ValidationError([{"loc": ("query", field), "msg": message}])


def _checked(user, f: ProposalFilters) -> None:
    """422 for a value the list page would silently ignore."""
    if f.state and f.state not in dict(disclosure.state_choices(user=user)):
        raise _invalid("state", _("This state is not one you can filter by."))
    if f.region and not Region.objects.filter(code=f.region).exists():
        raise _invalid("region", _("There is no region with this code."))
    if f.industry and not StrategicIndustry.objects.filter(code=f.industry).exists():
        raise _invalid("industry", _("There is no strategic industry with this code."))


# --- Endpoints -------------------------------------------------------------------------------------------


# The list reads its columns as values (selectors.LIST_COLUMNS, as the list page does) and the state as the
# one rule's SQL expression (disclosure.with_shown_state, which the list's filter and sort use too).
LIST_COLUMNS = selectors.LIST_COLUMNS


def summaries(rows: list[dict]) -> list[dict]:
    """A page of listed proposals from their values, with each proposal's regions (one query)."""
    regions: dict[int, list] = {row["id"]: [] for row in rows}
    for p in (
        Participation.objects.filter(proposal_id__in=regions)  # the lead first, then the regions' order
        .values("proposal_id", "is_lead", "region_id", "region__code", "region__name_ko", "region__name_en")
    ):
        regions[p["proposal_id"]].append({
            "id": p["region_id"], "code": p["region__code"],
            "name": localized(p["region__name_ko"], p["region__name_en"]), "lead": p["is_lead"],
        })
    return [
        {
            "id": row["id"],
            "title": localized(row["title_ko"], row["title_en"]),
            "title_ko": row["title_ko"],
            "title_en": row["title_en"],
            "call": {"id": row["call_id"], "title": row["call__title"], "year": row["call__year"]},
            "cooperation_type": labelled(row["cooperation_type"], CooperationType),
            "lead_region": {
                "id": row["lead_region_id"], "code": row["lead_region__code"],
                "name": localized(row["lead_region__name_ko"], row["lead_region__name_en"]),
            },
            "regions": regions[row["id"]],
            "industry": {
                "id": row["industry_id"], "code": row["industry__code"],
                "name": localized(row["industry__name_ko"], row["industry__name_en"]),
            } if row["industry_id"] else None,
            "state": {"code": row["shown_state"], "label": disclosure.state_label(row["shown_state"])},
            "submitted_at": seoul(row["submitted_at"]),
            "updated_at": seoul(row["updated_at"]),
        }
        for row in rows
    ]


@router.get("/", response={200: list[ProposalSummary], **ERRORS}, summary="List proposals")
@paginate(Page)
def list_proposals(request, filters: Query[ProposalFilters]):
    """The proposals the token's owner may see (ministry and administrators: all; a region's official:
    those their region takes part in; experts: none — they read their assignments), filtered and ordered
    as on the proposal list page. Each state is the one the owner sees: a region reads "under_review"
    while a result is sealed, and filtering by a sealed result finds nothing before the announcement."""
    user = request.user
    _checked(user, filters)
    qs = selectors.proposal_list(
        user=user,
        search=filters.q.strip(),
        call=str(filters.call or ""),
        state=filters.state or "",
        ctype=filters.type.value if filters.type else "",
        region=filters.region,
        industry=filters.industry,
        sort=filters.sort,
    )
    typed = hashlib.sha256(filters.model_dump_json().encode()).hexdigest()[:24]
    return Mapped(qs.values(*LIST_COLUMNS), page=summaries, cache_key=f"api-proposals:{user.pk}:{typed}")


@router.get("/{proposal_id}", response={200: ProposalDetail, **ERRORS}, summary="One proposal")
def get_proposal(request, proposal_id: int = Path(..., ge=1, le=MAX_ID)):
    """One proposal as its page shows it: the plan's current sections, the regions and their sign-offs,
    the budget by year × region × source in won, and the frozen versions. 404 when the token's owner
    may not open the proposal's page."""
    user = request.user
    proposal = selectors.proposal_page(user=user, pk=proposal_id)
    participations = selectors.participations_of(proposal)
    shown = disclosure.disclosure_for(user=user, proposal=proposal)
    return {
        **summary_of(user, proposal),
        "state": {"code": shown.state, "label": shown.label},
        "state_reason": shown.reason,
        "sealed": shown.sealed,
        "results_disclosed": shown.results,
        "created_at": seoul(proposal.created_at),
        "plan": plan_of(snapshot(proposal)),
        "participations": [
            {
                "region": region_ref(p.region),
                "lead": p.is_lead,
                "signed_off_at": seoul(p.signed_off_at),
                "signed_current_revision": p.is_signed_for(proposal.revision),
            }
            for p in participations
        ],
        "budget": budget_of(selectors.budget_summary(proposal, participations)),
        "versions": [version_of(v) for v in proposal.versions.all()],
    }


@router.get("/{proposal_id}/versions/{number}", response={200: VersionDetail, **ERRORS}, summary="One frozen version of a proposal")
def get_proposal_version(request, proposal_id: int = Path(..., ge=1, le=MAX_ID), number: int = Path(..., ge=1, le=2**31 - 1)):
    """A numbered version frozen when the plan was sent to consulting or submitted: its sections and
    its budget lines (region × year, in won), as the version page shows them."""
    proposal = selectors.proposal_for(user=request.user, pk=proposal_id)
    version = get_object_or_404(ProposalVersion, proposal=proposal, number=number)
    snap = version.snapshot or {}
    return {
        **version_of(version),
        "plan": plan_of(snap),
        "budget": [
            {
                "region": b.get("region", ""),
                "region_name": b.get("region_name", ""),
                "year": b["year"],
                "national_won": b.get("national", 0),
                "local_won": b.get("local", 0),
                "other_won": b.get("other", 0),
            }
            for b in snap.get("budget", [])
        ],
    }
