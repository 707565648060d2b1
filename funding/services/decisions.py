"""Funding decisions: the envelope, prepare and four-eyes approval."""
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import AuditAction, record
from core.permissions import require
from programmes.models import Call, MatchingBasis
from proposals.models import Proposal, ProposalState
from proposals.services import proposal_transition
from proposals.services.budget import required_local

from ..models import (
    DecisionState,
    FundingDecision,
    FundingYear,
    LocalObligation,
)
from ..signals import decision_approved
from .letters import letter_request, notify_regions

# --- Envelope ---------------------------------------------------------------------


def committed_won(call: Call) -> int:
    return FundingDecision.objects.filter(
        proposal__call=call, state=DecisionState.APPROVED
    ).aggregate(total=Sum("national_total_won"))["total"] or 0


def envelope_status(call: Call) -> dict:
    # Committed (approved) and prepared in one query.
    totals = FundingDecision.objects.filter(proposal__call=call).aggregate(
        committed=Sum("national_total_won", filter=Q(state=DecisionState.APPROVED)),
        prepared=Sum("national_total_won", filter=Q(state=DecisionState.PREPARED)))
    committed, prepared = totals["committed"] or 0, totals["prepared"] or 0
    return {"envelope": call.envelope_won, "committed": committed, "remaining": call.envelope_won - committed,
            "prepared": prepared}


# --- Decisions ----------------------------------------------------------------------


def decision_problems(*, proposal: Proposal, years: dict, obligations: dict) -> dict:
    """The call's rules over a decision. Keys: ("national", year), ("local", region id, year),
    ("year", year), ("total",) — so each message can sit at its cell."""
    call = proposal.call
    pilot = proposal.pilot_years()
    region_ids = set(proposal.participations.values_list("region_id", flat=True))
    pct = Decimal(call.min_local_matching_pct)
    basis = call.matching_basis
    problems = {}

    def short(need: Decimal) -> str:
        return _("Local funds must be at least %(pct)s%% of the %(basis)s: at least %(need)s won.") % {
            "pct": f"{pct.normalize():f}",
            "basis": _("national funding") if basis == MatchingBasis.NATIONAL else _("total project cost"),
            "need": f"{int(need.to_integral_value(rounding='ROUND_CEILING')):,}",
        }

    for year, national in years.items():
        if year not in pilot:
            problems[("national", year)] = _("Funding is decided for the pilot years %(first)s–%(last)s only.") % {
                "first": pilot[0], "last": pilot[-1]}
        elif national < 0:
            problems[("national", year)] = _("Amounts cannot be negative.")
    for (region_id, year), local in obligations.items():
        if region_id not in region_ids:
            problems[("local", region_id, year)] = _("This region does not take part in the project.")
        elif year not in pilot:
            problems[("local", region_id, year)] = _(
                "Funding is decided for the pilot years %(first)s–%(last)s only.") % {"first": pilot[0], "last": pilot[-1]}
        elif local < 0:
            problems[("local", region_id, year)] = _("Amounts cannot be negative.")
    # Every region states its own local funds for every funded year (a missing entry counts as 0).
    for region_id in region_ids:
        for year in pilot:
            if years.get(year, 0) > 0 and obligations.get((region_id, year), 0) == 0:
                problems.setdefault(("local", region_id, year),
                                    _("Each region states its own local funds for every year."))
    for year in pilot:
        national = years.get(year, 0)
        local = sum(v for (r, y), v in obligations.items() if y == year)
        need = required_local(national=national, local=local, other=0, pct=pct, basis=basis)
        if Decimal(local) < need:
            problems[("year", year)] = short(need)
    total_national = sum(v for y, v in years.items() if y in pilot)
    total_local = sum(obligations.values())
    need = required_local(national=total_national, local=total_local, other=0, pct=pct, basis=basis)
    if Decimal(total_local) < need:
        problems[("total",)] = short(need)
    if total_national > call.cap_won:
        problems[("cap",)] = _("National funding of %(total)s won exceeds the per-project cap of %(cap)s won.") % {
            "total": f"{total_national:,}", "cap": f"{call.cap_won:,}"}
    if total_national == 0:
        problems[("cap",)] = _("Grant some national funding.")
    return problems


