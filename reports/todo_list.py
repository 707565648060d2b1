"""The to-do list of the dashboards and the header's count: core.todos collected once per person,
language and data version (reports.figures.data_version: every recorded change moves it), kept
five minutes, so a page costs one indexed query for it however many to-dos there are."""

from django.core.cache import caches
from django.utils.translation import get_language

from core.todos import SEOUL, Todo, seoul_today, todos_for

from .figures import data_version

CACHE_SECONDS = 300


def cached_todos(user) -> list[Todo]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    key = f"todos:{user.pk}:{get_language() or 'ko'}:{data_version()}"
    cache = caches["figures"]  # beside the figures: same version, same lifetime
    items = cache.get(key)
    if items is None:
        items = todos_for(user)
        # The titles are lazy (each reader's language); the objects' names are this language's.
        cache.set(key, items, CACHE_SECONDS)
    return items


def todo_rows(user) -> list[dict]:
    """The dashboard's rows: each to-do with its deadline in Seoul and its D-day."""
    today = seoul_today()
    rows = []
    for todo in cached_todos(user):
        days = todo.days_left(today)
        rows.append({"todo": todo, "due": todo.due.astimezone(SEOUL) if todo.due else None, "days": days,
                     "overdue": days is not None and days < 0, "days_over": -days if days is not None else None})
    return rows
