"""A grant agreement in the browser, from the demo data.

The demo back-fills every 2023 project with an accepted agreement; this test takes the Gyeongnam–Ulsan
project's away (as before agreements existed). Ministry staff prepare it from the project page, issue it
and accept for the ministry; the lead region accepts for itself and for the lead research institution
(declaring its head signed); the partner region accepts last and the agreement is in force; its PDF
downloads. Every page is checked with axe-core and photographed into tests/artifacts/ (the agreement also
at 360 px, without sideways scrolling).
"""

from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import expect  # noqa: E402

from .test_journeys import ARTIFACTS, check_accessibility, log_in  # noqa: E402
from .test_project_journey import BROKER, logout  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agreements_media(settings, tmp_path, portal, request):
    """The agreements' PDFs of this test in a temporary MEDIA_ROOT when built in-process; with a broker a
    real worker builds them (and the test removes the files it added)."""
    if BROKER:
        request.getfixturevalue("celery_worker")
        folder = Path(settings.MEDIA_ROOT) / "agreements"
        before = set(folder.glob("*.pdf")) if folder.exists() else set()
        yield portal
        for path in (set(folder.glob("*.pdf")) if folder.exists() else set()) - before:
            path.unlink()
        return
    settings.MEDIA_ROOT = tmp_path / "media"
    yield portal


def forget_settlements(project, year=None) -> None:
    """Take away the demo's settlements of the project (of one year), with their repayments and documents."""
    from agreements.models import Settlement, SettlementDocument, SettlementRepayment

    years = {} if year is None else {"year": year}
    settlements = Settlement.objects.filter(agreement__project=project, **years)
    SettlementRepayment.objects.filter(settlement__in=settlements).delete()
    SettlementDocument.objects.filter(settlement__in=settlements).delete()
    settlements.delete()


def accept(page, button: str, *, signed: bool = False) -> None:
    item = page.locator(f"li:has(#{button})")
    if signed:
        item.locator("input[name='institution_signed']").check()
    item.locator("input[name='confirm']").check()
    with page.expect_navigation():
        page.click(f"#{button}")


def test_staff_issue_the_agreement_both_regions_accept_and_its_pdf_downloads(agreements_media, new_context):
    from agreements.models import (
        Agreement,
        AgreementDocument,
        AgreementState,
        AgreementVersion,
        Amendment,
        Instalment,
        Payment,
    )
    from projects.models import Project

    portal = agreements_media
    project = Project.objects.select_related("proposal__lead_region").get(
        proposal__call__year=2023, proposal__participations__region__code="ulsan")
    lead = project.proposal.lead_region.code
    partner = ({"gyeongnam", "ulsan"} - {lead}).pop()
    AgreementDocument.objects.filter(version__agreement__project=project).delete()
    Amendment.objects.filter(agreement__project=project).delete()  # the demo's amendment holds its versions
    Payment.objects.filter(instalment__agreement__project=project).delete()  # the demo's payments hold the schedule
    Instalment.objects.filter(agreement__project=project).delete()
    forget_settlements(project)  # the demo's settled 2023 and 2024
    Agreement.objects.filter(project=project).delete()
    page = new_context().new_page()

    # 1. Staff prepare the agreement from the project's workspace and issue it.
    log_in(page, portal, "ministry")
    page.goto(f"{portal}/projects/{project.pk}/")
    check_accessibility(page, "agreement-journey-01-workspace")
    with page.expect_navigation():
        page.click("#agreement-prepare")
    check_accessibility(page, "agreement-journey-02-prepare")
    with page.expect_navigation():
        page.click("#prepare-button")
    expect(page.locator("#agreement-amounts")).to_be_visible()
    check_accessibility(page, "agreement-journey-03-draft")
    page.check("#confirm-issue")
    with page.expect_navigation():
        page.click("#issue-button")
    accept(page, "accept-ministry")
    check_accessibility(page, "agreement-journey-04-issued")
    logout(page)

    # 2. The lead region accepts for itself and for the lead research institution.
    log_in(page, portal, f"official-{lead}")
    version = AgreementVersion.objects.get(agreement__project=project)
    page.goto(f"{portal}/agreements/versions/{version.pk}/")
    accept(page, f"accept-institution-{lead}")  # without the signature: refused at the box
    expect(page.locator(f"li:has(#accept-institution-{lead}) .invalid-feedback")).to_be_visible()
    check_accessibility(page, "agreement-journey-05-refused")
    accept(page, f"accept-institution-{lead}", signed=True)
    accept(page, f"accept-region-{lead}")
    logout(page)

    # 3. The partner region accepts last: the agreement is in force; its PDF downloads.
    log_in(page, portal, f"official-{partner}")
    page.goto(f"{portal}/agreements/versions/{version.pk}/")
    accept(page, f"accept-region-{partner}")
    version.refresh_from_db()
    assert version.state == AgreementState.IN_FORCE
    expect(page.locator("#version-state")).to_have_text("발효")
    page.reload()
    expect(page.locator("#agreement-download")).to_be_visible(timeout=60_000)
    check_accessibility(page, "agreement-journey-06-in-force")
    with page.expect_download() as download:
        page.click("#agreement-download")
    pdf = ARTIFACTS / "agreement-journey.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    # 4. On a phone: no sideways scrolling.
    phone = new_context(viewport={"width": 360, "height": 800}).new_page()
    log_in(phone, portal, f"official-{partner}")
    phone.goto(f"{portal}/agreements/versions/{version.pk}/")
    check_accessibility(phone, "agreement-journey-07-360")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
