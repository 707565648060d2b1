"""Log-in throttling (django-axes): after AXES_FAILURE_LIMIT failed log-ins for one
username from one address, that pair is locked out for AXES_COOLOFF_TIME.

The client's address is accounts.throttling.client_ip (REMOTE_ADDR; X-Forwarded-For
only as far as TRUSTED_PROXY_COUNT says our own proxies wrote it), the function the
password-reset throttle counts by too; AXES_CLIENT_IP_CALLABLE names it here.
"""

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.forms import LoginForm
from accounts.throttling import client_ip
from accounts.twofactor import second_step_for

__all__ = ["LoginThrottleBackend", "LoginThrottleHandler", "client_ip", "locked_out"]


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' lockout check for log-ins made through a page. `authenticate()` without a
    request (management commands, a test client's login) is not throttled: only the
    log-in pages take passwords from the network, and they always pass the request."""

    def authenticate(self, request=None, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler, except that a right password does not wipe the failures while
    the log-in still owes its second step (accounts.twofactor): wrong codes are counted
    with the wrong passwords, and typing the password again does not start them afresh.
    The failures are forgotten when the second step passes (accounts.throttling.login_failures_reset)."""

    def user_logged_in(self, sender, request, user, **kwargs):
        request.axes_second_step_owed = bool(second_step_for(user))
        return super().user_logged_in(sender, request, user, **kwargs)

    def reset_user_attempts(self, request, credentials=None) -> int:
        if getattr(request, "axes_second_step_owed", False):
            return 0
        return super().reset_user_attempts(request, credentials)


def locked_out(request, original_response=None, credentials=None, *args, **kwargs):
    """The log-in page again, with the reason and when to try again (HTTP 429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = LoginForm(request, initial={"username": username[:150]})
    message = _("Too many failed log-in attempts for this account from your address. Try again in %(minutes)s "
                "minutes, or reset your password.") % {"minutes": minutes}
    return render(request, "registration/login.html", {"form": form, "locked_out": message,
                                                       "next": request.POST.get("next", "")}, status=429)
