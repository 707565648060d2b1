"""Single sign-on against a real OpenID Connect provider (tests/accounts/oidc_provider/server.mjs,
npm oidc-provider, on loopback): the portal is Django's test client, the person at the provider
is a requests session filling in its sign-in page. The Chromium journey with PKCE is in
tests/browser/test_sso_journey.py."""

import base64
import http.server
import json
import re
import threading
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import SuspiciousOperation
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from accounts.sso import PortalOIDCBackend
from audit.models import AuditEvent
from tests.accounts.oidc_provider import EMAIL_DOMAIN, free_port, running_provider, sign_in_at_provider, use_provider
from tests.factories import PASSWORD, AdminFactory, ExpertFactory, MinistryFactory, OfficialFactory
from tests.login import log_in

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/accounts/sso/callback/"
LOGIN_URL = "http://testserver/accounts/login/"


@pytest.fixture(scope="module")
def provider():
    with running_provider([CALLBACK], [LOGIN_URL]) as p:
        yield p


@pytest.fixture
def sso(settings, provider):
    use_provider(settings, provider.issuer)
    return provider


def start(client) -> str:
    """The portal's SSO button: returns the provider's authorization URL it redirects to."""
    response = client.get(reverse("oidc_authentication_init"))
    assert response.status_code == 302, response.status_code
    return response["Location"]


def sso_log_in(client, login: str):
    """The whole code flow; returns the portal's answer at the callback."""
    back = sign_in_at_provider(requests.Session(), start(client), login)
    assert back.startswith(CALLBACK), back
    return client.get(back.removeprefix("http://testserver"))


def sso_user(role_factory, login, **kwargs):
    return role_factory(email=f"{login}@{EMAIL_DOMAIN}", **kwargs)


# --- The code flow -------------------------------------------------------------------------------

def test_first_log_in_binds_the_account_made_by_an_administrator_and_the_next_finds_it_by_the_binding(
        client, sso, django_capture_on_commit_callbacks):
    official = sso_user(OfficialFactory, "kim.official")
    authorize = start(client)
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0] and query["response_type"] == ["code"]

    back = sign_in_at_provider(requests.Session(), authorize, "kim.official")
    response = client.get(back.removeprefix("http://testserver"))
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.session[SESSION_KEY] == str(official.pk)
    official.refresh_from_db()
    assert (official.oidc_issuer, official.oidc_subject) == (sso.issuer, "kim.official")
    event = AuditEvent.objects.get(action="sso_binding")
    assert event.object_id == str(official.pk) and event.actor_id == official.pk
    assert client.get(reverse("dashboard")).status_code == 200

    # Later the e-mail changes on the portal side: the binding alone finds the account.
    User.objects.filter(pk=official.pk).update(email="changed@example.kr")
    other = client.__class__()
    assert sso_log_in(other, "kim.official").status_code == 302
    assert other.session[SESSION_KEY] == str(official.pk)
    assert User.objects.count() == 1 and AuditEvent.objects.filter(action="sso_binding").count() == 1


def test_the_authorization_request_the_provider_received_carried_pkce_state_and_nonce(client, sso):
    sso_user(ExpertFactory, "lee.expert")
    before = len(sso.authorization_requests())
    assert sso_log_in(client, "lee.expert").status_code == 302
    received = sso.authorization_requests()[before]
    assert received["code_challenge_method"] == "S256" and received["state"] and received["nonce"]


# --- Refusals -------------------------------------------------------------------------------------

def test_a_changed_state_at_the_callback_is_refused_and_makes_no_session(client, sso):
    official = sso_user(OfficialFactory, "park.official")
    back = sign_in_at_provider(requests.Session(), start(client), "park.official")
    parts = urlsplit(back)
    query = parse_qs(parts.query)
    tampered = f"{parts.path}?code={query['code'][0]}&state={query['state'][0][:-1]}X"
    response = client.get(tampered)
    assert response.status_code == 400
    assert "로그인이 완료되지 않았습니다" in response.content.decode()
    assert SESSION_KEY not in client.session
    official.refresh_from_db()
    assert official.oidc_subject is None
    # A callback with no sign-in started in this browser at all.
    stranger = client.__class__()
    assert stranger.get(back.removeprefix("http://testserver")).status_code == 400
    assert SESSION_KEY not in stranger.session


