"""The public pages' cache: each page's main part rendered once per language and data version.

The version is two stamps: the newest change of any call (one indexed query, so every web
process sees a status change at once, whatever the cache backend) and a counter in the default
cache that the receivers in public_pages.apps move on when a call's results are announced, a call is
saved or a funding decision changes. Moving either empties every public page at once; an entry
also expires after CACHE_SECONDS. Only the page's own part is cached: the frame around it (the
language form's CSRF token, the header) is rendered per request.
"""

import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils.translation import get_language

from programmes.models import Call

CACHE_SECONDS = 300
COUNTER_KEY = "public:counter"
MISSING = "\x00missing"  # a page that is a 404 now, cached like the others


def counter() -> int:
    value = cache.get(COUNTER_KEY)
    if value is None:
        value = time.time_ns()  # never an earlier value again, even after the cache is cleared
        cache.add(COUNTER_KEY, value, None)
        value = cache.get(COUNTER_KEY, value)
    return value


def forget_public_pages() -> None:
    """Empty every public page (the next request renders each again)."""
    try:
        cache.incr(COUNTER_KEY)
    except ValueError:  # no counter yet (or it was evicted): a new one is a new version
        cache.set(COUNTER_KEY, time.time_ns(), None)


def forget_after_commit(**kwargs) -> None:
    """Signal receiver: empty the pages once the change is committed (and once more now, so a
    page rendered inside the transaction is not kept)."""
    forget_public_pages()
    transaction.on_commit(forget_public_pages)


def version() -> str:
    newest = Call.objects.aggregate(newest=Max("updated_at"))["newest"]
    return f"{newest.timestamp() if newest else 0}-{counter()}"


def cached_part(name: str, *parts, build: Callable[[], str]) -> str:
    """The page part `name` (for `parts`, e.g. the call's id) in the active language: from the
    cache, else built by `build` (which may raise Http404 — remembered as well)."""
    key = ":".join(["public", version(), get_language() or "ko", name, *map(str, parts)])
    html = cache.get(key)
    if html is None:
        try:
            html = build()
        except Http404:
            html = MISSING
        cache.set(key, html, CACHE_SECONDS)
    if html == MISSING:
        raise Http404
    return html
