"""{% load disclosure %}: what the user may know of a proposal, asked of proposals.disclosure."""

from django import template

from ..disclosure import disclosure_for

register = template.Library()


@register.filter
def disclosed_to(proposal, user):
    """`{% with shown=proposal|disclosed_to:user %}`: shown.state, shown.label, shown.reason,
    shown.sealed, shown.results. Without a user (a document rendered outside a request) the
    region's view: sealed results stay sealed."""
    return disclosure_for(user=user or None, proposal=proposal)
