"""The agreement's card on a project's workspace page (registered in projects.hooks)."""

from .models import Agreement
from .selectors import current_version, version_in_force


def agreement_card(*, user, project) -> dict:
    if not user.has_perm("agreements.view_agreement", project):
        return {}
    agreement = Agreement.objects.filter(project=project).first()
    current = current_version(agreement) if agreement is not None else None
    in_force = version_in_force(project) if agreement is not None else None
    return {"template": "agreements/_project_card.html", "agreement": agreement, "current": current,
            "in_force": in_force if in_force is not None and in_force != current else None,
            "can_prepare": agreement is None and user.has_perm("agreements.prepare_agreement", project),
            "can_see_money": agreement is not None and user.has_perm("agreements.view_money", project)}
