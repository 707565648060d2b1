"""What a personal access token may read: one scope per part of the API. A token never reads more
than its owner may see in the browser; the scope narrows it further."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    CALLS = "read:calls", _("Read calls (rules, rubric, timeline)")
    PROPOSALS = "read:proposals", _("Read proposals (plan, regions, budget, versions)")
    EVALUATIONS = "read:evaluations", _("Read consulting and evaluation summaries")
    FUNDING = "read:funding", _("Read funding decisions and award letters")
    PROJECTS = "read:projects", _("Read projects (stages, reports, plans)")
