"""The whole proposal as one PDF, from the proposal page: the Gwangju official asks for it,
the page shows its progress and then the download, in Korean at 1280 px and at 360 px without
sideways scrolling. Factory data (no demo seeding), so the journey stays short."""

import importlib
import re
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from django.apps import apps  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from .test_journeys import check_accessibility, log_in  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def draft(live_server, settings, tmp_path, request):
    importlib.import_module("programmes.migrations.0002_reference_data").load(apps, None)
    if settings.CELERY_BROKER_URL:
        # The real worker builds the PDF (into the configured MEDIA_ROOT: the files this test adds
        # are removed after it).
        from proposals.models import ProposalDocument

        request.getfixturevalue("celery_worker")
        folder = Path(settings.MEDIA_ROOT) / ProposalDocument.upload_dir
        before = set(folder.glob("*")) if folder.exists() else set()
        request.addfinalizer(lambda: [f.unlink() for f in (set(folder.glob("*")) if folder.exists() else set()) - before])
    else:
        settings.MEDIA_ROOT = str(tmp_path)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from programmes.models import Region
    from tests.factories import CallFactory, OfficialFactory
    from tests.proposals.conftest import ProposalFactory, fill

    gwangju = Region.objects.get(code="gwangju")
    OfficialFactory(username="official-jeonnam", region=Region.objects.get(code="jeonnam"))
    official = OfficialFactory(username="official-gwangju", region=gwangju)
    proposal = ProposalFactory(call=CallFactory(), lead_region=gwangju, created_by=official, partners=["jeonnam"],
                               title_ko="겹눈 모사 뉴로모픽 반도체 기반 감시정찰 AI")
    return fill(proposal)


def test_the_official_builds_and_downloads_the_proposal_pdf(draft, live_server, new_context):
    from tests.factories import PASSWORD

    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, live_server.url, "official-gwangju", PASSWORD)
    page.goto(f"{live_server.url}/proposals/{draft.pk}/")
    card = page.locator("#proposal-pdf")
    expect(card.locator("h2")).to_have_text("내부결재용 PDF")
    card.get_by_role("button", name="PDF 만들기").click()
    page.wait_for_url(re.compile(rf"/proposals/{draft.pk}/"))
    # Built in the request without a broker, or by the worker while the page polls; then downloadable.
    expect(page.locator("#download-proposal-pdf")).to_be_visible(timeout=20_000)
    check_accessibility(page, "proposal-pdf-1280")
    with page.expect_download() as download:
        page.click("#download-proposal-pdf")
    assert download.value.suggested_filename == f"proposal-{draft.pk}-r{draft.revision}.pdf"
    page.set_viewport_size({"width": 360, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    check_accessibility(page, "proposal-pdf-360")
