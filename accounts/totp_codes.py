"""The codes an authenticator app shows (RFC 6238 TOTP, django-otp's defaults: 30 s, 6 digits).

One small module for everything that must type a code: the tests' log-in helper, the
benchmark, the production check and `make totp` on demo installs. It needs no Django
set-up (django_otp.oath is plain Python), so a script talking HTTP can import it.
"""

import time
from binascii import unhexlify

from django_otp.oath import hotp

STEP = 30
DIGITS = 6


def code_at_window(key_hex: str, t: int, *, digits: int = DIGITS) -> str:
    """The code of time window `t` (Unix time // step) for a device key given in hex."""
    return f"{hotp(unhexlify(key_hex.encode()), t, digits):0{digits}d}"


def current_code(key_hex: str, at: float | None = None, *, step: int = STEP, digits: int = DIGITS) -> str:
    """The code an authenticator app with this key shows at `at` (now by default)."""
    t = int((time.time() if at is None else at) // step)
    return code_at_window(key_hex, t, digits=digits)


def usable_code(device, at: float | None = None) -> str | None:
    """A code `device` (a TOTPDevice) accepts now: the current window's, or if that one was
    used already (device.last_t), the next window's while it is within the device's
    tolerance. None if every window it accepts has been used (wait for the next window)."""
    now = int(((time.time() if at is None else at) - device.t0) // device.step) + device.drift
    for t in range(now, now + device.tolerance + 1):
        if t > device.last_t:
            return code_at_window(device.key, t, digits=device.digits)
    return None
