"""{% load disclosure %}: what the user may know of a proposal, asked of proposals.disclosure."""

from django import template

from ..disclosure import shown_state

register = template.Library()


@register.filter
def state_shown_to(proposal, user) -> dict:
    """`{% with shown=proposal|state_shown_to:user %}`: shown.state (the code, "under_review" while a
    result is sealed for this user) and shown.label. Without a user (a document rendered outside a
    request) the region's view: sealed results stay sealed."""
    code, label = shown_state(user=user or None, proposal=proposal)
    return {"state": code, "label": label}
