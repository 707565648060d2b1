"""Assigning experts: by hand or automatically, never conflicted (checked here,
the one place every path goes through)."""

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.services import notify
from audit.services import AuditAction, describe, record
from core.permissions import require
from programmes.institutions import registry
from programmes.models import ConflictGround
from proposals.models import Proposal, ProposalState

from .. import hooks
from ..models import Assignment, AssignmentKind, ExpertExclusion, ExpertProfile, PanelResult
from . import applicants, composition
from .conflicts import coaching_prefetches, expert_conflicts, prefetched_facts, proposal_facts
from .objections import check_reevaluation_assignable
from .quality import PANEL_KINDS, check_not_excluded, excluded_experts

# Which proposals each kind of assignment is for.
ASSIGNABLE_STATES = {
    AssignmentKind.CONSULTING: {ProposalState.DRAFT, ProposalState.CONSULTING, ProposalState.REVISING},
    AssignmentKind.EVALUATION: {ProposalState.ELIGIBLE},
}


def _check_assignable(*, proposal: Proposal, expert: User, kind: str, facts=None, stage_number: int | None = None,
                      subject=None) -> None:
    if kind not in AssignmentKind.values:
        raise ValidationError(_("Unknown kind of assignment."))
    if expert.role != Role.EXPERT:
        raise ValidationError(_("%(user)s is not an expert.") % {"user": expert})
    check_not_excluded(expert=expert, kind=kind)  # left out of later panels (quality record)
    profile = getattr(expert, "expert_profile", None)
    reasons = expert_conflicts(profile=profile, proposal=proposal, facts=facts, kind=kind)
    if reasons:
        raise ValidationError(_("%(expert)s has a conflict of interest: %(reasons)s") % {
            "expert": expert, "reasons": " ".join(reasons)})
    if kind != AssignmentKind.CONSULTING:  # the region's list is about who judges it
        applicants.check_not_unsuitable(proposal=proposal, expert=expert)
    if kind == AssignmentKind.REEVALUATION:
        # After an upheld objection: a new panel, none of the original evaluators.
        check_reevaluation_assignable(proposal=proposal, expert=expert)
    elif kind not in ASSIGNABLE_STATES:
        # A kind owned by a higher app (a funded project's stage evaluation): its rules.
        hooks.check_assignable(kind=kind, proposal=proposal, stage_number=stage_number, subject=subject)
    elif proposal.state not in ASSIGNABLE_STATES[kind]:
        raise ValidationError(_("Experts cannot be assigned for %(kind)s while the proposal is “%(state)s”.") % {
            "kind": AssignmentKind(kind).label, "state": proposal.get_state_display()})


@transaction.atomic
def panel_assign(*, actor, proposal: Proposal, expert: User, kind: str = AssignmentKind.EVALUATION,
                 stage_number: int | None = None, subject=None, round: int = 1) -> Assignment:
    """Assign one expert (selection evaluation, consulting, or a funded project's
    evaluation at the end of stage `stage_number`): the same conflict-of-interest
    rules for every purpose, then the rules the kind's owner registered in
    `evaluations.hooks` (`subject`, the owner's own object, is handed to them)."""
    require(actor, "evaluations.manage_panels")
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    stage_number = stage_number if kind == AssignmentKind.STAGE else None
    _check_assignable(proposal=proposal, expert=expert, kind=kind, stage_number=stage_number, subject=subject)
    round = int(round) if str(round) in ("1", "2") and kind == AssignmentKind.EVALUATION else 1
    from .rounds import check_round_assignable  # a presentation seat: a two-round call's shortlist

    check_round_assignable(proposal=proposal, round=round)
    existing = Assignment.objects.filter(kind=kind, expert=expert, proposal=proposal,
                                         stage_number=stage_number, round=round).first()
    if existing:
        raise ValidationError(_("%(expert)s is already assigned.") % {"expert": expert})
    assignment = Assignment.objects.create(kind=kind, expert=expert, proposal=proposal, assigned_by=actor,
                                           stage_number=stage_number, round=round)
    record(actor=actor, action=AuditAction.PANEL_ASSIGN, obj=assignment, after={"expert": expert, "kind": kind}
           | ({"round": round} if round != 1 else {}))
    _notify_assigned([assignment])
    return assignment


