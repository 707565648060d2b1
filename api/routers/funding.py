"""Funding decisions and the verification facts of award letters, as the person may see them
(funding.selectors: staff every version, a region only the approved decisions of its own proposals
once the call's results are announced; core.documents.verification for the letters' facts)."""

import datetime

from django.db.models import Prefetch
from django.http import Http404
from ninja import Path, Query, Router, Schema
from ninja.pagination import paginate

from core.documents.verification import verify
from funding.models import AwardLetter, DecisionState, LetterStatus
from funding.selectors import envelope_status, visible_decisions
from proposals.disclosure import sees_everything
from proposals.models import Participation

from ..auth import token_auth
from ..errors import ERRORS
from ..pagination import Mapped, Page
from ..schemas import Labelled, labelled, seoul
from ..scopes import Scope
from .proposals import MAX_ID, CallRef, RegionRef, TakingPart, region_ref

router = Router(tags=["funding"], auth=token_auth(Scope.FUNDING))


class DecisionProposal(Schema):
    id: int
    title_ko: str
    title_en: str


class LocalAmount(Schema):
    region: RegionRef
    local_won: int


class DecisionYear(Schema):
    """One funded year: the project's national funding and each region's local funds."""

    year: int
    national_won: int
    local: list[LocalAmount]
    local_total_won: int


class LetterRef(Schema):
    language: str
    status: Labelled
    verification_code: str | None  # only once the letter is ready (it is printed on the PDF)


class Decision(Schema):
    id: int
    reference: str
    version: int
    state: Labelled
    proposal: DecisionProposal
    call: CallRef
    regions: list[TakingPart]
    national_total_won: int
    local_total_won: int
    years: list[DecisionYear]
    conditions: str
    prepared_by: str
    prepared_at: datetime.datetime
    approved_by: str | None
    approved_at: datetime.datetime | None
    letters: list[LetterRef]


class Envelope(Schema):
    """The call's national envelope: what approved decisions commit and prepared ones would."""

    envelope_won: int
    committed_won: int
    remaining_won: int
    prepared_won: int


class DecisionDetail(Decision):
    envelope: Envelope | None  # staff only


class FundedYear(Schema):
    year: int
    national_won: int


class LetterFacts(Schema):
    """Exactly what /verify/<code> shows of an award letter: nothing more."""

    verification_code: str
    reference: str
    issued_on: datetime.date | None
    project_title_ko: str
    project_title_en: str
    regions: list[str]
    years: list[FundedYear]
    national_total_won: int
    signed_by: str | None
    demo_certificate: bool
    sha256: str


def _decision_qs(user):
    """Visible decisions with everything a row shows, prefetched (constant queries per page)."""
    return (
        visible_decisions(user=user)
        .select_related("proposal__call", "prepared_by", "approved_by")
        .prefetch_related(
            "years",
            "obligations__region",
            "letters",
            Prefetch("proposal__participations", queryset=Participation.objects.select_related("region")),
        )
        .order_by("-proposal__call__year", "proposal_id", "-version", "pk")
    )


def decision_of(decision) -> dict:
    proposal = decision.proposal
    participations = list(proposal.participations.all())
    regions = [p.region for p in participations]
    obligations = list(decision.obligations.all())
    years = []
    for fy in decision.years.all():
        local = [
            {"region": region_ref(r), "local_won": sum(o.local_won for o in obligations if o.region_id == r.pk and o.year == fy.year)}
            for r in regions
        ]
        years.append(
            {"year": fy.year, "national_won": fy.national_won, "local": local, "local_total_won": sum(c["local_won"] for c in local)}
        )
    return {
        "id": decision.pk,
        "reference": decision.reference,
        "version": decision.version,
        "state": labelled(decision.state, DecisionState),
        "proposal": {"id": proposal.pk, "title_ko": proposal.title_ko, "title_en": proposal.title_en},
        "call": {"id": proposal.call.pk, "title": proposal.call.title, "year": proposal.call.year},
        "regions": [{**region_ref(p.region), "lead": p.is_lead} for p in participations],
        "national_total_won": decision.national_total_won,
        "local_total_won": sum(o.local_won for o in obligations),
        "years": years,
        "conditions": decision.conditions,
        "prepared_by": str(decision.prepared_by),
        "prepared_at": seoul(decision.prepared_at),
        "approved_by": str(decision.approved_by) if decision.approved_by else None,
        "approved_at": seoul(decision.approved_at),
        "letters": [
            {
                "language": letter.language,
                "status": labelled(letter.status, LetterStatus),
                "verification_code": letter.verification_code if letter.status == LetterStatus.DONE else None,
            }
            for letter in decision.letters.all()
        ],
    }


@router.get("/decisions/", response={200: list[Decision], **ERRORS}, summary="List funding decisions")
@paginate(Page)
def list_decisions(
    request,
    call: int | None = Query(None, ge=1, le=MAX_ID, description="A call's id."),
    state: DecisionState | None = None,
    region: str = Query("", max_length=20, description="A participating region's code, e.g. gwangju."),
):
    """Funding decisions the token's owner may see: ministry staff every version (prepared,
    approved, withdrawn); a region's official only the approved decisions of its own proposals,
    and only once the call's results are announced. Newest call first, then proposal, then the
    newest version. Filters: `call` (id), `state`, `region` (a participating region's code)."""
    qs = _decision_qs(request.user)
    if call is not None:
        qs = qs.filter(proposal__call_id=call)
    if state is not None:
        qs = qs.filter(state=state)
    if region:
        qs = qs.filter(proposal__in=Participation.objects.filter(region__code=region).values("proposal_id"))
    return Mapped(qs, decision_of)


@router.get("/decisions/{decision_id}", response={200: DecisionDetail, **ERRORS}, summary="One funding decision")
def get_decision(request, decision_id: int = Path(..., ge=1, le=MAX_ID)):
    """One decision, 404 when the token's owner may not see it; the call's envelope for staff."""
    decision = _decision_qs(request.user).filter(pk=decision_id).first()
    if decision is None:
        raise Http404
    envelope = None
    if sees_everything(request.user):
        e = envelope_status(decision.proposal.call)
        envelope = {
            "envelope_won": e["envelope"],
            "committed_won": e["committed"],
            "remaining_won": e["remaining"],
            "prepared_won": e["prepared"],
        }
    return {**decision_of(decision), "envelope": envelope}


@router.get("/letters/{code}", response={200: LetterFacts, **ERRORS}, summary="Verify an award letter")
def get_letter_facts(request, code: str = Path(..., max_length=32, description="The verification code printed on the letter.")):
    """The facts /verify/<code> shows of a ready award letter (the same verifier), and nothing
    more: 404 for an unknown code or a code of another kind of document."""
    found = verify(code)
    letter = found.context.get("letter") if found is not None else None
    if not isinstance(letter, AwardLetter):
        raise Http404
    decision, proposal = found.context["decision"], found.context["proposal"]
    return {
        "verification_code": letter.verification_code,
        "reference": decision.reference,
        "issued_on": letter.issued_on,
        "project_title_ko": proposal.title_ko,
        "project_title_en": proposal.title_en,
        "regions": [str(r) for r in found.context["regions"]],
        "years": [{"year": y.year, "national_won": y.national_won} for y in found.context["years"]],
        "national_total_won": decision.national_total_won,
        "signed_by": letter.signed_by or None,
        "demo_certificate": letter.signed_with_demo_certificate,
        "sha256": letter.checksum,
    }
