"""Funding decisions: prepared within the call's rules, approved by another staff
member within the call's envelope.

The table of moves beside one transition function, as proposals.services.lifecycle:
the move is allowed from the current state → the actor has its permission (the
four-eyes rule lives in `funding.approve`) → the move's guards (the envelope) →
the write (update_fields) → the audit record → what follows (the proposal is
funded, projects hears of it, the letter is enqueued after commit). Nothing else
sets a decision's state.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import AuditAction, record
from core.moves import Move, check_move, move_of
from core.permissions import require
from programmes.models import Call
from programmes.money import CAP_KEY, TOTAL, YEARS, Cell, MatchingRule, cell_key, check_envelope
from programmes.money import committed_won as committed_of
from proposals.models import Proposal, ProposalState
from proposals.services import proposal_transition

from ..models import (
    DecisionState,
    FundingDecision,
    FundingYear,
    LocalObligation,
)
from ..signals import decision_approved
from .letters import letter_request, notify_regions

D = DecisionState

# --- Envelope ---------------------------------------------------------------------


def _approved_in(call: Call):
    return FundingDecision.objects.filter(proposal__call=call, state=D.APPROVED)


def committed_won(call: Call) -> int:
    return committed_of(_approved_in(call))


# --- The call's rules over a decision ---------------------------------------------------


def decision_problems(*, proposal: Proposal, years: dict, obligations: dict) -> dict:
    """The call's rules over a decision ({year: national}, {(region id, year): local}),
    keyed as programmes.money places them: the year's national cell (None, year,
    "national"), a region's local cell (region id, year, "local"), a year's row, the
    total and the cap. Decisions are for the pilot years and the participating regions
    only; every region states its own local funds for every funded year."""
    call = proposal.call
    pilot = proposal.pilot_years()
    region_ids = set(proposal.participations.values_list("region_id", flat=True))
    pilot_only = _("Funding is decided for the pilot years %(first)s–%(last)s only.") % {
        "first": pilot[0], "last": pilot[-1]}
    problems = {}
    for year, national in years.items():
        if year not in pilot:
            problems[cell_key(None, year, "national")] = pilot_only
        elif national < 0:
            problems[cell_key(None, year, "national")] = _("Amounts cannot be negative.")
    for (region_id, year), local in obligations.items():
        if region_id not in region_ids:
            problems[cell_key(region_id, year, "local")] = _("This region does not take part in the project.")
        elif year not in pilot:
            problems[cell_key(region_id, year, "local")] = pilot_only
        elif local < 0:
            problems[cell_key(region_id, year, "local")] = _("Amounts cannot be negative.")
    # Every region states its own local funds for every funded year (a missing entry counts as 0).
    for region_id in region_ids:
        for year in pilot:
            if years.get(year, 0) > 0 and obligations.get((region_id, year), 0) == 0:
                problems.setdefault(cell_key(region_id, year, "local"),
                                    _("Each region states its own local funds for every year."))
    # Local matching per pilot year and in total: national funding by year, local funds by region and year.
    cells = [Cell(None, year, years.get(year, 0), 0) for year in pilot]
    cells += [Cell(region_id, year, 0, local) for (region_id, year), local in obligations.items()]
    problems.update(MatchingRule.of(call).problems(cells, levels=(YEARS, TOTAL)))
    total_national = sum(v for y, v in years.items() if y in pilot)
    if total_national > call.cap_won:
        problems[CAP_KEY] = _("National funding of %(total)s won exceeds the per-project cap of %(cap)s won.") % {
            "total": f"{total_national:,}", "cap": f"{call.cap_won:,}"}
    if total_national == 0:
        problems[CAP_KEY] = _("Grant some national funding.")
    return problems


class DecisionInvalid(ValidationError):
    def __init__(self, problems: dict):
        super().__init__(list(dict.fromkeys(problems.values())))
        self.problems = problems


def decision_amounts(decision: FundingDecision) -> dict:
    """A decision's money as the audit trail shows it (before → after)."""
    return {
        _("Version"): decision.version, _("State"): decision.get_state_display(),
        _("National total (won)"): decision.national_total_won,
        **{_("National %(year)s (won)") % {"year": fy.year}: fy.national_won for fy in decision.years.order_by("year")},
        **{_("Local %(region)s %(year)s (won)") % {"region": o.region, "year": o.year}: o.local_won
           for o in decision.obligations.select_related("region").order_by("region__order", "year")},
        _("Conditions"): decision.conditions,
    }


# --- The moves ------------------------------------------------------------------------------


def _guard_envelope(decision: FundingDecision, call: Call) -> dict:
    committed = check_envelope(holder=call, approved=_approved_in(call), amount=decision.national_total_won,
                               name=_("the call's envelope"))
    return {"committed_won": committed}


def _record_approval(actor, decision: FundingDecision, previous: str, facts: dict) -> None:
    committed = facts["committed_won"]
    record(actor=actor, action=AuditAction.FUNDING_APPROVE, obj=decision, summary=_("Four-eyes approval"),
           before={"state": previous, "committed_won": committed},
           after={"state": decision.state, "committed_won": committed + decision.national_total_won,
                  "national_total_won": decision.national_total_won})