@transaction.atomic
def panel_unassign(*, actor, assignment: Assignment) -> None:
    require(actor, "evaluations.manage_panels")
    sheet = getattr(assignment, "scoresheet", None)
    if sheet is not None and sheet.is_locked:
        raise ValidationError(_("This expert already submitted scores; reopen them before removing the expert."))
    if assignment.comments.exists():
        raise ValidationError(_("This expert already commented; their comments stay on record."))
    record(actor=actor, action=AuditAction.PANEL_UNASSIGN, obj=assignment, before={"expert": assignment.expert, "kind": assignment.kind})
    assignment.delete()


def _notify_assigned(assignments: list[Assignment]) -> None:
    for a in assignments:
        notify(users=[a.expert], url=f"/evaluations/assignments/{a.pk}/",
               message=_("You were asked for %(kind)s on a proposal of the call “%(call)s”.") % {
                   "kind": a.get_kind_display(), "call": a.proposal.call.title})


# --- Automatic assignment -------------------------------------------------------
# The optimal plan: the affinity of each expert to each proposal (services.affinity), every
# conflict, exclusion, unsuitability and coaching bar a hard constraint, solved by
# services.assignment_solver; then a repair step for the call's composition rules.

PLAN_MODES = ("total", "fair")  # the highest total affinity; the weakest proposal first (fairness)


@dataclass
class PlanRow:
    proposal: Proposal
    experts: list = field(default_factory=list)  # [(User, matches_industry: bool)], best affinity first
    excluded: list = field(default_factory=list)  # [(User, [reasons])]
    missing: int = 0
    already: int = 0
    chair: object = None  # the expert the plan names chair (None: the panel has one, or none is required)
    composition: list = field(default_factory=list)  # the call's composition rules the panel would still break
    affinity: list = field(default_factory=list)  # [(User, score, [reasons])] of the planned experts, for staff
    available: int = 0  # conflict-free experts not yet on the panel


@dataclass
class Plan:
    rows: list
    size: int
    loads: dict  # expert id → number of evaluation assignments after the plan
    mode: str = "total"
    max_load: int = 0  # the most evaluations one expert carries in this call after the plan
    balanced_load: int = 0  # ⌈seats ÷ eligible experts⌉: the least load that can fill the panels
    shortages: list = field(default_factory=list)  # [(PlanRow, at_load_limit: bool)]: nothing is assigned
    kind: str = AssignmentKind.EVALUATION
    stage_number: int | None = None  # a stage evaluation's stage (kind stage)
    refused: list = field(default_factory=list)  # [str]: proposals the kind owner's rules refuse (hooks)

    @property
    def problems(self) -> list[str]:
        out = list(self.refused)
        for row, at_limit in self.shortages:
            if at_limit:
                out.append(_("%(title)s: its %(n)s conflict-free experts already carry the load limit of %(load)s "
                             "evaluations; raise the load or add experts to the pool.") % {
                    "title": row.proposal.title, "n": row.available, "load": self.max_load})
            else:
                out.append(_("%(title)s: only %(n)s of %(size)s conflict-free experts are available.") % {
                    "title": row.proposal.title, "n": row.available + row.already, "size": self.size})
        return out

    @property
    def total_affinity(self) -> float:
        """The sum of the planned experts' affinities."""
        return sum(score for r in self.rows for _e, score, _r in r.affinity)

    @property
    def weakest_affinity(self) -> float:
        """The lowest sum of planned affinities over the proposals that get experts (0: none do)."""
        sums = [sum(score for _e, score, _r in r.affinity) for r in self.rows if r.affinity]
        return min(sums, default=0.0)

    @property
    def signature(self) -> str:
        """Identifies this exact plan, so what staff confirm is what they reviewed."""
        data = [self.mode, self.max_load, [[r.proposal.pk, [e.pk for e, _m in r.experts]] for r in self.rows]]
        if self.kind != AssignmentKind.EVALUATION:
            data += [self.kind, self.stage_number]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:16]


def _repair(call, members_now, chosen: list, options: list, room: dict, score) -> list:
    """The composition rules after the flow: swap the least-fitting planned expert for the best
    candidate with room that lowers the panel's shortfall, until none does."""
    chosen = list(chosen)
    while True:
        bad = composition.shortfall(call, [*members_now, *chosen])
        if not bad:
            return chosen
        swap = None
        for out in sorted(chosen, key=lambda e: (score(e), -e.pk)):
            for cand in options:
                if cand in chosen or room[cand.pk] <= 0:
                    continue
                trial = [cand if e is out else e for e in chosen]
                if composition.shortfall(call, [*members_now, *trial]) < bad:
                    swap = (out, cand, trial)
                    break
            if swap:
                break
        if swap is None:
            return chosen
        out, cand, chosen = swap
        room[out.pk] += 1
        room[cand.pk] -= 1


