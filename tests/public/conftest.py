"""Fixtures of the public boards: an asker with a recognisable name, a question, a notice."""

import pytest
from django.test import Client

from public import boards
from tests.factories import OfficialFactory, region
from tests.login import log_in


@pytest.fixture
def asker(db):
    """A Gwangju official whose name, username and address must never reach a public page."""
    return OfficialFactory(username="asker-gwangju-7f3", email="asker-7f3@gwangju.example.kr",
                           display_name="홍길동주무관", region=region("gwangju"))


@pytest.fixture
def question(asker, call):
    return boards.question_ask(actor=asker, call=call, title="지방비 매칭 비율 질의",
                               body="초광역 협력형의 지방비 매칭 기준을 알려 주십시오.")


@pytest.fixture
def anonymous(settings):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    return client


@pytest.fixture
def browser(settings):
    """A logged-in client for a person, in Korean (`browser(person, "en")` for English)."""

    def make(person, language="ko"):
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return log_in(client, person)

    return make
