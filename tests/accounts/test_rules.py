"""Every permission of accounts/rules.py for every role, as one table.

Rows are roles, columns are (permission, object). The officials are those of
Gwangju (home region), Jeonnam (its partner) and Busan (an outsider). The open
and closed calls are open to Gwangju and Jeonnam only; the third call is open to
Daegu only.
"""

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from accounts.models import Role, User
from accounts.rules import require
from programmes.models import CallStatus, Region
from tests.factories import AdminFactory, CallFactory, ExpertFactory

Y, N = True, False

COLUMNS = [
    ("programmes.list_calls", None),
    ("programmes.view_call", "draft call"),
    ("programmes.view_call", "open call"),
    ("programmes.add_call", None),
    ("programmes.change_call", "open call"),
    ("programmes.change_call_status", "open call"),
    ("programmes.apply_to_call", "open call"),
    ("programmes.apply_to_call", "closed call"),
    ("programmes.apply_to_call", "open call for Daegu only"),
    ("programmes.view_region_dashboard", "Gwangju"),
    ("programmes.view_region_dashboard", "Busan"),
    ("evaluations.view_expert_pool", None),
    ("evaluations.view_expert_profile", "self"),
    ("evaluations.view_expert_profile", "another expert"),
    ("accounts.manage_users", None),
    ("accounts.use_admin_site", None),
]

# fmt: off
#                            list  view   view  add   chg   chg    apply apply  apply  dash  dash   pool  prof  prof   manage admin
#                            calls draft  open  call  call  status open  closed Daegu  Gwangju Busan      self  other  users  site
TABLE = {
    "official":             (Y,    N,     Y,    N,    N,    N,     Y,    N,     N,     Y,    N,     N,    N,    N,     N,     N),
    "partner_official":     (Y,    N,     Y,    N,    N,    N,     Y,    N,     N,     N,    N,     N,    N,    N,     N,     N),
    "outsider_official":    (Y,    N,     Y,    N,    N,    N,     N,    N,     N,     N,    Y,     N,    N,    N,     N,     N),
    "expert":               (Y,    N,     Y,    N,    N,    N,     N,    N,     N,     N,    N,     N,    Y,    N,     N,     N),
    "ministry":             (Y,    Y,     Y,    Y,    Y,    Y,     N,    N,     N,     Y,    Y,     Y,    Y,    Y,     N,     N),
    "admin_user":           (Y,    Y,     Y,    Y,    Y,    Y,     N,    N,     N,     Y,    Y,     Y,    Y,    Y,     Y,     Y),
    "anonymous":            (N,    N,     N,    N,    N,    N,     N,    N,     N,     N,    N,     N,    N,    N,     N,     N),
}
# fmt: on

@pytest.fixture
def targets(ministry):
    gwangju, jeonnam = Region.objects.get(code="gwangju"), Region.objects.get(code="jeonnam")
    return {
        None: None,
        "draft call": CallFactory(status=CallStatus.DRAFT, created_by=ministry),
        "open call": CallFactory(status=CallStatus.OPEN, eligible_regions=[gwangju, jeonnam]),
        "closed call": CallFactory(status=CallStatus.CLOSED, eligible_regions=[gwangju, jeonnam]),
        "open call for Daegu only": CallFactory(eligible_regions=[Region.objects.get(code="daegu")]),
        "Gwangju": gwangju,
        "Busan": Region.objects.get(code="busan"),
        "another expert": ExpertFactory(username="expert-other"),
    }


def column_name(perm: str, target: str | None) -> str:
    return f"{perm}({target})" if target else perm


def permissions_of(user, targets) -> dict[str, bool]:
    """The user's answer for every column of the table."""
    return {
        column_name(perm, target): user.has_perm(perm, user if target == "self" else targets[target])
        for perm, target in COLUMNS
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(TABLE))
def test_each_role_has_exactly_the_permissions_of_the_table(request, targets, role):
    user = AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)
    actual = permissions_of(user, targets)
    expected = {column_name(perm, target): allowed for (perm, target), allowed in zip(COLUMNS, TABLE[role], strict=True)}
    assert actual == expected


def test_the_table_covers_every_registered_permission_outside_proposals():
    registered = {perm for perm in rules.permissions.permissions if not perm.startswith("proposals.")}
    assert sorted(registered) == sorted({perm for perm, _ in COLUMNS})


def test_require_refuses_a_permission_the_user_lacks(official):
    with pytest.raises(PermissionDenied):
        require(official, "programmes.add_call")


def test_require_lets_a_permitted_user_through(ministry):
    assert require(ministry, "programmes.add_call") is None


@pytest.mark.django_db
def test_an_official_without_a_region_gets_no_regional_permission():
    """The database refuses such a user; an unsaved one still must not pass the rules."""
    stray = User(username="stray", role=Role.OFFICIAL, region=None)
    call = CallFactory()
    gwangju = Region.objects.get(code="gwangju")
    assert (
        stray.has_perm("programmes.apply_to_call", call),
        stray.has_perm("programmes.view_region_dashboard", gwangju),
    ) == (False, False)


@pytest.mark.django_db
def test_a_superuser_is_held_to_the_same_rules_as_the_admin_role(admin_user, targets):
    """Django lets an active superuser pass every permission; the portal's own ones follow the rules only."""
    superuser = AdminFactory(username="root", is_superuser=True)
    assert permissions_of(superuser, targets) == permissions_of(admin_user, targets)


@pytest.mark.django_db
def test_a_deactivated_account_keeps_none_of_its_permissions(ministry, targets):
    ministry.is_active = False
    ministry.save()
    assert set(permissions_of(ministry, targets).values()) == {False}
