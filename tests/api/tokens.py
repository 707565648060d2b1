"""Personal access tokens for API tests, created through the real service."""

import datetime

from django.utils import timezone

from api.scopes import Scope
from api.services import create_token


def token_for(user, scopes=None, days: int = 30, name: str = "test") -> str:
    """The secret of a new token of `user` (all scopes unless given)."""
    _, secret = create_token(
        by=user, owner=user, name=name, scopes=scopes or list(Scope.values), expires_at=timezone.now() + datetime.timedelta(days=days)
    )
    return secret


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
