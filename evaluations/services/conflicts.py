"""Conflicts of interest: the one place that says who may not take a proposal.

Automatic: the expert's home region takes part in the proposal; and, as the call's
exclusion grounds say (programmes.ConflictGround, `Call.coi_*`), the expert works at a
participating institution (compared through the institutions registry: a foundation and
its university, a department and its institution are one institution), in a participating
department, or coached the proposal (a consulting assignment on any of its versions, or a feasibility
review of the candidate theme it grew from, `Proposal.origin_theme`) — which bars its evaluation and,
unless the call says otherwise, its later stage evaluations.
A candidate theme's feasibility review (ThemeReview) is checked on the same grounds: the theme's regions,
and the research institutions its analysis names (one per line) as its organisations.
The grounds the portal cannot know the expert declares on each assignment
(services.scoring.assignment_declare)."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from core import josa
from programmes.institutions import Registry, normalise, registry
from programmes.models import ConflictGround

from ..models import Assignment, AssignmentKind, ReviewState, ThemeReview


def coaching_assignments() -> Prefetch:
    """Prefetch of a proposal's consulting assignments (its coaches), as `proposal.coaching`."""
    return Prefetch("assignments", to_attr="coaching",
                    queryset=Assignment.objects.filter(kind=AssignmentKind.CONSULTING, conflict_declared=False))


def theme_reviewers() -> Prefetch:
    """Prefetch of the feasibility reviews of a proposal's origin theme (they count as its coaches), as
    `proposal.origin_theme.reviewers`; prefetch it with `coaching_assignments()`."""
    return Prefetch("origin_theme__feasibility_reviews", to_attr="reviewers",
                    queryset=ThemeReview.objects.filter(conflict_declared=False).exclude(state=ReviewState.UNASSIGNED))


def coaching_prefetches() -> tuple[Prefetch, Prefetch]:
    """What `prefetched_facts` reads about a proposal's coaches: consultants and theme reviewers."""
    return coaching_assignments(), theme_reviewers()


FEASIBILITY = "feasibility"  # the `kind` of a theme review's conflict check (no coaching bar: no proposal yet)


def _coach_bars(call, kind: str) -> bool:
    if call is None or not call.ground_on(ConflictGround.COACHED):
        return False
    return kind == AssignmentKind.EVALUATION or (kind == AssignmentKind.STAGE and call.coi_coached_stage)


def conflict_reasons(*, profile, region_ids: set, organisation_names: set, region_names: dict,
                     organisations: list | None = None, coach_ids: set | None = None, call=None,
                     reg: Registry | None = None, kind: str = AssignmentKind.EVALUATION) -> list[str]:
    """Why this expert may not take this proposal for `kind` (empty: no automatic conflict)."""
    if profile is None:
        return [_("No expert profile.")]
    reasons = []
    if profile.home_region_id in region_ids:
        reasons.append(_("Home region %(region)s takes part in the proposal.") % {
            "region": region_names.get(profile.home_region_id, profile.home_region_id)})
    reasons += _institution_reasons(profile, organisation_names, organisations, call, reg)
    if _coach_bars(call, kind) and profile.user_id in (coach_ids or set()):
        reasons.append(_("Coached this proposal as a consultant."))
    return reasons


def _institution_reasons(profile, organisation_names, organisations, call, reg) -> list[str]:
    same_institution = call is None or call.ground_on(ConflictGround.SAME_INSTITUTION)
    same_department = call is not None and call.ground_on(ConflictGround.SAME_DEPARTMENT)
    if not (same_institution or same_department):
        return []
    mine = normalise(profile.affiliation)
    if organisations is None:  # names only
        organisations = [(n, None) for n in organisation_names]
    expert_inst = profile.institution_id or (reg.match(profile.affiliation) if reg else None)
    for name, org_inst in sorted(organisations, key=lambda o: o[0]):
        org_inst = org_inst or (reg.match(name) if reg else None)
        if same_institution and mine and mine == normalise(name):
            return [_("Affiliation %(org)s is a participating organisation.") % {"org": profile.affiliation}]
        if reg is None or expert_inst is None or org_inst is None:
            continue
        if same_institution and reg.root(expert_inst) == reg.root(org_inst):
            return [josa.format(_("Affiliation %(mine)s is the same institution as the participating organisation "
                                  "%(org)s."), mine=profile.affiliation, org=name)]
        department = reg.department(expert_inst)
        if same_department and department is not None and department == reg.department(org_inst):
            return [josa.format(_("Affiliation %(mine)s is the same department as the participating organisation "
                                  "%(org)s."), mine=profile.affiliation, org=name)]
    return []


def _facts(proposal, participations, organisations, coaches, reg) -> dict:
    return {
        "region_ids": {p.region_id for p in participations},
        "region_names": {p.region_id: p.region.name for p in participations},
        "organisation_names": {o.name for o in organisations},
        "organisations": [(o.name, o.institution_id) for o in organisations],
        # The coaching bar: the proposal's consultants and the feasibility reviewers of its origin theme.
        "coach_ids": {a.expert_id for a in coaches},
        "call": proposal.call,
        "reg": reg,
    }


def proposal_facts(proposal, *, reg: Registry | None = None) -> dict:
    """What conflict checks need about a proposal, in a few queries."""
    coaches = list(coaching_assignments().queryset.filter(proposal=proposal))
    if proposal.origin_theme_id:
        coaches += list(theme_reviewers().queryset.filter(theme_id=proposal.origin_theme_id))
    return _facts(proposal, list(proposal.participations.select_related("region")), list(proposal.organisations.all()),
                  coaches, reg or registry())


def prefetched_facts(proposal, *, reg: Registry) -> dict:
    """proposal_facts from prefetched participations__region, organisations and
    `coaching_prefetches()` (no query)."""
    theme = proposal.origin_theme if proposal.origin_theme_id else None
    reviewers = theme.reviewers if theme is not None else []
    return _facts(proposal, list(proposal.participations.all()), list(proposal.organisations.all()),
                  list(proposal.coaching) + list(reviewers), reg)


def theme_facts(theme, *, reg: Registry | None = None) -> dict:
    """What the conflict check of a feasibility review needs about a candidate theme: its regions, and
    the research institutions its analysis names (one per line) as its organisations."""
    regions = list(theme.regions.select_related("region"))
    names = {line.strip(" -·•\t") for line in (theme.capacity_institutions or "").splitlines()}
    names = {n for n in names if n}
    return {"region_ids": {r.region_id for r in regions}, "region_names": {r.region_id: r.region.name for r in regions},
            "organisation_names": names, "organisations": [(n, None) for n in sorted(names)], "coach_ids": set(),
            "call": theme.call, "reg": reg or registry()}


def theme_conflicts(*, profile, theme, facts: dict | None = None) -> list[str]:
    """Why this expert may not review this candidate theme's feasibility (empty: no automatic conflict)."""
    return conflict_reasons(profile=profile, kind=FEASIBILITY, **(facts or theme_facts(theme)))


def expert_conflicts(*, profile, proposal, facts: dict | None = None,
                     kind: str = AssignmentKind.EVALUATION) -> list[str]:
    facts = facts or proposal_facts(proposal)
    return conflict_reasons(profile=profile, kind=kind, **facts)
