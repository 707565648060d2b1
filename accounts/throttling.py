"""Who is asking: the client's address, and the password-reset throttle.

The client's address is REMOTE_ADDR. X-Forwarded-For is read only when
TRUSTED_PROXY_COUNT says how many proxies of ours stand in front of the portal, and
then only the entry our outermost proxy wrote: a client cannot pick the address it
is counted under by sending the header itself. The log-in throttle
(megaproject/throttling.py, django-axes) counts by the same function.

Password reset: at most PASSWORD_RESET_PER_ADDRESS_HOUR requests for one e-mail
address and PASSWORD_RESET_PER_IP_HOUR from one client address in an hour, counted
in the default cache (shared by every web process when it is Redis). Over either
limit no mail goes out, and the page says what it says after a sent link, so the
limit tells nobody whether an address has an account.
"""

import hashlib
import ipaddress
import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

HOUR = 3600


def client_ip(request) -> str | None:
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies and _is_address(hops[-proxies]):  # never text a database refuses as an address
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _count(key: str) -> int:
    """One more request under `key` in the current hour (the window opens with the first)."""
    if cache.add(key, 1, timeout=HOUR):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=HOUR)
        return 1


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def password_reset_allowed(request, email: str) -> bool:
    """Count this request for its address and its client; False when either is over its hourly limit.

    Every request counts, those refused included, so a flood stays refused for the hour.
    The address is kept only as a digest (the cache holds no e-mail addresses)."""
    per_address = _count(f"password-reset:address:{_digest(email.strip().lower())}")
    per_ip = _count(f"password-reset:ip:{_digest(client_ip(request) or 'unknown')}")
    allowed = (per_address <= settings.PASSWORD_RESET_PER_ADDRESS_HOUR
               and per_ip <= settings.PASSWORD_RESET_PER_IP_HOUR)
    if not allowed:
        logger.warning("password reset throttled: %s requests for the address, %s from the client this hour",
                       per_address, per_ip)
    return allowed


def login_failures_reset(request, username: str) -> int:
    """Forget the failed log-ins of `username` from this client once the whole log-in has
    passed (password and second factor): the log-in throttle (megaproject.throttling) keeps
    them while a second step is still owed, so a wrong code is not wiped by typing the
    password again."""
    from axes.handlers.proxy import AxesProxyHandler
    from axes.helpers import get_credentials

    if not settings.AXES_RESET_ON_SUCCESS:
        return 0
    AxesProxyHandler.update_request(request)
    return AxesProxyHandler.get_implementation().reset_user_attempts(request, get_credentials(username))
