"""Zones in Chromium: staff group the open 2027 call's regions into zones on the call's edit page (a
region left out is refused with what was typed kept) and read its zone panels page; the 2023 call
(zones in the demo data) shows the ranking per zone. Each page checked by axe-core, at 360 px (and
the board at 1280 px)."""

import pytest
from playwright.sync_api import expect

from .test_journeys import OVERFLOW_JS, check_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZONES = [("호남권", "Honam", ["gwangju", "jeonbuk", "jeonnam"]),
         ("대경권", "Daegu-Gyeongbuk", ["daegu", "gyeongbuk"])]


def tick(page, index: int, codes: list[str]) -> None:
    from programmes.models import Region

    for region in Region.objects.filter(code__in=codes):
        page.check(f"input[name='zones-{index}-regions'][value='{region.pk}']")


def test_staff_define_zones_and_read_the_zone_pages(portal, new_context):
    from programmes.models import Call

    call = Call.objects.get(year=2027)
    page = new_context(viewport={"width": 360, "height": 800}).new_page()
    log_in(page, portal, "ministry")
    page.goto(f"{portal}/calls/{call.pk}/edit/")
    for i, (ko, en, codes) in enumerate(ZONES):
        page.fill(f"#id_zones-{i}-name_ko", ko)
        page.fill(f"#id_zones-{i}-name_en", en)
        tick(page, i, codes)
    page.click("button[type=submit].btn-primary")
    expect(page.locator("#zones-errors")).to_contain_text("아직 권역이 없는 지역")
    expect(page.locator("#id_zones-1-name_ko")).to_have_value("대경권")
    check_accessibility(page, "zones-refused")
    assert page.evaluate(OVERFLOW_JS, 360) == []

    # The second zone takes the rest of the country: every eligible region once.
    named = {c for _k, _e, codes in ZONES for c in codes}
    page.fill("#id_zones-1-name_ko", "그 밖의 권역")
    page.fill("#id_zones-1-name_en", "Elsewhere")
    tick(page, 1, [r.code for r in call.eligible_regions.all() if r.code not in named])
    page.click("button[type=submit].btn-primary")
    expect(page.locator("#call-zones")).to_contain_text("그 밖의 권역")
    check_accessibility(page, "zones-call")
    assert page.evaluate(OVERFLOW_JS, 360) == []

    page.click("#call-zone-panels")
    expect(page.locator("h1")).to_contain_text("권역 평가위원회")
    check_accessibility(page, "zones-panels")
    assert page.evaluate(OVERFLOW_JS, 360) == []

    wide = new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(wide, portal, "ministry")
    wide.goto(f"{portal}/evaluations/calls/{Call.objects.get(year=2023).pk}/ranking/")
    expect(wide.locator("#zone-ranking")).to_contain_text("호남권")
    check_accessibility(wide, "zones-ranking")
    assert wide.evaluate(OVERFLOW_JS, 1280) == []
