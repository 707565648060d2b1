"""Writes owned by accounts: notifications and their mails."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from core.permissions import require

from .models import MailState, Notification, Role, User

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
