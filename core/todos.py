"""The to-do registry: what waits for a person, collected from every app that knows.

The foundation knows no domain: each app registers a provider (a function of the user
returning `Todo` items) in its AppConfig.ready(), computed from the same permissions and
selectors that allow the action; the dashboards, the header's count and the daily digest
read `todos_for(user)`. A provider that fails is logged and left out, never the page.
"""

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

logger = logging.getLogger(__name__)

SEOUL = ZoneInfo("Asia/Seoul")

# Priorities: the order of items with the same deadline (lower first).
URGENT, NORMAL, LOW = 0, 1, 2


@dataclass(frozen=True)
class Todo:
    kind: str  # a stable code: "proposals.sign_off", "evaluations.declare", …
    title: str  # translated text (lazy), already formatted with the object's name
    url: str  # the page where the action is done
    due: datetime.datetime | None = None  # an aware datetime, or None: no deadline
    label: str = ""  # the object it is about (a proposal's title, a call's)
    priority: int = NORMAL

    def days_left(self, today: datetime.date | None = None) -> int | None:
        """Days from today (Seoul) to the deadline's day: 3 is D-3, 0 is D-day, -2 is D+2 (overdue)."""
        if self.due is None:
            return None
        today = today or seoul_today()
        return (self.due.astimezone(SEOUL).date() - today).days

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        left = self.days_left(today)
        return left is not None and left < 0


Provider = Callable[..., Iterable[Todo]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add `provider(user)` to the registry (idempotent; usable as a decorator)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def providers() -> list[Provider]:
    return list(_providers)


def seoul_today() -> datetime.date:
    return timezone.now().astimezone(SEOUL).date()


def end_of_day(day: datetime.date | None) -> datetime.datetime | None:
    """A deadline given as a date: the end of that day in Seoul."""
    if day is None:
        return None
    return datetime.datetime.combine(day, datetime.time(23, 59), tzinfo=SEOUL)


def sort_key(todo: Todo):
    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    return (todo.due is None, todo.due or far, todo.priority, str(todo.label), str(todo.title))


def todos_for(user) -> list[Todo]:
    """Every registered provider's to-dos for `user`, by deadline (none last), then priority."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return []
    items: list[Todo] = []
    for provider in _providers:
        try:
            items.extend(provider(user))
        except Exception:  # one app's bug never takes the dashboard or the digest down
            logger.exception("to-do provider %s failed", getattr(provider, "__qualname__", provider))
    return sorted(items, key=sort_key)
