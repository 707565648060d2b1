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
