"""Reads owned by accounts for other layers (the health page, the admin dashboard)."""

from .models import MailState, Notification


def failed_mails():
    """Notifications whose mail gave up after its last attempt, newest first."""
    return Notification.objects.filter(mail_state=MailState.FAILED).select_related("user")


def failed_mail_count() -> int:
    """How many notification mails failed (shown to staff: health details, admin)."""
    return Notification.objects.filter(mail_state=MailState.FAILED).count()
