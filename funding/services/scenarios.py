"""Cut-line scenarios: named "what ifs" over the call's final ranking.

A scenario gives each scored proposal a choice (select, reserve, not selected) and, for a
selected one, the national funding over the pilot years (the budget plan's request unless
overridden). Its checks are the funding decision's own: the amounts a selected proposal
would get are split into the decision's years and local obligations (`line_plan`) and read
by `decision_problems` (per-project cap, local matching, every region's funds); the envelope
as approvals count it. A scenario never changes a decision by itself: `scenario_decide`
prepares the decisions through `funding_prepare` (all or none), and another staff member
approves each of them as always.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import AuditAction, record
from core.permissions import require
from programmes.models import Call
from programmes.money import committed_won as committed_of
from proposals.models import Proposal, ProposalState

from ..models import DecisionState, FundingDecision, Scenario, ScenarioChoice, ScenarioLine
from .decisions import decision_problems, funding_prepare
from .selection import selection_decide

C = ScenarioChoice
NAME_MAX = 120


# --- A line's money as a decision would hold it ------------------------------------------------


def line_plan(proposal: Proposal, amount: int) -> tuple[dict, dict]:
    """The decision a selected line would prepare: ({year: national}, {(region id, year): local}).
    The national `amount` is spread over the pilot years as the budget plan spreads its request
    (exact: whole won, the remainder in the last year; evenly when the plan asks for none); the
    regions' local funds are the plan's, year by year. `proposal.budget_lines` may be prefetched."""
    pilot = proposal.pilot_years()
    lines = [b for b in proposal.budget_lines.all() if b.year in pilot]
    planned = {year: sum(b.national_won for b in lines if b.year == year) for year in pilot}
    asked = sum(planned.values())
    if amount == asked:
        years = planned
    else:
        weights = planned if asked else dict.fromkeys(pilot, 1)
        whole = sum(weights.values())
        years = {year: amount * weights[year] // whole for year in pilot}
        years[pilot[-1]] += amount - sum(years.values())
    obligations = {}
    for b in lines:
        if b.region_id is not None:
            obligations[(b.region_id, b.year)] = obligations.get((b.region_id, b.year), 0) + b.local_won
    return years, obligations


# --- The scenario's figures and checks ----------------------------------------------------------


# The scenario page shows a window of the ranking around the envelope cut line: WINDOW rows above
# it and WINDOW from it down ("show more" widens either side by WINDOW_STEP). Rows outside the window
# keep their choices; the totals and the envelope count every ranked proposal whatever is shown.
# A ranking of at most WINDOW_SMALL proposals is shown whole unless a window is asked for.
WINDOW = 20
WINDOW_STEP = 50
WINDOW_SMALL = 100


def scenario_window(ranking: list[dict], *, above: int | None = None, below: int | None = None) -> tuple[int, int]:
    """The rows [start, end) of the call's `ranking` (call_ranking) the scenario page shows: `above`
    rows above the cut line and `below` rows from it down (WINDOW each unless given); without a cut
    line (every request fits) the top `above` + `below` rows. A small ranking (WINDOW_SMALL) is
    shown whole when neither is given."""
    if above is None and below is None and len(ranking) <= WINDOW_SMALL:
        return 0, len(ranking)
    above, below = (WINDOW if v is None else v for v in (above, below))
    cut = next((i for i, r in enumerate(ranking) if r["cut"]), None)
    if cut is None:
        return 0, min(len(ranking), max(0, above) + max(0, below))
    return max(0, cut - max(0, above)), min(len(ranking), cut + max(0, below))


def scenario_differences(first: Scenario, second: Scenario, ranking: list[dict]) -> list[int]:
    """The places (indexes into `ranking`) where two scenarios differ: the choice, or the amount of a
    selected proposal (its request unless changed). Reads the two scenarios' lines only, so the compare
    page counts every difference of a long ranking while it shows a window of it."""
    def choices(scenario):
        lines = {pid: (choice, amount) for pid, choice, amount in
                     scenario.lines.values_list("proposal_id", "choice", "amount_won")}
        out = []
        for r in ranking:
            choice, amount = lines.get(r["proposal_id"], (C.NONE, None))
            out.append((choice, (r["requested"] if amount is None else amount) if choice == C.SELECT else None))
        return out

    return [i for i, (a, b) in enumerate(zip(choices(first), choices(second), strict=True)) if a != b]


def scenario_figures(scenario: Scenario, ranking: list[dict], *, shown=None) -> dict:
    """The scenario over the call's ranking (funding.selectors.call_ranking): a row per ranked
    proposal with its choice, amount, the call's rules' problems when selected, and the totals —
    national funding selected, what approved decisions of other proposals already commit, the
    envelope remaining, and whether the scenario is over it or breaks a rule (then it cannot be
    turned into decisions). `shown`: the ids of the rows a page shows; only those are read in full and
    checked against the call's rules (a row's "proposal" is None otherwise and `broken` counts the shown
    rows; the totals are over every row; turning into decisions checks every row again)."""
    call = scenario.call
    lines = {line.proposal_id: line for line in scenario.lines.all()}
    wanted = [r["proposal_id"] for r in ranking] if shown is None else [
        r["proposal_id"] for r in ranking if r["proposal_id"] in shown]
    proposals = {p.pk: p for p in Proposal.objects.filter(pk__in=wanted)
                 .select_related("lead_region", "call").prefetch_related("budget_lines")}
    approved = dict(FundingDecision.objects.filter(proposal__call=call, state=DecisionState.APPROVED)
                    .values_list("proposal_id", "national_total_won"))
    rows, selected_total, selected_ids = [], 0, set()
    for r in ranking:
        pid = r["proposal_id"]
        proposal = proposals.get(pid)
        line = lines.get(pid)
        choice = line.choice if line else C.NONE
        amount = line.amount_won if line and line.amount_won is not None else r["requested"]
        problems = []
        if choice == C.SELECT:
            selected_total += amount
            selected_ids.add(pid)
            if pid not in approved and proposal is not None:  # an approved decision stands as it is
                years, obligations = line_plan(proposal, amount)
                problems = list(dict.fromkeys(decision_problems(proposal=proposal, years=years,
                                                                obligations=obligations).values()))
        rows.append({**r, "proposal": proposal, "choice": choice, "choice_label": str(C(choice).label), "amount": amount,
                     "overridden": bool(line and line.amount_won is not None), "problems": problems,
                     "approved": approved.get(pid)})
    committed_elsewhere = sum(v for pid, v in approved.items() if pid not in selected_ids)
    remaining = call.envelope_won - committed_elsewhere - selected_total
    broken = sum(1 for row in rows if row["problems"])
    return {"rows": rows, "selected": len(selected_ids), "total": selected_total, "envelope": call.envelope_won,
            "committed": committed_elsewhere, "committed_all": sum(approved.values()), "remaining": remaining,
            "over": remaining < 0, "broken": broken, "cap": call.cap_won,
            "can_decide": remaining >= 0 and not broken and bool(selected_ids - set(approved))}


# --- Writes ---------------------------------------------------------------------------------------


def _check_name(call: Call, name: str, *, scenario_id=None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the scenario a name.")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("At most %(n)s characters.") % {"n": NAME_MAX}})
    if Scenario.objects.filter(call=call, name=name).exclude(pk=scenario_id).exists():
        raise ValidationError({"name": _("This call already has a scenario named “%(name)s”.") % {"name": name}})
    return name


def _snapshot(scenario: Scenario) -> dict:
    return {"name": scenario.name, "notes": scenario.notes,
            "lines": {str(line.proposal_id): [line.choice, line.amount_won]
                      for line in scenario.lines.order_by("proposal_id")}}


@transaction.atomic
def scenario_create(*, actor, call: Call, name: str, notes: str = "", top: int | None = None,
                    ranking: list[dict]) -> Scenario:
    """A new scenario of the call, prefilled from its ranking (funding.selectors.call_ranking):
    the best proposals selected, at most `top` of them (all when None), as long as their requests
    fit within the envelope that approved decisions leave; every other proposal not selected."""
    require(actor, "funding.manage_scenarios")
    call = Call.objects.select_for_update().get(pk=call.pk)
    name = _check_name(call, name)
    if top is not None and not 0 <= top <= len(ranking):
        raise ValidationError({"top": _("Choose between 0 and %(n)s proposals.") % {"n": len(ranking)}})
    scenario = Scenario.objects.create(call=call, name=name, notes=(notes or "").strip(), created_by=actor)
    room = call.envelope_won - committed_of(FundingDecision.objects.filter(proposal__call=call,
                                                                           state=DecisionState.APPROVED))
    approved = set(FundingDecision.objects.filter(proposal__call=call, state=DecisionState.APPROVED)
                   .values_list("proposal_id", flat=True))
    # Down the ranking until `top` are chosen or the next request no longer fits: the cut line.
    chosen, cut, lines = 0, False, []
    for r in ranking:
        pick = False
        if not cut and (top is None or chosen < top):
            if r["proposal_id"] in approved:
                pick = True
            elif r["requested"] <= room:
                pick, room = True, room - r["requested"]
            else:
                cut = True
        chosen += pick
        lines.append(ScenarioLine(scenario=scenario, proposal_id=r["proposal_id"], choice=C.SELECT if pick else C.NONE))
    ScenarioLine.objects.bulk_create(lines)
    record(actor=actor, action=AuditAction.FUNDING_SCENARIO, obj=scenario,
           summary=_("Scenario “%(name)s” created") % {"name": name}, after=_snapshot(scenario))
    return scenario


@transaction.atomic
def scenario_save(*, actor, scenario: Scenario, name: str, notes: str, lines: dict,
                  ranking: list[dict]) -> Scenario:
    """Save the scenario's name, notes and lines ({proposal id: (choice, amount or None)}) — only
    proposals of the call's ranking. A scenario over the envelope or breaking a rule is saved all
    the same (its page says so); it cannot be turned into decisions."""
    require(actor, "funding.manage_scenarios")
    scenario = Scenario.objects.select_for_update().select_related("call").get(pk=scenario.pk)
    name = _check_name(scenario.call, name, scenario_id=scenario.pk)
    ranked = {r["proposal_id"] for r in ranking}
    errors = {}
    for pid, (choice, amount) in lines.items():
        if pid not in ranked:
            errors[f"choice-{pid}"] = _("This proposal is not on the call's ranking.")
        elif choice not in C.values:
            errors[f"choice-{pid}"] = _("Choose select, reserve or not selected.")
        elif amount is not None and amount < 0:
            errors[f"amount-{pid}"] = _("Amounts cannot be negative.")
        elif amount is not None and amount > scenario.call.envelope_won:
            errors[f"amount-{pid}"] = _("More than the call's whole envelope of %(envelope)s won.") % {
                "envelope": f"{scenario.call.envelope_won:,}"}
    if errors:
        raise ValidationError(errors)
    before = _snapshot(scenario)
    scenario.name, scenario.notes = name, (notes or "").strip()
    scenario.save(update_fields=["name", "notes", "updated_at"])
    existing = {line.proposal_id: line for line in scenario.lines.all()}
    for pid, (choice, amount) in lines.items():
        line = existing.get(pid) or ScenarioLine(scenario=scenario, proposal_id=pid)
        line.choice, line.amount_won = choice, amount
        line.save()
    after = _snapshot(scenario)
    if after != before:
        record(actor=actor, action=AuditAction.FUNDING_SCENARIO, obj=scenario,
               summary=_("Scenario “%(name)s” saved") % {"name": name}, before=before, after=after)
    return scenario


@transaction.atomic
def scenario_decide(*, actor, scenario: Scenario, ranking: list[dict]) -> list[FundingDecision]:
    """Turn the scenario into decisions: for every selected proposal without an approved decision,
    a *prepared* funding decision through `funding_prepare` (a proposal still eligible or on reserve
    is first selected through `selection_decide`, the reason naming the scenario). All or none:
    refused — with every proposal's reason — when the scenario is over the envelope or any
    decision would be refused. The decisions still need another staff member's approval."""
    require(actor, "funding.manage_scenarios")
    require(actor, "funding.prepare")
    Call.objects.select_for_update().get(pk=scenario.call_id)  # the envelope's lock, as approvals take it
    scenario = Scenario.objects.select_for_update().select_related("call").get(pk=scenario.pk)
    figures = scenario_figures(scenario, ranking)
    if figures["over"]:
        raise ValidationError(_("This scenario is over the envelope by %(over)s won: it cannot be turned into "
                                "decisions.") % {"over": f"{-figures['remaining']:,}"})
    todo = [row for row in figures["rows"] if row["choice"] == C.SELECT and row["approved"] is None]
    if not todo:
        raise ValidationError(_("The scenario selects no proposal without an approved decision."))
    reasons, decisions = [], []
    reason = _("Selected in the funding scenario “%(name)s”.") % {"name": scenario.name}
    for row in todo:
        proposal = row["proposal"]
        try:
            with transaction.atomic():
                if proposal.state in (ProposalState.ELIGIBLE, ProposalState.RESERVE):
                    selection_decide(actor=actor, proposal=proposal, action="select", reason=reason)
                years, obligations = line_plan(proposal, row["amount"])
                decisions.append(funding_prepare(actor=actor, proposal=proposal, years=years,
                                                 obligations=obligations))
        except ValidationError as exc:
            reasons.append(_("“%(title)s”: %(reason)s") % {"title": proposal.title, "reason": " ".join(exc.messages)})
    if reasons:
        raise ValidationError([_("Nothing was turned into decisions.")] + reasons)
    scenario.decided_by, scenario.decided_at = actor, timezone.now()
    scenario.save(update_fields=["decided_by", "decided_at", "updated_at"])
    record(actor=actor, action=AuditAction.FUNDING_SCENARIO, obj=scenario,
           summary=_("Scenario “%(name)s” turned into %(n)s prepared decisions") % {
               "name": scenario.name, "n": len(decisions)},
           after={"decisions": [d.reference for d in decisions], "total_won": figures["total"]})
    return decisions
