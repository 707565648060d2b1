"""A ministry staff member creates an API token in Chromium: the form asks for a current code of
their authenticator, the token is shown once, works against the API, and is never shown again;
the pages are photographed at 360 and 1280 px in Korean and English and checked with axe-core.
The documentation page /api/v1/docs renders under the portal's own Content-Security-Policy."""

import re
import time

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import Page, expect  # noqa: E402

from tests.browser.test_journeys import ARTIFACTS, OVERFLOW_JS, PASSWORD, check_accessibility  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
KEY = "3132333435363738393031323334353637383930"


def photograph(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("360", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        width = page.evaluate("window.innerWidth")
        assert page.evaluate(OVERFLOW_JS, width) == [], page.url
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def next_code(window_offset: int) -> str:
    from accounts.totp_codes import code_at_window

    return code_at_window(KEY, int(time.time() // 30) + window_offset)


def test_a_ministry_member_creates_a_token_with_a_code_and_sees_it_once(portal, page):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Role, User

    person = User.objects.create_user(
        "ministry-api", password=PASSWORD, role=Role.MINISTRY, region=None, display_name="과기정통부 데이터 담당"
    )
    TOTPDevice.objects.create(user=person, name="authenticator", confirmed=True, key=KEY)

    page.goto(f"{portal}/accounts/login/")
    page.fill("#id_username", "ministry-api")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("#login-submit")
    page.fill("#id_code", next_code(0))
    with page.expect_navigation():
        page.click("#verify-submit")

    page.goto(f"{portal}/accounts/profile/")
    page.get_by_role("link", name="내 API 토큰").click()
    expect(page.locator("h1")).to_have_text("내 API 토큰")
    page.click("#new-token")
    expect(page.locator("#id_code")).to_be_visible()
    page.fill("#id_name", "통계 분석 시스템")
    page.check("input[name=scopes][value='read:calls']")
    check_accessibility(page, "api-token-form")
    photograph(page, "api-token-form-ko")
    page.fill("#id_code", next_code(1))  # the log-in used this window's code
    with page.expect_navigation():
        page.click("#token-submit")
    secret = page.locator("#token-secret").input_value()
    assert re.fullmatch(r"mpt_[A-Za-z0-9_-]{40,}", secret)
    check_accessibility(page, "api-token-created")
    photograph(page, "api-token-created-ko")

    answer = page.request.get(f"{portal}/api/v1/calls/", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200 and "items" in answer.json()

    page.click("#token-done")
    expect(page.locator("#token-table")).to_contain_text("통계 분석 시스템")
    assert secret not in page.content()
    page.reload()
    assert secret not in page.content()

    page.select_option("#language-select", "en")
    with page.expect_navigation():
        page.click("#language-submit")
    expect(page.locator("h1")).to_have_text("My API tokens")
    check_accessibility(page, "api-token-list-en")
    photograph(page, "api-token-list-en")
    page.click("#new-token")
    expect(page.locator("h1")).to_have_text("Create a token")
    expect(page.locator("#id_code")).to_be_visible()
    photograph(page, "api-token-form-en")


def test_the_documentation_page_renders_under_the_portal_s_policy(portal, new_context):
    page = new_context(bypass_csp=False).new_page()
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    outside = []
    page.on("request", lambda request: outside.append(request.url) if not request.url.startswith(portal) else None)
    page.goto(f"{portal}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Regional Innovation Mega Project API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert outside == []
    assert refused == [], refused
    page.screenshot(path=str(ARTIFACTS / "api-docs-1280.png"), full_page=False)

    about = new_context().new_page()
    about.goto(f"{portal}/accounts/login/")
    about.click("#footer-api")
    expect(about.locator("h1")).to_have_text("포털 API")
    check_accessibility(about, "api-about")
    photograph(about, "api-about-ko")
