"""Users, groups and notifications in the Django admin.

The whole admin site is the portal rule `accounts.use_admin_site`
(administrators, see accounts/rules.py): the site asks it before any page, and
every ModelAdmin of our apps asks it through `audit.admin.PortalModelAdmin`
instead of Django's per-model permissions. Changes made here land on the audit
trail (role, region, activity, groups and permissions, with before → after).
"""

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.admin import PortalModelAdmin, PortalPermissionsMixin, ReadOnlyAdmin, can_use_admin

from .forms import STAFF_USE_SSO, password_login_refused
from .models import Invitation, Notification, PersonalDataConsent, User, UserSession
from .services import notifications_retry_mail


class AdminLoginForm(AdminAuthenticationForm):
    """The admin site's log-in obeys PASSWORD_LOGIN_FOR_STAFF as the portal's does."""

    def confirm_login_allowed(self, user):
        if password_login_refused(user):
            raise ValidationError(STAFF_USE_SSO, code="staff_use_sso")
        super().confirm_login_allowed(user)


admin.site.has_permission = can_use_admin
admin.site.login_form = AdminLoginForm
admin.site.site_header = _("Mega Project Portal administration")
admin.site.site_title = _("Mega Project Portal")


@admin.register(User)
class UserAdmin(PortalPermissionsMixin, BaseUserAdmin):
    list_display = ("username", "display_name", "role", "region", "email", "is_active", "is_staff", "last_login")
    list_filter = ("role", "region", "is_active", "is_staff", "is_superuser", "is_break_glass", "groups")
    search_fields = ("username", "display_name", "email", "first_name", "last_name")
    list_select_related = ("region",)
    date_hierarchy = "date_joined"
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Portal role"), {"fields": ("role", "region", "display_name", "phone", "language")}),
        (_("Single sign-on and break-glass"), {"fields": ("is_break_glass", "oidc_issuer", "oidc_subject")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Portal role"), {"fields": ("role", "region")}),)
    readonly_fields = ("last_login", "date_joined", "oidc_issuer", "oidc_subject")


if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PortalPermissionsMixin, BaseGroupAdmin):
    pass


@admin.register(Notification)
class NotificationAdmin(PortalModelAdmin):
    """Notifications and their mails: filter by the mail's state to see the failed ones
    (with the last error) and send them again with the retry action."""

    list_display = ("created_at", "user", "message", "read_at", "mail_state", "mail_attempts", "emailed_at")
    list_filter = ("mail_state", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("message", "user__username", "user__display_name")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    raw_id_fields = ("user",)
    readonly_fields = ("mail_state", "mail_attempts", "mail_error", "emailed_at")
    actions = ["retry_mail"]

    @admin.action(description=_("Send the failed mails again"))
    def retry_mail(self, request, queryset):
        count = notifications_retry_mail(actor=request.user, notifications=queryset)
        self.message_user(request, ngettext("%(count)d mail will be sent again.", "%(count)d mails will be sent again.",
                                            count) % {"count": count}, messages.SUCCESS if count else messages.WARNING)


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyAdmin):
    """Log-in sessions, looked at only: a person ends theirs on "My sessions"."""

    list_display = ("created_at", "user", "ip", "last_seen_at", "ended_at", "ended_reason")
    list_filter = ("ended_reason", ("ended_at", admin.EmptyFieldListFilter))
    search_fields = ("user__username", "user__display_name", "ip")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    fields = ("user", "created_at", "last_seen_at", "ip", "user_agent", "ended_at", "ended_reason")
    readonly_fields = fields


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Looked at only: invitations are made, re-sent and revoked on the people pages (accounts.people)."""

    list_display = ("user", "created_by", "created_at", "expires_at", "accepted_at", "revoked_at", "mailed_at")
    search_fields = ("user__username", "user__email", "user__display_name")
    list_select_related = ("user", "created_by")
    date_hierarchy = "created_at"
    exclude = ("token_hash",)


@admin.register(PersonalDataConsent)
class PersonalDataConsentAdmin(ReadOnlyAdmin):
    """The record of each consent to the collection and use of personal data: never edited."""

    list_display = ("user", "version", "accepted_at", "ip")
    list_filter = ("version",)
    search_fields = ("user__username", "user__email", "user__display_name")
    list_select_related = ("user",)
    date_hierarchy = "accepted_at"
