"""Writes owned by accounts: notifications and their mails, log-in sessions."""

import contextlib
import ipaddress
import logging
import secrets
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import record
from core.permissions import require

from .models import MailState, Notification, Role, SessionEnd, User, UserSession

logger = logging.getLogger(__name__)


def notify(*, users, message: str, url: str = "") -> list[Notification]:
    """In-app notification for each user, e-mailed by a worker after commit."""
    rows = Notification.objects.bulk_create(
        [Notification(user=u, message=message[:500], url=url) for u in {u.pk: u for u in users}.values()]
    )
    ids = [n.pk for n in rows]
    User.objects.filter(pk__in=[n.user_id for n in rows]).update(unread_count=F("unread_count") + 1)
    if ids:
        transaction.on_commit(lambda: queue_mails(ids))
    return rows


def daily_digest_set(*, actor, enabled: bool) -> None:
    """A person turns their own daily to-do digest on or off (the audit trail watches the field)."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        if user.daily_digest != enabled:
            user.daily_digest = enabled
            user.save(update_fields=["daily_digest"])
    actor.daily_digest = enabled


def queue_mails(ids: list[int]) -> None:
    """Hand the mails of notifications `ids` to the mail task. The action that caused them has
    committed: if the broker cannot take the task, the rows stay pending (the hourly
    accounts.tasks.resend_stuck_mails picks them up) and the action does not fail."""
    from .tasks import send_notification_emails

    try:
        send_notification_emails.delay(notification_ids=ids)
    except Exception:
        logger.exception("notification mails not queued (left pending): notifications %s", ids)


def notifications_mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    marked = qs.update(read_at=timezone.now())
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    User.objects.filter(pk=user.pk).update(unread_count=unread)
    user.unread_count = unread
    return marked


def notifications_retry_mail(*, actor, notifications) -> int:
    """Send the failed mails of `notifications` again (staff, from the admin): they go back
    to pending and the mail task takes them after commit. Returns how many."""
    require(actor, "accounts.use_admin_site")
    with transaction.atomic():
        ids = list(Notification.objects.filter(pk__in=[n.pk for n in notifications], mail_state=MailState.FAILED)
                   .values_list("pk", flat=True))
        Notification.objects.filter(pk__in=ids).update(mail_state=MailState.PENDING)
    if ids:
        transaction.on_commit(lambda: queue_mails(ids))
    return len(ids)


# --- The second factor (accounts.twofactor) ---------------------------------


class SecondFactorRefused(Exception):
    """A code was not accepted: `reason` is WRONG (not correct, or used already) or WAIT
    (too many wrong codes in a row: django-otp's delay before the next try)."""

    WRONG = "wrong"
    WAIT = "wait"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _record_second_factor(user, summary: str, after=None) -> None:
    from audit.models import AuditAction
    from audit.services import record

    while hasattr(user, "_wrapped"):  # request.user is a lazy object (twice: auth, django-otp)
        user = user._wrapped
    record(actor=user, action=AuditAction.SECOND_FACTOR, obj=user, summary=summary, after=after)


def second_factor_enrolment(*, user):
    """The authenticator `user` is enrolling: an unconfirmed TOTP device with a fresh key,
    the same one across reloads of the page until its first code confirms it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    require(user, "accounts.manage_second_factor")
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def _verify(device, code: str):
    """Check `code` on `device` with the row locked (one code, two requests at once: one
    passes). A failure is kept (django-otp's delay grows) before the refusal is raised, so
    call it outside an enclosing transaction. Returns the device as verified."""
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, _data = device.verify_is_allowed()
        verified = allowed and device.verify_token(code)
    if not allowed:
        raise SecondFactorRefused(SecondFactorRefused.WAIT)
    if not verified:
        raise SecondFactorRefused(SecondFactorRefused.WRONG)
    return device


def _issue_recovery_codes(user) -> list[str]:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from .twofactor import new_recovery_codes

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = new_recovery_codes()
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def second_factor_confirm(*, user, device, code: str) -> list[str]:
    """The first code of the authenticator being enrolled confirms it; the person gets ten
    one-time recovery codes (returned, shown once). Raises SecondFactorRefused."""
    from .twofactor import normalise_code

    require(user, "accounts.manage_second_factor")
    if device.user_id != user.pk or device.confirmed:
        raise SecondFactorRefused(SecondFactorRefused.WRONG)
    device = _verify(device, normalise_code(code))
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # One authenticator per person: an older one (enrolled again) is replaced.
        type(device).objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _issue_recovery_codes(user)
        _record_second_factor(user, "authenticator enrolled, recovery codes issued",
                              after={"recovery_codes": len(codes)})
    return codes


def second_factor_check(*, user, code: str):
    """The device that accepts `code` at log-in: the authenticator for six digits, else the
    recovery codes (a recovery code works once). Raises SecondFactorRefused."""
    from django_otp.plugins.otp_static.models import StaticDevice

    from .twofactor import confirmed_totp_device, is_totp_code, normalise_code

    code = normalise_code(code)
    device = (confirmed_totp_device(user) if is_totp_code(code)
              else StaticDevice.objects.filter(user=user, confirmed=True).first())
    if device is None or not code:
        raise SecondFactorRefused(SecondFactorRefused.WRONG)
    return _verify(device, code)


def recovery_codes_renew(*, user, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), on a current code of the authenticator."""
    from .twofactor import confirmed_totp_device, normalise_code

    require(user, "accounts.manage_second_factor")
    device = confirmed_totp_device(user)
    if device is None:
        raise SecondFactorRefused(SecondFactorRefused.WRONG)
    _verify(device, normalise_code(code))
    with transaction.atomic():
        codes = _issue_recovery_codes(user)
        _record_second_factor(user, "recovery codes renewed", after={"recovery_codes": len(codes)})
    return codes


def second_factor_remove(*, user, code: str) -> None:
    """Remove the authenticator and the recovery codes, on a current code; only for people to
    whom the second factor is optional."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .twofactor import confirmed_totp_device, normalise_code

    require(user, "accounts.remove_second_factor")
    device = confirmed_totp_device(user)
    if device is None:
        raise SecondFactorRefused(SecondFactorRefused.WRONG)
    _verify(device, normalise_code(code))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _record_second_factor(user, "second factor removed")
# --- Log-in sessions ("My sessions", the previous log-in; accounts/sessions.py keeps them) ---------


def session_start(*, user, session_key: str, ip: str | None, user_agent: str) -> tuple[UserSession, UserSession | None]:
    """Open the row of a new log-in; returns it and the person's previous log-in (None the first time)."""
    try:
        ip = str(ipaddress.ip_address(ip)) if ip else None
    except ValueError:  # whatever a proxy header held: kept only when it is an address
        ip = None
    previous = UserSession.objects.filter(user=user).order_by("-created_at", "-id").first()
    now = timezone.now()
    row = UserSession.objects.create(user=user, public_id=secrets.token_hex(16), session_key=session_key or "",
                                     created_at=now, last_seen_at=now, ip=ip,
                                     user_agent=(user_agent or "")[:300])
    return row, previous


def session_seen(*, public_id: str, at, session_key: str | None = None) -> None:
    """The session was used at `at` (written at most once a minute), and its key now, when it changed."""
    changes = {"last_seen_at": at}
    if session_key:
        changes["session_key"] = session_key
    UserSession.objects.filter(public_id=public_id, ended_at__isnull=True).update(**changes)


def session_close(*, public_id: str, reason: str) -> bool:
    """Mark a session ended (log-out, idle timeout, maximum length): its person or the clock ended it,
    nothing to authorise. False when it was ended already."""
    return bool(UserSession.objects.filter(public_id=public_id, ended_at__isnull=True)
                .update(ended_at=timezone.now(), ended_reason=reason))


def _revoked_key(public_id: str) -> str:
    return f"session-ended:{public_id}"


def remember_revoked(public_ids) -> None:
    """Tell every web process (through the default cache) that these sessions were ended, for as long as
    a session can live."""
    cache.set_many({_revoked_key(i): 1 for i in public_ids}, timeout=settings.SESSION_ABSOLUTE_LIFETIME_HOURS * 3600)


def is_revoked(public_id: str) -> bool:
    return cache.get(_revoked_key(public_id)) is not None


def _revoke(rows) -> int:
    """Delete the rows' sessions from the session store and mark them ended. After commit the cache
    says so too (accounts.sessions refuses the session id even if a store kept it, e.g. under a key
    changed since)."""
    ids = [row.public_id for row in rows]
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for row in rows:
        if row.session_key:
            store(session_key=row.session_key).delete()
    UserSession.objects.filter(public_id__in=ids).update(ended_at=timezone.now(), ended_reason=SessionEnd.ENDED)
    if ids:
        transaction.on_commit(lambda: remember_revoked(ids))
    return len(ids)


def _record_end(actor, row, how: str) -> None:
    record(actor=actor, action=AuditAction.SESSION_END, obj=row,
           summary=f"{how}: {timezone.localtime(row.created_at):%Y-%m-%d %H:%M} · {row.ip or '-'}")


def session_end(*, actor, user_session: UserSession, current_public_id: str | None = None) -> None:
    """The person ends one of their own sessions (not the one they are using: that is logging out)."""
    require(actor, "accounts.end_session", user_session)
    if user_session.public_id == current_public_id:
        raise ValidationError(_("This is the session you are using. To end it, log out."))
    with transaction.atomic():
        row = UserSession.objects.select_for_update().filter(pk=user_session.pk, ended_at__isnull=True).first()
        if row is None:
            raise ValidationError(_("This session has ended already."))
        _revoke([row])
        _record_end(actor, row, "one session")


def sessions_end_others(*, actor, current_public_id: str | None) -> int:
    """The person ends every session of theirs but the one they are using; returns how many."""
    with transaction.atomic():
        rows = [row for row in UserSession.objects.select_for_update().filter(user=actor.pk, ended_at__isnull=True)
                .exclude(public_id=current_public_id or "") if actor.has_perm("accounts.end_session", row)]
        count = _revoke(rows)
        for row in rows:
            _record_end(actor, row, "all other sessions")
    return count


def sessions_purge(*, now=None) -> dict:
    """Close the rows of sessions left to time out (no request since the longest idle timeout, or past the
    maximum length), delete ended rows older than SESSION_HISTORY_DAYS and the session store's expired
    sessions. Returns the counts."""
    now = now or timezone.now()
    longest_idle = timedelta(minutes=max(settings.SESSION_IDLE_TIMEOUT_MINUTES,
                                         settings.SESSION_IDLE_TIMEOUT_STAFF_MINUTES))
    lifetime = timedelta(hours=settings.SESSION_ABSOLUTE_LIFETIME_HOURS)
    with transaction.atomic():
        closed = (UserSession.objects.filter(ended_at__isnull=True)
                  .filter(Q(last_seen_at__lt=now - longest_idle) | Q(created_at__lt=now - lifetime))
                  .update(ended_at=now, ended_reason=SessionEnd.EXPIRED))
        deleted, _per_model = UserSession.objects.filter(
            ended_at__lt=now - timedelta(days=settings.SESSION_HISTORY_DAYS)).delete()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with contextlib.suppress(NotImplementedError):  # a store whose sessions expire by themselves (cache)
        store.clear_expired()
    return {"closed": closed, "deleted": deleted}
# --- Identity: single sign-on bindings and the break-glass administrator -------------------------

def sso_bind(*, user, issuer: str, subject: str, request=None):
    """Bind the identity provider's `subject` (of `issuer`) to `user` on its first SSO log-in
    (accounts/sso.py found the one account its claims name). Later log-ins find the account
    by this binding alone. Recorded on the audit trail as done by the user."""
    from audit.services import record

    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.oidc_subject is not None:
            raise ValueError("account already bound to a single sign-on identity")
        locked.oidc_issuer, locked.oidc_subject = issuer, subject
        locked.save(update_fields=["oidc_issuer", "oidc_subject"])
        user.oidc_issuer, user.oidc_subject = issuer, subject
        record(actor=locked, action="sso_binding", obj=locked, request=request,
               summary=gettext("Single sign-on identity of %(issuer)s bound to the account %(username)s.")
               % {"issuer": issuer, "username": locked.username})
    return user


def break_glass_set(*, actor, user, on: bool, request=None):
    """Name `user` a break-glass administrator (on) or take it back (off). Only an administrator
    can be one; recorded on the audit trail. `actor` None: a management command on the server."""
    from audit.services import record

    if actor is not None:
        require(actor, "accounts.use_admin_site")
    if on and user.role != Role.ADMIN:
        raise ValidationError(gettext("Only an administrator can be a break-glass account."))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = locked.is_break_glass
        locked.is_break_glass = on
        locked.save(update_fields=["is_break_glass"])
        record(actor=actor, action="break_glass", obj=locked, request=request,
               before={"is_break_glass": before}, after={"is_break_glass": on},
               summary=(gettext("%(username)s named a break-glass administrator.") if on
                        else gettext("%(username)s is no longer a break-glass administrator."))
               % {"username": locked.username})
    user.is_break_glass = on
    return user


def break_glass_used(*, user, request=None) -> None:
    """A break-glass administrator has just logged in with a password: recorded on the audit
    trail and told (in the portal and by mail) to every active administrator, themselves included."""
    from audit.services import record

    from .throttling import client_ip

    address = (client_ip(request) if request is not None else None) or gettext("unknown address")
    with transaction.atomic():
        record(actor=user, action="break_glass_login", obj=user, request=request,
               summary=gettext("Break-glass administrator %(username)s logged in with a password from %(address)s.")
               % {"username": user.username, "address": address})
        admins = User.objects.filter(is_active=True).filter(Q(role=Role.ADMIN) | Q(is_superuser=True))
        notify(users=admins, url="/audit/",
               message=gettext("The break-glass account %(username)s was used to log in at %(time)s from "
                               "%(address)s. If this was not expected, act at once.")
               % {"username": user.username, "address": address,
                  "time": timezone.localtime().strftime("%Y-%m-%d %H:%M")})
