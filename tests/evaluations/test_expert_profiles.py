"""Experts: their profile, their dashboard and the demo pool."""

import pytest

from programmes.models import CallStatus
from tests.factories import CallFactory, ExpertFactory, industry
from tests.login import log_in

pytestmark = pytest.mark.django_db


def test_an_expert_profile_reads_as_name_and_affiliation(expert):
    assert str(expert.expert_profile) == "김민준 교수 (한국과학기술원)"


def test_the_expert_dashboard_shows_the_profile_and_fields(client, expert):
    log_in(client, expert)
    response = client.get("/")
    assert response.context["profile"] == expert.expert_profile
    assert response.context["industries"] == [industry("secondary-batteries")]


def test_the_expert_dashboard_lists_published_calls_still_running(client, expert):
    running = CallFactory(status=CallStatus.OPEN, title="진행 중")
    CallFactory(status=CallStatus.DRAFT, title="초안")
    CallFactory(status=CallStatus.ANNOUNCED, title="발표됨")
    log_in(client, expert)
    assert client.get("/").context["published_calls"] == [running]


def test_an_expert_without_a_profile_still_gets_a_dashboard(client):
    expert = ExpertFactory(profile=None)
    log_in(client, expert)
    response = client.get("/")
    assert (response.status_code, response.context["profile"], response.context["industries"]) == (200, None, [])
