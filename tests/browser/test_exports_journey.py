"""Exports in Chromium: the administrator filters the proposal list, downloads it as XLSX
and CSV (read back: the filtered rows, typed cells, BOM), opens the exports page, builds
the 2023 call's result report from the call page and downloads the PDF. Pages checked
with axe-core; screenshots in tests/artifacts/."""

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings

from .test_journeys import check_accessibility, log_in

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROKER = bool(settings.CELERY_BROKER_URL)


@pytest.fixture
def report_media(settings, tmp_path, request):
    """Files of this test in a temporary MEDIA_ROOT (with a broker, the real worker builds the report)."""
    if BROKER:
        request.getfixturevalue("celery_worker")
        return
    settings.MEDIA_ROOT = tmp_path / "media"


def test_admin_exports_the_filtered_list_and_builds_the_call_report(report_media, portal, page, settings):
    from openpyxl import load_workbook

    from programmes.models import Call
    from proposals.models import Proposal, ProposalState

    funded = sorted(Proposal.objects.filter(state=ProposalState.FUNDED).values_list("title_ko", flat=True))
    assert len(funded) == 5
    log_in(page, portal, "admin")
    page.goto(f"{portal}/proposals/")
    page.select_option("#f-state", ProposalState.FUNDED.value)
    with page.expect_navigation():
        page.locator("form[role=search] button[type=submit]").click()
    assert "state=funded" in page.url
    check_accessibility(page, "exports-proposal-list")

    with page.expect_download() as xlsx_info:
        page.click("#export-xlsx")
    ws = load_workbook(io.BytesIO(Path(xlsx_info.value.path()).read_bytes())).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert sorted(r[3] for r in rows[1:]) == funded  # the Korean title column
    assert all(isinstance(r[10], int) for r in rows[1:])  # national funding requested: numbers

    with page.expect_download() as csv_info:
        page.click("#export-csv")
    text = Path(csv_info.value.path()).read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    assert sorted(r[3] for r in list(csv.reader(io.StringIO(text[1:])))[1:]) == funded

    page.goto(f"{portal}/reports/exports/")
    expect(page.locator("#datasets")).to_be_visible()
    check_accessibility(page, "exports-page")

    # A larger export than the page may stream: prepared in the background, then downloaded.
    settings.EXPORT_SYNC_MAX_ROWS = 3
    page.click("#export-funding-xlsx")
    expect(page.locator("#start-export")).to_be_visible()
    check_accessibility(page, "exports-large")
    page.click("#start-export")
    expect(page.locator("#job-download")).to_be_visible(timeout=60_000)
    check_accessibility(page, "exports-job")
    with page.expect_download() as job_info:
        page.click("#job-download")
    funding = list(load_workbook(io.BytesIO(Path(job_info.value.path()).read_bytes())).worksheets[0]
                   .iter_rows(values_only=True))
    assert sum(r[8] for r in funding[1:]) == 5 * 5_500_000_000  # national funding of the five projects

    call = Call.objects.get(year=2023)
    page.goto(f"{portal}/calls/{call.pk}/")
    page.click("#call-report")
    page.click("#build-report")
    expect(page.locator("#report-download")).to_be_visible(timeout=60_000)
    check_accessibility(page, "exports-call-report")
    with page.expect_download() as pdf_info:
        page.click("#report-download")
    assert Path(pdf_info.value.path()).read_bytes()[:5] == b"%PDF-"
