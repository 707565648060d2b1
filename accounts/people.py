"""People administration in the portal: invitations, the consent to the collection and use of
personal data, role and region, activity, access end date, second-factor reset.

Every function checks the permission (accounts.rules), validates, writes in one transaction
and records who did it on the audit trail. Invitation links carry a random token; only its
SHA-256 digest is stored, so a database read gives nobody a working link.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import record
from core.permissions import require

from .mail import absolute_url, mail_language, render_mail
from .models import Invitation, PersonalDataConsent, Role, User
from .services import notify

logger = logging.getLogger(__name__)

# The version of the consent text (accounts/templates/accounts/people/_consent.html). Change it
# whenever the text changes: each recorded consent names the version the person read.
CONSENT_VERSION = "2026-12-v1"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def accept_url(token: str) -> str:
    return absolute_url(reverse("invitation_accept", kwargs={"token": token}))


def invitation_for_token(token: str) -> Invitation | None:
    """The pending (not accepted, revoked or expired) invitation of `token`, or None: an unknown,
    tampered, expired, revoked or used link are all the same "no"."""
    if not token or len(token) > 100 or not token.isascii():
        return None
    invitation = Invitation.objects.select_related("user").filter(token_hash=token_digest(token)).first()
    if invitation is None or invitation.state() != "pending" or invitation.user.is_active:
        return None
    return invitation


def _active_admins_besides(user) -> int:
    return (User.objects.filter(is_active=True).filter(Q(role=Role.ADMIN) | Q(is_superuser=True))
            .exclude(pk=user.pk).count())


def _issue(*, actor, user) -> tuple[Invitation, str]:
    """A new invitation for `user` (inside the caller's transaction); earlier pending ones become void."""
    now = timezone.now()
    user.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(user=user, token_hash=token_digest(token), created_by=actor, created_at=now,
                                           expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS))
    return invitation, token


def _mail_invitation(invitation_id: int, token: str) -> None:
    """Send the invitation's mail (after commit); its outcome is kept on the invitation, which the
    person's page shows: a failed mail is re-sent from there."""
    invitation = Invitation.objects.select_related("user", "created_by").get(pk=invitation_id)
    user = invitation.user
    context = {"user": user, "invited_by": invitation.created_by, "accept_url": accept_url(token),
               "expires_at": invitation.expires_at, "valid_days": settings.INVITATION_VALID_DAYS}
    try:
        render_mail(name="invitation", context=context, to=[user.email], language=mail_language(user)).send()
    except Exception as exc:  # the SMTP server down or refusing: said on the person's page
        logger.exception("invitation mail not sent: invitation %s", invitation_id)
        Invitation.objects.filter(pk=invitation_id).update(mail_error=f"{exc.__class__.__name__}: {exc}"[:500])
        return
    Invitation.objects.filter(pk=invitation_id).update(mailed_at=timezone.now(), mail_error="")


def invitation_create(*, actor, email: str, display_name: str, role: str, region=None, access_until=None,
                      language: str = settings.LANGUAGE_CODE) -> Invitation:
    """Create the person's account (inactive, no usable password, username = e-mail) and mail them
    an invitation link. A regional administrator may invite officials of their own region only."""
    email = (email or "").strip().lower()
    user = User(username=email, email=email, display_name=(display_name or "").strip(), role=role,
                region=region if role == Role.OFFICIAL else None, access_until=access_until, language=language,
                is_active=False)
    require(actor, "accounts.invite_person", user)
    if User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
        raise ValidationError({"email": _("A person with this e-mail address already has an account in the portal.")})
    if access_until is not None and access_until < timezone.localdate():
        raise ValidationError({"access_until": _("The access end date cannot be in the past.")})
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        invitation, token = _issue(actor=actor, user=user)
        record(actor=actor, action=AuditAction.USER_ACCOUNT, obj=user,
               summary=_("Invited %(email)s as %(role)s.") % {"email": email, "role": user.get_role_display()},
               after={"role": user.role, "region": user.region, "access_until": access_until,
                      "expires_at": invitation.expires_at})
        transaction.on_commit(lambda: _mail_invitation(invitation.pk, token))
    return invitation


