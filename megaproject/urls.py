from django.contrib import admin
from django.urls import include, path

from .health import healthz

# Uploaded files and PDFs are never served as plain media: each download goes
# through a view that checks permission.
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("calls/", include("programmes.urls")),
    path("proposals/", include("proposals.urls")),
    path("evaluations/", include("evaluations.urls")),
    path("funding/", include("funding.urls")),
    path("reports/", include("reports.urls")),
    path("projects/", include("projects.urls")),
    path("audit/", include("trail.urls")),
    path("", include("core.urls")),  # /verify/<code>: any generated document, by its code
    path("", include("reports.dashboard_urls")),
]
