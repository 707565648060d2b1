"""Single sign-on over OpenID Connect (mozilla-django-oidc), when OIDC_ENABLED.

The flow: the log-in page's "SSO" button → AuthenticateView sends the browser to the identity
provider's authorization endpoint (code flow, PKCE S256, state and nonce kept in the session)
→ the provider sends it back to CallbackView with a code → PortalOIDCBackend exchanges the
code (with the PKCE verifier) for tokens, checks the ID token (RS256 signature against the
provider's JWKS, issuer, audience, expiry, nonce), reads the user-info claims and finds the
account → django.contrib.auth.login, as a password log-in does (the second factor's
middleware applies the same).

SSO never creates an account. The account is the one bound to the provider's issuer and
subject (User.oidc_issuer/oidc_subject); on a first log-in, the one active account whose user
name (OIDC_USERNAME_CLAIM, when set) or verified e-mail (OIDC_EMAIL_CLAIM) matches, which is
then bound (accounts.services.sso_bind, on the audit trail). Nobody, several accounts, an
inactive or break-glass account, an account bound to someone else: the same "ask your
administrator" page (HTTP 403) whatever the reason, so the page tells nothing about which
accounts exist; the person's claims are not stored or logged.

The provider unreachable or answering something that is not a valid answer (an HTTP error,
not JSON, an ID token whose signature, issuer, audience or nonce is wrong): a "the sign-in
service is not answering" page (503 when it cannot be reached, 502 for a bad answer); no
account bound, no session.

The provider's endpoints come from OIDC_OP_ISSUER's /.well-known/openid-configuration,
fetched on first use and cached for an hour (DISCOVERY_TTL); an OIDC_OP_*_ENDPOINT setting
wins over discovery for its endpoint.
"""

import logging
from urllib.parse import urlencode, urlsplit

import jwt
import requests
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import absolutify
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .backends import may_log_in
from .models import User

logger = logging.getLogger(__name__)

DISCOVERY_TTL = 3600
# Our name of an endpoint → (its setting, its key in the provider's discovery document).
ENDPOINTS = {
    "authorization": ("OIDC_OP_AUTHORIZATION_ENDPOINT", "authorization_endpoint"),
    "token": ("OIDC_OP_TOKEN_ENDPOINT", "token_endpoint"),
    "userinfo": ("OIDC_OP_USER_ENDPOINT", "userinfo_endpoint"),
    "jwks": ("OIDC_OP_JWKS_ENDPOINT", "jwks_uri"),
    "end_session": ("OIDC_OP_LOGOUT_ENDPOINT", "end_session_endpoint"),
}


class ProviderUnavailable(Exception):
    """The identity provider cannot be reached (status 503) or gave an answer we cannot accept (502)."""

    def __init__(self, reason: str, status: int = 502):
        super().__init__(reason)
        self.http_status = status


class NoAccount(Exception):
    """The provider vouched for someone who has no portal account we may log in (never said to them why)."""


def _get_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise ProviderUnavailable(f"{url}: {exc.__class__.__name__}", status=503) from exc
    try:
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"{url}: {exc.__class__.__name__}") from exc
    if not isinstance(data, dict):
        raise ProviderUnavailable(f"{url}: not a JSON object")
    return data


def discovery(fresh: bool = False) -> dict:
    """The provider's configuration document (cached DISCOVERY_TTL seconds; `fresh`: asked again)."""
    issuer = settings.OIDC_OP_ISSUER
    key = f"oidc-discovery:{issuer}"
    document = None if fresh else cache.get(key)
    if document is None:
        document = _get_json(f"{issuer}/.well-known/openid-configuration")
        if document.get("issuer", "").rstrip("/") != issuer:
            raise ProviderUnavailable("discovery: the document names another issuer")
        cache.set(key, document, DISCOVERY_TTL)
    return document


