"""The call pages: who sees which call, filters, pagination, refusals, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.models import CallStatus
from tests.factories import CallFactory
from tests.login import log_in

pytestmark = pytest.mark.django_db

LIST = reverse("programmes:call_list")


def titles(response) -> list[str]:
    return [c.title for c in response.context["page"].object_list]


@pytest.fixture
def calls():
    """One call per status, newest year first in the list."""
    return {
        status: CallFactory(title=f"{status} 공모", status=status, year=2020 + i)
        for i, status in enumerate(CallStatus.values)
    }


def test_an_official_sees_the_published_calls_but_not_the_drafts(client, official, calls):
    log_in(client, official)
    response = client.get(LIST)
    assert response.status_code == 200
    assert titles(response) == ["announced 공모", "review 공모", "closed 공모", "open 공모"]


def test_ministry_staff_see_every_call_including_drafts(client, ministry, calls):
    log_in(client, ministry)
    assert titles(client.get(LIST)) == ["announced 공모", "review 공모", "closed 공모", "open 공모", "draft 공모"]


def test_an_anonymous_visitor_is_sent_to_log_in_from_the_list(client):
    response = client.get(LIST)
    assert (response.status_code, response["Location"]) == (302, f"{reverse('login')}?next={LIST}")


def test_a_draft_is_a_404_for_an_official(client, official, calls):
    log_in(client, official)
    assert client.get(reverse("programmes:call_detail", args=[calls["draft"].pk])).status_code == 404


def test_a_draft_is_visible_to_ministry_staff(client, ministry, calls):
    log_in(client, ministry)
    response = client.get(reverse("programmes:call_detail", args=[calls["draft"].pk]))
    assert (response.status_code, response.context["call"]) == (200, calls["draft"])


def test_a_published_call_shows_its_rubric_to_an_official(client, official, call):
    log_in(client, official)
    response = client.get(reverse("programmes:call_detail", args=[call.pk]))
    assert response.status_code == 200
    assert [c.weight for c in response.context["call"].criteria.all()] == [25, 25, 20, 15, 15]


def test_the_search_matches_title_and_description(client, official):
    CallFactory(title="이차전지 특화 공모", description="")
    CallFactory(title="일반 공모", description="첨단 이차전지 소재")
    CallFactory(title="모빌리티 공모", description="UAM")
    log_in(client, official)
    assert sorted(titles(client.get(LIST, {"q": "이차전지"}))) == ["이차전지 특화 공모", "일반 공모"]
    assert titles(client.get(LIST, {"q": "  uam "})) == ["모빌리티 공모"]


def test_the_status_filter_keeps_only_that_status(client, official, calls):
    log_in(client, official)
    assert titles(client.get(LIST, {"status": "closed"})) == ["closed 공모"]


def test_the_status_filter_cannot_reveal_drafts_to_an_official(client, official, calls):
    log_in(client, official)
    assert titles(client.get(LIST, {"status": "draft"})) == []


def test_an_unknown_status_filter_is_ignored(client, official, calls):
    log_in(client, official)
    assert len(titles(client.get(LIST, {"status": "nonsense"}))) == 4


def test_the_year_filter_keeps_only_that_year(client, official, calls):
    log_in(client, official)
    assert titles(client.get(LIST, {"year": "2021"})) == ["open 공모"]


def test_the_list_is_paginated_by_20(client, official):
    for year in range(2001, 2026):
        CallFactory(year=year, title=f"{year} 공모")
    log_in(client, official)
    first, second = client.get(LIST), client.get(LIST, {"page": 2})
    assert (first.context["page"].paginator.count, first.context["page"].paginator.num_pages) == (25, 2)
    assert titles(first) == [f"{year} 공모" for year in range(2025, 2005, -1)]
    assert titles(second) == [f"{year} 공모" for year in range(2005, 2000, -1)]
    assert titles(client.get(LIST, {"page": 99})) == titles(second)
    assert titles(client.get(LIST, {"page": "x"})) == titles(first)


def test_the_list_needs_the_same_number_of_queries_for_1_call_as_for_15(client, official):
    log_in(client, official)
    CallFactory()
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).status_code == 200
    CallFactory.create_batch(14)
    with CaptureQueriesContext(connection) as fifteen:
        response = client.get(LIST)
    assert len(titles(response)) == 15
    assert len(fifteen) == len(one)


def test_the_ministry_dashboard_needs_the_same_number_of_queries_for_1_call_as_for_10(client, ministry):
    log_in(client, ministry)
    CallFactory()
    with CaptureQueriesContext(connection) as one:
        assert client.get("/").status_code == 200
    CallFactory.create_batch(9)
    with CaptureQueriesContext(connection) as ten:
        client.get("/")
    assert len(ten) == len(one)


# --- Refusals -------------------------------------------------------------------


def test_an_outsider_official_cannot_open_the_new_call_form(client, outsider_official):
    log_in(client, outsider_official)
    assert client.get(reverse("programmes:call_create")).status_code == 403
    assert client.post(reverse("programmes:call_create"), {}).status_code == 403


def test_an_outsider_official_cannot_edit_a_published_call(client, outsider_official, call):
    log_in(client, outsider_official)
    url = reverse("programmes:call_edit", args=[call.pk])
    assert (client.get(url).status_code, client.post(url, {}).status_code) == (403, 403)


def test_an_outsider_official_gets_a_404_for_editing_a_draft(client, outsider_official):
    draft = CallFactory(status=CallStatus.DRAFT)
    log_in(client, outsider_official)
    assert client.get(reverse("programmes:call_edit", args=[draft.pk])).status_code == 404


def test_an_outsider_official_cannot_change_a_call_status(client, outsider_official, call):
    log_in(client, outsider_official)
    response = client.post(reverse("programmes:call_status", args=[call.pk]), {"status": "closed", "confirm": "yes"})
    assert response.status_code == 403
    call.refresh_from_db()
    assert call.status == CallStatus.OPEN


def test_an_official_of_an_eligible_region_cannot_edit_the_call_either(client, official, call):
    log_in(client, official)
    assert client.get(reverse("programmes:call_edit", args=[call.pk])).status_code == 403


def test_an_expert_cannot_open_the_new_call_form(client, expert):
    log_in(client, expert)
    assert client.get(reverse("programmes:call_create")).status_code == 403


# --- Status changes by ministry staff ---------------------------------------------


def test_ministry_staff_close_a_call_after_confirming(client, ministry2, call):
    log_in(client, ministry2)
    response = client.post(reverse("programmes:call_status", args=[call.pk]), {"status": "closed", "confirm": "yes"})
    assert (response.status_code, response["Location"]) == (302, reverse("programmes:call_detail", args=[call.pk]))
    call.refresh_from_db()
    assert (call.status, call.updated_by) == (CallStatus.CLOSED, ministry2)


def test_a_status_change_without_the_confirmation_changes_nothing(client, ministry, call):
    log_in(client, ministry)
    client.post(reverse("programmes:call_status", args=[call.pk]), {"status": "closed"})
    call.refresh_from_db()
    assert call.status == CallStatus.OPEN


def test_an_illegal_status_move_is_refused_with_a_message(client, ministry, call):
    log_in(client, ministry)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("programmes:call_status", args=[call.pk]),
                           {"status": "announced", "confirm": "yes"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["A call cannot move from “Open” to “Results announced”."]
    call.refresh_from_db()
    assert call.status == CallStatus.OPEN


def test_an_unknown_status_is_refused_with_a_message(client, ministry, call):
    log_in(client, ministry)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("programmes:call_status", args=[call.pk]), {"status": "xyz", "confirm": "yes"},
                           follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Unknown status."]


def test_the_status_endpoint_takes_only_post(client, ministry, call):
    log_in(client, ministry)
    assert client.get(reverse("programmes:call_status", args=[call.pk])).status_code == 405


def test_an_anonymous_visitor_is_sent_to_log_in_from_the_new_call_form(client):
    url = reverse("programmes:call_create")
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, f"{reverse('login')}?next={url}")


def test_an_outsider_official_is_refused_a_status_change_even_without_confirming(client, outsider_official, call):
    log_in(client, outsider_official)
    assert client.post(reverse("programmes:call_status", args=[call.pk]), {"status": "closed"}).status_code == 403
