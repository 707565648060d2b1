"""The read API under /api/v1/: one NinjaAPI, a router per part; its OpenAPI 3.1 schema at
/api/v1/openapi.json and its documentation page at /api/v1/docs (Swagger UI's files from the ninja
package, no CDN). The conventions every response follows are in api/conventions.py."""

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Swagger

from . import errors
from .routers import calls, evaluations, funding, projects, proposals

# Read in the request's language when the schema is built (Accept-Language: ko or en).
DESCRIPTION = _(
    "Read-only API of the Regional Innovation Mega Project portal.\n\n"
    "**Authentication.** Create a personal access token on the portal (My account → My API tokens) and send it "
    "with every request: `Authorization: Bearer mpt_…`. A token is shown once, expires (at most a year) and "
    "can be revoked at any time. It reads only what its owner may see on the pages.\n\n"
    "**Scopes.** `read:calls`, `read:proposals`, `read:evaluations`, `read:funding`, `read:projects`: each "
    "part of the API needs its scope (403 without it). The scopes offered depend on the owner's role.\n\n"
    "**Rate limit.** Each token may make a limited number of requests a minute (60 unless the portal "
    "says otherwise); over it the answer is 429 with a Retry-After header.\n\n"
    "**Conventions.** Errors are RFC 9457 problem details (application/problem+json). Lists are pages "
    "(`page`, `page_size` up to 200). Dates are ISO 8601 with the Asia/Seoul offset (+09:00); money is "
    "an integer number of won. Labels follow Accept-Language (ko, the default, or en). Every 200 answer "
    "carries an ETag; send it back in If-None-Match to get 304 Not Modified."
)


class ReadAPI(NinjaAPI):
    """The portal's NinjaAPI; its schema states that every error body is application/problem+json."""

    def get_openapi_schema(self, *args, **kwargs):
        return errors.document_problems(super().get_openapi_schema(*args, **kwargs))


api = ReadAPI(
    title="Regional Innovation Mega Project API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # No call to the public validator (validator.swagger.io): the page loads nothing from elsewhere.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
)
errors.install(api)
api.add_router("/calls", calls.router)
api.add_router("/proposals", proposals.router)
api.add_router("/proposals", evaluations.proposal_router)
api.add_router("/evaluations", evaluations.router)
api.add_router("/funding", funding.router)
api.add_router("/projects", projects.router)