def invitation_resend(*, actor, user) -> Invitation:
    """A new link for a person who has not accepted yet; the earlier link stops working."""
    require(actor, "accounts.manage_person", user)
    if user.is_service_account:
        raise ValidationError(_("A service account is never invited: it does not log in."))
    if user.is_active or user.invitations.filter(accepted_at__isnull=False).exists():
        raise ValidationError(_("This person has already accepted an invitation."))
    with transaction.atomic():
        invitation, token = _issue(actor=actor, user=user)
        record(actor=actor, action=AuditAction.USER_ACCOUNT, obj=user, summary=_("Invitation sent again."),
               after={"expires_at": invitation.expires_at})
        transaction.on_commit(lambda: _mail_invitation(invitation.pk, token))
    return invitation


def invitation_revoke(*, actor, user) -> int:
    """Void the person's pending links. Returns how many."""
    require(actor, "accounts.manage_person", user)
    with transaction.atomic():
        count = user.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now())
        if not count:
            raise ValidationError(_("This person has no invitation waiting."))
        record(actor=actor, action=AuditAction.USER_ACCOUNT, obj=user, summary=_("Invitation revoked."))
    return count


def _consent(*, user, ip) -> PersonalDataConsent:
    consent = PersonalDataConsent.objects.create(user=user, version=CONSENT_VERSION, ip=ip or None)
    record(actor=user, action=AuditAction.USER_ACCOUNT, obj=user,
           summary=_("Consent to the collection and use of personal data given (version %(version)s).")
           % {"version": CONSENT_VERSION}, after={"consent_version": CONSENT_VERSION, "ip": ip})
    return consent


def _accept(*, token: str, consent: bool, ip, set_password=None) -> User:
    if not consent:
        raise ValidationError({"consent": _("You must consent to the collection and use of personal data to use "
                                            "the portal.")})
    with transaction.atomic():
        invitation = invitation_for_token(token)
        if invitation is not None:  # lock it: two posts of the same link accept it once
            invitation = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
        if invitation is None or invitation.state() != "pending" or invitation.user.is_active:
            raise PermissionDenied("invitation not valid")
        user = invitation.user
        if user.access_ended():
            raise PermissionDenied("access ended")
        if set_password is not None:
            set_password(user)
        user.is_active = True
        user.save()
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        _consent(user=user, ip=ip)
        record(actor=user, action=AuditAction.USER_ACCOUNT, obj=user, summary=_("Invitation accepted."))
    return user


def invitation_accept(*, token: str, password: str, consent: bool, ip=None) -> User:
    """The invited person chooses a password (validated by the views' form with Django's
    validators) and consents: the account becomes active. PermissionDenied for a link that is
    not valid any more."""
    return _accept(token=token, consent=consent, ip=ip, set_password=lambda user: user.set_password(password))


def invitation_accept_sso(*, token: str, consent: bool, ip=None) -> User:
    """The invited person consents and will sign in with their organisation's account: the account
    becomes active without a password (single sign-on matches an active account by e-mail)."""
    return _accept(token=token, consent=consent, ip=ip)


