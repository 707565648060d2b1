"""Zone panels (권역 평가위원회, issue 16): in a call with zones, one fixed panel of experts per
zone, with a chair, scores every proposal of its zone (a proposal's zone is its lead region's).

A panel member conflicted on one proposal sits that one out: they get no assignment on it (or
declare the conflict on it, which withdraws them). Every proposal keeps at least the call's
minimum number of scorers. Membership is kept as `ZonePanelMember`; the scoring itself runs
through the per-proposal `Assignment` rows the members get, so scoresheets, pledges, conflict
declarations, progress and feedback work as for any panel.

The optimal plan (`zone_plan`) places experts into zone panels with OR-Tools CP-SAT:

- variables: x[e, z] = 1 when expert e sits on zone z's panel;
- each expert on at most one zone panel; each zone with proposals gets exactly
  `call.zone_panel_size` members; members already placed (by hand) stay where they are;
- each proposal p of zone z: Σ x[e, z] over the experts without a conflict on p ≥
  `call.zone_min_scorers`;
- the call's composition rules per panel: at least N members from industry, academia and
  research institutes, at most N from one institution;
- objective: maximise Σ x[e, z] × affinity(e, z), where affinity(e, z) is the sum of the
  expert's affinity to the zone's proposals they may score (`affinity.call_affinity`); among
  equal affinities, the lower user id.

One search worker and a fixed seed make it deterministic for the same input. Infeasible: a
message and nothing assigned. The chair is the member already chairing, else the member with the
highest affinity to the zone (then the lower user id)."""

import hashlib
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Role, User
from audit.services import AuditAction, describe, record
from core.permissions import require
from programmes.institutions import registry
from proposals.models import Proposal, ProposalState

from ..models import Assignment, AssignmentKind, ZonePanelMember
from . import applicants, composition
from .affinity import call_affinity
from .conflicts import coaching_prefetches, expert_conflicts, prefetched_facts
from .quality import check_not_excluded, excluded_experts

SCALE = 1000  # affinity → integer points for CP-SAT
TIME_LIMIT_SECONDS = 10.0


# A proposal in one of these states passed the eligibility check and so was (or is being) evaluated:
# still eligible while the panels score it, then selected, on reserve, not selected or funded.
EVALUATED_STATES = (ProposalState.ELIGIBLE, ProposalState.SELECTED, ProposalState.RESERVE,
                    ProposalState.NOT_SELECTED, ProposalState.FUNDED)


def zone_proposals(call, *, evaluated: bool = False) -> dict[int, list[Proposal]]:
    """{zone id: the zone's eligible proposals by number} (a proposal's zone is its lead region's).
    evaluated=True: every proposal the zone's panel evaluated, also those decided since (selected,
    on reserve, not selected, funded) — what the zone panels page counts once the selection is made;
    the plan and the assignments work on the eligible ones only."""
    zone_of = call.zone_by_region()
    out: dict[int, list[Proposal]] = {zone.pk: [] for zone in call.zones.all()}
    states = EVALUATED_STATES if evaluated else (ProposalState.ELIGIBLE,)
    proposals = (Proposal.objects.filter(call=call, state__in=states).order_by("pk")
                 .select_related("industry", "call", "lead_region")
                 .prefetch_related("participations__region", "organisations", *coaching_prefetches()))
    for p in proposals:
        zone = zone_of.get(p.lead_region_id)
        if zone is not None:
            out[zone.pk].append(p)
    return out


def _candidates() -> list[User]:
    return list(User.objects.filter(role=Role.EXPERT, is_active=True, expert_profile__available=True)
                .exclude(pk__in=excluded_experts()).select_related("expert_profile").order_by("pk"))


class SitOuts:
    """Why each expert may not score each proposal: the conflict rules, the applicant's
    unsuitable list and conflicts already declared on an assignment."""

    def __init__(self, proposals: list[Proposal]):
        reg = registry()
        self.facts = {p.pk: prefetched_facts(p, reg=reg) for p in proposals}
        self.unsuitable = applicants.blocking_entries([p.pk for p in proposals])
        self.declared = set(Assignment.objects.filter(
            proposal__in=proposals, kind=AssignmentKind.EVALUATION, conflict_declared=True)
            .values_list("expert_id", "proposal_id"))
        self._proposals = {p.pk: p for p in proposals}

    def reasons(self, expert: User, proposal: Proposal) -> list[str]:
        reasons = expert_conflicts(profile=getattr(expert, "expert_profile", None), proposal=proposal,
                                   facts=self.facts[proposal.pk])
        if expert.pk in self.unsuitable.get(proposal.pk, {}):
            reasons = [*reasons, *applicants.unsuitable_reasons(self.unsuitable[proposal.pk][expert.pk])]
        if (expert.pk, proposal.pk) in self.declared:
            reasons = [*reasons, _("Declared a conflict on this proposal.")]
        return reasons


