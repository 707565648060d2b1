"""Every permission decision of the portal, as django-rules predicates.

Views declare `permission_required`, templates ask `{% has_perm %}`, services
call `require(user, perm, obj)`. Nothing re-derives a role check elsewhere.
"""

import rules
from django.core.exceptions import PermissionDenied

from .models import Role

# --- Roles ------------------------------------------------------------------


@rules.predicate
def is_official(user):
    return getattr(user, "role", None) == Role.OFFICIAL and user.region_id is not None


@rules.predicate
def is_expert(user):
    return getattr(user, "role", None) == Role.EXPERT


@rules.predicate
def is_ministry(user):
    return getattr(user, "role", None) == Role.MINISTRY


@rules.predicate
def is_admin(user):
    return getattr(user, "role", None) == Role.ADMIN or getattr(user, "is_superuser", False)


is_staff_member = is_ministry | is_admin

# --- Objects ----------------------------------------------------------------


@rules.predicate
def is_published_call(user, call):
    from programmes.models import CallStatus

    return call is not None and call.status != CallStatus.DRAFT


@rules.predicate
def region_is_eligible(user, call):
    if call is None or not user.region_id:
        return False
    return call.eligible_regions.filter(pk=user.region_id).exists()


@rules.predicate
def call_is_open(user, call):
    from programmes.models import CallStatus

    return call is not None and call.status == CallStatus.OPEN


@rules.predicate
def is_own_region(user, region):
    return region is not None and user.region_id == region.pk


@rules.predicate
def is_self(user, other):
    return other is not None and user.pk == other.pk


# --- Permissions ---------------------------------------------------------------

# Calls
rules.add_perm("programmes.list_calls", rules.is_authenticated)
rules.add_perm("programmes.view_call", is_staff_member | (rules.is_authenticated & is_published_call))
rules.add_perm("programmes.add_call", is_staff_member)
rules.add_perm("programmes.change_call", is_staff_member)
rules.add_perm("programmes.change_call_status", is_staff_member)
rules.add_perm("programmes.apply_to_call", is_official & call_is_open & region_is_eligible)

# Regions and people
rules.add_perm("programmes.view_region_dashboard", is_staff_member | (is_official & is_own_region))
rules.add_perm("evaluations.view_expert_pool", is_staff_member)
rules.add_perm("evaluations.view_expert_profile", is_staff_member | (is_expert & is_self))
rules.add_perm("accounts.manage_users", is_admin)
rules.add_perm("accounts.use_admin_site", is_admin)


def require(user, perm: str, obj=None) -> None:
    """Raise PermissionDenied unless `user` has `perm` (on `obj`). For services."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied(perm)
