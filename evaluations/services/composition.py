"""Panel composition rules of a call (the national guideline's balanced panel): a minimum
number of members from industry, academia and research institutes, at most N members from
one institution, and a chair named per panel.

A panel is the active evaluation assignments of one proposal (an expert who declared a
conflict has left it). `composition_problems` names each rule a panel breaks; the panel
screens show them and the automatic plan (services.panels) repairs its panels by `shortfall` and
shows what its planned panels still break."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import AuditAction, record
from core.permissions import require

from ..models import Assignment, AssignmentKind, ExpertSector

SECTOR_MINIMUMS = (  # (sector, the call's field)
    (ExpertSector.INDUSTRY, "panel_min_industry"),
    (ExpertSector.ACADEMIA, "panel_min_academia"),
    (ExpertSector.RESEARCH, "panel_min_research"),
)


def institution_key(profile) -> str:
    """Which institution an expert belongs to, for "at most N from one institution": today the
    affiliation text, lower-cased without spaces and punctuation (switch to the institution
    registry's id here once experts refer to it)."""
    return re.sub(r"[\s()（）·.,\-]", "", (getattr(profile, "affiliation", "") or "").lower())


def _profile(member):
    """An Assignment, an expert (User) or a plan row's (User, matches) pair → the expert's profile."""
    if isinstance(member, tuple):
        member = member[0]
    if isinstance(member, Assignment):
        member = member.expert
    return getattr(member, "expert_profile", None)


def _minimums(call) -> list[tuple[str, int]]:
    return [(sector, getattr(call, name) or 0) for sector, name in SECTOR_MINIMUMS if getattr(call, name)]


def composition_problems(call, members, *, chair_named: bool | None = None) -> list[str]:
    """Each rule of `call` the panel of `members` breaks (empty: none). `members` are a panel's
    active Assignments, or a planned panel's experts (Users or (User, matches) pairs); for
    Assignments the chair is read from them, otherwise pass `chair_named`."""
    members = list(members)
    profiles = [_profile(m) for m in members]
    problems = []
    for sector, minimum in _minimums(call):
        have = sum(1 for p in profiles if p is not None and p.sector == sector)
        if have < minimum:
            problems.append(_("At least %(n)s members from %(sector)s are required; the panel has %(have)s.") % {
                "n": minimum, "sector": ExpertSector(sector).label, "have": have})
    cap = call.panel_max_per_institution
    if cap:
        counts: dict[str, list] = {}
        for p in profiles:
            if p is not None and institution_key(p):
                counts.setdefault(institution_key(p), []).append(p)
        for group in counts.values():
            if len(group) > cap:
                problems.append(_("At most %(n)s members may come from one institution; %(institution)s has "
                                  "%(have)s.") % {"n": cap, "institution": group[0].affiliation, "have": len(group)})
    if call.panel_chair_required:
        if chair_named is None:
            chair_named = any(isinstance(m, Assignment) and m.is_chair for m in members)
        if not chair_named:
            problems.append(_("No chair is named for this panel."))
    return problems


def has_rules(call) -> bool:
    """Whether the call sets any composition rule."""
    return bool(_minimums(call) or call.panel_max_per_institution or call.panel_chair_required)


def panel_of(proposal):
    """The proposal's panel: its active evaluation assignments, with the experts' profiles."""
    return list(Assignment.objects.filter(proposal=proposal, kind=AssignmentKind.EVALUATION, conflict_declared=False)
                .select_related("expert__expert_profile"))


# --- The automatic plan's hooks (services.panels.panel_auto_plan) ------------------------------


def current_panels(proposals) -> dict[int, list[Assignment]]:
    """{proposal id: its panel's active assignments} for many proposals, in one query."""
    out: dict[int, list[Assignment]] = {}
    for a in (Assignment.objects.filter(proposal__in=proposals, kind=AssignmentKind.EVALUATION,
                                        conflict_declared=False).select_related("expert__expert_profile")):
        out.setdefault(a.proposal_id, []).append(a)
    return out


def plan_row_finish(call, row, members) -> None:
    """The planned panel's chair (the existing one, else the first planned expert) and the
    rules it would still break."""
    has_chair = any(a.is_chair for a in members)
    row.chair = None if has_chair or not call.panel_chair_required or not row.experts else row.experts[0][0]
    row.composition = composition_problems(call, [*members, *row.experts],
                                           chair_named=has_chair or row.chair is not None)


# --- Naming the chair ------------------------------------------------------------------------


@transaction.atomic
def panel_set_chair(*, actor, assignment: Assignment) -> Assignment:
    """Name `assignment`'s expert the chair of the proposal's panel (the previous chair steps down)."""
    require(actor, "evaluations.manage_panels")
    assignment = Assignment.objects.select_for_update().select_related("expert").get(pk=assignment.pk)
    if assignment.kind != AssignmentKind.EVALUATION:
        raise ValidationError(_("Only an evaluator of the panel can chair it."))
    if assignment.conflict_declared:
        raise ValidationError(_("%(expert)s declared a conflict and left the panel.") % {"expert": assignment.expert})
    if assignment.is_chair:
        raise ValidationError(_("%(expert)s already chairs this panel.") % {"expert": assignment.expert})
    previous = Assignment.objects.filter(proposal_id=assignment.proposal_id, kind=AssignmentKind.EVALUATION,
                                         is_chair=True).select_related("expert").first()
    if previous is not None:
        previous.is_chair = False
        previous.save(update_fields=["is_chair"])
    assignment.is_chair = True
    assignment.save(update_fields=["is_chair"])
    record(actor=actor, action=AuditAction.PANEL_RULE, obj=assignment,
           before={"chair": str(previous.expert) if previous else None}, after={"chair": str(assignment.expert)})
    return assignment


def shortfall(call, members) -> int:
    """How far a panel is from the call's sector minimums and institution limit (0: within them;
    the chair is named afterwards): members missing per sector plus members over the limit per
    institution. The automatic plan's repair step (services.panels) lowers it by swaps."""
    profiles = [p for p in (_profile(m) for m in members) if p is not None]
    short = sum(max(0, minimum - sum(1 for p in profiles if p.sector == sector)) for sector, minimum in _minimums(call))
    cap = call.panel_max_per_institution
    over = 0
    if cap:
        counts: dict[str, int] = {}
        for p in profiles:
            key = institution_key(p)
            if key:
                counts[key] = counts.get(key, 0) + 1
        over = sum(max(0, n - cap) for n in counts.values())
    return short + over
