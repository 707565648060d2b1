"""Writes owned by accounts: notifications and their mails."""

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.permissions import require

from .models import MailState, Notification, User

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
