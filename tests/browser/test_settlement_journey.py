"""The year-end settlement (정산) in the browser, from the demo data.

Ministry staff open a 2023 project's settlement from its money page (the demo's one taken away first), mark a
disallowed item and propose it; the lead region's official accepts it; the proposer is told that a second staff member confirms (four eyes);
`ministry2` confirms it and the settlement statement and repayment notice download as PDFs. Every page is checked
with axe-core and photographed into tests/artifacts/ (the settlement also at 360 px without sideways scrolling,
and once in English).
"""

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import expect  # noqa: E402

from .test_agreement_journey import (
    agreements_media,  # noqa: E402, F401  (fixture)
    forget_settlements,  # noqa: E402
)
from .test_journeys import ARTIFACTS, check_accessibility, log_in, switch_language  # noqa: E402
from .test_project_journey import logout  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def move(page, button: str) -> None:
    page.check("#id_move-confirm")
    with page.expect_navigation():
        page.click(f"#{button}")


def test_staff_settle_a_year_the_region_accepts_and_a_second_staff_member_confirms(agreements_media, new_context):  # noqa: F811
    from agreements.models import Settlement, SettlementState
    from projects.models import Project

    portal = agreements_media
    project = (Project.objects.filter(proposal__call__year=2023, reports__year=2023, reports__state="accepted")
               .exclude(proposal__lead_region__code="chungnam").select_related("proposal__lead_region")
               .order_by("pk").first())
    lead = project.proposal.lead_region.code
    # The demo settles every project's 2023 (agreements/demo.py): this journey settles that year again, from the start.
    forget_settlements(project, 2023)
    page = new_context().new_page()

    # 1. Staff open the settlement from the money page, mark a disallowed item and propose it.
    log_in(page, portal, "ministry")
    page.goto(f"{portal}/agreements/projects/{project.pk}/money/")
    with page.expect_navigation():
        page.click("#settlement-2023")
    check_accessibility(page, "settlement-journey-01-not-open")
    with page.expect_navigation():
        page.click("#settlement-open")
    expect(page.locator("#settlement-state")).to_have_text("작성 중")
    page.select_option("#id_item-source", "national")
    page.select_option("#id_item-category", "materials")
    page.fill("#id_item-amount_won", "10,000,000")
    page.fill("#id_item-reason", "시약 구입 1건의 세금계산서가 없어 집행을 인정하지 않습니다.")
    with page.expect_navigation():
        page.click("#item-add")
    expect(page.locator("#settlement-items")).to_contain_text("10,000,000")
    check_accessibility(page, "settlement-journey-02-draft")
    move(page, "move-propose")
    expect(page.locator("#settlement-state")).to_have_text("지역에 제안됨")
    settlement = Settlement.objects.get(agreement__project=project, year=2023)
    assert settlement.state == SettlementState.PROPOSED
    logout(page)

    # 2. The lead region's official accepts it.
    log_in(page, portal, f"official-{lead}")
    page.goto(f"{portal}/agreements/{settlement.agreement_id}/settlements/2023/")
    check_accessibility(page, "settlement-journey-03-proposed")
    move(page, "move-accept")
    expect(page.locator("#settlement-state")).to_have_text("지역 수용")
    logout(page)

    # 3. The proposer may not confirm: a second staff member does, and the PDFs download.
    log_in(page, portal, "ministry")
    page.goto(f"{portal}/agreements/{settlement.agreement_id}/settlements/2023/")
    expect(page.locator("#confirm-refusal")).to_be_visible()
    expect(page.locator("#move-confirm")).to_have_count(0)
    logout(page)
    log_in(page, portal, "ministry2")
    page.goto(f"{portal}/agreements/{settlement.agreement_id}/settlements/2023/")
    move(page, "move-confirm")
    settlement.refresh_from_db()
    assert settlement.state == SettlementState.CONFIRMED and settlement.amount_due_won > 0
    # The worker builds both PDFs; the page shows their links once built (reloaded as a person would).
    for _attempt in range(60):
        page.reload()
        if page.locator("#download-statement").count() and page.locator("#download-notice").count():
            break
        page.wait_for_timeout(1_000)
    expect(page.locator("#download-statement")).to_be_visible()
    expect(page.locator("#download-notice")).to_be_visible()
    check_accessibility(page, "settlement-journey-04-confirmed")
    for kind in ("statement", "notice"):
        with page.expect_download() as download:
            page.click(f"#download-{kind}")
        pdf = ARTIFACTS / f"settlement-journey-{kind}.pdf"
        download.value.save_as(pdf)
        assert pdf.read_bytes().startswith(b"%PDF")

    # 4. The same page in English.
    switch_language(page, "en")
    expect(page.locator("h1")).to_have_text("Settlement of 2023")
    check_accessibility(page, "settlement-journey-05-english")
    switch_language(page, "ko")

    # 5. On a phone: no sideways scrolling.
    phone = new_context(viewport={"width": 360, "height": 800}).new_page()
    log_in(phone, portal, f"official-{lead}")
    phone.goto(f"{portal}/agreements/{settlement.agreement_id}/settlements/2023/")
    check_accessibility(phone, "settlement-journey-06-360")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
