"""Creating and revoking personal access tokens: one function each, checked, in a transaction,
recorded on the audit trail."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import record

from .models import ApiToken, digest_of, new_secret
from .scopes import Scope

MAX_DAYS = 366


def create_token(*, by, owner, name: str, scopes, expires_at: datetime.datetime) -> tuple[ApiToken, str]:
    """A new token of `owner`, created by `by` (the owner, or an administrator for a service
    account). Returns the token and its secret, which is shown once and never stored."""
    if by.pk != owner.pk and not by.has_perm("accounts.manage_users"):
        raise PermissionDenied(_("Only an administrator creates tokens for another account."))
    scopes = sorted(set(scopes))
    if not scopes or any(s not in Scope.values for s in scopes):
        raise ValidationError({"scopes": _("Choose at least one scope.")})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    now = timezone.now()
    if expires_at <= now or expires_at > now + datetime.timedelta(days=MAX_DAYS):
        raise ValidationError({"expires_at": _("The expiry must be in the future and within a year.")})
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
        )
    return token, secret


def revoke_token(*, by, token: ApiToken) -> ApiToken:
    if by.pk != token.owner_id and not by.has_perm("accounts.manage_users"):
        raise PermissionDenied(_("Only the owner or an administrator revokes a token."))
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at, token.revoked_by = timezone.now(), by
            token.save(update_fields=["revoked_at", "revoked_by"])
            record(actor=by, action=AuditAction.API_TOKEN, obj=token, summary=_("API token “%(name)s” revoked") % {"name": token.name})
    return token
