"""Spending by category in the browser, from the demo data.

Jeonbuk (the lead and only region of a 2023 project whose 2025 report is still a draft) fills its
spending grid: the running totals follow what is typed; an indirect share above the limit is refused
at the indirect cell with every typed value kept; lowered, the part saves and the totals are the sums.
Ministry staff then read the part's spending by category. Checked with axe-core and photographed at
1280 and 360 px (no sideways scroll on a phone).
"""

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import expect  # noqa: E402

from .test_journeys import ARTIFACTS, check_accessibility, log_in  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logout(page) -> None:
    with page.expect_navigation():
        page.click("#logout-button")


def test_a_region_fills_the_grid_an_indirect_share_over_the_limit_is_refused_at_the_cell_then_saved(
        portal, new_context):
    from projects.models import AnnualReport, SpendingLine

    report = AnnualReport.objects.select_related("project").get(
        project__proposal__lead_region__code="jeonbuk", year=2025)
    part = report.parts.get(region__code="jeonbuk")
    url = f"{portal}/projects/{report.project_id}/reports/2025/"
    page = new_context().new_page()

    log_in(page, portal, "official-jeonbuk")
    page.goto(url)
    cells = page.locator("#spending-grid input.money-input")
    for i in range(cells.count()):  # the demo filled this part: start from an empty grid
        cells.nth(i).fill("")
    page.fill("#id_national-personnel", "4억")
    page.fill("#id_national-materials", "100,000,000")
    page.fill("#id_national-indirect", "2억")  # 40 % of the other costs: over every limit
    page.fill("#id_local-personnel", "1억 5천만")
    expect(page.locator("#sum-national")).to_have_text("700,000,000원")
    expect(page.locator("#sum-total")).to_have_text("850,000,000원")
    check_accessibility(page, "spending-journey-01-grid")
    with page.expect_navigation():
        page.click("#save-part")
    expect(page.locator("#id_national-indirect-error")).to_be_visible()
    expect(page.locator("#id_national-indirect")).to_have_value("2억")
    expect(page.locator("#id_national-personnel")).to_have_value("4억")
    expect(page.locator("#id_local-personnel")).to_have_value("1억 5천만")
    assert "is-invalid" in page.locator("#id_national-indirect").get_attribute("class")
    check_accessibility(page, "spending-journey-02-refused-at-the-cell")
    assert not SpendingLine.objects.filter(part=part, category="indirect", amount_won=200_000_000).exists()

    page.fill("#id_national-indirect", "5천만")
    with page.expect_navigation():
        page.click("#save-part")
    part.refresh_from_db()
    assert (part.national_spent_won, part.local_spent_won) == (550_000_000, 150_000_000)
    assert SpendingLine.objects.get(part=part, source="national", category="indirect").amount_won == 50_000_000
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(url)
    page.screenshot(path=str(ARTIFACTS / "spending-journey-03-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    logout(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, portal, "ministry")
    page.goto(url)
    expect(page.locator(f"#part-{part.pk}").locator("xpath=..")).to_contain_text("550,000,000")
    assert page.locator("#id_national-personnel").count() == 0  # staff read, never edit
    check_accessibility(page, "spending-journey-04-staff")
