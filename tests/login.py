"""Tests log in as people do: through the log-in form (the password check, the throttling,
the session the form creates) and the second step when the person has one (the code of
their authenticator, computed by accounts.twofactor as their phone would), never by writing
a session for someone."""

import re
import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD


def csrf_token(response) -> str:
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.content).group(1).decode()


def second_factor_code(user) -> str:
    """A code the person's authenticator would give now: the current window's, or the next one's
    if the current was used already; failing that, one of their recovery codes."""
    from django_otp.plugins.otp_static.models import StaticToken

    from accounts.twofactor import confirmed_totp_device, usable_code

    device = confirmed_totp_device(user)
    code = usable_code(device) if device is not None else None
    if code is None:
        kept = list(getattr(user, "recovery_codes", []))
        stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
        code = next((c for c in kept if c in stored), None) or next(iter(stored), None)
    assert code is not None, f"{user.get_username()} has no authenticator code or recovery code left"
    return code


def pass_second_step(client, user, location: str, **extra):
    """On the code page `location` (where the password form sent the client), type the code."""
    from accounts.twofactor import confirmed_totp_device

    # django-otp waits after a wrong code (1, 2, 4 … s): so does a test logging in after one.
    device = confirmed_totp_device(user)
    if device is not None:
        allowed, data = device.verify_is_allowed()
        if not allowed:
            time.sleep(max(0.0, (data["locked_until"] - timezone.now()).total_seconds()) + 0.05)
    page = client.get(location, **extra)
    assert page.status_code == 200, f"second step of {user.get_username()}: HTTP {page.status_code}"
    response = client.post(location, {"code": second_factor_code(user), "csrfmiddlewaretoken": csrf_token(page)},
                           **extra)
    assert response.status_code == 302, f"second step of {user.get_username()} refused (HTTP {response.status_code})"
    return response


def log_in(client, user, password: str = PASSWORD, **extra):
    """Log `user` in on `client` through the log-in form (and the second step, when the person
    has an authenticator) and return the client.

    A user made outside the factories gets the factories' password first. A client that
    is logged in already drops that session first (the form sends a logged-in visitor away);
    its other cookies (the language chosen) stay. `extra` goes with every request (a client
    address: REMOTE_ADDR=..., secure=True). A person who must enrol an authenticator
    and has none is left on the enrolment page (logged in, unverified)."""
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    if SESSION_KEY in client.session:
        client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
    # As a browser does: the form first (its CSRF cookie and token), then the post.
    form = client.get(reverse("login"), **extra)
    response = client.post(reverse("login"), {"username": user.get_username(), "password": password,
                                              "csrfmiddlewaretoken": csrf_token(form)}, **extra)
    assert response.status_code == 302, f"log-in of {user.get_username()} refused (HTTP {response.status_code})"
    if response["Location"].startswith(reverse("login_verify")):
        pass_second_step(client, user, response["Location"], **extra)
    assert client.session.get(SESSION_KEY) == str(user.pk), f"log-in of {user.get_username()} made no session"
    return client


def secret_on_page(response) -> str:
    """The key the enrolment page shows (base32, in groups of four), in hex."""
    from base64 import b32decode

    shown = re.search(rb'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', response.content).group(1).decode()
    text = shown.replace(" ", "")
    return b32decode(text + "=" * (-len(text) % 8)).hex()


def enrol_on_page(client, location: str, **extra):
    """On the enrolment page `location`, read the key shown, type the code an app would give,
    and return the response to that (a redirect to the recovery codes shown once)."""
    from accounts.twofactor import current_code

    page = client.get(location, **extra)
    assert page.status_code == 200, f"enrolment page: HTTP {page.status_code}"
    return client.post(location, {"code": current_code(secret_on_page(page)), "csrfmiddlewaretoken": csrf_token(page)},
                       **extra)
