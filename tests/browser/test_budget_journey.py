"""The budget form on a phone (360 px, Korean): amounts typed as people write them are echoed in
억원 and totalled, the page never scrolls sideways (the table scrolls in its own region, every
column reachable), the lead sees its partner's tab read-only, the tab is kept after saving, and a
formset row is added without saving."""

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import Page, expect  # noqa: E402

from .test_journeys import check_accessibility, log_in  # noqa: E402
from .test_proposal_journey import OPEN_CALL_YEAR  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways at {width[1]} px: {width[0]} px wide ({page.url})"


def test_the_budget_form_fits_a_phone_and_reads_korean_amounts(portal, new_context):
    from accounts.models import User
    from programmes.models import Call, CallStatus, Region
    from proposals.models import BudgetLine
    from tests.proposals.conftest import ProposalFactory

    call = Call.objects.get(year=OPEN_CALL_YEAR, status=CallStatus.OPEN)
    gwangju = Region.objects.get(code="gwangju")
    proposal = ProposalFactory(call=call, lead_region=gwangju, partners=["jeonnam"],
                               created_by=User.objects.get(username="official-gwangju"))
    year = call.year
    page = new_context(viewport={"width": 360, "height": 740}, locale="ko-KR").new_page()
    log_in(page, portal, "official-gwangju")
    page.goto(f"{portal}/proposals/{proposal.pk}/edit/budget/")

    # The rule in plain words, with the call's own percentage.
    expect(page.locator("#matching-rule")).to_have_text("지방비는 국비의 20% 이상이어야 합니다(연도별, 전체 합계 모두).")

    # Over the cap: refused at the cell by the server, what was typed kept, one message in the cell;
    # once the cell is edited, the server's message (about what was posted) gives way to the echo.
    page.fill(f"#id_national_{year}", "56억")
    with page.expect_navigation():
        page.click("main form button[name='save']")
    expect(page.locator(f"#id_national_{year}")).to_have_value("56억")
    expect(page.locator(f"#id_national_{year}-error")).to_have_text("최대 5,500,000,000원까지 입력할 수 있습니다.")
    expect(page.locator(f"#id_national_{year}-eok")).to_have_text("")
    expect(page.locator(f"tr[data-year='{year}'] .year-problem")).to_have_count(0)
    no_sideways_scroll(page)

    # Korean units, full-width digits and separators: echoed in 억원 and totalled while typing.
    page.fill(f"#id_national_{year}", "1억 2천만")
    page.fill(f"#id_local_{year}", "２，４００만")
    page.fill(f"#id_other_{year}", "5,000,000")
    expect(page.locator(f"#id_national_{year}-eok")).to_have_text("1.2억원")
    expect(page.locator(f"#id_national_{year}-error")).to_have_count(0)
    expect(page.locator(f"#id_national_{year}")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#id_local_{year}-eok")).to_have_text("0.24억원")
    expect(page.locator(f"tr[data-year='{year}'] .row-sum")).to_have_text("149,000,000원")
    expect(page.locator("#sum-total")).to_have_text("149,000,000원")
    expect(page.locator("#live-matching")).to_contain_text("20.00%")
    expect(page.locator("#live-totals")).to_have_text(  # the totals column scrolls away on a phone
        "합계: 국비 120,000,000원 · 지방비 24,000,000원 · 기타 5,000,000원 · 총 149,000,000원")
    # A negative amount is flagged at its cell while typing (the server refuses it too).
    page.fill(f"#id_other_{year}", "-5")
    expect(page.locator(f"#id_other_{year}-eok")).to_have_text("금액은 음수일 수 없습니다.")
    expect(page.locator(f"#id_other_{year}")).to_have_attribute("aria-invalid", "true")
    page.fill(f"#id_other_{year}", "5,000,000")

    # 360 px: the document does not scroll sideways; the table scrolls in its own region and its
    # last column (기타) can be reached.
    no_sideways_scroll(page)
    region = page.locator("#budget-form .money-scroll")
    expect(region).to_have_attribute("role", "region")
    page.locator(f"#id_other_{year}").scroll_into_view_if_needed()
    box, scroller = page.locator(f"#id_other_{year}").bounding_box(), region.bounding_box()
    assert scroller["x"] <= box["x"] and box["x"] + box["width"] <= scroller["x"] + scroller["width"] + 1
    no_sideways_scroll(page)
    check_accessibility(page, "budget-360-gwangju")

    # Saved: the page stays on Gwangju's tab, the amounts as won.
    with page.expect_navigation():
        page.click("main form button[name='save']")
    assert page.url.endswith("?region=gwangju")
    expect(page.locator("main .messages .alert-success")).to_be_visible()
    line = BudgetLine.objects.get(proposal=proposal, region=gwangju, year=year)
    assert (line.national_won, line.local_won, line.other_won) == (120_000_000, 24_000_000, 5_000_000)

    # Jeonnam's tab: read-only for the lead region.
    page.click("ul.region-tabs a[href='?region=jeonnam']")
    page.wait_for_url(re.compile(r"\?region=jeonnam$"))
    expect(page.locator("#budget-readonly")).to_be_visible()
    expect(page.locator("input.money-input")).to_have_count(0)
    no_sideways_scroll(page)

    # Linked projects: a row added without saving (the formset's TOTAL_FORMS follows).
    page.goto(f"{portal}/proposals/{proposal.pk}/edit/links/")
    total = int(page.input_value("input[name='rows-TOTAL_FORMS']"))
    expect(page.locator(".formset-save-hint")).to_be_hidden()
    page.click("button.formset-add")
    assert int(page.input_value("input[name='rows-TOTAL_FORMS']")) == total + 1
    expect(page.locator(f"input[name='rows-{total}-name']")).to_be_focused()
    page.click(f"tr:has(input[name='rows-{total}-name']) button.formset-remove")
    expect(page.locator(f"input[name='rows-{total}-name']")).to_be_hidden()
    page.click("button.formset-add")
    page.fill(f"input[name='rows-{total + 1}-name']", "인공지능 집적단지")
    page.fill(f"input[name='rows-{total + 1}-ministry']", "과학기술정보통신부")
    page.fill(f"textarea[name='rows-{total + 1}-connection']", "실증 인프라 공동 활용")
    no_sideways_scroll(page)
    with page.expect_navigation():
        page.click("main form button[name='save']")
    expect(page.locator("main .messages .alert-success")).to_be_visible()
    assert list(proposal.linked_projects.values_list("name", flat=True)) == ["인공지능 집적단지"]
