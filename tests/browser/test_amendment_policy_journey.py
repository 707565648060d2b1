"""A call's amendment thresholds in the browser, from the demo data (issue 18).

`ministry` opens the 2023 call, follows the side card to the thresholds page, types a share over 100 %
(refused at the field, the amount typed kept), then valid thresholds: saved, the change listed with who
made it. Checked with axe-core, photographed at 1280 and 360 px (no sideways scroll), Korean and English.
"""

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import expect  # noqa: E402

from .test_journeys import ARTIFACTS, check_accessibility, log_in, switch_language  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_change_a_calls_amendment_thresholds_from_the_call_page(portal, new_context):
    from agreements.models import AmendmentPolicy
    from programmes.models import Call

    call = Call.objects.filter(year=2023).order_by("pk").first()
    page = new_context().new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, portal, "ministry")
    page.goto(f"{portal}/calls/{call.pk}/")
    expect(page.locator("#call-amendment-policy")).to_be_visible()
    with page.expect_navigation():
        page.click("#call-amendment-policy-link")
    expect(page.locator("h1")).to_have_text("협약 변경 승인 기준")
    page.fill("#id_small_pct", "150")
    page.fill("#id_small_max_won", "2억")
    with page.expect_navigation():
        page.click("#policy-save")
    expect(page.locator("#id_small_pct_error")).to_be_visible()
    expect(page.locator("#id_small_max_won")).to_have_value("2억")
    assert not AmendmentPolicy.objects.filter(call=call, small_max_won=200_000_000).exists()
    check_accessibility(page, "amendment-policy-01-refused")

    page.fill("#id_small_pct", "7.5")
    with page.expect_navigation():
        page.click("#policy-save")
    expect(page.locator("#policy-pct")).to_have_text("7.5%")
    expect(page.locator("#policy-history")).to_contain_text("7.5%")
    assert AmendmentPolicy.objects.get(call=call).small_max_won == 200_000_000
    check_accessibility(page, "amendment-policy-02-saved")

    page.set_viewport_size({"width": 360, "height": 800})
    page.reload()
    page.screenshot(path=str(ARTIFACTS / "amendment-policy-03-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    switch_language(page, "en")
    expect(page.locator("h1")).to_have_text("Amendment thresholds")
    check_accessibility(page, "amendment-policy-04-english-phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
