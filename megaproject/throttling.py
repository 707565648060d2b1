"""Log-in throttling (django-axes): after AXES_FAILURE_LIMIT failed log-ins for one
username from one address, that pair is locked out for AXES_COOLOFF_TIME.

The client's address is REMOTE_ADDR. X-Forwarded-For is read only when
TRUSTED_PROXY_COUNT says how many proxies of ours stand in front of the portal, and
then only the entry our outermost proxy wrote: a client cannot pick the address it
is counted under by sending the header itself.
"""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.forms import LoginForm


def client_ip(request) -> str | None:
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' lockout check for log-ins made through a page. `authenticate()` without a
    request (management commands, a test client's login) is not throttled: only the
    log-in pages take passwords from the network, and they always pass the request."""

    def authenticate(self, request=None, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def locked_out(request, original_response=None, credentials=None, *args, **kwargs):
    """The log-in page again, with the reason and when to try again (HTTP 429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = LoginForm(request, initial={"username": username[:150]})
    message = _("Too many failed log-in attempts for this account from your address. Try again in %(minutes)s "
                "minutes, or reset your password.") % {"minutes": minutes}
    return render(request, "registration/login.html", {"form": form, "locked_out": message,
                                                       "next": request.POST.get("next", "")}, status=429)