def panel_auto_plan(*, call, cooperation_type: str = "", size: int | None = None, mode: str = "total",
                    max_load: int | None = None) -> Plan:
    """The optimal plan for the call's eligible proposals (see `panel_plan`), each with the
    call's panel size unless `size` is given."""
    proposals = Proposal.objects.filter(call=call, state=ProposalState.ELIGIBLE)
    if cooperation_type:
        proposals = proposals.filter(cooperation_type=cooperation_type)
    return panel_plan(call=call, proposals=proposals, kind=AssignmentKind.EVALUATION, size=size or call.panel_size,
                      mode=mode, max_load=max_load)


def _panels_now(proposals, kind: str, stage_number: int | None) -> dict:
    """{proposal id: its panel's active assignments of this kind (and stage)}, in one query."""
    if kind == AssignmentKind.EVALUATION:
        return composition.current_panels(proposals)
    out: dict = {}
    for a in (Assignment.objects.filter(proposal__in=proposals, kind=kind, stage_number=stage_number,
                                        conflict_declared=False).select_related("expert__expert_profile")):
        out.setdefault(a.proposal_id, []).append(a)
    return out


def panel_plan(*, call, proposals, kind: str, size: int, stage_number: int | None = None, mode: str = "total",
               max_load: int | None = None, subjects: dict | None = None) -> Plan:
    """The optimal plan of the panels of `proposals` (of `call`) for `kind` — the call's
    selection evaluation, or a funded project's evaluation at the end of stage `stage_number`
    (`subjects`: {proposal id: the owner's object handed to its rules in `evaluations.hooks`};
    a proposal those rules refuse gets no expert and is named in `problems`). Solved by
    services.assignment_solver: each proposal gets exactly `size` active experts of this kind
    (existing assignments count), each expert at most `max_load` assignments of this kind in
    this call (and stage; existing ones count; None: the balanced load ⌈seats ÷ eligible
    experts⌉, raised only as far as the panels need), maximising the total affinity or, in the
    fairness mode, the weakest proposal's first. Every conflict, exclusion, unsuitability and
    coaching bar is a hard constraint; the call's composition rules are repaired after.
    Infeasible: nothing planned and `problems` says which proposals cannot be covered and why.
    A `max_load` below the balanced load is refused (ValidationError on "max_load")."""
    from . import assignment_solver
    from .affinity import call_affinity

    mode = mode if mode in PLAN_MODES else "total"
    stage_number = stage_number if kind == AssignmentKind.STAGE else None
    subjects = subjects or {}
    proposals = list(Proposal.objects.filter(pk__in=[p.pk for p in proposals]).select_related("industry", "call")
                     .order_by("pk").prefetch_related("participations__region", "organisations",
                                                      *coaching_prefetches()))
    reg = registry()
    mine = Q(assignments__kind=kind, assignments__proposal__call=call, assignments__conflict_declared=False)
    if stage_number is not None:
        mine &= Q(assignments__stage_number=stage_number)
    experts = list(
        User.objects.filter(role=Role.EXPERT, is_active=True, expert_profile__available=True)
        .exclude(pk__in=excluded_experts())
        .select_related("expert_profile")
        .prefetch_related("expert_profile__industries")
        .annotate(load=Count("assignments", filter=mine, distinct=True))
        .order_by("pk")
    )
    loads = {e.pk: e.load for e in experts}
    taken, active = {}, {}
    for a in Assignment.objects.filter(kind=kind, stage_number=stage_number, proposal__in=proposals):
        # A withdrawn expert (declared conflict) is never picked again and no longer counts.
        taken.setdefault(a.proposal_id, set()).add(a.expert_id)
        if not a.conflict_declared:
            active.setdefault(a.proposal_id, set()).add(a.expert_id)
    unsuitable = applicants.blocking_entries([p.pk for p in proposals])
    panels_now = _panels_now(proposals, kind, stage_number)
    affinity = call_affinity(call, experts=[e.pk for e in experts], proposals=[p.pk for p in proposals])
    matrix = np.zeros((len(experts), len(proposals)))
    if experts and proposals:  # rows and columns of the affinity follow ascending ids, as these lists
        matrix[:, :] = affinity.matrix
    allowed = np.zeros(matrix.shape, dtype=bool)
    rows, need, base, refused = [], [], [], []
    for j, p in enumerate(proposals):
        facts = prefetched_facts(p, reg=reg)
        row = PlanRow(proposal=p, already=len(active.get(p.pk, set())))
        rows.append(row)
        if kind not in ASSIGNABLE_STATES and kind != AssignmentKind.REEVALUATION:
            try:  # the owner's rules for the whole panel (e.g. a decided stage evaluation's is closed)
                hooks.check_assignable(kind=kind, proposal=p, stage_number=stage_number, subject=subjects.get(p.pk))
            except ValidationError as exc:
                refused.append(_("%(title)s: %(reason)s") % {"title": p.title, "reason": " ".join(exc.messages)})
                need.append(0)
                base.append(0.0)
                continue
        already = taken.get(p.pk, set())
        for i, e in enumerate(experts):
            if e.pk in already:
                continue
            reasons = expert_conflicts(profile=e.expert_profile, proposal=p, facts=facts, kind=kind)
            if e.pk in unsuitable.get(p.pk, {}):
                reasons = [*reasons, *applicants.unsuitable_reasons(unsuitable[p.pk][e.pk])]
            if reasons:
                row.excluded.append((e, reasons))
            else:
                allowed[i, j] = True
        row.available = int(allowed[:, j].sum())
        need.append(max(0, size - row.already))
        base.append(sum(affinity.score(e, p.pk) for e in active.get(p.pk, set())))
    seats = sum(need) + sum(loads.values())
    holding = np.array([loads[e.pk] > 0 for e in experts], dtype=bool)
    eligible = int((allowed.any(axis=1) | holding).sum()) if experts else 0  # who may take or holds a seat
    balanced = -(-seats // eligible) if eligible else 0
    if max_load is not None and max_load < balanced:
        raise ValidationError({"max_load": _("At least %(n)s: the panels need %(seats)s seats and %(experts)s "
                                             "experts may take them.") % {
            "n": balanced, "seats": seats, "experts": eligible}})
    limit = max_load if max_load is not None else balanced
    while True:
        capacity = np.array([limit - loads[e.pk] for e in experts], dtype=int)
        solution = assignment_solver.solve(matrix, allowed, need, capacity, mode=mode, base=base)
        if solution.feasible or max_load is not None or limit >= max(len(proposals), 1):
            break
        if not any(s.at_load_limit for s in solution.shortages):
            break  # too few conflict-free experts somewhere: no load fills that panel
        limit += 1  # the balanced load cannot fill every panel (conflicts crowd some experts out): one more
    plan = Plan(rows=rows, size=size, loads=loads, mode=mode, max_load=limit, balanced_load=balanced,
                kind=kind, stage_number=stage_number, refused=refused)
    if not solution.feasible:
        plan.shortages = [(rows[s.proposal], s.at_load_limit) for s in solution.shortages]
        for row, n in zip(rows, need, strict=True):
            row.missing = n
        return plan
    room = {e.pk: limit - loads[e.pk] for e in experts}
    for panel in solution.panels:
        for i in panel:
            room[experts[i].pk] -= 1
    chairs = kind == AssignmentKind.EVALUATION  # only a selection panel has a chair (composition.panel_set_chair)
    for j, (row, panel) in enumerate(zip(rows, solution.panels, strict=True)):
        p = row.proposal
        def score(e, p=p):
            return affinity.score(e.pk, p.pk)
        chosen = [experts[i] for i in panel]
        if composition.has_rules(call) and chosen:
            options = sorted((experts[i] for i in np.flatnonzero(allowed[:, j])), key=lambda e: (-score(e), e.pk))
            chosen = _repair(call, panels_now.get(p.pk, []), chosen, options, room, score)
        chosen.sort(key=lambda e: (-score(e), e.pk))
        for e in chosen:
            loads[e.pk] += 1
        row.experts = [(e, p.industry_id is not None and any(i.pk == p.industry_id
                                                              for i in e.expert_profile.industries.all()))
                       for e in chosen]
        row.affinity = [(e, score(e), affinity.reasons(e.pk, p.pk)) for e in chosen]
        row.missing = need[j] - len(chosen)
        if chairs:
            composition.plan_row_finish(call, row, panels_now.get(p.pk, []))
        elif composition.has_rules(call):
            row.composition = composition.composition_problems(call, [*panels_now.get(p.pk, []), *row.experts],
                                                               chair_named=True)
    return plan


def panel_plan_confirm(*, actor, call, plan: Plan, signature: str, subjects: dict | None = None) -> list[Assignment]:
    """Create the assignments of a plan freshly made inside the caller's transaction (after it
    locked what two people could change at once), if it is the one staff reviewed and has no
    problem; each assignment checked by the one set of rules, the experts told."""
    require(actor, "evaluations.manage_panels")
    if plan.signature != signature:
        raise ValidationError(_("The assignments changed since you reviewed them. Review the new proposal, "
                                "then confirm again."))
    if plan.problems:
        raise ValidationError(plan.problems)
    subjects = subjects or {}
    created = []
    reg = registry()
    facts = {row.proposal.pk: prefetched_facts(row.proposal, reg=reg) for row in plan.rows}
    for row in plan.rows:
        for expert, _m in row.experts:
            _check_assignable(proposal=row.proposal, expert=expert, kind=plan.kind, facts=facts[row.proposal.pk],
                              stage_number=plan.stage_number, subject=subjects.get(row.proposal.pk))
            created.append(Assignment(kind=plan.kind, expert=expert, proposal=row.proposal, assigned_by=actor,
                                      stage_number=plan.stage_number, is_chair=expert == row.chair))
    created = Assignment.objects.bulk_create(created)
    _notify_assigned(created)
    return created


@transaction.atomic
def panel_auto_confirm(*, actor, call, cooperation_type: str = "", signature: str, mode: str = "total",
                       max_load: int | None = None) -> list[Assignment]:
    require(actor, "evaluations.manage_panels")
    # Lock the call's proposals so two confirmations cannot interleave.
    list(Proposal.objects.select_for_update().filter(call=call, state=ProposalState.ELIGIBLE).values_list("pk"))
    plan = panel_auto_plan(call=call, cooperation_type=cooperation_type, mode=mode, max_load=max_load)
    created = panel_plan_confirm(actor=actor, call=call, plan=plan, signature=signature)
    record(actor=actor, action=AuditAction.PANEL_ASSIGN, obj=call, after={"assigned": [describe(a) for a in created]})
    return created


def exclusions_for(proposal: Proposal, *, kind: str = AssignmentKind.EVALUATION) -> list[tuple]:
    """Every expert excluded from this proposal for `kind`, with the reasons (for staff)."""
    facts = proposal_facts(proposal)
    out = []
    for profile in ExpertProfile.objects.select_related("user", "home_region"):
        reasons = expert_conflicts(profile=profile, proposal=proposal, facts=facts, kind=kind)
        if reasons:
            out.append((profile.user, reasons))
    out += [(e.expert, applicants.unsuitable_reasons(e))
            for e in applicants.blocking_entries([proposal.pk]).get(proposal.pk, {}).values()]
    declared = Assignment.objects.filter(proposal=proposal, conflict_declared=True).select_related("expert")
    out += [(a.expert, [declared_reason(a)]) for a in declared]
    if kind in PANEL_KINDS:  # left out of later panels by the quality record (services.quality)
        out += [(x.expert, [_("%(expert)s was excluded from later panels: %(reason)s") % {
            "expert": x.expert, "reason": x.reason}]) for x in ExpertExclusion.objects.select_related("expert")]
    return out


def declared_text(assignment: Assignment) -> str:
    """A withdrawn expert's declaration as staff read it: the grounds answered yes, then the note."""
    grounds = [str(ConflictGround(g).label) for g in assignment.conflict_grounds if g in ConflictGround.values]
    return "; ".join(grounds + ([assignment.conflict_note] if assignment.conflict_note else [])) or "—"


def declared_reason(assignment: Assignment) -> str:
    return _("Declared a conflict: %(note)s") % {"note": declared_text(assignment)}


PANEL_RESULT_MAX = 4000  # characters of each text


@transaction.atomic
def panel_result_save(*, actor: User, proposal: Proposal, consensus_comment: str, decision_reason: str):
    """The panel's consensus comment and the reason for the decision on one proposal (the ranking
    board shows them; the audit trail keeps every change: evaluations.watched)."""
    require(actor, "evaluations.manage_panels")
    errors = {name: _("At most %(n)d characters.") % {"n": PANEL_RESULT_MAX}
              for name, text in (("consensus_comment", consensus_comment), ("decision_reason", decision_reason))
              if len(text) > PANEL_RESULT_MAX}
    if errors:
        raise ValidationError(errors)
    Proposal.objects.select_for_update().only("pk").get(pk=proposal.pk)  # two staff saving at once: one after the other
    result, _created = PanelResult.objects.update_or_create(
        proposal=proposal, defaults={"consensus_comment": consensus_comment.strip(),
                                     "decision_reason": decision_reason.strip(), "updated_by": actor})
    return result
