"""Reads owned by accounts for other layers (the health page, the admin dashboard)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Subquery
from django.utils import timezone

from .models import MailState, Notification, UserSession


def failed_mails():
    """Notifications whose mail gave up after its last attempt, newest first."""
    return Notification.objects.filter(mail_state=MailState.FAILED).select_related("user")


def failed_mail_count() -> int:
    """How many notification mails failed (shown to staff: health details, admin)."""
    return Notification.objects.filter(mail_state=MailState.FAILED).count()


# --- Log-in sessions ---------------------------------------------------------------------------------

_BROWSERS = [  # (token in the User-Agent, name): the first that matches; Chrome and Safari last
    ("Edg/", "Edge"), ("Whale/", "Whale"), ("SamsungBrowser/", "Samsung Internet"), ("OPR/", "Opera"),
    ("Firefox/", "Firefox"), ("CriOS/", "Chrome"), ("Chrome/", "Chrome"), ("Safari/", "Safari"),
]
_SYSTEMS = [
    ("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
    ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"),
]


def browser_and_system(user_agent: str) -> tuple[str, str]:
    """("Chrome", "Windows") from a User-Agent header; "" for what it does not say."""
    browser = next((name for token, name in _BROWSERS if token in user_agent), "")
    system = next((name for token, name in _SYSTEMS if token in user_agent), "")
    return browser, system


def open_sessions_of(user):
    """The person's sessions that may still be used: not ended, not past the maximum length, used within
    the longest idle timeout (rows of sessions left to time out are closed each night), newest first."""
    now = timezone.now()
    longest_idle = max(settings.SESSION_IDLE_TIMEOUT_MINUTES, settings.SESSION_IDLE_TIMEOUT_STAFF_MINUTES)
    return UserSession.objects.filter(
        user=user, ended_at__isnull=True,
        created_at__gt=now - timedelta(hours=settings.SESSION_ABSOLUTE_LIFETIME_HOURS),
        last_seen_at__gt=now - timedelta(minutes=longest_idle),
    ).order_by("-last_seen_at", "-id")


def previous_login(user, current_public_id: str | None):
    """The person's log-in before the session they are using (None the first time)."""
    rows = UserSession.objects.filter(user=user).order_by("-created_at", "-id")
    if current_public_id:
        current = UserSession.objects.filter(user=user, public_id=current_public_id).values("created_at")[:1]
        rows = rows.exclude(public_id=current_public_id).filter(created_at__lte=Subquery(current))
    return rows.first()


def people_visible_to(user):
    """The people `user` administers (accounts.rules: view_person): everybody for an administrator,
    the officials of their own region for a regional administrator, nobody otherwise. With
    `pending_invitation` (a link waiting, not expired) for the list's filter and badge."""
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from . import rules as portal_rules
    from .models import Invitation, Role, User

    if portal_rules.is_admin(user):
        people = User.objects.all()
    elif portal_rules.is_region_admin(user):
        people = User.objects.filter(role=Role.OFFICIAL, region_id=user.region_id)
    else:
        people = User.objects.none()
    waiting = Invitation.objects.filter(user=OuterRef("pk"), accepted_at__isnull=True, revoked_at__isnull=True,
                                        expires_at__gt=timezone.now())
    return people.annotate(pending_invitation=Exists(waiting)).select_related("region")
