"""Personal access tokens and service accounts: one function per change, checked, in a
transaction, recorded on the audit trail."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.services import SecondFactorRefused, second_factor_check
from accounts.twofactor import is_totp_code, normalise_code, requires_second_factor
from audit.models import AuditAction
from audit.services import record
from core.permissions import require

from .models import ApiToken, digest_of, new_secret
from .scopes import scopes_for

MAX_DAYS = 366
DEFAULT_DAYS = 90
# The roles a service account may hold: the ministry's own systems, or a region's.
SERVICE_ROLES = (Role.MINISTRY, Role.OFFICIAL)


def needs_fresh_second_factor(user) -> bool:
    """Ministry staff and administrators (anyone who must have a second factor) type a current
    code of their authenticator to create a token."""
    return requires_second_factor(user)


def _check_fresh_second_factor(by, code: str | None) -> None:
    """A current six-digit code of `by`'s authenticator, checked as the log-in's second step
    checks it (a code works once). Raises SecondFactorRefused; runs outside any transaction so
    a wrong code is counted by django-otp."""
    code = normalise_code(code or "")
    if not is_totp_code(code):
        raise SecondFactorRefused(SecondFactorRefused.WRONG)
    second_factor_check(user=by, code=code)


def create_token(
    *, by, owner, name: str, scopes, expires_at: datetime.datetime, second_factor_code: str | None = None
) -> tuple[ApiToken, str]:
    """A new token of `owner`, created by `by` (the owner, or an administrator for a service
    account). Returns the token and its secret, which is shown once and never stored.

    A token never exceeds its owner: only the scopes `scopes_for(owner)` allows. Staff and
    administrators confirm with a current code of their authenticator (`second_factor_code`);
    a wrong or used code raises accounts.services.SecondFactorRefused."""
    if by.pk != owner.pk:
        require(by, "accounts.manage_users")
        if not owner.is_service_account:
            raise PermissionDenied(_("An administrator creates tokens only for service accounts."))
    scopes = sorted(set(scopes))
    allowed = scopes_for(owner)
    if not allowed:
        raise PermissionDenied(_("This account cannot hold API tokens."))
    if not scopes or any(s not in allowed for s in scopes):
        raise ValidationError({"scopes": _("Choose at least one of the scopes offered.")})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    now = timezone.now()
    if expires_at <= now or expires_at > now + datetime.timedelta(days=MAX_DAYS):
        raise ValidationError({"expires_at": _("The expiry must be in the future and within a year.")})
    if needs_fresh_second_factor(by):
        _check_fresh_second_factor(by, second_factor_code)
    secret = new_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(
            owner=owner,
            name=name[:100],
            hint=secret[:10],
            digest=digest_of(secret),
            scopes=scopes,
            expires_at=expires_at,
            created_by=by,
        )
        record(
            actor=by,
            action=AuditAction.API_TOKEN,
            obj=token,
            summary=_("API token “%(name)s” created for %(owner)s") % {"name": token.name, "owner": owner},
            after={"scopes": scopes, "expires_at": expires_at.isoformat()},
        )
    return token, secret


def revoke_token(*, by, token: ApiToken) -> ApiToken:
    """Revoke a token: its owner, or an administrator (any token: a service account's, or a
    person's that leaked)."""
    if by.pk != token.owner_id and not by.has_perm("accounts.manage_users"):
        raise PermissionDenied(_("Only the owner or an administrator revokes a token."))
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at, token.revoked_by = timezone.now(), by
            token.save(update_fields=["revoked_at", "revoked_by"])
            record(actor=by, action=AuditAction.API_TOKEN, obj=token, summary=_("API token “%(name)s” revoked") % {"name": token.name})
    return token


def service_account_create(*, by, username: str, display_name: str, role: str, region=None, email: str = ""):
    """An account for another system: no password, never a web log-in (accounts.backends), read
    with the tokens an administrator creates for it."""
    require(by, "accounts.manage_users")
    if role not in SERVICE_ROLES:
        raise ValidationError({"role": _("A service account is ministry staff or a regional official.")})
    if role != Role.OFFICIAL:
        region = None
    user = get_user_model()(
        username=(username or "").strip(),
        display_name=(display_name or "").strip(),
        email=(email or "").strip(),
        role=role,
        region=region,
        is_service_account=True,
        language="ko",
    )
    user.set_unusable_password()
    user.full_clean()
    with transaction.atomic():
        user.save()
        record(
            actor=by,
            action=AuditAction.API_TOKEN,
            obj=user,
            summary=_("Service account %(name)s created") % {"name": user},
            after={"username": user.username, "role": role, "region": region.pk if region else None},
        )
    return user
