"""Nothing unannounced is public: every URL of the public namespace (walked from the URL
resolver, so every public page is included), the sitemap and robots.txt, requested without a
log-in before and after the call's results are announced through the real service.

Before: no proposal title of the call, no selection reason, no funding figure, no draft call, no
applicant's name; every result address is a 404. After: the selected project and its funding
appear; the proposal not selected, the reasons and the applicants' names still never do."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.public_pages.conftest import DRAFT_TITLE, SECRET_REASON, SELECTED_TITLE, UNSELECTED_TITLE

pytestmark = pytest.mark.django_db

CALL_PARAMS = {"pk", "call_id", "call_pk", "call"}


def public_patterns(resolver=None, namespace=""):
    """(name, pattern) of every named pattern under the namespace "public"."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from public_patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name and namespace.startswith("public:"):
            yield f"{namespace}{entry.name}", entry


def public_urls(world) -> list[str]:
    """Every public address, filled in with each call (the draft's too) where it takes one."""
    urls = [reverse("sitemap"), reverse("robots_txt")]
    calls = [world["call"].pk, world["draft"].pk]
    for name, pattern in public_patterns():
        params = set(pattern.pattern.regex.groupindex)
        if not params:
            url = reverse(name)
            urls += [url] + [f"{url}?call={pk}" for pk in calls]
        elif params <= CALL_PARAMS:
            urls += [reverse(name, kwargs=dict.fromkeys(params, pk)) for pk in calls]
        else:  # a page of something else (a notice, a question): its first rows
            urls += [reverse(name, kwargs=dict.fromkeys(params, 1))]
    return urls


def test_the_walk_covers_the_pages_of_this_app():
    names = {name for name, _ in public_patterns()}
    assert {"public:home", "public:call", "public:results", "public:open_data", "public:open_data_csv",
            "public:open_data_json", "public:calendar", "public:privacy", "public:terms"} <= names


def text_of(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return data.decode("utf-8", errors="replace")


def crawl(world) -> dict[str, tuple[int, str]]:
    """Each public URL as an anonymous visitor gets it: a page, a 404, or for the boards' pages
    that need a log-in (asking, the staff queue) the log-in page's redirect; POST-only → 405."""
    client = Client()
    return {url: (r.status_code, text_of(r)) for url in public_urls(world) for r in [client.get(url)]
            if not (r.status_code == 302 and r["Location"].startswith(reverse("login")))}


ANSWERED = (200, 404, 405)


def never_public(world) -> list[str]:
    applicants = {world["chosen"].created_by, world["rejected"].created_by}
    return [UNSELECTED_TITLE, "Not selected secret", SECRET_REASON, DRAFT_TITLE,
            *[u.display_name for u in applicants], *[u.username for u in applicants]]


def test_before_the_announcement_no_result_and_nothing_sealed_is_public(public_world):
    pages = crawl(public_world)
    assert all(status in ANSWERED for status, _ in pages.values()), {u: s for u, (s, _) in pages.items()}
    leaks = {url: secret for url, (_, text) in pages.items()
             for secret in [SELECTED_TITLE, "Compound eye", *never_public(public_world)] if secret in text}
    assert leaks == {}
    results = reverse("public:results", args=[public_world["call"].pk])
    assert pages[results][0] == 404
    assert pages[reverse("public:call", args=[public_world["draft"].pk])][0] == 404
    assert pages[reverse("public:call", args=[public_world["call"].pk])][0] == 200
    # No money of a decision anywhere: 18억 a year is 1,800,000,000 won.
    assert [url for url, (_, text) in pages.items() if re.search(r"1,?800,?000,?000|18억원", text)] == []


def test_after_the_announcement_the_results_appear_and_the_rest_stays_sealed(public_world, announce_results):
    crawl(public_world)  # every page cached before the announcement
    announce_results(public_world["call"])
    pages = crawl(public_world)
    assert all(status in ANSWERED for status, _ in pages.values())
    results = reverse("public:results", args=[public_world["call"].pk])
    assert pages[results][0] == 200
    assert SELECTED_TITLE in pages[results][1]
    assert "1,800,000,000" in pages[results][1]
    assert SELECTED_TITLE in pages[reverse("public:open_data_csv")][1]
    assert SELECTED_TITLE in pages[reverse("public:open_data_json")][1]
    leaks = {url: secret for url, (_, text) in pages.items() for secret in never_public(public_world)
             if secret in text}
    assert leaks == {}
    assert pages[reverse("public:call", args=[public_world["draft"].pk])][0] == 404
