"""The administrator's dashboard in Chromium: charts with their tables, the call filter, a CSV
download, axe-core (no serious or critical violation) at 1280 px and at 360 px."""

import csv
import io
from pathlib import Path

import pytest

from .test_journeys import OVERFLOW_JS, check_accessibility, log_in

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_reads_the_dashboard_filters_it_and_downloads_a_figure(portal, page):
    from programmes.models import Call

    call = Call.objects.get(year=2023)
    log_in(page, portal, "admin")
    page.goto(f"{portal}/")

    expect(page.locator("#key-figures-heading")).to_be_visible()
    expect(page.locator("[data-figure=committed] .stat")).to_have_text("275억원")  # five projects × 55억원
    panels = page.locator("section.chart-panel")
    expect(panels).to_have_count(6)
    expect(page.locator("section.chart-panel svg[role=img]:visible")).to_have_count(6)

    regions = page.locator("section[data-figure=regions]")
    table = regions.locator("table")
    expect(table).to_be_hidden()
    regions.locator("summary").click()
    expect(table).to_be_visible()
    expect(table.locator("tfoot td").first).to_have_text("275억원")
    check_accessibility(page, "dashboard-admin")

    page.select_option("#filter-call", str(call.pk))
    with page.expect_navigation():
        page.get_by_role("button", name="적용").or_(page.get_by_role("button", name="Apply")).click()
    assert f"call={call.pk}" in page.url
    expect(page.locator("#filter-call")).to_have_value(str(call.pk))

    with page.expect_download() as download_info:
        page.locator("section[data-figure=regions] a[download]").click()
    download = download_info.value
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert sum(int(row[1]) for row in rows[1:]) == 275 * 100_000_000
    check_accessibility(page, "dashboard-admin-filtered")


def test_dashboard_fits_a_360px_phone_with_readable_charts(portal, new_context):
    page = new_context(viewport={"width": 360, "height": 800}).new_page()
    log_in(page, portal, "admin")
    page.goto(f"{portal}/")

    # On a phone the narrow drawing of each chart is shown, not the wide one scaled down.
    narrow = page.locator("section[data-figure=regions] svg[viewBox^='0 0 340 ']")
    expect(narrow).to_be_visible()
    expect(page.locator("section[data-figure=regions] svg[viewBox^='0 0 600 ']")).to_be_hidden()
    check_accessibility(page, "dashboard-admin-360")
    overflow = page.evaluate(OVERFLOW_JS, 360)
    assert overflow == [], f"the dashboard is wider than 360 px: {overflow}"
