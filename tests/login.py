"""Tests log in as people do: through the log-in form (the password check, the throttling,
the session the form creates), never by writing a session for someone."""

import re

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.factories import PASSWORD


def log_in(client, user, password: str = PASSWORD):
    """Log `user` in on `client` through the log-in form and return the client.

    A user made outside the factories gets the factories' password first. A client that
    is logged in already drops that session first (the form sends a logged-in visitor away);
    its other cookies (the language chosen) stay."""
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    if SESSION_KEY in client.session:
        client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
    # As a browser does: the form first (its CSRF cookie and token), then the post.
    form = client.get(reverse("login"))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.content).group(1).decode()
    response = client.post(reverse("login"), {"username": user.get_username(), "password": password,
                                              "csrfmiddlewaretoken": token})
    assert response.status_code == 302, f"log-in of {user.get_username()} refused (HTTP {response.status_code})"
    assert client.session.get(SESSION_KEY) == str(user.pk), f"log-in of {user.get_username()} made no session"
    return client
