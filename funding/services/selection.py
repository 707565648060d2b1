"""Selection: selected, reserve or not selected, with a reason."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from proposals.models import Proposal
from proposals.services import proposal_transition

from ..models import (
    SelectionNote,
)

SELECTION_ACTIONS = {"select", "reserve", "not_select"}


# --- Selection -------------------------------------------------------------------


@transaction.atomic
def selection_decide(*, actor, proposal: Proposal, action: str, reason: str) -> Proposal:
    """Selected, reserve or not selected, with a reason (recorded on the proposal too)."""
    if action not in SELECTION_ACTIONS:
        raise ValidationError(_("Unknown decision."))
    proposal = proposal_transition(actor=actor, proposal=proposal, action=action, reason=reason)
    SelectionNote.objects.update_or_create(proposal=proposal, defaults={"reason": reason.strip(),
                                                                         "decided_by": actor})
    return proposal