def test_a_replayed_code_is_refused(client, sso):
    sso_user(OfficialFactory, "replay.official")
    back = sign_in_at_provider(requests.Session(), start(client), "replay.official")
    assert client.get(back.removeprefix("http://testserver")).status_code == 302
    again = client.__class__()
    start(again)  # a session with states of its own: the old state is still not among them
    assert again.get(back.removeprefix("http://testserver")).status_code == 400
    assert SESSION_KEY not in again.session


class TamperingProxy(http.server.ThreadingHTTPServer):
    """A man in the middle on loopback in front of the provider's token endpoint: passes the
    request on and flips one byte of the ID token's signature in the answer."""

    def __init__(self, target):
        self.target = target
        super().__init__(("127.0.0.1", free_port()), TamperingHandler)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/token"


class TamperingHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        answer = requests.post(self.server.target, data=body, timeout=10,
                               headers={"Content-Type": self.headers["Content-Type"]})
        tokens = answer.json()
        header, payload, signature = tokens["id_token"].split(".")
        raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
        raw[10] ^= 0x01
        tokens["id_token"] = ".".join([header, payload, base64.urlsafe_b64encode(raw).rstrip(b"=").decode()])
        data = json.dumps(tokens).encode()
        self.send_response(answer.status_code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def tampering_proxy(sso):
    proxy = TamperingProxy(f"{sso.issuer}/token")
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    yield proxy
    proxy.shutdown()
    proxy.server_close()


def test_an_id_token_with_a_flipped_signature_byte_is_refused(client, settings, sso, tampering_proxy):
    official = sso_user(OfficialFactory, "tampered.official")
    settings.OIDC_OP_TOKEN_ENDPOINT = tampering_proxy.url
    response = sso_log_in(client, "tampered.official")
    assert response.status_code == 502
    assert "로그인 서비스가 응답하지 않습니다" in response.content.decode()
    assert SESSION_KEY not in client.session
    official.refresh_from_db()
    assert official.oidc_subject is None and not AuditEvent.objects.filter(action="sso_binding").exists()
    # The same flow without the man in the middle goes through: the refusal was the signature's.
    settings.OIDC_OP_TOKEN_ENDPOINT = ""
    assert sso_log_in(client.__class__(), "tampered.official").status_code == 302


def test_an_id_token_for_another_client_or_another_nonce_is_refused(client, settings, sso):
    """A genuine token of the provider, checked by the portal's backend: for another client
    (audience) or with another nonce it is refused; as issued, it passes."""
    sso_user(OfficialFactory, "aud.official")
    authorize = start(client)
    back = sign_in_at_provider(requests.Session(), authorize, "aud.official")
    code = parse_qs(urlsplit(back).query)["code"][0]
    verifier = next(iter(client.session["oidc_states"].values()))["code_verifier"]
    tokens = requests.post(f"{sso.issuer}/token", timeout=10, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK, "code_verifier": verifier,
        "client_id": settings.OIDC_RP_CLIENT_ID, "client_secret": settings.OIDC_RP_CLIENT_SECRET}).json()
    nonce = parse_qs(urlsplit(authorize).query)["nonce"][0]
    backend = PortalOIDCBackend()
    backend.OIDC_RP_CLIENT_ID = "someone-else"
    with pytest.raises(jwt.InvalidAudienceError):
        backend.verify_token(tokens["id_token"], nonce=nonce)
    backend.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
    with pytest.raises(SuspiciousOperation, match="nonce"):
        backend.verify_token(tokens["id_token"], nonce="another-nonce")
    assert backend.verify_token(tokens["id_token"], nonce=nonce)["sub"] == "aud.official"


