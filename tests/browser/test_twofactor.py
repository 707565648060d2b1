"""A ministry staff member without an authenticator logs in in Chromium: the portal sends them to
enrol; the test reads the key from the page, computes the code an app would show, enrols, keeps
the recovery codes shown once, logs out, and logs in again with a code (a wrong code first,
then a recovery code, then the app's code). The enrolment and code pages are photographed at
360 and 1280 px in Korean and English (tests/artifacts/) and checked with axe-core."""

import re
import time
from base64 import b32decode

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import Page, expect  # noqa: E402

from tests.browser.test_journeys import ARTIFACTS, OVERFLOW_JS, PASSWORD, check_accessibility  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}


def password_step(page: Page, portal: str, username: str) -> None:
    page.goto(f"{portal}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("#login-submit")


def key_on_page(page: Page) -> str:
    shown = page.locator("#totp-secret").inner_text().replace(" ", "")
    return b32decode(shown + "=" * (-len(shown) % 8)).hex()


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate(OVERFLOW_JS, width) == [], page.url
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def photograph(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("360", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        no_sideways_scroll(page)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_a_ministry_member_enrols_from_the_page_and_logs_in_again_with_codes(portal, page):
    from accounts.models import Role, User
    from accounts.totp_codes import code_at_window

    User.objects.create_user("ministry-new", password=PASSWORD, role=Role.MINISTRY, region=None,
                             display_name="과기정통부 신규 주무관")

    password_step(page, portal, "ministry-new")
    expect(page).to_have_url(re.compile(r"/accounts/second-factor/enrol/\?next="))
    # Every other page sends them back here.
    page.goto(f"{portal}/calls/")
    expect(page).to_have_url(re.compile(r"/accounts/second-factor/enrol/\?next=/calls/"))
    expect(page.locator("h1")).to_have_text("인증 앱 등록")
    expect(page.locator("figure.twofactor-qr svg")).to_be_visible()
    expect(page.locator("#id_code")).to_have_attribute("autocomplete", "one-time-code")
    expect(page.locator("#id_code")).to_have_attribute("inputmode", "numeric")
    check_accessibility(page, "twofactor-enrol")
    photograph(page, "twofactor-enrol-ko")

    key = key_on_page(page)
    window = int(time.time() // 30)
    page.fill("#id_code", code_at_window(key, window))
    with page.expect_navigation():
        page.click("#enrol-submit")
    expect(page).to_have_url(re.compile(r"/accounts/second-factor/recovery-codes/"))
    codes = [c.replace("-", "") for c in page.locator("#recovery-codes code").all_inner_texts()]
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9]{10}", c) for c in codes)
    photograph(page, "twofactor-codes-ko")
    with page.expect_navigation():
        page.click("#codes-continue")
    expect(page).to_have_url(re.compile(r"/calls/$"))
    page.reload()
    expect(page.locator("#recovery-codes")).to_have_count(0)  # not on that page: the list page of calls

    page.click("#logout-button")
    page.wait_for_url(re.compile(r"/accounts/login/"))

    # Second log-in: a wrong code is refused at the field; a recovery code lets them in.
    password_step(page, portal, "ministry-new")
    expect(page).to_have_url(re.compile(r"/accounts/login/verify/\?next="))
    check_accessibility(page, "twofactor-verify")
    photograph(page, "twofactor-verify-ko")
    page.fill("#id_code", "000000")
    with page.expect_navigation():
        page.click("#verify-submit")
    expect(page.locator("#id_code")).to_have_class(re.compile("is-invalid"))
    expect(page.locator(".invalid-feedback")).to_contain_text("올바르지 않거나 이미 사용한 코드")
    photograph(page, "twofactor-verify-error-ko")
    page.click("#use-recovery summary")
    page.fill("#recovery_code", codes[0][:5] + "-" + codes[0][5:])
    with page.expect_navigation():
        page.click("#recovery-form button[type=submit]")
    expect(page).to_have_url(f"{portal}/")
    expect(page.locator(".alert-warning")).to_contain_text("복구 코드를 사용했습니다")
    page.click("#logout-button")
    page.wait_for_url(re.compile(r"/accounts/login/"))

    # Third log-in: the app's next code (the enrolment used this window's).
    time.sleep(1.1)  # django-otp's delay after the wrong code
    password_step(page, portal, "ministry-new")
    page.fill("#id_code", code_at_window(key, max(window + 1, int(time.time() // 30))))
    with page.expect_navigation():
        page.click("#verify-submit")
    expect(page).to_have_url(f"{portal}/")
    expect(page.locator("main#main")).to_have_attribute("data-dashboard", "ministry")

    # The same pages in English.
    page.click("#logout-button")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.select_option("#language-select", "en")
    with page.expect_navigation():
        page.click("#language-submit")
    password_step(page, portal, "ministry-new")
    expect(page.locator("h1")).to_have_text("Second step of the log-in")
    photograph(page, "twofactor-verify-en")
