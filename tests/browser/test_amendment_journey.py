"""An agreement amendment in the browser, from the demo data: Gyeongnam's official requests moving money into
commissioned research (version 1's money is unclassified, so it comes from there), `ministry` endorses it (a
large change), `ministry2` approves it, and the compare page shows the moved money. axe-core on every page;
the compare page at 360 px without sideways scrolling."""

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import expect  # noqa: E402

from .test_agreement_journey import agreements_media  # noqa: E402,F401
from .test_journeys import check_accessibility, log_in  # noqa: E402
from .test_project_journey import logout  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_gyeongnam_requests_ministry_endorses_ministry2_approves_and_the_compare_page_shows_it(
        agreements_media, new_context):  # noqa: F811
    from agreements.models import Agreement, AgreementState, Amendment, AmendmentState

    portal = agreements_media
    agreement = Agreement.objects.get(project__proposal__call__year=2023,
                                      project__proposal__lead_region__code="gyeongnam")
    version = agreement.versions.get(state=AgreementState.IN_FORCE)
    year = version.years[0]
    page = new_context().new_page()

    log_in(page, portal, "official-gyeongnam")
    page.goto(f"{portal}/agreements/versions/{version.pk}/")
    with page.expect_navigation():
        page.click("#amend-link")
    check_accessibility(page, "amendment-journey-01-request")
    page.check("input[name='kind'][value='money_categories']")
    page.fill("#id_reasons", "장비 대신 시험평가를 위탁합니다.")
    page.select_option("#id_source", "national")
    page.select_option("#id_from_year", str(year))
    page.select_option("#id_from_category", "unclassified")
    page.select_option("#id_to_category", "commissioned")
    page.fill("#id_amount_won", "2억")
    with page.expect_navigation():
        page.click("#amendment-button")
    check_accessibility(page, "amendment-journey-02-requested")
    amendment = Amendment.objects.get(agreement=agreement, state=AmendmentState.REQUESTED)
    assert amendment.amount_won == 200_000_000
    logout(page)

    log_in(page, portal, "ministry")
    page.goto(f"{portal}/agreements/amendments/{amendment.pk}/")
    page.check("#id_confirm")
    with page.expect_navigation():
        page.click("#endorse-button")
    check_accessibility(page, "amendment-journey-03-endorsed")
    expect(page.locator("#approve-button")).to_have_count(0)
    logout(page)

    log_in(page, portal, "ministry2")
    page.goto(f"{portal}/agreements/amendments/{amendment.pk}/")
    page.check("#id_confirm")
    with page.expect_navigation():
        page.click("#approve-button")
    amendment.refresh_from_db()
    assert amendment.state == AmendmentState.APPROVED
    page.goto(f"{portal}/agreements/versions/{amendment.new_version.pk}/")
    with page.expect_navigation():
        page.click("#compare-link")
    expect(page.locator("#compare-amounts tr.changed")).to_have_count(2)
    check_accessibility(page, "amendment-journey-04-compare")

    phone = new_context(viewport={"width": 360, "height": 800}).new_page()
    log_in(phone, portal, "ministry2")
    phone.goto(page.url)
    check_accessibility(phone, "amendment-journey-05-compare-360")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
