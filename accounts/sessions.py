"""Log-in sessions: idle timeout, maximum length, sessions ended from elsewhere, the previous log-in.

At log-in (`user_logged_in`) the session gets a stamp in its data, `portal_session`:
the random id of its `UserSession` row, when the person logged in, when they were
last seen and the session key the row knows. The stamp lives in the session's data,
so it survives a new session key (Django's log-in, the second factor's cycle_key):
the row learns the new key at the end of that request.

`SessionLimitsMiddleware`, on each request of a stamped session:

- logs the person out (`django.contrib.auth.logout`), says why and sends them to the
  log-in page with `next` when the log-in is older than SESSION_ABSOLUTE_LIFETIME_HOURS,
  when nothing was asked for longer than their idle timeout (ministry staff and
  administrators SESSION_IDLE_TIMEOUT_STAFF_MINUTES, the rule
  `accounts.short_idle_timeout`; everybody else SESSION_IDLE_TIMEOUT_MINUTES), or when
  the person ended this session from another one (the default cache says so);
- otherwise notes the activity, at most once a minute: the session and the row's
  `last_seen_at` are written then, not on every request (idle time is measured to
  the minute).

On the hot path it adds no database query: the session's data is read anyway (the
user is found through it), the user is looked at only past the staff idle timeout,
and the ended sessions are asked of the cache.
"""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import services
from .models import SessionEnd
from .throttling import client_ip

STAMP = "portal_session"
# The session and its row are written when the last noted activity is at least this old.
SEEN_EVERY_SECONDS = 60
KST = ZoneInfo("Asia/Seoul")

ENDED_MESSAGES = {
    SessionEnd.IDLE: gettext_lazy("You were logged out after a long time without activity. Please log in again."),
    SessionEnd.LIFETIME: gettext_lazy("You were logged out: a log-in lasts at most %(hours)s hours. "
                                      "Please log in again."),
    SessionEnd.ENDED: gettext_lazy("This session was ended from another of your sessions. Please log in again."),
}


def shortest_idle_minutes() -> int:
    return min(settings.SESSION_IDLE_TIMEOUT_STAFF_MINUTES, settings.SESSION_IDLE_TIMEOUT_MINUTES)


def idle_timeout_seconds(user) -> int:
    if rules.test_rule("accounts.short_idle_timeout", user):
        return settings.SESSION_IDLE_TIMEOUT_STAFF_MINUTES * 60
    return settings.SESSION_IDLE_TIMEOUT_MINUTES * 60


def current_public_id(request) -> str | None:
    """The id of the `UserSession` row of the request's session (None when not stamped)."""
    stamp = request.session.get(STAMP)
    return stamp.get("id") if isinstance(stamp, dict) else None


LOGIN_NOTICE = "portal_login_notice"  # the cookie's name and its signature's salt
LOGIN_NOTICE_SECONDS = 600  # time enough for the second step


def login_notice(request) -> str:
    """The notice of the previous log-in this request may show ("" when none), marking it shown."""
    if LOGIN_NOTICE not in request.COOKIES:
        return ""
    request.login_notice_shown = True
    try:
        return signing.loads(request.COOKIES[LOGIN_NOTICE], salt=LOGIN_NOTICE, max_age=LOGIN_NOTICE_SECONDS)
    except (signing.BadSignature, ValueError, TypeError):
        return ""


def _stamp(request, user, *, tell_previous: bool) -> None:
    session = request.session
    row, previous = services.session_start(user=user, session_key=session.session_key or "",
                                           ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""))
    now = time.time()
    session[STAMP] = {"id": row.public_id, "at": now, "seen": now, "key": session.session_key or ""}
    # The log-in ends at its maximum length from `at` (SessionLimitsMiddleware); the cookie and the store's
    # copy last SESSION_COOKIE_AGE (the same length) from their last save.
    if tell_previous:
        # Shown once, above the first page of the portal proper (accounts.context_processors), not as a
        # message (the pages' own messages stay theirs), carried there by a short-lived signed cookie so
        # that showing it writes nothing (a page costs the same queries right after a log-in).
        request.login_notice = str(previous_login_text(user, previous))


