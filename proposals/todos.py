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


def planning_todos(user):
    """The planning period's to-dos of an official (issue 17): read a guideline's new version, select
    the region's final theme before the selection phase closes, sign off the lead region's selection."""
    if not is_official(user) or not getattr(user, "region_id", None):
        return []
    from django.utils import timezone

    from programmes.models import GuidelineAcknowledgement, GuidelineVersion, PlanningPhase
    from programmes.selectors import calls_visible_to

    from .models import CandidateTheme, ThemeStatus
    from .planning_status import region_standings

    calls = list(calls_visible_to(user=user).filter(planning_start__isnull=False,
                                                    planning_end__gte=timezone.localdate()).order_by("pk"))
    out = []
    for call in calls:
        standing = region_standings(call, regions=[user.region])
        if not standing:
            continue  # not open to the region
        s = standing[0]
        phases = {p["phase"]: p for p in call.planning_phases()}
        newest = {}
        for v in GuidelineVersion.objects.filter(guideline__call=call).select_related("guideline"):
            if v.number > getattr(newest.get(v.guideline_id), "number", 0):
                newest[v.guideline_id] = v
        read = set(GuidelineAcknowledgement.objects.filter(user=user, version__guideline__call=call)
                   .values_list("version_id", flat=True))
        for v in newest.values():
            if v.pk not in read:
                out.append(Todo(kind="proposals.read_guideline", title=_("Read the new planning guideline"),
                                url=reverse("programmes:guideline_detail", args=[v.guideline_id]),
                                due=phases[v.guideline.phase]["closes_at"], label=v.guideline.title))
        selection = phases[PlanningPhase.SELECTION]
        if call.planning_phase_refusal(PlanningPhase.SELECTION) is not None:
            continue
        url = reverse("proposals:selection", args=[call.pk])
        if s.final_theme is None and CandidateTheme.objects.filter(
                call=call, lead_region_id=user.region_id).exclude(status=ThemeStatus.DROPPED).exists():
            out.append(Todo(kind="proposals.select_theme", title=_("Select your region's final theme"),
                            url=url, due=selection["closes_at"], label=call.title, priority=URGENT))
        elif s.final_theme is not None and not s.signed_off:
            out.append(Todo(kind="proposals.sign_off_selection", title=_("Sign off the final theme's selection"),
                            url=url, due=selection["closes_at"], label=s.final_theme.title, priority=URGENT))
    return out
