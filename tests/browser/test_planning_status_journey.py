"""Where every region stands (issue 17), in the browser on the demo data: ministry staff open the 2027
call's status page from the call page and download its CSV; Jeonbuk's official finds the region's row
on the dashboard. axe-core on every page; no sideways scroll at 360 and 1280 px; screenshots in Korean
and English into tests/artifacts/."""

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import expect  # noqa: E402

from .test_journeys import check_accessibility, log_in  # noqa: E402
from .test_planning_journey import DESKTOP, PHONE, click, no_sideways_scroll  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_follow_every_region_and_an_official_sees_their_row(portal, new_context):
    from programmes.models import Call

    call = Call.objects.get(year=2027)
    page = new_context(viewport=DESKTOP).new_page()
    log_in(page, portal, "ministry")
    page.goto(f"{portal}/calls/{call.pk}/")
    click(page, "#call-planning-status")
    table = page.locator("#planning-status")
    expect(table.locator("tr[data-region='chungnam']")).to_contain_text("차세대 수소 연료전지 부품")
    expect(table.locator("tr[data-region='gwangju']")).to_contain_text("미선정")
    for width, size in (("1280", DESKTOP), ("360", PHONE)):
        page.set_viewport_size(size)
        no_sideways_scroll(page)
        check_accessibility(page, f"planning-status-ko-{width}")
    with page.expect_download() as download:
        page.click("#planning-status-csv")
    assert download.value.suggested_filename == f"planning-status-{call.pk}.csv"
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": portal}])
    page.reload()
    expect(page.locator("h1")).to_have_text("Where every region stands")
    for width, size in (("1280", DESKTOP), ("360", PHONE)):
        page.set_viewport_size(size)
        no_sideways_scroll(page)
        check_accessibility(page, f"planning-status-en-{width}")

    official = new_context(viewport=PHONE).new_page()
    log_in(official, portal, "official-jeonbuk")
    official.goto(f"{portal}/")
    expect(official.locator("#region-planning")).to_contain_text("차세대 수소 연료전지 부품")
    no_sideways_scroll(official)
    check_accessibility(official, "planning-status-dashboard-360")