def endpoint(name: str, required: bool = True) -> str:
    """The URL of endpoint `name` (ENDPOINTS): its setting, else the discovery document."""
    setting, key = ENDPOINTS[name]
    url = getattr(settings, setting, "")
    if not url and settings.OIDC_OP_ISSUER:
        url = discovery().get(key) or ""
    if not isinstance(url, str) or (url and urlsplit(url).scheme not in {"https", "http"}):
        raise ProviderUnavailable(f"discovery: {key} is not a URL")
    if required and not url:
        raise ProviderUnavailable(f"discovery: no {key}")
    return url


def unavailable(request, status: int = 503):
    return render(request, "accounts/sso_unavailable.html", status=status)


def no_account(request):
    return render(request, "accounts/sso_no_account.html", status=403)


def not_completed(request):
    return render(request, "accounts/sso_not_completed.html", status=400)


def _claim_true(value) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


class PortalOIDCBackend(OIDCAuthenticationBackend):
    """Authenticates the provider's answer at the callback and finds the portal account; never creates one."""

    def __init__(self, *args, **kwargs):
        # No network and no endpoint here: Django makes a backend for every authenticate() and
        # for every request of a session it logged in; the endpoints are looked up when used.
        self.UserModel = User
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self):  # noqa: N802 (the library's attribute names)
        return endpoint("token")

    @property
    def OIDC_OP_USER_ENDPOINT(self):  # noqa: N802
        return endpoint("userinfo", required=False)

    @property
    def OIDC_OP_JWKS_ENDPOINT(self):  # noqa: N802
        return endpoint("jwks")

    def authenticate(self, request, nonce=None, code_verifier=None, **kwargs):
        # Only the callback view's call (request, nonce, code_verifier): a password log-in
        # passes username and password and is none of this backend's business.
        if request is None or nonce is None or kwargs or not settings.OIDC_ENABLED:
            return None
        self.request = request
        code, state = request.GET.get("code"), request.GET.get("state")
        if not code or not state:
            return None
        payload = {
            "client_id": self.OIDC_RP_CLIENT_ID,
            "client_secret": self.OIDC_RP_CLIENT_SECRET,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": absolutify(request, reverse(settings.OIDC_AUTHENTICATION_CALLBACK_URL)),
        }
        if code_verifier is not None:
            payload["code_verifier"] = code_verifier
        try:
            tokens = self.get_token(payload)
            if not isinstance(tokens, dict) or not isinstance(tokens.get("id_token"), str):
                raise ProviderUnavailable("token endpoint: no ID token")
            id_token, access_token = tokens["id_token"], tokens.get("access_token")
            claims = self.verify_token(id_token, nonce=nonce)
            if self.OIDC_OP_USER_ENDPOINT and isinstance(access_token, str):
                userinfo = self.get_userinfo(access_token, id_token, claims)
                if not isinstance(userinfo, dict) or userinfo.get("sub") != claims["sub"]:
                    raise ProviderUnavailable("userinfo: not the subject of the ID token")
                claims = {**userinfo, **claims}
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise ProviderUnavailable(f"provider unreachable: {exc.__class__.__name__}", status=503) from exc
        except (requests.RequestException, ValueError, KeyError, TypeError, jwt.PyJWTError,
                SuspiciousOperation) as exc:
            # An HTTP error, not JSON, a token that does not verify: refused.
            raise ProviderUnavailable(f"provider's answer refused: {exc.__class__.__name__}: {exc}") from exc
        user = self.find_account(claims)
        self.store_tokens(access_token, id_token)
        return user

    def verify_token(self, token, **kwargs):
        """The ID token's signature (the provider's JWKS, OIDC_RP_SIGN_ALGO only), issuer, audience
        (this client), expiry and nonce."""
        if not isinstance(token, str):
            raise SuspiciousOperation("token is not a string")
        header = jwt.get_unverified_header(token)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"token signed with {header.get('alg')!r}, not {self.OIDC_RP_SIGN_ALGO}")
        key = self.retrieve_matching_jwk(token)
        payload = jwt.decode(
            token, key, algorithms=[self.OIDC_RP_SIGN_ALGO], audience=self.OIDC_RP_CLIENT_ID,
            issuer=settings.OIDC_OP_ISSUER or None, leeway=60,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
        if settings.OIDC_USE_NONCE and kwargs.get("nonce") != payload.get("nonce"):
            raise SuspiciousOperation("nonce does not match")
        if not isinstance(payload.get("sub"), str) or not payload["sub"]:
            raise SuspiciousOperation("no subject")
        return payload

    def find_account(self, claims: dict) -> User:
        """The account bound to (issuer, subject), else the one account the claims name, bound now."""
        from .services import sso_bind

        issuer, subject = str(claims.get("iss", "")), claims["sub"]
        bound = User.objects.filter(oidc_issuer=issuer, oidc_subject=subject).first()
        if bound is not None:
            if not may_log_in(bound):
                raise NoAccount("bound account inactive or its access ended")
            return bound
        if settings.OIDC_USERNAME_CLAIM:
            value = claims.get(settings.OIDC_USERNAME_CLAIM)
            if not isinstance(value, str) or not value:
                raise NoAccount("no user name claim")
            candidates = User.objects.filter(is_active=True, username=value)
        else:
            value = claims.get(settings.OIDC_EMAIL_CLAIM)
            if not isinstance(value, str) or "@" not in value or not _claim_true(claims.get("email_verified")):
                raise NoAccount("no verified e-mail")
            candidates = User.objects.filter(is_active=True, email__iexact=value)
        matches = list(candidates[:2])
        if len(matches) != 1:
            raise NoAccount("no account" if not matches else "several accounts")
        user = matches[0]
        if not may_log_in(user):
            raise NoAccount("access ended")
        if user.oidc_subject is not None or user.is_break_glass:
            raise NoAccount("account bound to another identity, or break-glass")
        try:
            return sso_bind(user=user, issuer=issuer, subject=subject, request=self.request)
        except ValueError as exc:  # bound meanwhile by a parallel log-in
            raise NoAccount("bound meanwhile") from exc

    def get_user(self, user_id):
        return ModelBackend.get_user(self, user_id)  # inactive users are not logged in


class AuthenticateView(OIDCAuthenticationRequestView):
    """/accounts/sso/login/: off → 404; the provider not answering → the "not answering" page."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404
        try:
            if settings.OIDC_OP_ISSUER:
                # Asked again at each sign-in: a provider that is down shows our page now,
                # not the browser's error page after the redirect.
                discovery(fresh=True)
            self.OIDC_OP_AUTH_ENDPOINT = endpoint("authorization")
        except ProviderUnavailable as exc:
            logger.warning("single sign-on: %s", exc)
            return unavailable(request, exc.http_status)
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """/accounts/sso/callback/: the provider's answer. Anything but a verified answer for a
    portal account ends on a page that says what to do, with no session."""

    def login_failure(self):
        return not_completed(self.request)

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404
        try:
            return super().get(request)
        except SuspiciousOperation as exc:  # a state this browser's session never sent
            logger.warning("single sign-on refused: %s", exc)
            return not_completed(request)
        except ProviderUnavailable as exc:
            logger.warning("single sign-on: %s", exc)
            return unavailable(request, exc.http_status)
        except NoAccount as exc:
            logger.info("single sign-on: no portal account (%s)", exc)
            return no_account(request)


def provider_logout_url(request) -> str:
    """Where the browser goes after the portal's log-out of an SSO session: the provider's
    end_session_endpoint with id_token_hint and post_logout_redirect_uri (the log-in page), so
    the provider's session ends too. "" when there is none or the provider does not answer."""
    id_token = request.session.get("oidc_id_token")
    if not settings.OIDC_ENABLED or not id_token:
        return ""
    try:
        url = endpoint("end_session", required=False)
    except ProviderUnavailable as exc:
        logger.warning("single sign-on log-out: %s", exc)
        return ""
    if not url:
        return ""
    query = urlencode({"id_token_hint": id_token, "client_id": settings.OIDC_RP_CLIENT_ID,
                       "post_logout_redirect_uri": request.build_absolute_uri(reverse("login"))})
    return f"{url}{'&' if '?' in url else '?'}{query}"
