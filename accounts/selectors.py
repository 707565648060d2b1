"""Reads owned by accounts for other layers (the health page, the admin dashboard)."""

from .models import MailState, Notification


def failed_mails():
    """Notifications whose mail gave up after its last attempt, newest first."""
    return Notification.objects.filter(mail_state=MailState.FAILED).select_related("user")


def failed_mail_count() -> int:
    """How many notification mails failed (shown to staff: health details, admin)."""
    return Notification.objects.filter(mail_state=MailState.FAILED).count()


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
