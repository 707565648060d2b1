"""Payments in the browser, from the demo data.

The demo pays every 2023–2025 instalment of the five 2023 projects except Jeonbuk's second national
instalment of 2025 (overdue); this test also takes back Jeonbuk's 2025 local payment. Ministry staff open
the money page from the project page and record part of the national instalment (an amount above what is
unpaid is refused at the field first); Jeonbuk's official records the region's local payment; the money
page shows scheduled and paid and still flags the national instalment as overdue, in words. Every page is
checked with axe-core and photographed into tests/artifacts/ (the money page also at 360 px, without
sideways scrolling).
"""

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import expect  # noqa: E402

from .test_journeys import check_accessibility, log_in  # noqa: E402
from .test_project_journey import logout  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_and_the_region_record_payments_and_the_money_page_flags_the_overdue_instalment(portal, new_context):
    from agreements.models import FundSource, Instalment, Payment
    from projects.models import Project

    project = Project.objects.get(proposal__call__year=2023, proposal__lead_region__code="jeonbuk")
    national = Instalment.objects.get(agreement__project=project, year=2025, source=FundSource.NATIONAL, number=2)
    local = Instalment.objects.get(agreement__project=project, year=2025, source=FundSource.LOCAL)
    assert not national.payments.exists()
    Payment.objects.filter(instalment=local).delete()
    page = new_context().new_page()

    # 1. Staff open the money page from the project page and record part of the overdue national instalment.
    log_in(page, portal, "ministry")
    page.goto(f"{portal}/projects/{project.pk}/")
    with page.expect_navigation():
        page.click("#money-link")
    expect(page.locator("#overdue-alert")).to_be_visible()
    check_accessibility(page, "payment-journey-01-money")
    with page.expect_navigation():
        page.click(f"#instalment-{national.pk} a")
    check_accessibility(page, "payment-journey-02-pay")
    page.fill("#id_paid_on", "2025-10-15")
    page.fill("#id_amount_won", f"{national.amount_won + 1:,}")
    page.fill("#id_reference", "MSIT-2025-LATE-1")
    with page.expect_navigation():
        page.click("#payment-button")
    expect(page.locator("#id_amount_won_error")).to_be_visible()
    check_accessibility(page, "payment-journey-03-refused")
    half = national.amount_won // 2
    page.fill("#id_amount_won", f"{half:,}")
    with page.expect_navigation():
        page.click("#payment-button")
    expect(page.locator(f"#instalment-{national.pk} .overdue-flag")).to_be_visible()
    assert Payment.objects.get(instalment=national).amount_won == half
    logout(page)

    # 2. Jeonbuk's official records the region's local payment.
    log_in(page, portal, "official-jeonbuk")
    page.goto(f"{portal}/agreements/projects/{project.pk}/money/")
    expect(page.locator(f"#instalment-{national.pk} a")).to_have_count(0)  # national funds: staff record them
    with page.expect_navigation():
        page.click(f"#instalment-{local.pk} a")
    page.fill("#id_paid_on", "2025-07-01")
    page.fill("#id_amount_won", f"{local.amount_won:,}")
    page.fill("#id_reference", "JEONBUK-2025-1")
    with page.expect_navigation():
        page.click("#payment-button")
    expect(page.locator(f"#instalment-{local.pk} .overdue-flag")).to_have_count(0)
    expect(page.locator(f"#instalment-{national.pk} .overdue-flag")).to_be_visible()
    expect(page.locator("#money-table")).to_contain_text(f"{local.amount_won:,}")
    check_accessibility(page, "payment-journey-04-paid")

    # 3. On a phone: no sideways scrolling.
    phone = new_context(viewport={"width": 360, "height": 800}).new_page()
    log_in(phone, portal, "official-jeonbuk")
    phone.goto(f"{portal}/agreements/projects/{project.pk}/money/")
    check_accessibility(phone, "payment-journey-05-360")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
