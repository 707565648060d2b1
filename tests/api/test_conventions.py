"""What every answer of the API follows: the rate limit per token, ETags, the language of labels,
caching headers, the schema's statement of them, and the documentation page served from here."""

import re

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import translation

from api.auth import count_request
from api.errors import RateLimited
from api.models import ApiToken
from programmes.models import CallStatus
from tests.api.tokens import bearer, token_for
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db

CALLS = "/api/v1/calls/"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def open_call(db):
    return CallFactory(status=CallStatus.OPEN, title="공모")


# --- rate limit --------------------------------------------------------------------------------------


@override_settings(API_RATE_LIMIT_PER_MINUTE=3)
def test_over_the_limit_a_token_gets_429_with_retry_after(client, official, open_call):
    secret = token_for(official)
    statuses = [client.get(CALLS, **bearer(secret)).status_code for _ in range(3)]
    refused = client.get(CALLS, **bearer(secret))
    assert statuses == [200, 200, 200] and refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["status"] == 429


@override_settings(API_RATE_LIMIT_PER_MINUTE=2)
def test_the_limit_is_per_token_and_opens_again_the_next_minute(client, official, open_call):
    first, second = token_for(official, name="a"), token_for(official, name="b")
    for _ in range(2):
        client.get(CALLS, **bearer(first))
    assert client.get(CALLS, **bearer(first)).status_code == 429
    assert client.get(CALLS, **bearer(second)).status_code == 200
    token = ApiToken.objects.get(name="a")
    minute = 60 * 1_000_000
    count_request(token, now=minute + 1)
    count_request(token, now=minute + 2)
    with pytest.raises(RateLimited) as refused:
        count_request(token, now=minute + 45.5)
    assert refused.value.retry_after == 15
    count_request(token, now=minute + 60)  # the next window


# --- ETag, Vary, Cache-Control, language -----------------------------------------------------------


def test_a_200_carries_an_etag_and_the_same_etag_back_is_304_without_a_body(client, official, open_call):
    secret = token_for(official)
    first = client.get(CALLS, **bearer(secret))
    etag = first["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert first["Cache-Control"] == "private, no-cache"
    assert {"Accept-Language", "Authorization"} <= {v.strip() for v in first["Vary"].split(",")}
    again = client.get(CALLS, HTTP_IF_NONE_MATCH=etag, **bearer(secret))
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    open_call.title = "바뀐 공모"
    open_call.save()
    changed = client.get(CALLS, HTTP_IF_NONE_MATCH=etag, **bearer(secret))
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_refusals_are_not_stored_by_any_cache(client):
    response = client.get(CALLS)
    assert response.status_code == 401 and response["Cache-Control"] == "no-store" and not response.has_header("ETag")


def test_labels_are_korean_by_default_and_english_on_request(client, settings, official, open_call):
    secret = token_for(official)
    with translation.override("ko"):
        korean = str(CallStatus.OPEN.label)
    with translation.override("en"):
        english = str(CallStatus.OPEN.label)
    assert korean != english
    plain = client.get(CALLS, **bearer(secret))
    assert plain.json()["items"][0]["status"]["label"] == korean and plain["Content-Language"] == "ko"
    asked = client.get(CALLS, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9", **bearer(secret))
    assert asked.json()["items"][0]["status"]["label"] == english and asked["Content-Language"] == "en"
    unknown = client.get(CALLS, HTTP_ACCEPT_LANGUAGE="fr", **bearer(secret))
    assert unknown["Content-Language"] == "ko"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the switcher's choice, when the header names none
    assert client.get(CALLS, **bearer(secret))["Content-Language"] == "en"
    assert client.get(CALLS, HTTP_ACCEPT_LANGUAGE="ko", **bearer(secret))["Content-Language"] == "ko"
    assert client.get(CALLS, HTTP_ACCEPT_LANGUAGE="en", **bearer("mpt_x")).json()["title"] == "Authentication required"


def test_the_pages_still_ignore_the_browser_s_language(client):
    assert client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "ko"


# --- the schema and the documentation page --------------------------------------------------------------


def test_the_schema_states_authentication_scopes_and_429_on_every_operation(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert schema["components"]["securitySchemes"] == {"TokenAuth": {"type": "http", "scheme": "bearer"}}
    assert "read:proposals" in schema["info"]["description"] and "Bearer" in schema["info"]["description"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "429" in operation["responses"], (method, path)


def test_the_documentation_page_loads_nothing_from_elsewhere(client):
    page = client.get("/api/v1/docs")
    html = page.content.decode()
    assert page.status_code == 200 and "swagger-ui-bundle.js" in html
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html)
    assert '"validatorUrl": null' in html
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "http" not in policy


def test_every_page_s_footer_links_the_api_page_which_explains_tokens(client, settings):
    login = client.get("/accounts/login/").content.decode()
    assert 'id="footer-api" href="/api/"' in login or 'href="/api/" id="footer-api"' in login
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    about = client.get("/api/")
    assert about.status_code == 200 and b"Authorization: Bearer" in about.content and b"read:calls" in about.content
