"""The portal's user: one of four roles, officials bound to one region."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    OFFICIAL = "official", _("Regional official")
    EXPERT = "expert", _("Expert")
    MINISTRY = "ministry", _("Ministry staff")
    ADMIN = "admin", _("Administrator")


class UserManager(DjangoUserManager):
    """`createsuperuser` makes the first administrator: role admin, no region (an
    official must have one, and that is the field's default)."""

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        if extra_fields["role"] != Role.OFFICIAL:
            extra_fields.setdefault("region", None)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.OFFICIAL, db_index=True)
    region = models.ForeignKey(
        "programmes.Region", on_delete=models.PROTECT, null=True, blank=True,
        related_name="officials", verbose_name=_("region"),
        help_text=_("The metropolitan government a regional official works for."),
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Unread notifications, kept by accounts.services (notify / mark read) so the
    # header's badge costs no query on every page.
    unread_count = models.PositiveIntegerField(_("unread notifications"), default=0, editable=False)
    # The language of the mail the portal sends this user (notifications, password reset).
    language = models.CharField(_("mail language"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    # A regional official who manages the officials of their own region (accounts.rules:
    # invite, deactivate, access end date, second-factor reset); set by administrators only.
    is_region_admin = models.BooleanField(_("regional administrator"), default=False)
    # The daily digest of to-dos (accounts.tasks.send_daily_digests): each person may turn it off on the
    # profile page; the day it was last sent (Seoul) keeps it to one a day.
    daily_digest = models.BooleanField(_("daily to-do digest by e-mail"), default=True)
    digest_sent_on = models.DateField(_("digest last sent on"), null=True, blank=True, editable=False)
    # The last day this person may log in (a deputy while someone is away). The day after,
    # log-in is refused (accounts.backends) and the daily task deactivates the account.
    access_until = models.DateField(_("access until"), null=True, blank=True,
                                    help_text=_("The last day this person may log in. Leave empty for no end."))

    # Break-glass administrator: may log in with a password when staff password log-in is off
    # (PASSWORD_LOGIN_FOR_STAFF) and the identity provider is down; every such log-in is recorded
    # and mailed to every administrator (accounts.services.break_glass_used).
    is_break_glass = models.BooleanField(
        _("break-glass administrator"), default=False,
        help_text=_("Only for administrators: may log in with a password when single sign-on is down. "
                    "Every log-in is recorded and mailed to all administrators."))
    # Single sign-on: the identity provider's issuer and subject this account was bound to on
    # its first SSO log-in (accounts/sso.py); later log-ins find the account by them alone.
    oidc_issuer = models.CharField(_("SSO issuer"), max_length=255, blank=True, editable=False)
    oidc_subject = models.CharField(_("SSO subject"), max_length=255, null=True, blank=True, editable=False)
    # An account of another system (the ministry's analytics, a region's planning office) that
    # reads the API with tokens an administrator created for it (api/): no password, and never a
    # log-in through the web, by password or single sign-on (accounts.backends.may_log_in).
    is_service_account = models.BooleanField(_("service account"), default=False, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="official") | models.Q(region__isnull=False),
                name="official_has_region",
            ),
            models.CheckConstraint(condition=models.Q(is_break_glass=False) | models.Q(role="admin"),
                                   name="break_glass_is_admin"),
            models.UniqueConstraint(fields=["oidc_issuer", "oidc_subject"], name="unique_oidc_subject",
                                    condition=models.Q(oidc_subject__isnull=False)),
            models.CheckConstraint(
                condition=models.Q(is_region_admin=False) | models.Q(role="official"),
                name="region_admin_is_official",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def clean(self):
        super().clean()
        if self.role == Role.OFFICIAL and not self.region_id:
            raise ValidationError({"region": _("A regional official must belong to a region.")})
        if self.is_break_glass and self.role != Role.ADMIN:
            raise ValidationError({"is_break_glass": _("Only an administrator can be a break-glass account.")})
        if self.is_region_admin and self.role != Role.OFFICIAL:
            raise ValidationError({"is_region_admin": _("Only a regional official can be a regional administrator.")})

    def has_perm(self, perm, obj=None):
        # The portal's own permissions are decided by the rules alone: a Django
        # superuser does not silently pass official-only or expert-only checks.
        import rules

        if rules.perm_exists(perm):
            return self.is_active and rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    @property
    def is_official(self) -> bool:
        return self.role == Role.OFFICIAL

    @property
    def is_expert(self) -> bool:
        return self.role == Role.EXPERT

    @property
    def is_ministry(self) -> bool:
        return self.role == Role.MINISTRY

    @property
    def is_portal_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def is_staff_member(self) -> bool:
        """Ministry staff or an administrator: the people PASSWORD_LOGIN_FOR_STAFF speaks of."""
        return self.role in (Role.MINISTRY, Role.ADMIN) or self.is_superuser
    def _get_session_auth_hash(self, secret=None):
        # A session stays valid only while the person may log in: deactivated, or past their access
        # end date, the hash differs and Django ends the session at the next request, whichever
        # backend made it (password or single sign-on). Unchanged for an active account.
        base = super()._get_session_auth_hash(secret=secret)
        if self.is_active and not self.access_ended() and not self.is_service_account:
            return base
        return "ended-" + base

    def access_ended(self, today=None) -> bool:
        """The person's access end date has passed (Seoul's date): no log-in any more."""
        return self.access_until is not None and self.access_until < (today or timezone.localdate())


class MailState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("mail", "Waiting to be sent")
    SENT = "sent", pgettext_lazy("mail", "Sent")
    FAILED = "failed", pgettext_lazy("mail", "Failed")
    NO_ADDRESS = "no_address", pgettext_lazy("mail", "No e-mail address")


class Notification(models.Model):
    """An in-app message; the same text is e-mailed by a Celery task
    (accounts.tasks.send_notification_emails), which keeps the mail's state here:
    the notification is the user's record whatever happens to the mail."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user"))
    message = models.CharField(_("message"), max_length=500)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    mail_state = models.CharField(_("mail"), max_length=20, choices=MailState.choices, default=MailState.PENDING)
    mail_attempts = models.PositiveSmallIntegerField(_("mail attempts"), default=0)
    mail_error = models.CharField(_("last mail error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["user", "read_at"]),
            # Failed mails are few; staff count and list them (accounts.selectors.failed_mail_count).
            models.Index(fields=["created_at"], condition=models.Q(mail_state="failed"),
                         name="notification_mail_failed"),
        ]

    def __str__(self) -> str:
        return self.message


class SessionEnd(models.TextChoices):
    LOGOUT = "logout", pgettext_lazy("session end", "Logged out")
    IDLE = "idle", pgettext_lazy("session end", "Idle timeout")
    LIFETIME = "lifetime", pgettext_lazy("session end", "Maximum session length reached")
    ENDED = "ended", pgettext_lazy("session end", "Ended from another session")
    EXPIRED = "expired", pgettext_lazy("session end", "Expired (no request since)")


class UserSession(models.Model):
    """One log-in of a person, from the log-in to its end: what "My sessions" lists and where the
    previous log-in is read. `public_id` is random and kept inside the session's data too, so the
    row follows the session when its key changes (Django's log-in, the second factor's
    cycle_key); `session_key` is the key the session store holds now, to delete it from there."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="log_in_sessions", verbose_name=_("user"))
    public_id = models.CharField(_("session id"), max_length=32, unique=True, editable=False)
    session_key = models.CharField(_("session key"), max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(_("logged in at"), default=timezone.now, db_index=True)
    last_seen_at = models.DateTimeField(_("last seen at"), default=timezone.now)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_reason = models.CharField(_("how it ended"), max_length=20, choices=SessionEnd.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("log-in session")
        verbose_name_plural = _("log-in sessions")
        indexes = [models.Index(fields=["user", "-created_at"], name="user_session_latest")]

    def __str__(self) -> str:
        return f"{self.user} · {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class Invitation(models.Model):
    """An e-mailed link that lets an invited person set a password (or bind their organisation's
    sign-in), consent to the collection and use of personal data and activate the account.
    Only the SHA-256 digest of the link's token is stored; a new link makes the old one void."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("user"))
    token_hash = models.CharField(_("token digest"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("invited by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    mailed_at = models.DateTimeField(_("mailed at"), null=True, blank=True)
    mail_error = models.CharField(_("last mail error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

    def state(self, now=None) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= (now or timezone.now()):
            return "expired"
        return "pending"

    def get_state_display(self) -> str:
        return str(INVITATION_STATES[self.state()])


INVITATION_STATES = {
    "pending": pgettext_lazy("invitation", "Waiting for the person"),
    "accepted": pgettext_lazy("invitation", "Accepted"),
    "revoked": pgettext_lazy("invitation", "Revoked"),
    "expired": pgettext_lazy("invitation", "Expired"),
}


class PersonalDataConsent(models.Model):
    """The person's consent to the collection and use of personal data (개인정보 수집·이용 동의),
    of the text version `version` (accounts.people.CONSENT_VERSION), given when accepting an invitation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents", verbose_name=_("user"))
    version = models.CharField(_("version"), max_length=20)
    accepted_at = models.DateTimeField(_("accepted at"), auto_now_add=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-accepted_at", "-id"]
        verbose_name = _("personal data consent")
        verbose_name_plural = _("personal data consents")

    def __str__(self) -> str:
        return f"{self.user} · {self.version}"