ASK = "포털 관리자에게"
NO_ACCOUNT_BODY = re.sub(r"\s+", " ", """<div class="login-card card shadow-sm" id="sso-no-account">
  <div class="card-body p-4">
    <h1 class="h3 mb-3">이 로그인에 연결된 포털 계정이 없습니다</h1>
    <p>기관 계정 로그인은 되었지만 이 포털에 연결된 계정이 없습니다. 포털 계정은 포털 관리자만 만들 수 있습니다.</p>
    <p>포털 관리자에게 기관에 등록된 전자우편 주소로 계정을 만들거나 초대해 달라고 요청하신 뒤 다시 로그인하십시오.</p>
    <a class="btn btn-primary" href="/accounts/login/">로그인 화면으로 돌아가기</a>
  </div>
</div>""")


@pytest.mark.parametrize("case", ["unknown", "two_accounts", "inactive", "unverified", "break_glass"])
def test_nobody_gets_an_account_from_sso_and_every_refusal_is_the_same_page(client, settings, provider, case):
    login = f"{case}.person"
    accounts = {}
    if case == "two_accounts":
        sso_user(OfficialFactory, login)
        OfficialFactory(email=f"{login.upper()}@{EMAIL_DOMAIN}")
    elif case == "inactive":
        sso_user(OfficialFactory, login, is_active=False)
    elif case == "unverified":
        sso_user(OfficialFactory, login)
        accounts = {login: {"email_verified": False}}
    elif case == "break_glass":
        sso_user(AdminFactory, login, is_break_glass=True)
    with running_provider([CALLBACK], accounts=accounts) as p:
        use_provider(settings, p.issuer)
        users_before = list(User.objects.values_list("pk", "oidc_subject"))
        response = sso_log_in(client, login)
    assert response.status_code == 403
    page = response.content.decode()
    assert ASK in page and "계정 없음" not in page
    body = re.sub(r"\s+", " ", re.search(r'<div[^>]*id="sso-no-account".*?</div>\s*</div>', page, re.S).group(0))
    assert login not in page and EMAIL_DOMAIN not in page
    assert list(User.objects.values_list("pk", "oidc_subject")) == users_before  # nothing created or bound
    assert SESSION_KEY not in client.session
    # Same words whatever the reason: the one page the view has for every refusal.
    assert body == NO_ACCOUNT_BODY


def test_an_account_bound_to_someone_else_is_not_taken_over_by_a_matching_e_mail(client, sso):
    official = sso_user(OfficialFactory, "taken.official", oidc_issuer=sso.issuer, oidc_subject="somebody-else")
    response = sso_log_in(client, "taken.official")
    assert response.status_code == 403 and SESSION_KEY not in client.session
    official.refresh_from_db()
    assert official.oidc_subject == "somebody-else"


def test_the_username_claim_matches_the_account_name_instead_of_the_e_mail(client, settings, sso):
    official = OfficialFactory(username="emp-20931", email="unrelated@example.kr")
    with running_provider([CALLBACK], accounts={"emp.x": {"preferred_username": "emp-20931"}}) as p:
        use_provider(settings, p.issuer, OIDC_USERNAME_CLAIM="preferred_username")
        response = sso_log_in(client, "emp.x")
    assert response.status_code == 302 and client.session[SESSION_KEY] == str(official.pk)


# --- The provider down or answering garbage ----------------------------------------------------------

class GarbageHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"<html>this is not JSON")

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def garbage_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), GarbageHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_provider_that_is_down_gives_a_clear_page(client, settings):
    use_provider(settings, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    response = client.get(reverse("oidc_authentication_init"))
    assert response.status_code == 503
    page = response.content.decode()
    assert "로그인 서비스가 응답하지 않습니다" in page and "비밀번호" in page
    assert SESSION_KEY not in client.session


def test_a_provider_answering_garbage_gives_the_same_page(client, settings, garbage_server):
    use_provider(settings, garbage_server)
    response = client.get(reverse("oidc_authentication_init"))
    assert response.status_code == 502 and "로그인 서비스가 응답하지 않습니다" in response.content.decode()


def test_a_provider_that_goes_down_before_the_token_or_answers_garbage_leaves_nothing_half_done(
        client, settings, sso, garbage_server):
    official = sso_user(OfficialFactory, "half.official")
    for token_endpoint, status in ((f"http://127.0.0.1:{free_port()}/token", 503), (f"{garbage_server}/token", 502)):
        settings.OIDC_OP_TOKEN_ENDPOINT = token_endpoint
        browser = client.__class__()
        response = sso_log_in(browser, "half.official")
        assert response.status_code == status
        assert SESSION_KEY not in browser.session
        official.refresh_from_db()
        assert official.oidc_subject is None
    assert not AuditEvent.objects.filter(action="sso_binding").exists()


# --- Log-out ---------------------------------------------------------------------------------------

def test_log_out_ends_the_portal_session_and_sends_the_browser_to_the_providers_end_session(client, sso):
    sso_user(OfficialFactory, "out.official")
    assert sso_log_in(client, "out.official").status_code == 302
    id_token = client.session["oidc_id_token"]
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{sso.issuer}/session/end"
    query = parse_qs(target.query)
    assert query["id_token_hint"] == [id_token] and query["post_logout_redirect_uri"] == [LOGIN_URL]
    assert SESSION_KEY not in client.session
    assert client.get(reverse("dashboard")).status_code == 302
    # The provider accepts the request: its log-out confirmation page, not an error.
    assert "logout" in requests.get(response["Location"], timeout=10).text.lower()


def test_log_out_of_a_password_session_stays_on_the_portal(client, sso):
    official = OfficialFactory()
    log_in(client, official)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")


def test_the_csp_lets_the_log_out_form_reach_the_provider(client, sso):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert f"form-action 'self' {sso.issuer};" in policy


# --- Settings off ----------------------------------------------------------------------------------

def test_with_sso_off_there_is_no_button_and_no_sso_address(client, settings):
    assert settings.OIDC_ENABLED is False
    page = client.get(reverse("login")).content.decode()
    assert "login-sso" not in page and "SSO" not in page
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback") + "?code=x&state=y").status_code == 404
    assert "accounts.sso.PortalOIDCBackend" not in settings.AUTHENTICATION_BACKENDS
    assert "form-action 'self';" in client.get(reverse("login"))["Content-Security-Policy"]


def test_with_sso_on_the_log_in_page_offers_it(client, sso):
    page = client.get(reverse("login") + "?next=/proposals/").content.decode()
    assert "기관 계정으로 로그인 (SSO)" in page
    assert 'href="/accounts/sso/login/?next=/proposals/"' in page.replace("%2F", "/")


# --- Staff password log-in off and the break-glass administrator --------------------------------------

def post_password(client, user, password=PASSWORD, path=None):
    path = path or reverse("login")
    form = client.get(path)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.content).group(1).decode()
    return client.post(path, {"username": user.username, "password": password, "csrfmiddlewaretoken": token})


USE_SSO = "부처 직원과 관리자는 기관 계정으로 로그인합니다"


@pytest.mark.parametrize("factory", [MinistryFactory, AdminFactory])
def test_staff_password_log_in_off_refuses_ministry_and_administrators(client, settings, sso, factory):
    settings.PASSWORD_LOGIN_FOR_STAFF = False
    staff = factory()
    response = post_password(client, staff)
    assert response.status_code == 200 and SESSION_KEY not in client.session
    assert USE_SSO in response.content.decode()
    # The admin site's own log-in page refuses them too.
    response = post_password(client, staff, path="/admin/login/?next=/admin/")
    assert response.status_code == 200 and SESSION_KEY not in client.session
    assert USE_SSO in response.content.decode()
    # A wrong password gets the usual message (nothing said about the account's role).
    response = post_password(client, staff, password="wrong-password")
    assert USE_SSO not in response.content.decode() and "올바르지 않습니다" in response.content.decode()


