"""What a personal access token may read: one scope per part of the API. A token never reads more
than its owner may see in the browser; the scope narrows it further."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.backends import account_usable
from accounts.models import Role


class Scope(models.TextChoices):
    CALLS = "read:calls", _("Read calls (rules, rubric, timeline)")
    PROPOSALS = "read:proposals", _("Read proposals (plan, regions, budget, versions)")
    EVALUATIONS = "read:evaluations", _("Read consulting and evaluation summaries")
    FUNDING = "read:funding", _("Read funding decisions and award letters")
    PROJECTS = "read:projects", _("Read projects (stages, reports, plans)")


# What each role may read through the API. Every endpoint still filters by the owner with the
# pages' selectors; this only keeps a token from carrying a scope its owner has no page for.
ROLE_SCOPES = {
    Role.OFFICIAL: [Scope.CALLS, Scope.PROPOSALS, Scope.EVALUATIONS, Scope.FUNDING, Scope.PROJECTS],
    # An expert reads the proposals assigned to them (the proposals endpoints filter to those).
    Role.EXPERT: [Scope.CALLS, Scope.PROPOSALS, Scope.EVALUATIONS],
    Role.MINISTRY: [Scope.CALLS, Scope.PROPOSALS, Scope.EVALUATIONS, Scope.FUNDING, Scope.PROJECTS],
    Role.ADMIN: [Scope.CALLS, Scope.PROPOSALS, Scope.EVALUATIONS, Scope.FUNDING, Scope.PROJECTS],
}


def scopes_for(user) -> list[str]:
    """The scopes a token of `user` may carry: the form offers these and api.services.create_token
    refuses any other. None for an account that cannot act (inactive, access ended)."""
    if not account_usable(user):
        return []
    return [scope.value for scope in ROLE_SCOPES.get(user.role, [])]
