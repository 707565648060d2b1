"""What the call page shows a regional official about proposals (programmes.call_page): a way to
write a proposal on the call when the region may propose, and the region's own proposals on it,
each draft with a button to go on writing where the checklist says something is missing."""

from .models import Proposal
from .selectors import proposals_visible_to
from .services.lifecycle import checklist


def region_proposals_part(*, user, call) -> dict | None:
    can_create = user.has_perm("proposals.create_proposal") and user.has_perm("programmes.apply_to_call", call)
    own = []
    if user.has_perm("proposals.list_proposals") and getattr(user, "region_id", None):
        qs = proposals_visible_to(user=user).filter(call=call).select_related("call").order_by("created_at")
        for proposal in qs:
            own.append({"proposal": proposal, "editable": user.has_perm("proposals.edit_proposal", proposal),
                        "next_step": _next_step(proposal)})
    if not can_create and not own:
        return None
    return {"slot": "actions", "template": "proposals/_call_actions.html", "can_create": can_create, "call_pk": call.pk,
            "drafts": [p for p in own if p["editable"]], "others": [p for p in own if not p["editable"]]}


def _next_step(proposal: Proposal) -> str:
    """The first step with something missing (the review when nothing is)."""
    if not proposal.is_editable:
        return "review"
    return next((item.step for item in checklist(proposal) if not item.done), "review")


def region_themes_part(*, user, call) -> dict | None:
    """A call with a planning period: the candidate themes the official's region takes part in, and a
    way to register one while theme discovery is open (staff: the count, and the list)."""
    from programmes.models import PlanningPhase

    from .selectors import themes_visible_to

    if not call.has_planning_period or not user.has_perm("proposals.list_themes"):
        return None
    themes = list(themes_visible_to(user=user).filter(call=call).order_by("pk"))
    can_create = (user.has_perm("proposals.create_theme") and call.eligible_regions.filter(pk=user.region_id).exists()
                  and call.planning_phase_refusal(PlanningPhase.DISCOVERY) is None)
    can_select = user.has_perm("proposals.record_opinion") and call.eligible_regions.filter(
        pk=user.region_id).exists()
    return {"slot": "side", "template": "proposals/_call_themes.html", "themes": themes, "can_create": can_create,
            "can_select": can_select, "call_pk": call.pk,
            "can_status": user.has_perm("proposals.view_planning_status")}
