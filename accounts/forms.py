from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .mail import absolute_url, mail_language


def password_login_refused(user) -> bool:
    """Staff password log-in switched off (PASSWORD_LOGIN_FOR_STAFF false): ministry staff and
    administrators log in through single sign-on, except a break-glass administrator."""
    return not settings.PASSWORD_LOGIN_FOR_STAFF and user.is_staff_member and not user.is_break_glass


STAFF_USE_SSO = _("Ministry staff and administrators log in with their organisation's account: use the "
                  "single sign-on button above. If it is not answering, ask your administrator.")


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username or password is not correct. Both are case-sensitive."),
        "staff_use_sso": STAFF_USE_SSO,
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if password_login_refused(user):
            raise ValidationError(self.error_messages["staff_use_sso"], code="staff_use_sso")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class PasswordResetForm(DjangoPasswordResetForm):
    """The reset mail in the user's language, HTML and text, its link on PORTAL_BASE_URL
    (never the Host header of the request that asked for it)."""

    def save(self, **kwargs):
        base = urlsplit(settings.PORTAL_BASE_URL)
        kwargs.update(domain_override=base.netloc, use_https=base.scheme == "https")
        return super().save(**kwargs)

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        user = context["user"]
        context = {
            **context,
            "portal_url": absolute_url("/"),
            "reset_url": absolute_url(reverse("password_reset_confirm",
                                              kwargs={"uidb64": context["uid"], "token": context["token"]})),
        }
        language = mail_language(user)
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, {**context, "language": language},
                              from_email, to_email, html_email_template_name=html_email_template_name)


class SecondFactorCodeForm(forms.Form):
    """A code of the authenticator app (six digits) or a recovery code (xxxxx-xxxxx)."""

    code = forms.CharField(
        label=_("Code"), max_length=32, strip=True,
        error_messages={"required": _("Type the code your authenticator app shows.")},
    )

    def __init__(self, *args, recovery: bool = False, focus: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        attrs = {"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off",
                 "class": "form-control-lg"}
        if focus:
            attrs["autofocus"] = True
        if recovery:
            self.fields["code"].label = _("Recovery code")
            self.fields["code"].help_text = _("One of the ten codes you kept when you enrolled; each works once.")
        else:
            attrs.update({"inputmode": "numeric", "pattern": r"[0-9 ]*", "maxlength": "7"})
            self.fields["code"].label = _("Six-digit code")
        self.fields["code"].widget.attrs.update(attrs)

    def clean_code(self):
        from .twofactor import normalise_code

        code = normalise_code(self.cleaned_data["code"])
        if not code.isascii() or not code.isalnum():
            raise forms.ValidationError(_("A code has only digits (from the app) or letters and digits "
                                          "(a recovery code)."))
        return code
