"""Password reset is throttled: by default 3 requests an hour for one address and 20 from one
client address. Over the limit nothing is sent and the visitor sees what everyone sees after
asking (the same redirect to the same "sent" page), so the limit reveals no account."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import OfficialFactory

pytestmark = pytest.mark.django_db


def ask(client, address, **extra):
    return client.post(reverse("password_reset"), {"email": address}, follow=True, **extra)


def looks_sent(response) -> bool:
    return (response.redirect_chain == [(reverse("password_reset_done"), 302)]
            and response.status_code == 200
            and response.templates[0].name == "registration/password_reset_done.html")


def test_the_defaults_are_three_an_hour_per_address_and_twenty_per_client(settings):
    assert (settings.PASSWORD_RESET_PER_ADDRESS_HOUR, settings.PASSWORD_RESET_PER_IP_HOUR) == (3, 20)


def test_a_fourth_reset_for_one_address_within_the_hour_sends_nothing_and_shows_the_same_page(client, official):
    answers = [ask(client, official.email) for _ in range(3)]
    assert all(looks_sent(a) for a in answers)
    assert [m.to for m in mail.outbox] == [[official.email]] * 3

    fourth = ask(client, official.email)
    assert looks_sent(fourth)
    assert len(mail.outbox) == 3


def test_the_address_counts_whatever_its_letter_case_and_from_any_client(client, official):
    for n, address in enumerate([official.email, official.email.upper(), f"  {official.email.title()} "]):
        ask(client, address, REMOTE_ADDR=f"10.0.0.{n + 1}")
    assert len(mail.outbox) == 3
    assert looks_sent(ask(client, official.email, REMOTE_ADDR="10.0.0.9"))
    assert len(mail.outbox) == 3


def test_another_address_is_not_held_back_by_a_flooded_one(client, official, partner_official):
    for _ in range(5):
        ask(client, official.email)
    ask(client, partner_official.email)
    assert [m.to for m in mail.outbox] == [[official.email]] * 3 + [[partner_official.email]]


def test_the_twenty_first_reset_from_one_client_sends_nothing_and_shows_the_same_page(client, official):
    for n in range(20):
        assert looks_sent(ask(client, f"nobody{n}@example.kr"))
    assert mail.outbox == []

    assert looks_sent(ask(client, official.email))
    assert mail.outbox == []
    # Another client may still ask for the same address.
    assert looks_sent(ask(client, official.email, REMOTE_ADDR="10.1.2.3"))
    assert [m.to for m in mail.outbox] == [[official.email]]


def test_behind_our_proxy_each_client_is_counted_by_the_address_the_proxy_saw(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    flooding = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    for n in range(20):
        ask(client, f"nobody{n}@example.kr", **flooding)
    user = OfficialFactory()

    assert looks_sent(ask(client, user.email, **flooding))
    assert mail.outbox == []
    # Another client behind the same proxy, and a client that forges the header, are each counted apart.
    ask(client, user.email, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert [m.to for m in mail.outbox] == [[user.email]]
    forged = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.6, 203.0.113.5"}
    ask(client, OfficialFactory().email, **forged)
    assert len(mail.outbox) == 1  # counted as 203.0.113.5, the entry our proxy wrote


def test_the_limits_are_settings(client, official, settings):
    settings.PASSWORD_RESET_PER_ADDRESS_HOUR = 1
    ask(client, official.email)
    ask(client, official.email)
    assert len(mail.outbox) == 1


def test_a_malformed_address_is_shown_its_error_and_not_counted(client, official, settings):
    settings.PASSWORD_RESET_PER_IP_HOUR = 1
    response = client.post(reverse("password_reset"), {"email": "not-an-address"})
    assert (response.status_code, list(response.context["form"].errors)) == (200, ["email"])
    ask(client, official.email)
    assert len(mail.outbox) == 1
