"""Token authentication of the read API: `Authorization: Bearer mpt_…`. The token's owner becomes
`request.user`, so every endpoint asks the same selectors as the pages; the scope narrows further."""

from django.db.models import F
from django.utils import timezone
from ninja.security import HttpBearer

from .errors import MissingScope
from .models import ApiToken, digest_of


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def authenticate_token(request, secret: str) -> ApiToken | None:
    """The usable token with this secret, its use recorded; None for an unknown, expired or
    revoked token or an inactive owner."""
    if not secret or len(secret) > 200:
        return None
    token = ApiToken.objects.usable().select_related("owner").filter(digest=digest_of(secret)).first()
    if token is None:
        return None
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=client_ip(request), use_count=F("use_count") + 1)
    return token


class TokenAuth(HttpBearer):
    """A bearer token carrying `scope`. Unknown/expired/revoked → 401; a valid token without the
    scope → 403 (api.errors.MissingScope)."""

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()

    def authenticate(self, request, token):
        found = authenticate_token(request, token)
        if found is None:
            return None
        if not found.allows(self.scope):
            raise MissingScope(self.scope)
        request.user = found.owner
        request.api_token = found
        return found


def token_auth(scope: str) -> list:
    return [TokenAuth(scope)]
