"""What the public pages read: published calls (programmes.selectors.public_calls), results of
announced calls only (proposals.disclosure through funding.selectors.announced_awards and
with_shown_state). No rule of visibility is written here; these only shape the rows."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.shortcuts import get_object_or_404

from funding.selectors import announced_awards
from programmes.models import Call
from programmes.selectors import public_calls
from proposals.disclosure import with_shown_state
from proposals.models import Proposal, ProposalState

SELECTED_STATES = (ProposalState.SELECTED, ProposalState.FUNDED)


def public_call(pk: int) -> Call:
    """A published call with what its notice shows; 404 for a draft or no such call."""
    return get_object_or_404(
        public_calls().prefetch_related("eligible_regions", "strategic_industries", "criteria"), pk=pk)


def announced_call(pk: int) -> Call:
    """A published call whose results are announced; 404 otherwise."""
    call = public_call(pk)
    if not call.results_announced:
        raise Http404
    return call


@dataclass
class Award:
    """One selected project as the public reads it."""

    proposal: Proposal
    regions: list  # the lead region first, then the participating ones
    years: list = field(default_factory=list)  # [(year, national_won, local_won)] of the approved decision
    national_total: int = 0
    local_total: int = 0

    @property
    def funded(self) -> bool:
        return bool(self.years)


def _award(proposal, decision) -> Award:
    regions = sorted((p.region for p in proposal.participations.all()), key=lambda r: (r != proposal.lead_region,
                                                                                          r.order))
    if proposal.lead_region not in regions:
        regions.insert(0, proposal.lead_region)
    award = Award(proposal=proposal, regions=regions)
    if decision is not None:
        local = {}
        for o in decision.obligations.all():
            local[o.year] = local.get(o.year, 0) + o.local_won
        award.years = [(fy.year, fy.national_won, local.get(fy.year, 0)) for fy in decision.years.all()]
        award.national_total = sum(y[1] for y in award.years)
        award.local_total = sum(y[2] for y in award.years)
    return award


def call_results(call: Call) -> list[Award]:
    """The call's selected projects (the state anyone is shown: sealed until the announcement),
    each with its approved decision's money by year."""
    proposals = (with_shown_state(Proposal.objects.filter(call=call), user=AnonymousUser())
                 .filter(shown_state__in=SELECTED_STATES)
                 .select_related("lead_region", "industry", "call")
                 .prefetch_related("participations__region").order_by("lead_region__order", "pk"))
    decisions = {d.proposal_id: d for d in announced_awards(call=call)}
    return [_award(p, decisions.get(p.pk)) for p in proposals]


def funded_projects(*, call: Call | None = None) -> list[Award]:
    """Every project of an announced call with an approved decision (the open data)."""
    return [_award(d.proposal, d) for d in announced_awards(call=call)]


def recent_calls(limit: int = 10) -> list[Call]:
    return list(public_calls().prefetch_related("eligible_regions").order_by("-year", "-id")[:limit])


@dataclass(frozen=True)
class Phase:
    key: str  # consulting, deadline, review, announcement
    start: datetime.date | datetime.datetime
    end: datetime.date | None = None


def phases(call: Call) -> list[Phase]:
    """The call's public timeline: windows and days, the deadline as an instant."""
    return [Phase("consulting", call.consulting_start, call.consulting_end),
            Phase("deadline", call.submission_deadline),
            Phase("review", call.review_start, call.review_end),
            Phase("announcement", call.announcement_date)]
