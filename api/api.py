"""The read API under /api/v1/: one NinjaAPI, a router per part; its OpenAPI 3.1 schema at
/api/v1/openapi.json and its documentation page at /api/v1/docs (files from the ninja package)."""

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI

from . import errors
from .routers import calls


class ReadAPI(NinjaAPI):
    """The portal's NinjaAPI; its schema states that every error body is application/problem+json."""

    def get_openapi_schema(self, *args, **kwargs):
        return errors.document_problems(super().get_openapi_schema(*args, **kwargs))


api = ReadAPI(
    title="Regional Innovation Mega Project API",
    version="1",
    description=str(_("Read-only API of the portal. Authenticate with a personal access token: Authorization: Bearer <token>.")),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
errors.install(api)
api.add_router("/calls", calls.router)
