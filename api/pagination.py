"""Page pagination with stable ordering: every list endpoint orders by a unique key last."""

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PaginationBase


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
        count = queryset.count() if isinstance(queryset, (QuerySet, Mapped)) else len(queryset)
        return {"items": list(queryset[offset : offset + size]), "count": count, "page": pagination.page, "page_size": size}


class Mapped:
    """A queryset shaped after slicing: the page is cut in SQL, then each row becomes the endpoint's
    dict (`shape`, row by row) or the whole page is shaped at once (`page`, for a page that reads
    related rows in one more query)."""

    def __init__(self, qs: QuerySet, shape=None, *, page=None):
        self.qs, self.shape, self.page = qs, shape, page

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, item):
        rows = list(self.qs[item])
        return self.page(rows) if self.page is not None else [self.shape(row) for row in rows]