class DecisionInvalid(ValidationError):
    def __init__(self, problems: dict):
        super().__init__(list(dict.fromkeys(problems.values())))
        self.problems = problems


@transaction.atomic
def funding_prepare(*, actor, proposal: Proposal, years: dict, obligations: dict,
                    conditions: str = "") -> FundingDecision:
    """Prepare (or re-prepare) the decision; a new version replaces an unapproved one."""
    require(actor, "funding.prepare")
    proposal = Proposal.objects.select_for_update().select_related("call").get(pk=proposal.pk)
    if proposal.state != ProposalState.SELECTED:
        raise ValidationError(_("Only a selected proposal can get a funding decision (now “%(state)s”).") % {
            "state": proposal.get_state_display()})
    problems = decision_problems(proposal=proposal, years=years, obligations=obligations)
    if problems:
        raise DecisionInvalid(problems)
    replaced = FundingDecision.objects.filter(proposal=proposal, state=DecisionState.PREPARED).order_by("-version").first()
    before = decision_amounts(replaced) if replaced else None
    FundingDecision.objects.filter(proposal=proposal, state=DecisionState.PREPARED).update(
        state=DecisionState.WITHDRAWN)
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


@transaction.atomic
def funding_approve(*, actor, decision: FundingDecision) -> FundingDecision:
    """Four eyes and the envelope, safe under concurrency: the call's row is locked
    (SELECT … FOR UPDATE) so approvals of the same call run one after the other."""
    require(actor, "funding.prepare")
    # One lock order everywhere: call, then proposal, then decision (no deadlock with funding_prepare).
    call = Call.objects.select_for_update().get(pk=decision.proposal.call_id)
    Proposal.objects.select_for_update().filter(pk=decision.proposal_id).first()
    decision = FundingDecision.objects.select_for_update().select_related("proposal").get(pk=decision.pk)
    if decision.state != DecisionState.PREPARED:
        raise ValidationError(_("This decision is “%(state)s” and cannot be approved.") % {
            "state": decision.get_state_display()})
    if decision.prepared_by_id == actor.pk:
        raise ValidationError(_("Four eyes: the person who prepared a decision cannot approve it. "
                                "Ask another staff member."))
    committed = committed_won(call)
    if committed + decision.national_total_won > call.envelope_won:
        raise ValidationError(_(
            "Approving would exceed the call's envelope: %(committed)s won committed + %(this)s won > "
            "%(envelope)s won (remaining %(remaining)s won).") % {
            "committed": f"{committed:,}", "this": f"{decision.national_total_won:,}",
            "envelope": f"{call.envelope_won:,}", "remaining": f"{call.envelope_won - committed:,}"})
    decision.state = DecisionState.APPROVED
    decision.approved_by = actor
    decision.approved_at = timezone.now()
    decision.save(update_fields=["state", "approved_by", "approved_at"])
    record(actor=actor, action=AuditAction.FUNDING_APPROVE, obj=decision, summary=_("Four-eyes approval"),
           before={"state": DecisionState.PREPARED, "committed_won": committed},
           after={"state": decision.state, "committed_won": committed + decision.national_total_won,
                  "national_total_won": decision.national_total_won})
    proposal_transition(actor=actor, proposal=decision.proposal, action="fund",
                        reason=_("Funding decision v%(v)s approved.") % {"v": decision.version})
    # The funded project's workspace and its pilot stage open here (projects subscribes).
    decision_approved.send(sender=FundingDecision, decision=decision, actor=actor)
    letter_request(actor=actor, decision=decision, language="ko")
    notify_regions(decision.proposal, _("The funding decision for “%(title)s” was approved; the award letter "
                                         "is being prepared.") % {"title": decision.proposal.title_ko})
    return decision



