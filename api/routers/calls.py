"""Calls: rules, rubric and timeline, as the person may see them (programmes.selectors)."""

import datetime

from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import paginate

from programmes.models import CallStatus, CooperationType, MatchingBasis
from programmes.selectors import calls_visible_to

from ..auth import token_auth
from ..errors import ERRORS
from ..pagination import Mapped, Page
from ..schemas import Labelled, Named, labelled, object_id, seoul, year_filter
from ..scopes import Scope

router = Router(tags=["calls"], auth=token_auth(Scope.CALLS))


class Criterion(Schema):
    id: int
    name: str
    description: str
    weight: int
    max_score: int


class Timeline(Schema):
    consulting_start: datetime.date
    consulting_end: datetime.date
    submission_deadline: datetime.datetime
    review_start: datetime.date
    review_end: datetime.date
    announcement_date: datetime.date
    announced_at: datetime.datetime | None


class CallSummary(Schema):
    id: int
    title: str
    year: int
    programme: str
    status: Labelled
    submission_deadline: datetime.datetime


class CallDetail(CallSummary):
    description: str
    cooperation_types: list[Labelled]
    eligible_regions: list[Named]
    strategic_industries: list[Named]
    envelope_won: int
    cap_won: int
    pilot_years: int
    max_total_years: int
    min_local_matching_pct: float
    matching_basis: Labelled
    panel_size: int
    timeline: Timeline
    rubric: list[Criterion]


def summary(call) -> dict:
    return {
        "id": call.pk,
        "title": call.title,
        "year": call.year,
        "programme": str(call.programme),
        "status": labelled(call.status, CallStatus),
        "submission_deadline": seoul(call.submission_deadline),
    }


def detail(call) -> dict:
    types = []
    if call.allows_super_regional:
        types.append(labelled(CooperationType.SUPER_REGIONAL, CooperationType))
    if call.allows_leap:
        types.append(labelled(CooperationType.LEAP, CooperationType))
    return {
        **summary(call),
        "description": call.description,
        "cooperation_types": types,
        "eligible_regions": [{"id": r.pk, "name": r.name} for r in call.eligible_regions.all()],
        "strategic_industries": [{"id": i.pk, "name": i.name} for i in call.strategic_industries.all()],
        "envelope_won": call.envelope_won,
        "cap_won": call.cap_won,
        "pilot_years": call.pilot_years,
        "max_total_years": call.max_total_years,
        "min_local_matching_pct": float(call.min_local_matching_pct),
        "matching_basis": labelled(call.matching_basis, MatchingBasis),
        "panel_size": call.panel_size,
        "timeline": {
            "consulting_start": call.consulting_start,
            "consulting_end": call.consulting_end,
            "submission_deadline": seoul(call.submission_deadline),
            "review_start": call.review_start,
            "review_end": call.review_end,
            "announcement_date": call.announcement_date,
            "announced_at": seoul(call.announced_at),
        },
        "rubric": [
            {"id": c.pk, "name": c.name, "description": c.description, "weight": c.weight, "max_score": c.max_score}
            for c in call.criteria.all()
        ],
    }


@router.get("/", response={200: list[CallSummary], **ERRORS}, summary="List calls")
@paginate(Page)
def list_calls(request, status: CallStatus | None = None, year: int | None = year_filter()):
    """Calls the token's owner may see, newest first (the call list page's rules)."""
    qs = calls_visible_to(user=request.user).order_by("-year", "-id")
    if status:
        qs = qs.filter(status=status)
    if year is not None:
        qs = qs.filter(year=year)
    return Mapped(qs, summary)


@router.get("/{call_id}", response={200: CallDetail, **ERRORS}, summary="One call")
def get_call(request, call_id: int = object_id("Id of the call.")):
    call = (
        calls_visible_to(user=request.user)
        .prefetch_related("eligible_regions", "strategic_industries", "criteria")
        .filter(pk=call_id)
        .first()
    )
    if call is None:
        raise Http404
    return detail(call)
