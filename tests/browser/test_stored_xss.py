"""Script stored in text fields never runs in a browser: the demo's Gwangju proposals get
`<script>` and `onerror=` payloads in their titles, summaries, goals and comments, and
Chromium opens the pages that show them (with the page's CSP bypassed, so only
escaping stands between the payload and a dialog)."""

from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

if not Path("/usr/bin/chromium").exists():
    pytest.skip("browser tests need Chromium at /usr/bin/chromium", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'


def test_no_dialog_fires_on_pages_showing_script_typed_into_text_fields(portal, page):
    from evaluations.models import ConsultingComment
    from proposals.models import Proposal

    mine = Proposal.objects.filter(lead_region__code="gwangju")
    mine.update(title_ko=f"과제 {SCRIPT}{IMG}", summary=f"요약 {IMG}", goals=SCRIPT)
    ConsultingComment.objects.filter(round__proposal__in=mine).update(text=f"의견 {IMG}{SCRIPT}")
    proposal = mine.order_by("pk").first()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(f"{portal}/accounts/login/")
    page.fill("#id_username", "official-gwangju")
    page.fill("#id_password", "demo1234")
    page.click("#login-submit")
    page.wait_for_url(f"{portal}/")
    for path in ("/", "/proposals/", f"/proposals/{proposal.pk}/", f"/evaluations/proposals/{proposal.pk}/consulting/",
                 f"/proposals/{proposal.pk}/edit/review/"):
        page.goto(f"{portal}{path}")
        page.wait_for_load_state("load")
        assert page.locator("img[src=x]").count() == 0, path
    page.goto(f"{portal}/proposals/{proposal.pk}/")
    assert SCRIPT in page.locator("body").inner_text()  # shown, as text

    assert dialogs == []
