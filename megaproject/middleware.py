"""A strict Content-Security-Policy: every asset comes from this server."""

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)


def sso_form_action_origins(settings) -> list[str]:
    """With single sign-on, the log-out form's POST ends in a redirect to the identity provider's
    end-session endpoint (accounts.sso.provider_logout_url); browsers check form-action on that
    redirect, so the provider's origin joins 'self' there."""
    from urllib.parse import urlsplit

    if not settings.OIDC_ENABLED:
        return []
    origins = []
    for url in (settings.OIDC_OP_ISSUER, settings.OIDC_OP_LOGOUT_ENDPOINT):
        parts = urlsplit(url)
        if parts.scheme in {"http", "https"} and parts.netloc:
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in origins:
                origins.append(origin)
    return origins


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        origins = sso_form_action_origins(settings)
        policy = CSP.replace("form-action 'self'", " ".join(["form-action 'self'", *origins])) if origins else CSP
        response.setdefault("Content-Security-Policy", policy)
        return response


class KoreanFirstLocaleMiddleware:
    """Korean unless the user chose another language with the switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language; on a
    government portal the default is Korean whatever the browser says, and the
    choice made with the language switcher (a cookie) wins.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class RejectNulCharactersMiddleware:
    """A NUL character is never text anyone typed, and PostgreSQL refuses it in any
    string: a query or form value holding one is answered 400 before a view reads it
    (search boxes and filters pass raw values to the database). Uploaded files are
    not looked at."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponseBadRequest

        params = [request.GET, request.POST] if request.method == "POST" else [request.GET]
        for values in params:
            for key, items in values.lists():
                if "\x00" in key or any("\x00" in item for item in items):
                    if request.path.startswith("/api/"):
                        return self.api_problem(request)
                    return HttpResponseBadRequest(
                        "잘못된 문자(NUL)가 포함된 요청입니다. · The request contains a NUL character.",
                        content_type="text/plain; charset=utf-8",
                    )
        return self.get_response(request)

    @staticmethod
    def api_problem(request):
        """The read API answers every refusal as a problem detail (api/errors.py)."""
        from django.utils.translation import gettext as _

        from api.errors import problem_response

        return problem_response(request, 400, _("Invalid request"), _("The request contains a NUL character."))
