"""Conventions every response of the read API follows, whatever the endpoint:

- the language of labels and messages from Accept-Language (Korean or English), else the language
  chosen with the portal's switcher (its cookie, for a person trying the API in the browser), else
  Korean; said back in Content-Language. The portal's pages ignore the browser's language
  (megaproject.middleware.KoreanFirstLocaleMiddleware); another system has no language switcher,
  so the API follows the header;
- an ETag on every 200 answer to GET (a hash of the body) and 304 without a body when the client
  sends it back in If-None-Match;
- `Vary: Accept-Language, Authorization` and `Cache-Control: private, no-cache` (a shared cache
  never keeps one person's answer; the client's own cache revalidates every time with the ETag);
  refusals and errors are `no-store`.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag
from django.utils.translation.trans_real import parse_accept_lang_header

API_PREFIX = "/api/v1/"


def api_language(request) -> str:
    """The first language of Accept-Language the portal speaks, else the switcher's choice (the
    language cookie), else the portal's default (Korean)."""
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class ApiConventionsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        language = api_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language", "Authorization"))
        if request.method in ("GET", "HEAD") and response.status_code == 200 and not response.streaming:
            response["Cache-Control"] = "private, no-cache"
            set_response_etag(response)
            if response.has_header("ETag"):
                return get_conditional_response(request, etag=response["ETag"], response=response)
            return response
        response["Cache-Control"] = "no-store"
        return response
