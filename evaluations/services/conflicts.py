"""Conflicts of interest. An expert is excluded automatically when their home
region takes part in the proposal or their affiliation is one of its
participating organisations; any other conflict they declare themselves."""

import re

from django.utils.translation import gettext as _


def _norm(name: str) -> str:
    return re.sub(r"[\s()（）·.,-]", "", (name or "").lower())


def conflict_reasons(*, profile, region_ids: set, organisation_names: set, region_names: dict) -> list[str]:
    """Why this expert may not take this proposal (empty: no automatic conflict)."""
    reasons = []
    if profile is None:
        return [_("No expert profile.")]
    if profile.home_region_id in region_ids:
        reasons.append(_("Home region %(region)s takes part in the proposal.") % {
            "region": region_names.get(profile.home_region_id, profile.home_region_id)})
    if _norm(profile.affiliation) and _norm(profile.affiliation) in {_norm(n) for n in organisation_names}:
        reasons.append(_("Affiliation %(org)s is a participating organisation.") % {"org": profile.affiliation})
    return reasons


def proposal_facts(proposal) -> dict:
    """What conflict checks need about a proposal, in two queries."""
    participations = list(proposal.participations.select_related("region"))
    return {
        "region_ids": {p.region_id for p in participations},
        "region_names": {p.region_id: p.region.name for p in participations},
        "organisation_names": set(proposal.organisations.values_list("name", flat=True)),
    }


def prefetched_facts(proposal) -> dict:
    """proposal_facts from prefetched participations__region and organisations (no query)."""
    participations = list(proposal.participations.all())
    return {
        "region_ids": {p.region_id for p in participations},
        "region_names": {p.region_id: p.region.name for p in participations},
        "organisation_names": {o.name for o in proposal.organisations.all()},
    }


def expert_conflicts(*, profile, proposal, facts: dict | None = None) -> list[str]:
    facts = facts or proposal_facts(proposal)
    return conflict_reasons(profile=profile, **facts)
