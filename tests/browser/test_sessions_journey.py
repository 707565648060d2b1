"""My sessions in Chromium: a ministry official logged in on a desktop and on a phone reads the
previous log-in on the dashboard, sees both sessions (this one marked), ends the phone's session from
the desktop, and the phone is back at the log-in page; axe-core at 1280 px and at 360 px, in Korean
and English, and nothing scrolls sideways on the phone."""

import pytest

from .test_journeys import ARTIFACTS, OVERFLOW_JS, check_accessibility, log_in, switch_language

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 800}
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/18.1 Mobile/15E148 Safari/604.1")


def test_a_person_ends_the_session_on_their_phone_from_the_desktop(portal, new_context):
    phone = new_context(viewport=PHONE, user_agent=IPHONE).new_page()
    log_in(phone, portal, "ministry")
    phone.wait_for_url(f"{portal}/")
    expect(phone.locator("main .messages")).to_contain_text("포털에 처음 로그인하셨습니다.")

    desktop = new_context().new_page()
    log_in(desktop, portal, "ministry")
    desktop.wait_for_url(f"{portal}/")
    expect(desktop.locator("main .messages")).to_contain_text("지난 로그인:")
    expect(desktop.locator("main .messages")).to_contain_text("(KST), 127.0.0.1")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    desktop.screenshot(path=str(ARTIFACTS / "sessions-dashboard-previous-login-1280.png"))
    phone.reload()  # said once: the phone's dashboard no longer shows its message
    phone.screenshot(path=str(ARTIFACTS / "sessions-dashboard-360.png"))

    desktop.goto(f"{portal}/accounts/profile/")
    expect(desktop.locator("#previous-login")).to_contain_text("지난 로그인:")
    desktop.get_by_role("link", name="내 로그인 세션").click()
    cards = desktop.locator("main li.card")
    expect(cards).to_have_count(2)
    expect(cards.filter(has=desktop.locator(".badge", has_text="이 세션"))).to_have_count(1)
    expect(cards.filter(has_text="Safari · iPhone")).to_have_count(1)
    check_accessibility(desktop, "sessions-1280-ko")

    phone.goto(f"{portal}/accounts/profile/sessions/")
    expect(phone.locator("main li.card")).to_have_count(2)
    assert phone.evaluate(OVERFLOW_JS, PHONE["width"]) == []
    check_accessibility(phone, "sessions-360-ko")
    phone.context.add_cookies([{"name": "django_language", "value": "en", "url": portal}])  # the menu is folded
    phone.reload()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    assert phone.evaluate(OVERFLOW_JS, PHONE["width"]) == []
    check_accessibility(phone, "sessions-360-en")

    other = cards.filter(has_text="Safari · iPhone")
    other.get_by_label("이 세션을 종료합니다(해당 브라우저는 로그아웃됩니다).").check()
    with desktop.expect_navigation():
        other.get_by_role("button", name="이 세션 종료").click()
    expect(desktop.locator("main .messages")).to_contain_text("세션을 종료했습니다.")
    expect(desktop.locator("main li.card")).to_have_count(1)
    check_accessibility(desktop, "sessions-ended-1280-ko")
    switch_language(desktop, "en")
    check_accessibility(desktop, "sessions-1280-en")

    phone.goto(f"{portal}/")
    phone.wait_for_url(f"{portal}/accounts/login/?next=/")
    expect(phone.locator("#id_username")).to_be_visible()
