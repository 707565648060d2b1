"""Page pagination with stable ordering: every list endpoint orders by a unique key last."""

from typing import Any

from django.core.cache import caches
from django.db.models import QuerySet
from django.utils.translation import get_language
from ninja import Field, Schema
from ninja.pagination import PaginationBase

from audit.version import data_version

PAGE_CACHE_SECONDS = 300


class Page(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000, description="Page number, from 1.")
        page_size: int = Field(50, ge=1, le=200, description="Items per page (at most 200).")

    class Output(Schema):
        count: int
        page: int
        page_size: int
        items: list[Any]

    items_attribute = "items"

    def paginate_queryset(self, queryset: QuerySet, pagination: Input, request, **params) -> Any:
        size = pagination.page_size  # 1…200: the Input schema refuses anything else (422)
        offset = (pagination.page - 1) * size

        def read() -> dict:
            count = queryset.count() if isinstance(queryset, (QuerySet, Mapped)) else len(queryset)
            return {"items": list(queryset[offset : offset + size]), "count": count}

        key = getattr(queryset, "cache_key", None)
        if key is None:
            found = read()
        else:  # the page once per data version and language (Mapped.cache_key names everything else)
            key = f"{key}:{offset}:{size}:{get_language()}:{data_version()}"
            cache = caches["figures"]
            found = cache.get(key)
            if found is None:
                found = read()
                cache.set(key, found, PAGE_CACHE_SECONDS)
        return {**found, "page": pagination.page, "page_size": size}


class Mapped:
    """A queryset shaped after slicing: the page is cut in SQL, then each row becomes the endpoint's
    dict (`shape`, row by row) or the whole page is shaped at once (`page`, for a page that reads
    related rows in one more query). `cache_key`: what the page depends on besides its number, size,
    the language and the data version (the reader and the filters); with it, each page is read once
    per data version (audit.version: every change writes an audit event)."""

    def __init__(self, qs: QuerySet, shape=None, *, page=None, cache_key: str | None = None):
        self.qs, self.shape, self.page, self.cache_key = qs, shape, page, cache_key

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, item):
        rows = list(self.qs[item])
        return self.page(rows) if self.page is not None else [self.shape(row) for row in rows]