def _fund(actor, decision: FundingDecision) -> None:
    proposal_transition(actor=actor, proposal=decision.proposal, action="fund",
                        reason=_("Funding decision v%(v)s approved.") % {"v": decision.version})
    # The funded project's workspace and its pilot stage open here (projects subscribes).
    decision_approved.send(sender=FundingDecision, decision=decision, actor=actor)
    letter_request(actor=actor, decision=decision, language="ko")
    notify_regions(decision.proposal, _("The funding decision for “%(title)s” was approved; the award letter "
                                         "is being prepared.") % {"title": decision.proposal.title_ko})


@dataclass(frozen=True)
class DecisionMove(Move):
    guards: tuple = field(default=())  # guard(decision, call) → facts for the record, or raises ValidationError
    stamp: str | None = None  # "approved": who and when, in approved_by / approved_at
    audit: object = None  # audit(actor, decision, previous state, facts); None: the move that caused it records
    then: tuple = field(default=())  # then(actor, decision), inside the transaction


DECISION_MOVES = {
    "approve": DecisionMove(gettext_lazy("Approve"), frozenset({D.PREPARED}), D.APPROVED, "funding.approve",
                    gettext_lazy("This decision is “%(state)s” and cannot be approved."),
                    guards=(_guard_envelope,), stamp="approved", audit=_record_approval, then=(_fund,)),
    # A new version replaces the prepared one (funding_prepare records both: before → after).
    "withdraw": DecisionMove(gettext_lazy("Withdraw"), frozenset({D.PREPARED}), D.WITHDRAWN, "funding.prepare",
                     gettext_lazy("This decision is “%(state)s” and cannot be withdrawn.")),
}


def _lock(call_id: int, proposal_id: int) -> Call:
    """One lock order for every write on decisions: the call (its envelope), then the proposal."""
    call = Call.objects.select_for_update().get(pk=call_id)
    Proposal.objects.select_for_update().filter(pk=proposal_id).first()
    return call


@transaction.atomic
def decision_transition(*, actor, decision: FundingDecision, action: str) -> FundingDecision:
    move = move_of(DECISION_MOVES, action)
    call = _lock(decision.proposal.call_id, decision.proposal_id)
    decision = FundingDecision.objects.select_for_update().select_related("proposal").get(pk=decision.pk)
    check_move(move, actor=actor, obj=decision)
    facts = {}
    for guard in move.guards:
        facts.update(guard(decision, call) or {})
    previous = decision.state
    decision.state = move.target
    update = ["state"]
    if move.stamp:
        setattr(decision, f"{move.stamp}_by", actor)
        setattr(decision, f"{move.stamp}_at", timezone.now())
        update += [f"{move.stamp}_by", f"{move.stamp}_at"]
    decision.save(update_fields=update)
    if move.audit:
        move.audit(actor, decision, previous, facts)
    for step in move.then:
        step(actor, decision)
    return decision


# --- Entry points (what views, tests and the demo call) ---------------------------------------


@transaction.atomic
def funding_prepare(*, actor, proposal: Proposal, years: dict, obligations: dict,
                    conditions: str = "") -> FundingDecision:
    """Prepare (or re-prepare) the decision; a new version replaces (withdraws) an unapproved one."""
    require(actor, "funding.prepare")
    _lock(proposal.call_id, proposal.pk)
    proposal = Proposal.objects.select_related("call").get(pk=proposal.pk)
    if proposal.state != ProposalState.SELECTED:
        raise ValidationError(_("Only a selected proposal can get a funding decision (now “%(state)s”).") % {
            "state": proposal.get_state_display()})
    problems = decision_problems(proposal=proposal, years=years, obligations=obligations)
    if problems:
        raise DecisionInvalid(problems)
    replaced = list(FundingDecision.objects.filter(proposal=proposal, state=D.PREPARED).order_by("-version"))
    before = decision_amounts(replaced[0]) if replaced else None
    for old in replaced:
        decision_transition(actor=actor, decision=old, action="withdraw")
    version = (FundingDecision.objects.filter(proposal=proposal).order_by("-version")
               .values_list("version", flat=True).first() or 0) + 1
    decision = FundingDecision.objects.create(
        proposal=proposal, version=version, conditions=conditions.strip(), prepared_by=actor,
        national_total_won=sum(years.values()),
    )
    FundingYear.objects.bulk_create([FundingYear(decision=decision, year=y, national_won=v)
                                     for y, v in sorted(years.items())])
    LocalObligation.objects.bulk_create([LocalObligation(decision=decision, region_id=r, year=y, local_won=v)
                                         for (r, y), v in sorted(obligations.items())])
    record(actor=actor, action=AuditAction.FUNDING_PREPARE, obj=decision, before=before, after=decision_amounts(decision),
           summary=_("Version %(v)s prepared") % {"v": decision.version})
    return decision


def funding_approve(*, actor, decision: FundingDecision) -> FundingDecision:
    """Another staff member approves within the envelope (`funding.approve`: never the
    preparer). The call's row is locked, so approvals of one call run one after another."""
    return decision_transition(actor=actor, decision=decision, action="approve")
