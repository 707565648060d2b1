"""Every response carries the strict CSP; the portal speaks Korean unless the switcher says otherwise."""

import pytest
from django.conf import settings
from django.urls import reverse

from megaproject.middleware import CSP

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/healthz", "/accounts/login/", "/"])
def test_every_response_carries_the_content_security_policy(client, path):
    assert client.get(path)["Content-Security-Policy"] == CSP


def test_the_policy_loads_nothing_from_other_sites():
    directives = dict(d.strip().split(" ", 1) for d in CSP.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"


def test_the_portal_answers_in_korean_even_when_the_browser_prefers_english(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert (response["Content-Language"], response.context["LANGUAGE_CODE"]) == ("ko", "ko")


def test_the_language_switcher_cookie_chooses_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("login"))
    assert (response["Content-Language"], response.context["LANGUAGE_CODE"]) == ("en", "en")


def test_an_unknown_language_in_the_cookie_falls_back_to_korean(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get(reverse("login"))["Content-Language"] == "ko"


def test_the_language_switcher_sets_the_cookie(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert (response.status_code, response.cookies[settings.LANGUAGE_COOKIE_NAME].value) == (302, "en")
    assert client.get(reverse("login"))["Content-Language"] == "en"
