from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .mail import absolute_url, mail_language


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username or password is not correct. Both are case-sensitive."),
    }

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
