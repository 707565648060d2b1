"""Single sign-on in Chromium against a real OpenID Connect provider on loopback
(tests/accounts/oidc_provider/server.mjs): the full code flow with PKCE ends on the portal's
dashboard as the bound regional official; log-out ends the portal's session and the
provider's. Also the SSO pages at 360 and 1280 px (screenshots, axe-core, no sideways scroll).

A regional official needs no second factor: staff signing in by SSO then pass the second
factor's page as after a password log-in (the same django.contrib.auth.login)."""

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.accounts.oidc_provider import EMAIL_DOMAIN, free_port, running_provider, use_provider
from tests.factories import OfficialFactory

from .test_journeys import OVERFLOW_JS, check_accessibility

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sso_portal(live_server, settings):
    import importlib

    from django.apps import apps

    importlib.import_module("programmes.migrations.0002_reference_data").load(apps, None)
    base = live_server.url
    with running_provider([f"{base}/accounts/sso/callback/"], [f"{base}/accounts/login/"]) as provider:
        use_provider(settings, provider.issuer)
        yield base, provider


def test_an_official_signs_in_by_sso_with_pkce_lands_on_the_dashboard_and_logs_out_of_both(sso_portal, new_context):
    base, provider = sso_portal
    official = OfficialFactory(display_name="김지역", email=f"kim.sso@{EMAIL_DOMAIN}")
    # The portal's own Content-Security-Policy stays on: the log-out form's redirect to the
    # provider must be allowed by its form-action.
    page = new_context(bypass_csp=False).new_page()
    authorizations = []
    page.on("request", lambda r: authorizations.append(r.url) if r.url.startswith(f"{provider.issuer}/auth?") else None)

    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name="기관 계정으로 로그인 (SSO)").click()
    page.wait_for_url(f"{provider.issuer}/interaction/**")
    page.fill("input[name=login]", "kim.sso")
    page.fill("input[name=password]", "anything")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    expect(page.locator("body")).to_contain_text("김지역")

    assert len(authorizations) == 1
    query = parse_qs(urlsplit(authorizations[0]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0] and query["response_type"] == ["code"]
    assert provider.authorization_requests()[-1]["code_challenge"] == query["code_challenge"][0]
    official.refresh_from_db()
    assert official.oidc_subject == "kim.sso"

    # Log out: the portal's session ends, the provider asks to confirm its own, and the
    # browser comes back to the portal's log-in page.
    page.click("#logout-button")
    page.wait_for_url(f"{provider.issuer}/session/end**")
    page.click("button[value=yes]")
    page.wait_for_url(f"{base}/accounts/login/**")
    page.goto(f"{base}/")
    assert urlsplit(page.url).path == "/accounts/login/"
    # The provider's session has ended too: signing in again asks who you are.
    page.get_by_role("link", name="기관 계정으로 로그인 (SSO)").click()
    page.wait_for_url(f"{provider.issuer}/interaction/**")
    expect(page.locator("input[name=login]")).to_be_visible()


def test_the_sso_pages_fit_a_phone_and_a_desktop(sso_portal, new_context, settings):
    base, provider = sso_portal
    pages = {"sso-login": f"{base}/accounts/login/"}
    for width in (360, 1280):
        page = new_context(viewport={"width": width, "height": 800}).new_page()
        page.goto(pages["sso-login"])
        expect(page.get_by_role("link", name="기관 계정으로 로그인 (SSO)")).to_be_visible()
        check_accessibility(page, f"sso-login-{width}")
        assert page.evaluate(OVERFLOW_JS, width) == [], "sideways scroll"

        # An unknown person: the "ask your administrator" page.
        page.get_by_role("link", name="기관 계정으로 로그인 (SSO)").click()
        page.wait_for_url(f"{provider.issuer}/interaction/**")
        page.fill("input[name=login]", f"nobody{width}")
        page.fill("input[name=password]", "anything")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/accounts/sso/callback/**")
        expect(page.locator("h1")).to_have_text("이 로그인에 연결된 포털 계정이 없습니다")
        check_accessibility(page, f"sso-no-account-{width}")
        assert page.evaluate(OVERFLOW_JS, width) == [], "sideways scroll"

    settings.OIDC_OP_ISSUER = f"http://127.0.0.1:{free_port()}"  # the provider is down
    for width in (360, 1280):
        page = new_context(viewport={"width": width, "height": 800}).new_page()
        page.goto(f"{base}/accounts/login/")
        page.get_by_role("link", name="기관 계정으로 로그인 (SSO)").click()
        expect(page.locator("h1")).to_have_text("로그인 서비스가 응답하지 않습니다")
        check_accessibility(page, f"sso-unavailable-{width}")
        assert page.evaluate(OVERFLOW_JS, width) == [], "sideways scroll"
