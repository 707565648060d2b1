"""The calls endpoints: the same calls as the call list, problem details for every refusal."""

import pytest

from api.scopes import Scope
from programmes.models import CallStatus
from tests.api.tokens import bearer, token_for
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/calls/"


@pytest.fixture
def calls():
    return {s: CallFactory(title=f"{s} 공모", status=s, year=2020 + i) for i, s in enumerate(CallStatus.values)}


def test_an_official_reads_the_published_calls_not_the_drafts(client, official, calls):
    body = client.get(LIST, **bearer(token_for(official))).json()
    assert [c["title"] for c in body["items"]] == ["announced 공모", "review 공모", "closed 공모", "open 공모"]
    assert body["count"] == 4 and body["page"] == 1


def test_ministry_reads_drafts_too_and_a_draft_is_404_to_an_official(client, ministry, official, calls):
    draft = calls[CallStatus.DRAFT]
    assert client.get(f"{LIST}{draft.pk}", **bearer(token_for(ministry))).status_code == 200
    response = client.get(f"{LIST}{draft.pk}", **bearer(token_for(official)))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_the_detail_carries_rules_rubric_and_the_timeline_in_korea_time(client, official, calls):
    call = calls[CallStatus.OPEN]
    body = client.get(f"{LIST}{call.pk}", **bearer(token_for(official))).json()
    assert body["envelope_won"] == call.envelope_won
    assert body["timeline"]["submission_deadline"].endswith("+09:00")
    assert body["status"] == {"code": "open", "label": body["status"]["label"]}


def test_no_token_an_unknown_token_and_a_token_without_the_scope_are_refused(client, official, calls):
    assert client.get(LIST).status_code == 401
    assert client.get(LIST, **bearer("mpt_nonsense")).status_code == 401
    response = client.get(LIST, **bearer(token_for(official, scopes=[Scope.PROPOSALS])))
    assert response.status_code == 403
    assert Scope.CALLS.value in response.json()["detail"]


def test_a_malformed_page_is_a_problem_not_a_500(client, official, calls):
    response = client.get(LIST + "?page=abc", **bearer(token_for(official)))
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "page" in response.json()["detail"]
