"""Token authentication of the read API: `Authorization: Bearer mpt_…`. The token's owner becomes
`request.user`, so every endpoint asks the same selectors as the pages; the scope narrows further.
Each token may make API_RATE_LIMIT_PER_MINUTE requests a minute (counted in the default cache,
Redis in production, so every web process shares the count); over it, 429 with Retry-After."""

import contextlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone
from ninja.security import HttpBearer

from accounts.backends import account_usable
from accounts.throttling import client_ip

from .errors import MissingScope, RateLimited
from .models import ApiToken, digest_of, pending_uses_key

WINDOW_SECONDS = 60


def authenticate_token(request, secret: str) -> ApiToken | None:
    """The usable token with this secret, its use recorded; None for an unknown, expired or
    revoked token, or an owner who may not act any more (deactivated, access end date passed:
    accounts.backends.account_usable, the log-in's own test)."""
    if not secret or len(secret) > 200:
        return None
    token = ApiToken.objects.usable().select_related("owner").filter(digest=digest_of(secret)).first()
    if token is None or not account_usable(token.owner):
        return None
    record_use(token, ip=client_ip(request))
    return token


# A token's use is written to its row at most once per USE_WRITE_SECONDS from the same address: a script
# polling the API would otherwise update the same row on every request (a write and a row lock per read).
# Uses in between are counted in the shared cache (Redis in production) and added at the next write;
# ApiToken.uses_now adds what is still pending.
USE_WRITE_SECONDS = 60


def record_use(token: ApiToken, *, ip: str | None, now=None) -> None:
    now = now or timezone.now()
    pending_key = pending_uses_key(token)
    recent = token.last_used_at is not None and (now - token.last_used_at).total_seconds() < USE_WRITE_SECONDS
    if recent and token.last_used_ip == ip:
        if not cache.add(pending_key, 1, timeout=None):
            try:
                cache.incr(pending_key)
            except ValueError:  # gone between add and incr
                cache.set(pending_key, 1, timeout=None)
        return
    pending = cache.get(pending_key) or 0
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip,
                                                use_count=F("use_count") + 1 + pending)
    if pending:
        with contextlib.suppress(ValueError):  # gone meanwhile
            cache.decr(pending_key, pending)


def count_request(token: ApiToken, now: float | None = None) -> None:
    """Count one request of `token` in the current minute (a fixed window keyed by the token's
    digest: unique, and never reused the way a row id can be); raises RateLimited with the
    seconds until the next window when over the limit."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"api-rate:{token.digest[:32]}:{window}"
    if cache.add(key, 1, timeout=WINDOW_SECONDS + 5):
        used = 1
    else:
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
            used = 1
    if used > settings.API_RATE_LIMIT_PER_MINUTE:
        raise RateLimited(max(1, math.ceil((window + 1) * WINDOW_SECONDS - now)))


class TokenAuth(HttpBearer):
    """A bearer token carrying `scope`. Unknown/expired/revoked → 401; over the rate limit → 429;
    a valid token without the scope → 403 (api.errors.MissingScope)."""

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()

    def authenticate(self, request, token):
        found = authenticate_token(request, token)
        if found is None:
            return None
        count_request(found)
        if not found.allows(self.scope):
            raise MissingScope(self.scope)
        request.user = found.owner
        request.api_token = found
        return found


def token_auth(scope: str) -> list:
    return [TokenAuth(scope)]
