from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from api.api import api
from public_pages.sitemaps import SITEMAPS
from public_pages.views import robots_txt

from . import health
from .metrics import metrics
from .observability import server_error

# Uploaded files and PDFs are never served as plain media: each download goes
# through a view that checks permission.
urlpatterns = [
    path("healthz/live", health.live, name="healthz_live"),
    path("healthz/ready", health.ready, name="healthz_ready"),
    path("healthz", health.healthz, name="healthz"),  # the former address: readiness, status only
    path("metrics", metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("calls/", include("programmes.urls")),
    path("proposals/", include("proposals.urls")),
    path("evaluations/", include("evaluations.urls")),
    path("funding/", include("funding.urls")),
    path("reports/", include("reports.urls")),
    path("projects/", include("projects.urls")),
    path("agreements/", include("agreements.urls")),
    path("audit/", include("trail.urls")),
    path("api/v1/", api.urls),  # the read API (api/), its schema and documentation page
    path("api/", include("api.urls")),  # its pages: what it is, personal tokens, service accounts
    path("public/", include("public_pages.urls")),  # pages without log-in (public_pages/)
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),  # the public pages only
    path("robots.txt", robots_txt, name="robots_txt"),
    path("", include("core.urls")),  # /verify/<code>: any generated document, by its code
    path("", include("reports.dashboard_urls")),
]

# The 500 page with the request id, rendered without a request context (megaproject.observability).
handler500 = server_error
