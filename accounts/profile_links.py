"""Links on "My account" to pages of the layers above accounts (the API's tokens page): they
register here in their AppConfig.ready(), so accounts never names their URLs."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class ProfileLink:
    url_name: str
    label: object  # a lazy translation, read in the request's language
    shown_to: Callable


_links: list[ProfileLink] = []


def register_profile_link(url_name: str, label, shown_to: Callable = lambda user: True) -> None:
    link = ProfileLink(url_name, label, shown_to)
    if link not in _links:
        _links.append(link)


def links_for(user) -> list[dict]:
    return [{"url": reverse(link.url_name), "label": str(link.label)} for link in _links if link.shown_to(user)]
