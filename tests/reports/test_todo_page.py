"""A long to-do list: the dashboard shows the ten most urgent with a link to all of them, the header
reads only the count, and the to-do page lists them all a page at a time."""

import datetime
import re

import pytest
from django.core.cache import caches
from django.urls import reverse

from core import todos
from core.todos import SEOUL, Todo
from reports import todo_list
from tests.login import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(monkeypatch):
    """Only a provider of 63 to-dos, due one a day from 2027-03-01."""
    monkeypatch.setattr(todos, "_providers", [])
    first = datetime.datetime(2027, 3, 1, 18, tzinfo=SEOUL)
    todos.register(lambda user: [
        Todo("test.item", f"할 일 {n:02d}", f"/item/{n}/", due=first + datetime.timedelta(days=n)) for n in range(63)
    ])
    for store in ("default", "figures"):
        caches[store].clear()
    return 63


def test_the_dashboard_shows_the_ten_most_urgent_and_links_to_all(client, official, many):
    log_in(client, official)
    page = client.get(reverse("dashboard"))
    shown = [row["todo"].title for row in page.context["todos"]]
    assert shown == [f"할 일 {n:02d}" for n in range(10)]
    assert page.context["todo_total"] == many
    html = page.content.decode()
    assert re.search(rf'<a href="{reverse("todos")}" id="all-todos">[^<]*63[^<]*</a>', html)
    assert 'id="todo-count"' in html and ">63<" in html  # the header's count is of all of them


def test_the_todo_page_lists_them_all_fifty_a_page(client, official, many):
    log_in(client, official)
    first = client.get(reverse("todos"))
    assert [row["todo"].title for row in first.context["todos"]] == [f"할 일 {n:02d}" for n in range(50)]
    second = client.get(reverse("todos"), {"page": 2})
    assert [row["todo"].title for row in second.context["todos"]] == [f"할 일 {n:02d}" for n in range(50, 63)]
    assert 'id="all-todos"' not in second.content.decode()


def test_the_header_reads_the_count_alone_from_the_cache(client, official, many, monkeypatch):
    log_in(client, official)
    client.get(reverse("dashboard"))  # works the list out once for this data version
    read = []
    real_get = caches["figures"].get
    monkeypatch.setattr(caches["figures"], "get", lambda key, *a, **k: read.append(key) or real_get(key, *a, **k))
    client.get(reverse("notifications"))
    todo_keys = [key for key in read if key.startswith("todos:")]
    assert todo_keys and all(key.endswith(":n") for key in todo_keys)
    assert todo_list.todo_count(official) == many
