"""A logged-in person who owes the second factor reaches only its pages.

The step owed is decided at log-in (accounts.twofactor.note_second_step) and read here from
the session: no query per request. From any other page, the person is sent to the code
page (or to enrolment, for ministry staff and administrators without an authenticator),
with `next` kept. Allowed meanwhile: those pages, log-out, the language switch, static
files, the health checks, the metrics and the public verification of documents.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from . import twofactor

ALWAYS_OPEN_PREFIXES = ("/i18n/", "/healthz", "/metrics", "/verify/")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            step = request.session.get(twofactor.SESSION_KEY)
            if step is None:  # a session made before the second factor existed
                step = request.session[twofactor.SESSION_KEY] = twofactor.second_step_for(user)
            if step and not self.is_open(request.path_info, step):
                target = reverse("login_verify" if step == twofactor.VERIFY else "twofactor_enrol")
                return redirect_to_login(request.get_full_path(), target)
        return self.get_response(request)

    @staticmethod
    def is_open(path: str, step: str) -> bool:
        own = {reverse("login_verify"), reverse("logout")}
        if step == twofactor.ENROL:
            own.add(reverse("twofactor_enrol"))
        static = "/" + settings.STATIC_URL.lstrip("/")
        return path in own or path.startswith((static, *ALWAYS_OPEN_PREFIXES))
