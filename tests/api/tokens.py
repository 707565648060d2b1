"""Personal access tokens for API tests, created through the real service."""

import datetime

from django.utils import timezone

from api.scopes import scopes_for
from api.services import create_token, needs_fresh_second_factor


def fresh_code(user) -> str | None:
    """A code of `user`'s authenticator that create_token accepts now (staff and administrators
    type one). The device's memory of used windows is reset first, so a test can create several
    tokens within one 30-second window; the refusal of a reused code is tested on its own
    (tests/api/test_tokens.py), without this helper."""
    from accounts.twofactor import confirmed_totp_device, usable_code
    from tests.factories import enrol_second_factor

    if not needs_fresh_second_factor(user):
        return None
    device = confirmed_totp_device(user)
    if device is None:
        enrol_second_factor(user)
        device = confirmed_totp_device(user)
    type(device).objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None)
    device.refresh_from_db()
    return usable_code(device)


def token_for(user, scopes=None, days: int = 30, name: str = "test") -> str:
    """The secret of a new token of `user` (every scope the owner may hold unless given)."""
    _, secret = create_token(
        by=user,
        owner=user,
        name=name,
        scopes=scopes or scopes_for(user),
        expires_at=timezone.now() + datetime.timedelta(days=days),
        second_factor_code=fresh_code(user),
    )
    return secret


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
