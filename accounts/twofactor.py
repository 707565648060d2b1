"""The second factor: who must have one, the step a log-in still owes, and the codes.

A person logs in with the password first (django.contrib.auth.login), then, if they have a
confirmed authenticator (TOTP device), types its six-digit code or one of their one-time
recovery codes on /accounts/login/verify/; ministry staff and administrators without one are
sent to enrol it first. Experts and officials may enrol if they want to; a call may require
it of its experts (programmes.Call.experts_require_second_factor, registered by evaluations).

The step a session still owes is decided once, at log-in (`second_step_for`), and kept in the
session: the middleware (accounts.middleware) reads it on every request without a query.

`current_code` computes what an authenticator app shows: tests, the bench, the production
check and the demo's `make totp` compute codes with it, and nothing turns the step off.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from .models import Role
from .totp_codes import DIGITS, code_at_window, current_code, usable_code

__all__ = ["code_at_window", "current_code", "usable_code"]

# The name authenticator apps show beside the account (OTP_TOTP_ISSUER says it too).
ISSUER = "지역혁신 메가프로젝트 포털"
RECOVERY_CODE_COUNT = 10
# Recovery codes: ten characters of an alphabet without look-alikes (0/o, 1/l/i), shown as xxxxx-xxxxx.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10

# The session's note of the step the log-in still owes.
SESSION_KEY = "second_factor_step"
VERIFY = "verify"
ENROL = "enrol"
NONE = ""

# --- who must have a second factor -----------------------------------------

_requirements: list[Callable] = []


def register_requirement(requirement: Callable) -> Callable:
    """Add `requirement(user) -> bool` to the reasons a person must have a second factor.
    Layers above accounts register theirs in AppConfig.ready() (evaluations: the experts of a
    call that requires it). Usable as a decorator."""
    if requirement not in _requirements:
        _requirements.append(requirement)
    return requirement


def requires_second_factor(user) -> bool:
    """Ministry staff and administrators always; anyone a registered requirement names."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role in (Role.MINISTRY, Role.ADMIN) or user.is_superuser:
        return True
    return any(requirement(user) for requirement in _requirements)


def confirmed_totp_device(user):
    """The person's confirmed authenticator, or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_second_factor(user) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_step_for(user) -> str:
    """What a log-in of `user` still owes after the password: VERIFY (a code), ENROL (an
    authenticator first) or NONE. One query, two for an expert; kept on the user object for
    the rest of the request (the log-in's receivers ask it more than once)."""
    step = getattr(user, "_second_step", None)
    if step is None:
        step = VERIFY if has_second_factor(user) else ENROL if requires_second_factor(user) else NONE
        user._second_step = step
    return step


def note_second_step(sender, request, user, **kwargs):
    """At every log-in (the portal's form, the admin site's): keep in the session what the
    log-in still owes, for accounts.middleware to read without a query."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = second_step_for(user)


def second_factor_is_optional(user) -> bool:
    return not requires_second_factor(user)


# --- codes (accounts.totp_codes: no Django set-up needed, for scripts) --------


def new_recovery_codes() -> list[str]:
    return ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
            for _ in range(RECOVERY_CODE_COUNT)]


def format_recovery_code(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def normalise_code(typed: str) -> str:
    """What the person typed, without spaces and hyphens, lower case (recovery codes are
    shown as xxxxx-xxxxx; apps show the six digits as 123 456)."""
    return "".join(typed.split()).replace("-", "").lower()


def is_totp_code(code: str) -> bool:
    return len(code) == DIGITS and code.isdigit()


def otpauth_uri(device) -> str:
    """The otpauth:// URI an authenticator app scans (label and issuer: ISSUER)."""
    return device.config_url


def qr_svg(uri: str) -> str:
    """The URI as a QR code, an inline SVG element (no external image, no script)."""
    import segno

    return segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff", omitsize=True)


def base32_secret(device) -> str:
    """The secret as authenticator apps take it typed in: base32, in groups of four."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))