def previous_login_text(user, previous) -> str:
    """"Previous log-in: 2026-12-01 14:03 (KST), 203.0.113.5", and the failed log-ins on the account since."""
    if previous is None:
        return _("This is your first log-in to the portal.")
    text = _("Previous log-in: %(when)s (KST), %(ip)s") % {"when": kst(previous.created_at),
                                                          "ip": previous.ip or "—"}
    failures = failed_logins_since(user, previous.created_at)
    if failures:
        text += " · " + ngettext("%(count)s failed log-in attempt on your account since then.",
                               "%(count)s failed log-in attempts on your account since then.",
                               failures) % {"count": failures}
    return text


def failed_logins_since(user, since) -> int:
    """Failed log-ins under the person's username after `since` (django-axes' failure log)."""
    if not getattr(settings, "AXES_ENABLE_ACCESS_FAILURE_LOG", False):
        return 0
    from axes.models import AccessFailureLog

    return AccessFailureLog.objects.filter(username=user.get_username(), attempt_time__gt=since).count()


def kst(moment: datetime) -> str:
    return moment.astimezone(KST).strftime("%Y-%m-%d %H:%M")


def on_logged_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    _stamp(request, user, tell_previous=True)


def on_logged_out(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    public_id = current_public_id(request)
    if public_id:
        services.session_close(public_id=public_id, reason=SessionEnd.LOGOUT)


def connect() -> None:
    """Called from AccountsConfig.ready()."""
    user_logged_in.connect(on_logged_in, dispatch_uid="accounts.sessions.on_logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="accounts.sessions.on_logged_out")


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ended = self.check(request)
        if ended is not None:
            return ended
        response = self.get_response(request)
        self.follow_key(request)
        notice = getattr(request, "login_notice", "")
        if notice:
            response.set_cookie(LOGIN_NOTICE, signing.dumps(notice, salt=LOGIN_NOTICE), max_age=LOGIN_NOTICE_SECONDS,
                                secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
        elif getattr(request, "login_notice_shown", False):
            response.delete_cookie(LOGIN_NOTICE, samesite="Lax")
        return response

    def check(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        stamp = request.session.get(STAMP)
        if not isinstance(stamp, dict):
            # A log-in made before sessions were stamped: from now on it is.
            if request.user.is_authenticated:
                _stamp(request, request.user, tell_previous=False)
            return None
        now = time.time()
        idle = now - stamp["seen"]
        reason = None
        if services.is_revoked(stamp["id"]):
            reason = SessionEnd.ENDED
        elif now - stamp["at"] > settings.SESSION_ABSOLUTE_LIFETIME_HOURS * 3600:
            reason = SessionEnd.LIFETIME
        # The user is looked at only when the shorter timeout has passed.
        elif idle > shortest_idle_minutes() * 60 and idle > idle_timeout_seconds(request.user):
            reason = SessionEnd.IDLE
        if reason is not None:
            return self.end(request, stamp, reason)
        if idle >= SEEN_EVERY_SECONDS:
            stamp["seen"] = now
            request.session[STAMP] = stamp  # marks the session modified: saved once, at the response
            services.session_seen(public_id=stamp["id"], at=datetime.fromtimestamp(now, tz=KST))
        return None

    def end(self, request, stamp, reason):
        services.session_close(public_id=stamp["id"], reason=reason)
        logout(request)
        messages.warning(request, str(ENDED_MESSAGES[reason]) % {"hours": settings.SESSION_ABSOLUTE_LIFETIME_HOURS},
                         fail_silently=True)
        response = redirect_to_login(request.get_full_path())
        if getattr(request, "htmx", False):  # a partial page asked: the browser goes to the log-in page whole
            from django_htmx.http import HttpResponseClientRedirect

            return HttpResponseClientRedirect(response["Location"])
        return response

    def follow_key(self, request):
        """The session got a new key in this request (the second factor's cycle_key): the row follows."""
        session = getattr(request, "session", None)
        if session is None or not session.accessed:
            return
        stamp = session.get(STAMP)
        if isinstance(stamp, dict) and session.session_key and stamp.get("key") != session.session_key:
            stamp["key"] = session.session_key
            session[STAMP] = stamp
            services.session_seen(public_id=stamp["id"], at=datetime.fromtimestamp(stamp["seen"], tz=KST),
                                  session_key=session.session_key)
