"""The daily to-do digest (accounts.tasks.send_daily_digests): one mail a Seoul day to each person
with to-dos, in their language, with links; none for those who turned it off on the profile page."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tasks import send_daily_digests
from core import todos
from core.todos import Todo
from tests.login import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_todo(monkeypatch):
    monkeypatch.setattr(todos, "_providers", [])
    todos.register(lambda user: [Todo("test.thing", "Sign off the plan", "/proposals/1/",
                                      due=todos.end_of_day(todos.seoul_today()), label="뉴로모픽 반도체")]
                   if user.username == "official-gwangju" else [])


def test_one_digest_a_day_listing_the_todos_with_links_and_the_opt_out(official, expert, one_todo):
    assert send_daily_digests() == 1  # the expert has nothing to do: no mail
    [message] = mail.outbox
    assert message.to == [official.email]
    body = message.body
    assert "Sign off the plan" in body or "뉴로모픽 반도체" in body
    assert "D-day" in body and "/proposals/1/" in body
    assert reverse("profile") + "#digest" in body  # the way to turn it off
    assert message.alternatives and "/proposals/1/" in message.alternatives[0][0]
    assert send_daily_digests() == 0  # not twice the same day
    assert len(mail.outbox) == 1


def test_the_digest_is_in_the_persons_language(official, one_todo):
    official.language = "en"
    official.save(update_fields=["language"])
    send_daily_digests()
    assert "Hello" in mail.outbox[0].body


def test_turning_the_digest_off_on_the_profile_page_stops_it(client, official, one_todo):
    log_in(client, official)
    response = client.post(reverse("daily_digest"), {})
    assert response.status_code == 302
    official.refresh_from_db()
    assert official.daily_digest is False
    assert send_daily_digests() == 0 and mail.outbox == []
    client.post(reverse("daily_digest"), {"daily_digest": "on"})
    official.refresh_from_db()
    assert official.daily_digest is True
    assert 'id="daily-digest"' in client.get(reverse("profile")).content.decode()
