"""Notification mails, sent by a worker after the action that caused them has committed.

The notification row is the user's record whatever happens to its mail: the task
keeps the mail's state on the row (pending → sent, no address, or failed after the
last attempt) with the number of attempts and the last error. While the SMTP server
is down the task retries with exponential backoff (MAIL_RETRY_BACKOFF_SECONDS, doubled
each time, at most MAIL_RETRY_MAX_DELAY), MAIL_MAX_RETRIES times; staff see the
failed ones (accounts.selectors.failed_mail_count, the admin's list with its retry
action). acks_late: a worker lost mid-batch leaves the task to another worker, which
sends only what is still pending.
"""

import contextlib
import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.db.models import F
from django.utils import timezone

from .mail import notification_mail
from .models import MailState, Notification

logger = logging.getLogger(__name__)

# The longest wait between two attempts: well under the broker's visibility timeout,
# so a waiting retry is never handed to a second worker.
MAIL_RETRY_MAX_DELAY = 30 * 60


def retry_delay(retries: int) -> int:
    """Seconds before attempt `retries` + 2: the base, doubled after each failed attempt."""
    return min(settings.MAIL_RETRY_BACKOFF_SECONDS * 2**retries, MAIL_RETRY_MAX_DELAY)


def _error(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"[:500]


def _deliver(ids: list[int]) -> tuple[int, dict[int, str]]:
    """One attempt at the pending mails of `ids`: how many went out, and the error of each that did not."""
    rows = list(Notification.objects.select_related("user")
                .filter(pk__in=ids, mail_state=MailState.PENDING).order_by("pk"))
    sent, failed = 0, {}
    connection = get_connection()
    try:
        for n in rows:
            if not n.user.email:
                Notification.objects.filter(pk=n.pk).update(mail_state=MailState.NO_ADDRESS)
                continue
            try:
                notification_mail(n, connection=connection).send()
            except Exception as exc:  # the server down, refusing, timing out: tried again
                failed[n.pk] = _error(exc)
                continue
            Notification.objects.filter(pk=n.pk).update(
                mail_state=MailState.SENT, emailed_at=timezone.now(), mail_error="",
                mail_attempts=F("mail_attempts") + 1)
            sent += 1
    finally:
        with contextlib.suppress(OSError):  # closing a connection the server already dropped
            connection.close()
    return sent, failed


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def send_notification_emails(self, *, notification_ids: list[int]) -> int:
    """Mail each pending notification of `notification_ids`; returns how many were sent.

    Idempotent: a notification already sent (or without an address) is not mailed again.
    On a worker, the mails that failed are retried by a new run after the backoff; in
    process (no broker, no worker to wait on) they are tried again at once, so the
    action that caused them never fails for its mail."""
    ids, sent, attempt = notification_ids, 0, self.request.retries
    while True:
        done, failed = _deliver(ids)
        sent += done
        if not failed:
            return sent
        final = attempt >= settings.MAIL_MAX_RETRIES
        for pk, error in failed.items():
            Notification.objects.filter(pk=pk).update(
                mail_state=MailState.FAILED if final else MailState.PENDING, mail_error=error,
                mail_attempts=F("mail_attempts") + 1)
        ids, error = sorted(failed), next(iter(failed.values()))
        if final:
            logger.error("notification mails failed after %s attempts: notifications %s (%s)", attempt + 1, ids, error)
            return sent
        if not self.request.is_eager:
            countdown = retry_delay(attempt)
            logger.warning("notification mails not sent (attempt %s), retrying in %s s: notifications %s (%s)",
                           attempt + 1, countdown, ids, error)
            raise self.retry(kwargs={"notification_ids": ids}, countdown=countdown)
        logger.warning("notification mails not sent (attempt %s), retrying at once (tasks run in-process): "
                       "notifications %s (%s)", attempt + 1, ids, error)
        attempt += 1


def stuck_after() -> timedelta:
    """How long a mail may stay pending while its task still has retries to come: every wait
    of MAIL_MAX_RETRIES retries, and an hour for a queue that is behind."""
    return timedelta(seconds=sum(retry_delay(n) for n in range(settings.MAIL_MAX_RETRIES)) + 3600)


@shared_task
def resend_stuck_mails() -> int:
    """Hourly (beat): queue again the mails still pending long after their notification was made,
    those whose task never reached the broker or was lost. Returns how many."""
    ids = list(Notification.objects.filter(mail_state=MailState.PENDING, created_at__lt=timezone.now() - stuck_after())
               .order_by("pk").values_list("pk", flat=True)[:5000])
    for start in range(0, len(ids), 100):
        send_notification_emails.delay(notification_ids=ids[start:start + 100])
    if ids:
        logger.warning("queued %s notification mails again that were still pending", len(ids))
    return len(ids)


@shared_task
def purge_ended_sessions() -> dict:
    """Every night (megaproject/settings.py CELERY_BEAT_SCHEDULE): close the rows of sessions left to time
    out, delete those ended more than SESSION_HISTORY_DAYS ago and the session store's expired sessions."""
    from .services import sessions_purge

    counts = sessions_purge()
    logger.info("log-in sessions: %(closed)s closed, %(deleted)s old rows deleted", counts)
    return counts


@shared_task
def end_expired_access() -> int:
    """Daily (beat, 00:05 KST): deactivate the accounts whose access end date has passed (log-in is
    refused from the day after that date anyway, accounts.backends). Returns how many."""
    from .people import end_expired_access as deactivate_expired

    return deactivate_expired()


# --- The daily to-do digest -------------------------------------------------------------------


def _dday(days: int | None) -> str:
    from django.utils.translation import gettext

    if days is None:
        return ""
    if days < 0:
        return gettext("D+%(n)s (overdue)") % {"n": -days}
    return "D-day" if days == 0 else f"D-{days}"


def digest_mail(user, todos, *, connection=None):
    """The digest of `todos` for `user`, in the user's language (the titles are lazy: rendered there)."""
    from django.urls import reverse

    from core.todos import SEOUL, seoul_today

    from .mail import absolute_url, mail_language, render_mail

    today = seoul_today()
    rows = [{"title": t.title, "label": t.label, "link": absolute_url(t.url), "dday": "",
             "due": t.due.astimezone(SEOUL) if t.due else None, "days": t.days_left(today)} for t in todos]
    language = mail_language(user)
    from django.utils import translation

    with translation.override(language):
        for row in rows:
            row["dday"] = _dday(row["days"])
    context = {"user": user, "rows": rows, "dashboard_link": absolute_url(reverse("dashboard") + "#todos"),
               "settings_link": absolute_url(reverse("profile") + "#digest")}
    return render_mail(name="digest", context=context, to=[user.email], language=language, connection=connection)


@shared_task(acks_late=True)
def send_daily_digests() -> int:
    """Every morning (beat, Asia/Seoul): each active person with an address, the digest turned on and
    at least one to-do gets one mail listing them. Once a Seoul day: the day is claimed on the person's
    row before the mail goes (a second run, or a second worker, sends nothing). Returns how many."""
    from django.utils import translation

    from core.todos import seoul_today, todos_for

    from .mail import mail_language
    from .models import User

    today = seoul_today()
    sent = 0
    people = (User.objects.filter(is_active=True, daily_digest=True, is_service_account=False).exclude(email="")
              .exclude(digest_sent_on=today).order_by("pk"))
    connection = get_connection()
    try:
        for user in people.iterator():
            with translation.override(mail_language(user)):
                todos = todos_for(user)  # the objects' names in the reader's language
            if not todos:
                continue
            if not User.objects.filter(pk=user.pk).exclude(digest_sent_on=today).update(digest_sent_on=today):
                continue  # another run claimed today's digest
            try:
                digest_mail(user, todos, connection=connection).send()
            except Exception:
                logger.exception("daily digest of user %s not sent", user.pk)
                User.objects.filter(pk=user.pk, digest_sent_on=today).update(digest_sent_on=None)
                continue
            sent += 1
    finally:
        with contextlib.suppress(OSError):
            connection.close()
    return sent
