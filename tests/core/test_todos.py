"""The to-do registry of the foundation (core.todos): providers registered, items collected and
sorted by deadline (none last), a failing provider left out, D-day counted in Seoul days."""

import datetime
from types import SimpleNamespace

import pytest

from core import todos
from core.todos import SEOUL, Todo


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(todos, "_providers", [])
    return todos


def at(day, hour=12):
    return datetime.datetime(2027, 3, day, hour, tzinfo=SEOUL)


USER = SimpleNamespace(is_authenticated=True, is_active=True, pk=1)


def test_items_of_every_provider_are_collected_by_deadline_with_no_deadline_last(registry):
    registry.register(lambda user: [Todo("a.late", "late", "/a", due=at(20)), Todo("a.none", "none", "/n")])
    registry.register(lambda user: [Todo("b.soon", "soon", "/b", due=at(5))])
    assert [t.kind for t in registry.todos_for(USER)] == ["b.soon", "a.late", "a.none"]


def test_registering_twice_keeps_one_provider(registry):
    def provider(user):
        return [Todo("x", "x", "/x")]

    registry.register(provider)
    registry.register(provider)
    assert len(registry.todos_for(USER)) == 1


def test_a_failing_provider_is_left_out_and_the_others_still_count(registry):
    def broken(user):
        raise RuntimeError("bug")

    registry.register(broken)
    registry.register(lambda user: [Todo("ok", "ok", "/ok")])
    assert [t.kind for t in registry.todos_for(USER)] == ["ok"]


def test_anonymous_and_inactive_people_have_no_todos(registry):
    registry.register(lambda user: [Todo("x", "x", "/x")])
    assert registry.todos_for(SimpleNamespace(is_authenticated=False)) == []
    assert registry.todos_for(SimpleNamespace(is_authenticated=True, is_active=False)) == []


def test_days_left_counts_seoul_days():
    today = datetime.date(2027, 3, 10)
    assert Todo("x", "x", "/", due=at(13)).days_left(today) == 3  # D-3
    assert Todo("x", "x", "/", due=at(10, 23)).days_left(today) == 0  # D-day
    assert Todo("x", "x", "/", due=at(8)).days_left(today) == -2  # D+2
    assert Todo("x", "x", "/", due=at(8)).is_overdue(today)
    # 20:00 UTC on the 9th is 05:00 on the 10th in Seoul: today, not yesterday
    utc = datetime.datetime(2027, 3, 9, 20, tzinfo=datetime.UTC)
    assert Todo("x", "x", "/", due=utc).days_left(today) == 0
    assert Todo("x", "x", "/").days_left(today) is None


def test_end_of_day_is_the_last_minute_of_that_day_in_seoul():
    end = todos.end_of_day(datetime.date(2027, 3, 10))
    assert end.tzinfo is not None and end.astimezone(SEOUL).date() == datetime.date(2027, 3, 10)
    assert todos.end_of_day(None) is None
