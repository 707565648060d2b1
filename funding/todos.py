"""Funding's to-dos (core.todos): prepared decisions waiting for a second staff member's
approval (four eyes: never shown to the person who prepared one, as funding.approve refuses them)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_staff_member
from core.todos import URGENT, Todo

from .models import DecisionState, FundingDecision


def approval_todos(user):
    if not is_staff_member(user):
        return []
    out = []
    for decision in (FundingDecision.objects.filter(state=DecisionState.PREPARED).exclude(prepared_by=user)
                     .select_related("proposal").order_by("prepared_at", "pk")):
        if user.has_perm("funding.approve", decision):
            out.append(Todo(kind="funding.approve", title=_("Approve the funding decision (four eyes)"),
                            url=reverse("funding:decision", args=[decision.proposal_id]), due=None,
                            label=decision.proposal.title, priority=URGENT))
    return out