@dataclass
class ZoneRow:
    zone: object
    proposals: list
    members: list = field(default_factory=list)  # [(User, affinity to the zone, already a member)]
    chair: object = None
    sit_outs: dict = field(default_factory=dict)  # proposal id → [(User, [reasons])]
    scorers: dict = field(default_factory=dict)  # proposal id → members who will score it

    @property
    def new_members(self) -> list:
        return [m for m, _a, existing in self.members if not existing]

    @property
    def affinity(self) -> float:
        return round(sum(a for _m, a, _e in self.members), 3)


@dataclass
class ZonePlan:
    rows: list
    problems: list = field(default_factory=list)  # why no plan is possible (nothing is assigned)

    @property
    def total_affinity(self) -> float:
        return round(sum(r.affinity for r in self.rows), 3)

    @property
    def signature(self) -> str:
        """Identifies this exact plan, so what staff confirm is what they reviewed."""
        data = [[r.zone.pk, [m.pk for m, _a, _e in r.members], r.chair.pk if r.chair else None] for r in self.rows]
        return hashlib.sha256(json.dumps([data, self.problems]).encode()).hexdigest()[:16]


def zone_plan(*, call) -> ZonePlan:
    """The optimal placement of experts into the call's zone panels (see the module's text)."""
    from ortools.sat.python import cp_model

    size, minimum = call.zone_panel_size, call.zone_min_scorers
    by_zone = zone_proposals(call)
    zones = [z for z in call.zones.all() if by_zone.get(z.pk)]
    proposals = [p for z in zones for p in by_zone[z.pk]]
    existing = {m.expert_id: m for m in ZonePanelMember.objects.filter(call=call).select_related("expert__expert_profile")}
    experts = {e.pk: e for e in _candidates()}
    for m in existing.values():
        experts.setdefault(m.expert_id, m.expert)
    experts = dict(sorted(experts.items()))
    sit_outs = SitOuts(proposals)
    affinity = call_affinity(call, experts=list(experts), proposals=proposals)
    may = {(e, p.pk): not sit_outs.reasons(expert, p) for e, expert in experts.items() for p in proposals}
    zone_affinity = {(e, z.pk): sum(affinity.score(e, p.pk) for p in by_zone[z.pk] if may[(e, p.pk)])
                     for e in experts for z in zones}
    rows = [ZoneRow(zone=z, proposals=by_zone[z.pk]) for z in zones]
    if not zones:
        return ZonePlan(rows=rows)

    problems = []
    for z in zones:
        fixed = [m for m in existing.values() if m.zone_id == z.pk]
        if len(fixed) > size:
            problems.append(_("%(zone)s: its panel already has %(n)s members, more than the %(size)s the call "
                              "sets.") % {"zone": z.name, "n": len(fixed), "size": size})
        for p in by_zone[z.pk]:
            free = sum(1 for e in experts if may[(e, p.pk)])
            if free < minimum:
                problems.append(_("%(title)s: only %(n)s experts without a conflict are available, fewer than "
                                  "the %(min)s scorers the call requires.") % {
                                      "title": p.title, "n": free, "min": minimum})
    if problems:
        return ZonePlan(rows=rows, problems=problems)

    model = cp_model.CpModel()
    x = {(e, z.pk): model.NewBoolVar(f"x_{e}_{z.pk}") for e in experts for z in zones}
    for e in experts:
        model.Add(sum(x[(e, z.pk)] for z in zones) <= 1)
        if e in existing:  # seated by hand: stays on that panel (and on no other)
            for z in zones:
                model.Add(x[(e, z.pk)] == int(existing[e].zone_id == z.pk))
    for z in zones:
        model.Add(sum(x[(e, z.pk)] for e in experts) == size)
        for p in by_zone[z.pk]:
            model.Add(sum(x[(e, z.pk)] for e in experts if may[(e, p.pk)]) >= minimum)
        for sector, need in composition._minimums(call):
            model.Add(sum(x[(e, z.pk)] for e, u in experts.items()
                          if getattr(u.expert_profile, "sector", "") == sector) >= need)
        if call.panel_max_per_institution:
            groups: dict[str, list[int]] = {}
            for e, u in experts.items():
                key = composition.institution_key(u.expert_profile)
                if key:
                    groups.setdefault(key, []).append(e)
            for members in groups.values():
                if len(members) > call.panel_max_per_institution:
                    model.Add(sum(x[(e, z.pk)] for e in members) <= call.panel_max_per_institution)
    # Affinity first; among equal affinities the lower user id (the tie term never outweighs one point).
    rank = {e: len(experts) - i for i, e in enumerate(experts)}
    big = len(experts) * (len(experts) + 1) // 2 + 1
    model.Maximize(sum((round(zone_affinity[(e, z)] * SCALE) * big + rank[e]) * var for (e, z), var in x.items()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_time_in_seconds = TIME_LIMIT_SECONDS
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        needed = size * len(zones)
        return ZonePlan(rows=rows, problems=[_(
            "No placement meets every rule: %(zones)s zone panels of %(size)s need %(needed)s different experts, "
            "%(available)s are available, and each proposal needs %(min)s scorers without a conflict within its "
            "zone's panel (and the call's panel mix). Add experts to the pool, lower the panel size or the "
            "minimum scorers, or relax the panel mix.") % {
                "zones": len(zones), "size": size, "needed": needed, "available": len(experts), "min": minimum}])
    for row in rows:
        z = row.zone
        chosen = [e for e in experts if solver.Value(x[(e, z.pk)])]
        row.members = [(experts[e], round(zone_affinity[(e, z.pk)], 3), e in existing) for e in chosen]
        chairs = [experts[e] for e in chosen if e in existing and existing[e].is_chair]
        row.chair = chairs[0] if chairs else max(row.members, key=lambda m: (m[1], -m[0].pk))[0]
        for p in row.proposals:
            row.sit_outs[p.pk] = [(experts[e], sit_outs.reasons(experts[e], p)) for e in chosen if not may[(e, p.pk)]]
            row.scorers[p.pk] = sum(1 for e in chosen if may[(e, p.pk)])
    return ZonePlan(rows=rows)


def _assign_member(*, actor, member: ZonePanelMember, proposals: list[Proposal], sit_outs: SitOuts) -> list:
    """The member's Assignment on each proposal of the zone they may score (not yet assigned)."""
    have = set(Assignment.objects.filter(expert=member.expert, kind=AssignmentKind.EVALUATION,
                                         proposal__in=proposals).values_list("proposal_id", flat=True))
    chaired = set(Assignment.objects.filter(kind=AssignmentKind.EVALUATION, is_chair=True, proposal__in=proposals)
                  .values_list("proposal_id", flat=True))
    out = []
    for p in proposals:
        if p.pk in have or sit_outs.reasons(member.expert, p):
            continue
        out.append(Assignment(kind=AssignmentKind.EVALUATION, expert=member.expert, proposal=p, assigned_by=actor,
                              is_chair=member.is_chair and p.pk not in chaired))
    return out


@transaction.atomic
def zone_plan_confirm(*, actor, call, signature: str) -> list[Assignment]:
    """Seat the reviewed plan: the zone panels' new members, the chairs, and every member's
    assignment on each proposal of their zone they have no conflict with."""
    from programmes.models import Call

    from .panels import _notify_assigned

    require(actor, "evaluations.manage_panels")
    Call.objects.select_for_update().filter(pk=call.pk).first()  # one confirmation at a time per call
    plan = zone_plan(call=call)
    if plan.signature != signature:
        raise ValidationError(_("The zone panels changed since you reviewed them. Review the new plan, "
                                "then confirm again."))
    if plan.problems:
        raise ValidationError(plan.problems)
    by_zone = zone_proposals(call)
    sit_outs = SitOuts([p for ps in by_zone.values() for p in ps])
    created = []
    for row in plan.rows:
        members = {m.expert_id: m for m in ZonePanelMember.objects.filter(zone=row.zone)}
        ZonePanelMember.objects.filter(zone=row.zone, is_chair=True).exclude(expert=row.chair).update(is_chair=False)
        for expert, _a, _existing in row.members:
            member = members.get(expert.pk) or ZonePanelMember(call=call, zone=row.zone, expert=expert, added_by=actor)
            member.is_chair = expert.pk == row.chair.pk
            member.save()
            created += _assign_member(actor=actor, member=member, proposals=row.proposals, sit_outs=sit_outs)
    created = Assignment.objects.bulk_create(created)
    record(actor=actor, action=AuditAction.PANEL_ASSIGN, obj=call, summary=_("Zone panels"),
           after={"zones": {str(r.zone): [str(m) for m, _a, _e in r.members] for r in plan.rows},
                  "assigned": [describe(a) for a in created]})
    _notify_assigned(created)
    return created


# --- By hand ---------------------------------------------------------------------------------


@transaction.atomic
def zone_member_add(*, actor, zone, expert: User) -> ZonePanelMember:
    """Seat `expert` on `zone`'s panel, with an assignment on each proposal of the zone they have
    no conflict with (they sit the others out)."""
    from .panels import _notify_assigned

    require(actor, "evaluations.manage_panels")
    call = zone.call
    if expert.role != Role.EXPERT:
        raise ValidationError({"expert": _("%(user)s is not an expert.") % {"user": expert}})
    try:
        check_not_excluded(expert=expert, kind=AssignmentKind.EVALUATION)
    except ValidationError as exc:
        raise ValidationError({"expert": exc.messages}) from exc
    other = ZonePanelMember.objects.filter(call=call, expert=expert).select_related("zone").first()
    if other is not None:
        raise ValidationError({"expert": _("%(expert)s already sits on the panel of %(zone)s.") % {
            "expert": expert, "zone": other.zone}})
    seated = list(ZonePanelMember.objects.select_for_update().filter(zone=zone))  # no aggregate FOR UPDATE
    if len(seated) >= call.zone_panel_size:
        raise ValidationError({"expert": _("The panel of %(zone)s is full (%(size)s members).") % {
            "zone": zone, "size": call.zone_panel_size}})
    try:
        with transaction.atomic():
            member = ZonePanelMember.objects.create(call=call, zone=zone, expert=expert, added_by=actor)
    except IntegrityError as exc:  # a colleague seated them at the same moment
        raise ValidationError({"expert": _("%(expert)s already sits on a zone panel.") % {"expert": expert}}) from exc
    proposals = zone_proposals(call).get(zone.pk, [])
    created = Assignment.objects.bulk_create(
        _assign_member(actor=actor, member=member, proposals=proposals, sit_outs=SitOuts(proposals)))
    record(actor=actor, action=AuditAction.PANEL_ASSIGN, obj=call, summary=str(zone),
           after={"expert": expert, "assigned": [describe(a) for a in created]})
    _notify_assigned(created)
    return member


@transaction.atomic
def zone_member_remove(*, actor, member: ZonePanelMember) -> None:
    """Take a member off the zone panel, with their assignments on the zone's proposals (refused
    once they submitted scores or commented on one)."""
    require(actor, "evaluations.manage_panels")
    member = ZonePanelMember.objects.select_for_update().select_related("zone", "expert").get(pk=member.pk)
    # Every proposal the panel evaluated, decided ones too: a score given stays given after the selection.
    proposals = zone_proposals(member.call, evaluated=True).get(member.zone_id, [])
    assignments = list(Assignment.objects.filter(expert=member.expert, kind=AssignmentKind.EVALUATION,
                                                 proposal__in=proposals).select_related("scoresheet"))
    for a in assignments:
        sheet = getattr(a, "scoresheet", None)
        if (sheet is not None and sheet.is_locked) or a.comments.exists():
            raise ValidationError(_("%(expert)s already scored a proposal of this zone; reopen the scores before "
                                    "taking them off the panel.") % {"expert": member.expert})
    record(actor=actor, action=AuditAction.PANEL_UNASSIGN, obj=member.call, summary=str(member.zone),
           before={"expert": member.expert, "assigned": [describe(a) for a in assignments]})
    Assignment.objects.filter(pk__in=[a.pk for a in assignments]).delete()
    member.delete()


@transaction.atomic
def zone_set_chair(*, actor, member: ZonePanelMember) -> ZonePanelMember:
    """Name `member` the chair of their zone's panel, and of the zone's proposals they score."""
    require(actor, "evaluations.manage_panels")
    member = ZonePanelMember.objects.select_for_update().select_related("zone", "expert").get(pk=member.pk)
    previous = ZonePanelMember.objects.filter(zone=member.zone, is_chair=True).exclude(pk=member.pk).first()
    proposals = zone_proposals(member.call).get(member.zone_id, [])
    if previous is not None:
        previous.is_chair = False
        previous.save(update_fields=["is_chair"])
    Assignment.objects.filter(kind=AssignmentKind.EVALUATION, proposal__in=proposals, is_chair=True).update(
        is_chair=False)
    Assignment.objects.filter(kind=AssignmentKind.EVALUATION, proposal__in=proposals, expert=member.expert,
                              conflict_declared=False).update(is_chair=True)
    member.is_chair = True
    member.save(update_fields=["is_chair"])
    record(actor=actor, action=AuditAction.PANEL_RULE, obj=member.call, summary=str(member.zone),
           before={"chair": str(previous.expert) if previous else None}, after={"chair": str(member.expert)})
    return member
