"""The sitemap (/sitemap.xml): the public pages only."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from programmes.models import CallStatus
from programmes.selectors import public_calls


class StaticPages(Sitemap):
    changefreq = "weekly"

    def items(self):
        return ["public:home", "public:open_data", "public:privacy", "public:terms"]

    def location(self, item):
        return reverse(item)


class CallNotices(Sitemap):
    changefreq = "daily"

    def items(self):
        return list(public_calls().order_by("-year", "-id"))

    def location(self, call):
        return reverse("public:call", args=[call.pk])

    def lastmod(self, call):
        return call.updated_at


class CallResults(CallNotices):
    def items(self):
        return list(public_calls().filter(status=CallStatus.ANNOUNCED).order_by("-year", "-id"))

    def location(self, call):
        return reverse("public:results", args=[call.pk])


SITEMAPS = {"pages": StaticPages, "calls": CallNotices, "results": CallResults}
