"""Shared pieces of the API's schemas: dates in Korea time, labelled codes, money in won."""

import datetime

from django.utils import timezone
from ninja import Schema


def seoul(value: datetime.datetime | None) -> datetime.datetime | None:
    """An aware datetime in Asia/Seoul (the portal's TIME_ZONE): ISO 8601 with +09:00."""
    return timezone.localtime(value) if value is not None else None


class Labelled(Schema):
    """A code with its label in the request's language (Accept-Language: ko or en)."""

    code: str
    label: str


def labelled(code: str, choices) -> dict:
    return {"code": code, "label": str(dict(choices.choices).get(code, code))}


class Named(Schema):
    id: int
    name: str
