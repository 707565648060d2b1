"""Every error of the API is an RFC 9457 problem detail (application/problem+json)."""

from django.db import DataError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

PROBLEM_TYPE = "about:blank"
PROBLEM_JSON = "application/problem+json"


class Problem(Schema):
    type: str = PROBLEM_TYPE
    title: str
    status: int
    detail: str = ""
    instance: str = ""


class MissingScope(Exception):
    def __init__(self, scope: str):
        self.scope = scope
        super().__init__(scope)


class RateLimited(Exception):
    """The token made more requests this minute than API_RATE_LIMIT_PER_MINUTE allows."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(retry_after)


# Added to every operation's responses, so the schema states every status the API can answer.
ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}


def document_problems(schema: dict) -> dict:
    """The OpenAPI schema with every error response's body declared as application/problem+json
    (ninja names its renderer's application/json for every status)."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            for status, response in (operation.get("responses", {}) if isinstance(operation, dict) else {}).items():
                content = response.get("content", {})
                if str(status)[:1] in "45" and "application/json" in content:
                    content[PROBLEM_JSON] = content.pop("application/json")
    return schema


def problem_response(request, status: int, title: str, detail: str = "") -> JsonResponse:
    """A problem detail outside a NinjaAPI operation (e.g. a middleware refusing the request)."""
    body = {"type": PROBLEM_TYPE, "title": str(title), "status": status, "detail": str(detail), "instance": request.path}
    return JsonResponse(body, status=status, content_type=PROBLEM_JSON, json_dumps_params={"ensure_ascii": False})


def problem(api, request, status: int, title: str, detail: str = "", headers: dict | None = None):
    response = api.create_response(
        request,
        {"type": PROBLEM_TYPE, "title": title, "status": status, "detail": detail, "instance": request.path},
        status=status,
    )
    response["Content-Type"] = PROBLEM_JSON
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def install(api) -> None:
    """Register the problem-detail handlers on the NinjaAPI instance."""

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return problem(
            api,
            request,
            401,
            _("Authentication required"),
            _("Send a valid, unexpired personal access token: Authorization: Bearer <token>."),
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        )

    @api.exception_handler(MissingScope)
    def missing_scope(request, exc):
        return problem(api, request, 403, _("Scope missing"), _("This token does not carry the scope %(scope)s.") % {"scope": exc.scope})

    @api.exception_handler(RateLimited)
    def rate_limited(request, exc):
        return problem(
            api,
            request,
            429,
            _("Too many requests"),
            _("This token made too many requests in a minute. Try again in %(seconds)s seconds.") % {"seconds": exc.retry_after},
            headers={"Retry-After": str(exc.retry_after)},
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return problem(api, request, 404, _("Not found"), _("There is no such object, or you may not see it."))

    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        fields = []
        for error in exc.errors:
            where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body"))
            fields.append(f"{where}: {error.get('msg', '')}" if where else str(error.get("msg", "")))
        return problem(api, request, 422, _("Invalid request"), "; ".join(fields))

    @api.exception_handler(OverflowError)
    def out_of_range(request, exc):
        # A number the database cannot hold (SQLite: "Python int too large to convert").
        return problem(api, request, 422, _("Invalid request"), _("A number in the request is out of range."))

    @api.exception_handler(DataError)
    def refused_by_the_database(request, exc):
        # A value the database refuses to compare (PostgreSQL: an integer out of range, a NUL character).
        return problem(api, request, 422, _("Invalid request"), _("A value in the request is out of range or malformed."))

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return problem(api, request, exc.status_code, str(exc) or _("Request refused"), str(exc))
