"""The to-do list of the dashboards and the header's count: core.todos collected once per person,
language and data version (reports.figures.data_version: every recorded change moves it), kept
five minutes, so a page costs one indexed query for it however many to-dos there are."""

from django.core.cache import caches
from django.utils.translation import get_language

from core.todos import SEOUL, Todo, seoul_today, todos_for

from .figures import data_version

CACHE_SECONDS = 300
# The dashboard shows the most urgent ones; the rest are on the to-do page (pages of PAGE_SIZE).
DASHBOARD_ROWS = 10
PAGE_SIZE = 50


def _cached(user, part: str):
    """One part of the person's to-dos for this language and data version: "n" (their number, what
    the header reads on every page), "head" (the DASHBOARD_ROWS most urgent) or "all". A list of
    hundreds costs milliseconds to read back from the cache, so the pages read only the part they show."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {"n": 0, "head": [], "all": []}[part]
    key = f"todos:{user.pk}:{get_language() or 'ko'}:{data_version()}"
    cache = caches["figures"]  # beside the figures: same version, same lifetime
    value = cache.get(f"{key}:{part}")
    if value is None:
        items = todos_for(user)
        # The titles are lazy (each reader's language); the objects' names are this language's.
        parts = {"n": len(items), "head": items[:DASHBOARD_ROWS], "all": items}
        cache.set_many({f"{key}:{name}": data for name, data in parts.items()}, CACHE_SECONDS)
        value = parts[part]
    return value


def cached_todos(user) -> list[Todo]:
    """Every to-do of the person, the most urgent first."""
    return _cached(user, "all")


def todo_count(user) -> int:
    return _cached(user, "n")


def rows_of(todos) -> list[dict]:
    """Each to-do with its deadline in Seoul and its D-day."""
    today = seoul_today()
    rows = []
    for todo in todos:
        days = todo.days_left(today)
        rows.append({"todo": todo, "due": todo.due.astimezone(SEOUL) if todo.due else None, "days": days,
                     "overdue": days is not None and days < 0, "days_over": -days if days is not None else None})
    return rows


def todo_rows(user) -> list[dict]:
    """The dashboard's rows: the DASHBOARD_ROWS most urgent to-dos."""
    return rows_of(_cached(user, "head"))