def person_change_role(*, actor, user, role: str, region=None, is_region_admin: bool = False) -> User:
    """Administrators: a person's role, region (officials need one) and regional-administrator flag."""
    require(actor, "accounts.change_role", user)
    before = {"role": user.role, "region": user.region, "is_region_admin": user.is_region_admin}
    was_admin = user.is_portal_admin
    user.role = role
    user.region = region if role == Role.OFFICIAL else None
    user.is_region_admin = bool(is_region_admin) and role == Role.OFFICIAL
    user.full_clean(exclude=["password"])
    if was_admin and user.is_active and not user.is_portal_admin and not _active_admins_besides(user):
        raise ValidationError({"role": _("This is the last active administrator: name another one first.")})
    with transaction.atomic():
        user.save(update_fields=["role", "region", "is_region_admin"])
        record(actor=actor, action=AuditAction.USER_ACCOUNT, obj=user, summary=_("Role or region changed."),
               before=before, after={"role": user.role, "region": user.region,
                                     "is_region_admin": user.is_region_admin})
    return user


def person_set_access_until(*, actor, user, access_until) -> User:
    """The last day the person may log in (a deputy while someone is away), or None for no end."""
    require(actor, "accounts.manage_person", user)
    if access_until is not None and access_until < timezone.localdate():
        raise ValidationError({"access_until": _("The access end date cannot be in the past.")})
    before = user.access_until
    with transaction.atomic():
        user.access_until = access_until
        user.save(update_fields=["access_until"])
        record(actor=actor, action=AuditAction.USER_ACCOUNT, obj=user, summary=_("Access end date changed."),
               before={"access_until": before}, after={"access_until": access_until})
    return user


def person_deactivate(*, actor, user) -> User:
    """The person can no longer log in; any session they have open ends with their next request
    (accounts.backends). Nobody deactivates themselves or the last active administrator."""
    require(actor, "accounts.manage_person", user)
    if not user.is_active:
        raise ValidationError(_("This account is already inactive."))
    if user.is_portal_admin and not _active_admins_besides(user):
        raise ValidationError(_("This is the last active administrator: name another one first."))
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        record(actor=actor, action=AuditAction.USER_ACCOUNT, obj=user, summary=_("Account deactivated."))
    return user


def person_reactivate(*, actor, user) -> User:
    require(actor, "accounts.manage_person", user)
    if user.is_active:
        raise ValidationError(_("This account is already active."))
    if not user.has_usable_password() and not user.invitations.filter(accepted_at__isnull=False).exists():
        raise ValidationError(_("This person has not accepted the invitation yet: send it again instead."))
    if user.access_ended():
        raise ValidationError(_("The access end date has passed: change it first."))
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["is_active"])
        record(actor=actor, action=AuditAction.USER_ACCOUNT, obj=user, summary=_("Account reactivated."))
    return user


def second_factor_enrolled(user) -> bool:
    from django_otp import devices_for_user

    return any(True for _device in devices_for_user(user, confirmed=True))


def reset_second_factor(*, actor, user, reason: str) -> int:
    """Delete every second-factor device of the person (authenticator apps and recovery codes):
    at their next log-in they enrol again. The reason is recorded; the person is told. Returns
    how many devices were removed."""
    from django_otp import devices_for_user

    require(actor, "accounts.manage_person", user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the second factor is reset.")})
    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=None))
        for device in devices:
            device.delete()
        record(actor=actor, action=AuditAction.USER_ACCOUNT, obj=user,
               summary=_("Second factor reset: %(reason)s") % {"reason": reason[:1000]},
               before={"devices": [f"{type(d).__name__}:{d.name}" for d in devices]}, after={"reason": reason[:1000]})
        notify(users=[user], message=_("An administrator reset your second factor. At your next log-in you will "
                                       "set it up again. If you did not ask for this, tell your administrator."))
    return len(devices)


def end_expired_access(*, today=None) -> int:
    """Deactivate the active accounts whose access end date has passed (the daily task). Returns how many."""
    today = today or timezone.localdate()
    ended = 0
    for user in User.objects.filter(is_active=True, access_until__lt=today).order_by("pk"):
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(is_active=False)
            record(actor=None, action=AuditAction.USER_ACCOUNT, obj=user,
                   summary=_("Account deactivated: its access end date (%(date)s) has passed.")
                   % {"date": user.access_until.isoformat()})
        ended += 1
    return ended
