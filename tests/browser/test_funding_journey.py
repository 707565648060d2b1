"""Funding in Chromium: ministry prepares a decision from the budget plan, ministry2 approves it
(four eyes), the award letter is built and downloaded, and all letters of the call are
generated with live progress. Pages checked with axe-core, the letter's first page
rendered into tests/artifacts/.

Without a broker the letter is built eagerly inside the approving request; with
CELERY_BROKER_URL set the real worker builds it (the `celery_worker` fixture) and the
page's script polls until it is ready.
"""

import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from .test_journeys import ARTIFACTS, check_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROKER = bool(settings.CELERY_BROKER_URL)
EOK = 100_000_000


@pytest.fixture
def letters_media(settings, tmp_path):
    """Letters of this test: in a temporary MEDIA_ROOT when built in-process; with a worker
    (whose MEDIA_ROOT is the configured one) the files this test adds are removed after it."""
    if not BROKER:
        settings.MEDIA_ROOT = tmp_path / "media"
        yield Path(settings.MEDIA_ROOT)
        return
    folder = Path(settings.MEDIA_ROOT) / "letters"
    before = set(folder.glob("*.pdf")) if folder.exists() else set()
    yield Path(settings.MEDIA_ROOT)
    for path in (set(folder.glob("*.pdf")) if folder.exists() else set()) - before:
        path.unlink()


@pytest.fixture
def reopened(letters_media, portal, request):
    """A not-selected 2023 proposal put back to "selected", with room for it in the envelope."""
    from programmes.models import Call
    from proposals.models import Proposal, ProposalState

    if BROKER:
        request.getfixturevalue("celery_worker")
    proposal = Proposal.objects.filter(call__year=2023, state=ProposalState.NOT_SELECTED).order_by("pk").first()
    assert proposal is not None, "the demo has no not-selected 2023 proposal"
    Proposal.objects.filter(pk=proposal.pk).update(state=ProposalState.SELECTED)
    Call.objects.filter(pk=proposal.call_id).update(envelope_won=500 * EOK)
    proposal.refresh_from_db()
    return proposal


def korean(message: str) -> str:
    """The portal's Korean for an English message (the live server answers in Korean)."""
    with translation.override("ko"):
        return gettext(message)


def planned_national(proposal, year: int) -> int:
    return sum(b.national_won for b in proposal.budget_lines.filter(year=year))


def test_ministry_prepares_ministry2_approves_and_the_award_letter_is_downloaded(letters_media, portal, reopened,
                                                                                 page: Page):
    # letters_media first: the demo's own letters, built while `portal` seeds, must land there too.
    proposal = reopened
    decision_url = f"{portal}/funding/proposals/{proposal.pk}/"
    first_year = proposal.call.year

    # ministry prepares the decision from the prefilled budget plan.
    log_in(page, portal, "ministry")
    page.goto(decision_url)
    expect(page.locator("#decision-form")).to_be_visible()
    expect(page.locator(f"#national-{first_year}")).to_have_value(str(planned_national(proposal, first_year)))
    check_accessibility(page, "funding-01-decision-prepare")
    with page.expect_navigation():
        page.click("#prepare-button")
    expect(page.locator("#current-heading")).to_be_visible()
    expect(page.locator("#approve-button")).to_have_count(0)
    expect(page.locator(".alert-success")).to_have_text(korean("Decision prepared. Another staff member must approve it."))
    expect(page.locator("#current-heading + .card-body .alert-info")).to_have_text(
        korean("You prepared this decision: another staff member must approve it (four eyes)."))
    page.click("#logout-button")

    # ministry2 approves; the letter is built (in the request, or by the worker while the page polls).
    log_in(page, portal, "ministry2")
    page.goto(decision_url)
    page.check("#confirm-approve")
    with page.expect_navigation():
        page.click("#approve-button")
    expect(page.locator("#letters .letter-status")).to_have_count(1)
    expect(page.locator("#download-ko")).to_be_visible(timeout=30_000)
    expect(page.locator("#letters .letter-status")).to_have_text(korean("Ready"))
    check_accessibility(page, "funding-02-decision-approved")

    with page.expect_download() as download:
        page.click("#download-ko")
    pdf = ARTIFACTS / "funding-letter.pdf"
    pdf.unlink(missing_ok=True)
    download.value.save_as(pdf)
    png = ARTIFACTS / "funding-letter-page1.png"
    png.unlink(missing_ok=True)
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(png.with_suffix(""))], check=True)
    assert png.exists()
    assert png.stat().st_size > 10_000
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert proposal.title_ko in text

    # The selection board shows the decision; all letters of the call are generated with live progress.
    page.goto(f"{portal}/funding/calls/{proposal.call_id}/selection/")
    expect(page.locator("#selection-table")).to_be_visible()
    check_accessibility(page, "funding-03-selection-board")
    page.goto(f"{portal}/funding/calls/{proposal.call_id}/letters/")
    with page.expect_navigation():
        page.click("#generate-all")
    assert "?batch=" in page.url
    expect(page.locator("#batch-progress")).to_have_attribute("max", "6")
    check_accessibility(page, "funding-04-letters-batch")
    page.wait_for_function(
        "() => { const b = document.getElementById('batch-progress'); return b && b.value === b.max; }",
        timeout=30_000)
    page.wait_for_url(f"{portal}/funding/calls/{proposal.call_id}/letters/", timeout=10_000)
    expect(page.locator("#batch")).to_have_count(0)
    expect(page.locator("main table a[href$='/download/']")).to_have_count(6)
    check_accessibility(page, "funding-05-letters")
