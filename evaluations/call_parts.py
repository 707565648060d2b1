"""What the call page shows staff about consulting (programmes.call_page): drafts sent to
consulting that wait for staff to assign consultants."""

from .selectors import waiting_for_consultants


def waiting_for_consultants_part(*, user, call) -> dict | None:
    if not user.has_perm("evaluations.manage_panels"):
        return None
    waiting = list(waiting_for_consultants(call=call))
    if not waiting:
        return None
    return {"slot": "side", "template": "evaluations/_call_waiting_consultants.html", "waiting": waiting}


def consultants_pending_part(*, user, proposal) -> dict | None:
    """On a proposal's page (proposals.page_parts): a plan in consulting without consultants tells
    staff it waits for them, and its regions that staff are assigning them."""
    from proposals.models import ProposalState

    from .selectors import consultants_of

    if proposal.state != ProposalState.CONSULTING:
        return None
    staff = user.has_perm("evaluations.manage_panels")
    if not staff and not user.has_perm("evaluations.view_consulting", proposal):
        return None
    if consultants_of(proposal).exists():
        return None
    return {"template": "evaluations/_consultants_pending.html", "staff": staff}


def feasibility_part(*, user, call) -> dict | None:
    """Staff, on a call with a planning period: the way to its expert groups and feasibility reviews."""
    if not call.has_planning_period or not user.has_perm("evaluations.manage_feasibility"):
        return None
    from .models import ExpertGroup, ReviewState, ThemeReview

    return {"slot": "side", "template": "evaluations/_call_feasibility.html", "call_pk": call.pk,
            "groups": ExpertGroup.objects.filter(call=call).count(),
            "submitted": ThemeReview.objects.filter(theme__call=call, state=ReviewState.SUBMITTED).count()}
