"""What each role's dashboard shows."""

from django.db.models import Count

from programmes.models import Call, CallStatus
from programmes.selectors import calls_visible_to, open_calls_for_region

from .models import Role, User


def official_dashboard(*, user) -> dict:
    from proposals.selectors import proposal_list

    return {
        "proposals": list(proposal_list(user=user)[:10]),
        "region": user.region,
        "open_calls": list(open_calls_for_region(region=user.region)[:10]),
        "colleagues": list(User.objects.filter(region=user.region, role=Role.OFFICIAL, is_active=True)
                           .exclude(pk=user.pk).order_by("username")[:10]),
    }


def expert_dashboard(*, user) -> dict:
    profile = getattr(user, "expert_profile", None)
    from evaluations.selectors import assignments_of

    return {
        "assignments": list(assignments_of(user=user)[:8]),
        "profile": profile,
        "industries": list(profile.industries.all()) if profile else [],
        "published_calls": list(calls_visible_to(user=user).exclude(status=CallStatus.ANNOUNCED)[:5]),
    }


def ministry_dashboard(*, user) -> dict:
    by_status = dict(Call.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    from proposals.models import Proposal, ProposalState

    by_state = dict(Proposal.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    return {
        "proposal_counts": [(label, by_state.get(value, 0), value) for value, label in ProposalState.choices],
        "calls": list(calls_visible_to(user=user)[:10]),
        "status_counts": [(label, by_status.get(value, 0), value) for value, label in CallStatus.choices],
    }


def admin_dashboard(*, user) -> dict:
    by_role = dict(User.objects.filter(is_active=True).values_list("role").annotate(n=Count("id")).values_list("role", "n"))
    data = ministry_dashboard(user=user)
    data["role_counts"] = [(label, by_role.get(value, 0)) for value, label in Role.choices]
    return data
