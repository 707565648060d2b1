"""Hostile input to the read API: junk ids in every route's path, junk pages and filters, broken,
foreign, expired and revoked tokens. Every answer is a clear 4xx problem detail
(application/problem+json), never a 500.

The routes come from the URL configuration (every `api:` route with a path parameter), so a new
endpoint is covered without a line here."""

import datetime

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from api.models import ApiToken
from api.services import revoke_token
from programmes.models import CallStatus
from tests.api.tokens import bearer, token_for
from tests.factories import CallFactory
from tests.megaproject.test_access_matrix import url_patterns

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
LIST = "/api/v1/calls/"


@pytest.fixture
def calls(ministry):
    return [CallFactory(status=status, year=2020 + i) for i, status in enumerate(CallStatus.values)]


@pytest.fixture
def api(ministry, calls):
    """A client of ministry staff (who see every call) that never raises the server's exceptions."""
    client = Client(raise_request_exception=False)
    client.defaults.update(bearer(token_for(ministry)))
    return client


def assert_problem(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == response.status_code and body["title"]


# --- Ids in the path of every route ---------------------------------------------------------------

JUNK_IDS = ["abc", "1.5", "1e3", "-1", "0", str(10**30), str(2**63), "²", "１", "0x10", "1;DROP TABLE", "%00", "NaN"]


def api_routes_with_parameters() -> list[tuple[str, list[str]]]:
    return [
        (name, list(entry.pattern.regex.groupindex))
        for name, entry in url_patterns()
        if name.startswith("api:") and entry.pattern.regex.groupindex
    ]


def test_the_api_has_routes_with_ids():
    assert "api:get_call" in dict(api_routes_with_parameters())


@pytest.mark.parametrize("junk", JUNK_IDS)
def test_junk_in_any_id_of_any_api_route_is_a_problem_not_a_500(api, junk):
    answers = {}
    for name, parameters in api_routes_with_parameters():
        try:
            url = reverse(name, kwargs=dict.fromkeys(parameters, junk))
        except NoReverseMatch:  # a converter (e.g. <int:…>) that no such URL can even reach
            continue
        response = api.get(url)
        answers[url] = (response.status_code in (400, 404, 422), response["Content-Type"])
    assert answers and answers == dict.fromkeys(answers, (True, PROBLEM))


def test_an_id_of_no_object_is_a_404_and_an_overflowing_one_a_422(api):
    assert_problem(api.get(f"{LIST}{2**62}"), 404)
    assert_problem(api.get(f"{LIST}{10**30}"), 422)
    assert_problem(api.get(f"{LIST}0"), 422)


# --- Pages and filters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"page": "-1"},
        {"page": "0"},
        {"page": "1e3"},
        {"page": "abc"},
        {"page": str(10**30)},
        {"page": ""},
        {"page_size": str(10**9)},
        {"page_size": "0"},
        {"page_size": "-5"},
        {"page_size": "201"},
        {"status": "bogus"},
        {"status": "<script>"},
        {"year": "99999"},
        {"year": str(10**30)},
        {"year": "2023.5"},
    ],
    ids=lambda q: "&".join(f"{k}={v[:12]}" for k, v in q.items()),
)
def test_a_malformed_page_size_or_filter_is_a_422_problem(api, query):
    response = api.get(LIST, query)
    assert_problem(response, 422)
    assert next(iter(query)) in response.json()["detail"]


def test_the_largest_page_size_is_answered_and_unknown_parameters_are_ignored(api, calls):
    body = api.get(LIST, {"page_size": "200", "colour": "blue", "order": "random"}).json()
    assert body["page_size"] == 200 and body["count"] == len(calls)
    assert api.get(LIST, {"page": "1000000"}).json()["items"] == []


def test_a_filter_by_status_and_year_narrows_the_list(api, calls):
    body = api.get(LIST, {"status": "open", "year": str(calls[1].year)}).json()
    assert [c["id"] for c in body["items"]] == ([calls[1].pk] if calls[1].status == "open" else [])


@pytest.mark.parametrize("query", [{"status": "open\x00"}, {"x\x00": "1"}, {"page": "1\x00"}])
def test_a_nul_character_in_the_query_is_a_400_problem(api, query):
    assert_problem(api.get(LIST, query), 400)


def test_another_method_than_get_is_refused_not_a_500(api):
    assert api.post(LIST, {}).status_code == 405
    assert api.delete(LIST).status_code == 405


# --- Tokens ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        "",
        "Bearer",
        "Bearer ",
        "Bearer    ",
        "Basic bWluaXN0cnk6cGFzc3dvcmQ=",
        "Token mpt_abc",
        "Bearer mpt_" + "a" * 10_000,
        "Bearer mpt_\x00",
        "Bearer ' OR 1=1 --",
        "Bearer mpt_a mpt_b",
    ],
    ids=lambda a: repr(a[:24]),
)
def test_a_missing_or_malformed_authorization_is_a_401_problem_with_a_bearer_challenge(calls, authorization):
    client = Client(raise_request_exception=False)
    response = client.get(LIST, HTTP_AUTHORIZATION=authorization) if authorization else client.get(LIST)
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_a_revoked_and_an_inactive_owner_s_token_are_401(ministry, official, calls):
    expired = token_for(official)
    ApiToken.objects.filter(owner=official).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    revoked = token_for(ministry, name="revoked")
    revoke_token(by=ministry, token=ApiToken.objects.get(owner=ministry, name="revoked"))
    client = Client(raise_request_exception=False)
    assert_problem(client.get(LIST, **bearer(expired)), 401)
    assert_problem(client.get(LIST, **bearer(revoked)), 401)
    working = token_for(ministry, name="working")
    assert client.get(LIST, **bearer(working)).status_code == 200
    type(ministry).objects.filter(pk=ministry.pk).update(is_active=False)
    assert_problem(client.get(LIST, **bearer(working)), 401)


def test_a_refused_token_is_not_counted_as_used(official, calls):
    secret = token_for(official)
    token = ApiToken.objects.get(owner=official)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    Client().get(LIST, **bearer(secret))
    token.refresh_from_db()
    assert token.use_count == 0 and token.last_used_at is None
