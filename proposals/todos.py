"""The proposals' to-dos (core.todos): an official's region has not signed off the current
version of a proposal it takes part in, while the plan may still change."""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_official
from core.todos import URGENT, Todo

from .models import Participation, ProposalState
from .selectors import proposals_visible_to


def sign_off_todos(user):
    if not is_official(user):
        return []
    proposals = (proposals_visible_to(user=user).filter(state__in=ProposalState.editable())
                 .select_related("call").prefetch_related(Prefetch("participations", Participation.objects.all()))
                 .order_by("pk"))
    out = []
    for proposal in proposals:
        if not user.has_perm("proposals.sign_off", proposal):
            continue
        mine = next((p for p in proposal.participations.all() if p.region_id == user.region_id), None)
        if mine is None or mine.is_signed_for(proposal.revision):
            continue
        out.append(Todo(
            kind="proposals.sign_off",
            title=_("Sign off the current version for your region"),
            url=reverse("proposals:detail", args=[proposal.pk]) + "#regions-heading",
            due=proposal.call.submission_deadline, label=proposal.title, priority=URGENT))
    return out
