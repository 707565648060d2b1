"""Shared pieces of the API's schemas: dates in Korea time, labelled codes, money in won."""

import datetime

from django.utils import timezone
from ninja import Path, Query, Schema
from pydantic import BaseModel

from core.choices import label_of

# The largest id a database column holds (bigint; SQLite's INTEGER): a larger one is a 422, never
# an overflow in the database driver.
MAX_ID = 2**63 - 1


def object_id(description: str = "Id of the object."):
    """A path parameter naming an object by id: 1 … MAX_ID (`call_id: int = object_id()`)."""
    return Path(..., ge=1, le=MAX_ID, description=description)


def year_filter():
    """An optional year filter of a list (`year: int | None = year_filter()`)."""
    return Query(None, ge=2000, le=2100, description="Only this year.")


def seoul(value: datetime.datetime | None) -> datetime.datetime | None:
    """An aware datetime in Asia/Seoul (the portal's TIME_ZONE): ISO 8601 with +09:00."""
    return timezone.localtime(value) if value is not None else None


class Labelled(BaseModel):
    """A code with its label in the request's language (Accept-Language: ko or en). Always given as
    a dict (`labelled()`): a plain pydantic model, without the attribute getter of ninja's Schema."""

    code: str
    label: str


def labelled(code: str, choices) -> dict:
    return {"code": code, "label": label_of(choices, code)}


class Named(Schema):
    id: int
    name: str
