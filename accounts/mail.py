"""The portal's mails: in the recipient's language (User.language, Korean by default),
an HTML part and a plain-text part, every link absolute from settings.PORTAL_BASE_URL.

Templates: accounts/templates/accounts/mail/<name>_subject.txt, <name>.txt and
<name>.html (the HTML ones extend accounts/mail/base.html), rendered with the
recipient's language active, so {% translate %} gives Korean or English.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def absolute_url(path: str = "/") -> str:
    """The portal's address of `path` (a path of this site, such as a notification's link)."""
    return settings.PORTAL_BASE_URL + "/" + (path or "").lstrip("/")


def mail_language(user) -> str:
    language = getattr(user, "language", "") or ""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def render_mail(*, name: str, context: dict, to: list[str], language: str, from_email: str | None = None,
                connection=None) -> EmailMultiAlternatives:
    """One mail of template `name` in `language`: subject on one line, text body, HTML alternative."""
    context = {"portal_url": absolute_url("/"), "language": language, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"accounts/mail/{name}_subject.txt", context).split())
        text = render_to_string(f"accounts/mail/{name}.txt", context)
        html = render_to_string(f"accounts/mail/{name}.html", context)
    message = EmailMultiAlternatives(subject, text, from_email, to, connection=connection)
    message.attach_alternative(html, "text/html")
    return message


def notification_mail(notification, *, connection=None) -> EmailMultiAlternatives:
    user = notification.user
    context = {
        "user": user,
        "message": notification.message,
        "link": absolute_url(notification.url) if notification.url else "",
        "notifications_link": absolute_url(reverse("notifications")),
    }
    return render_mail(name="notification", context=context, to=[user.email], language=mail_language(user),
                       connection=connection)