def test_staff_password_log_in_off_still_lets_officials_and_experts_in(client, settings, sso):
    settings.PASSWORD_LOGIN_FOR_STAFF = False
    for factory in (OfficialFactory, ExpertFactory):
        browser = client.__class__()
        log_in(browser, factory())


def test_break_glass_logs_in_with_the_provider_down_and_staff_password_off_recorded_and_mailed(
        client, settings, django_capture_on_commit_callbacks):
    use_provider(settings, f"http://127.0.0.1:{free_port()}")  # the provider is down
    settings.PASSWORD_LOGIN_FOR_STAFF = False
    glass = AdminFactory(username="glass", is_break_glass=True)
    other_admin, retired_admin = AdminFactory(), AdminFactory(is_active=False)
    ministry = MinistryFactory()
    assert client.get(reverse("oidc_authentication_init")).status_code == 503
    with django_capture_on_commit_callbacks(execute=True):
        log_in(client, glass)
    event = AuditEvent.objects.get(action="break_glass_login")
    assert event.actor_id == glass.pk and "glass" in event.summary
    # Told to every active administrator as a notification, which the mail task (in-process here, a
    # worker in CI) mails: tests/accounts/test_mail.py and test_notifications.py follow the mail itself.
    told = Notification.objects.filter(message__contains="glass")
    assert sorted(told.values_list("user__email", flat=True)) == sorted([glass.email, other_admin.email])
    assert not told.filter(user__in=[retired_admin, ministry]).exists()
    if not settings.CELERY_BROKER_URL:
        assert sorted(m.to[0] for m in mail.outbox) == sorted([glass.email, other_admin.email])


def test_an_ordinary_log_in_is_not_recorded_as_break_glass(client):
    log_in(client, AdminFactory())
    assert not AuditEvent.objects.filter(action="break_glass_login").exists()


def test_the_break_glass_command_names_only_administrators_and_is_recorded(db):
    admin, ministry = AdminFactory(username="boss"), MinistryFactory(username="staffer")
    call_command("break_glass", "boss", "--on", stdout=__import__("io").StringIO())
    admin.refresh_from_db()
    assert admin.is_break_glass
    event = AuditEvent.objects.get(action="break_glass")
    assert event.after == {"is_break_glass": True}
    with pytest.raises(CommandError):
        call_command("break_glass", "staffer", "--on")
    ministry.refresh_from_db()
    assert not ministry.is_break_glass
    with pytest.raises(CommandError):
        call_command("break_glass", "nobody", "--on")
    call_command("break_glass", "boss", "--off", stdout=__import__("io").StringIO())
    admin.refresh_from_db()
    assert not admin.is_break_glass


def test_the_database_refuses_a_break_glass_account_that_is_not_an_administrator(db):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        MinistryFactory(is_break_glass=True)


def test_with_sso_on_the_sso_addresses_redirect_or_refuse_for_everyone(sso):
    """The access matrix runs with SSO off (404); on, anybody may start a sign-in (a redirect to
    the provider) and a callback that answers no sign-in of this browser is refused (400)."""
    people = [None, OfficialFactory(), ExpertFactory(), MinistryFactory(), AdminFactory()]
    for person in people:
        browser = Client()
        if person is not None:
            log_in(browser, person)
        response = browser.get(reverse("oidc_authentication_init"))
        assert response.status_code == 302 and response["Location"].startswith(f"{sso.issuer}/auth?")
        assert browser.get(reverse("oidc_authentication_callback")).status_code == 400
        assert browser.get(reverse("oidc_authentication_callback") + "?code=x&state=y").status_code == 400
        if person is not None:  # a refused callback does not end the session it found
            assert browser.session[SESSION_KEY] == str(person.pk)
