"""Cut-line scenarios in Chromium (issue 16): on the 2023 call, with one not-selected proposal put back to
"selected" and an envelope that leaves room for it but not for every proposal, `ministry` sees the cut
line on the selection board, builds two scenarios (one by hand, one "as many as fit"), watches the totals
follow a choice while typing, compares the two, turns the first into decisions; `ministry2` approves the
prepared decision (four eyes). Pages checked with axe-core; the scenario page also looked at 360 px wide.
"""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from .test_journeys import ARTIFACTS, check_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EOK = 100_000_000


def korean(message: str) -> str:
    with translation.override("ko"):
        return gettext(message)


@pytest.fixture
def media(settings, tmp_path):
    """The demo's and this journey's award letters, when built in-process, in a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reopened(media, portal):
    """A not-selected 2023 proposal back to "selected"; the envelope: what approved decisions commit,
    its request and 10억 more (so the running total of all proposals passes it)."""
    from funding.selectors import envelope_status, requested_national
    from programmes.models import Call
    from proposals.models import Proposal, ProposalState

    proposal = Proposal.objects.filter(call__year=2023, state=ProposalState.NOT_SELECTED).order_by("pk").first()
    assert proposal is not None, "the demo has no not-selected 2023 proposal"
    Proposal.objects.filter(pk=proposal.pk).update(state=ProposalState.SELECTED)
    call = proposal.call
    envelope = envelope_status(call)["committed"] + requested_national(call)[proposal.pk] + 10 * EOK
    Call.objects.filter(pk=call.pk).update(envelope_won=envelope, cap_won=min(call.cap_won, envelope))
    proposal.refresh_from_db()
    return proposal


def test_staff_build_compare_and_turn_a_scenario_into_decisions_that_another_approves(portal, reopened, page: Page,
                                                                                       new_context):
    from funding.models import FundingDecision, Scenario

    call_id = reopened.call_id
    log_in(page, portal, "ministry")
    page.goto(f"{portal}/funding/calls/{call_id}/selection/")
    expect(page.locator("#cut-line")).to_contain_text(korean("Envelope cut line"))
    check_accessibility(page, "scenarios-01-selection-board")

    # The first scenario: nothing selected from the ranking, then the reopened proposal chosen by hand.
    page.click("#scenarios-link")
    page.fill("#id_name", "여정 A")
    page.fill("#id_top", "0")
    with page.expect_navigation():
        page.click("#scenario-create-submit")
    first = Scenario.objects.get(name="여정 A")
    remaining = page.locator("#scenario-status .js-remaining")
    before = remaining.inner_text()
    page.select_option(f"#id_choice-{reopened.pk}", "select")
    expect(remaining).not_to_have_text(before)  # the totals follow while choosing (static/js/scenario.js)
    with page.expect_navigation():
        page.click("#scenario-save")
    expect(page.locator(".alert-success")).to_have_text(korean("Scenario saved. Nothing was decided."))
    check_accessibility(page, "scenarios-02-scenario")
    narrow = new_context(viewport={"width": 360, "height": 800})
    small = narrow.new_page()
    small.context.add_cookies(page.context.cookies())
    small.goto(page.url)
    small.screenshot(path=str(ARTIFACTS / "scenarios-02-scenario-360.png"), full_page=True)
    assert small.evaluate("document.documentElement.scrollWidth") <= 360

    # The second: as many as fit down the ranking.
    page.goto(f"{portal}/funding/calls/{call_id}/scenarios/")
    page.fill("#id_name", "여정 B")
    with page.expect_navigation():
        page.click("#scenario-create-submit")
    second = Scenario.objects.get(name="여정 B")

    # Side by side: the differences said in words.
    page.goto(f"{portal}/funding/calls/{call_id}/scenarios/")
    page.select_option("#compare-a", str(first.pk))
    page.select_option("#compare-b", str(second.pk))
    with page.expect_navigation():
        page.click("#compare-submit")
    expect(page.locator("#difference-count")).to_be_visible()
    expect(page.locator("#compare-table tr.differs").first).to_contain_text(korean("Differs"))
    check_accessibility(page, "scenarios-03-compare")
    # Only the rows that differ, every one of them marked.
    with page.expect_navigation():
        page.click("#compare-only-differences")
    expect(page.locator("#compare-table tbody tr").first).to_be_visible()
    assert page.locator("#compare-table tbody tr").count() == page.locator("#compare-table tr.differs").count()
    check_accessibility(page, "scenarios-03b-compare-differences")

    # The first turned into decisions: prepared, not approved.
    page.goto(f"{portal}/funding/scenarios/{first.pk}/")
    page.check("#decide-confirm")
    with page.expect_navigation():
        page.click("#scenario-decide-submit")
    expect(page.locator(".alert-success")).to_have_text(
        korean("Decisions prepared from the scenario. Another staff member must approve each of them."))
    decision = FundingDecision.objects.get(proposal=reopened, state="prepared")
    assert decision.prepared_by.username == "ministry"
    page.click("#logout-button")

    # ministry2 approves it on its page (four eyes).
    log_in(page, portal, "ministry2")
    page.goto(f"{portal}/funding/proposals/{reopened.pk}/")
    page.check("#confirm-approve")
    with page.expect_navigation():
        page.click("#approve-button")
    decision.refresh_from_db()
    assert decision.state == "approved" and decision.approved_by.username == "ministry2"
