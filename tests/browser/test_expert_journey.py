"""An expert declares, scores (draft, return, submit) in Chromium; staff see the ranking board update."""

import pytest
from playwright.sync_api import Page, expect

from .test_journeys import check_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fresh_assignment(portal):
    """An expert newly assigned to a 2023 proposal they have no conflict with (expert1 coached them
    all, so the first of the others). The demo's 2023 proposals are decided already; this one is put
    back under evaluation."""
    from accounts.models import User
    from evaluations.models import Assignment, AssignmentKind
    from evaluations.selectors import ranking_order
    from evaluations.services import panel_assign
    from evaluations.services.panels import exclusions_for
    from programmes.models import Call
    from proposals.models import Proposal, ProposalState
    from tests.factories import open_review

    ministry = User.objects.get(username="ministry")
    # In ranking order: the board pages by 25 and the demo's 2023 call has 27 proposals (issue 16).
    place = {r.proposal_id: i for i, r in enumerate(ranking_order(call=Call.objects.get(year=2023)))}
    candidates = sorted(Proposal.objects.filter(call__year=2023, state=ProposalState.NOT_SELECTED),
                        key=lambda p: place.get(p.pk, len(place)))
    for proposal, expert in ((p, e) for p in candidates
                             for e in User.objects.filter(username__startswith="expert").order_by("username")):
        # Every reason the assignment would be refused (conflicts, coaching, the region's list, exclusions).
        if expert.pk in {u.pk for u, _reasons in exclusions_for(proposal)}:
            continue
        # If the expert already scored it, start them afresh on it.
        Assignment.objects.filter(kind=AssignmentKind.EVALUATION, proposal=proposal, expert=expert).delete()
        Proposal.objects.filter(pk=proposal.pk).update(state=ProposalState.ELIGIBLE)
        proposal.refresh_from_db()
        open_review(proposal.call)  # and its review window reopened: scores are submitted within it
        return panel_assign(actor=ministry, proposal=proposal, expert=expert)
    pytest.fail("the demo data has no 2023 proposal with a conflict-free expert")


def scores_in(page: Page, title: str) -> str:
    row = page.locator("#ranking-table tbody tr").filter(has_text=title)
    return row.locator("td.scores-in").inner_text().strip()


def test_an_expert_declares_scores_a_draft_returns_and_submits(portal, page, fresh_assignment):
    from evaluations.models import Scoresheet, ScoresheetState

    a = fresh_assignment
    title = a.proposal.title_ko
    call_id = a.proposal.call_id
    done = Scoresheet.objects.filter(assignment__proposal=a.proposal, assignment__round=1, assignment__kind="evaluation",
                                     state=ScoresheetState.SUBMITTED).count()

    # Staff first: the board shows the other experts' scores in, one more expert assigned.
    log_in(page, portal, "ministry")
    page.goto(f"{portal}/evaluations/calls/{call_id}/ranking/")
    assert scores_in(page, title) == f"{done}/{done + 1}"
    check_accessibility(page, "expert-journey-01-ranking-before")
    page.click("#logout-button")

    # The expert finds the new assignment on the dashboard; the content is hidden until the declaration.
    log_in(page, portal, a.expert.username)
    expect(page.locator("main")).to_have_attribute("data-dashboard", "expert")
    page.click(f"main a[href='/evaluations/assignments/{a.pk}/']")
    expect(page.locator("#declare-submit")).to_be_visible()
    expect(page.locator("#scoresheet-form")).to_have_count(0)
    check_accessibility(page, "expert-journey-02-declaration")
    for answer in page.locator("input[name^='ground_'][value='no']").all():  # no to every declared ground
        answer.check()
    page.check("#decision-none")
    with page.expect_navigation():
        page.click("#declare-submit")
    expect(page.locator("#scoresheet-form")).to_be_visible()
    check_accessibility(page, "expert-journey-03-scoresheet")

    # A draft with the first two criteria, then away and back: what was saved is there.
    inputs = page.locator("input.score-input")
    count = inputs.count()
    assert count == 5
    comments = page.locator("#scoresheet-form textarea[id^='comment-']")
    inputs.nth(0).fill("8.5")
    comments.nth(0).fill("기획의 구체성이 높고 단계별 목표가 측정 가능하게 제시되었습니다.")
    inputs.nth(1).fill("9")
    with page.expect_navigation():
        page.click("#save-draft")
    page.goto(f"{portal}/evaluations/assignments/")
    page.click(f"a[href='/evaluations/assignments/{a.pk}/']")
    expect(page.locator("input.score-input").nth(0)).to_have_value("8.5")
    expect(page.locator("input.score-input").nth(1)).to_have_value("9.0")

    # Submitting with a short comment is refused at the field, typed values kept.
    for i in range(1, count):
        page.locator("input.score-input").nth(i).fill("8")
    with page.expect_navigation():
        page.check("#confirm-scores")
        page.click("#submit-scores")
    expect(page.locator("#scoresheet-form .invalid-feedback").first).to_be_visible()
    expect(page.locator("input.score-input").nth(4)).to_have_value("8")
    check_accessibility(page, "expert-journey-04-errors")

    for i in range(count):
        page.locator("#scoresheet-form textarea[id^='comment-']").nth(i).fill(
            "근거 자료와 실행 계획을 검토한 결과 해당 항목의 수준은 양호하다고 판단됩니다.")
    page.check("#confidence-3")
    page.check("#confirm-scores")
    with page.expect_navigation():
        page.click("#submit-scores")
    expect(page.locator("#scoresheet-form input.score-input").first).to_be_disabled()
    check_accessibility(page, "expert-journey-05-submitted")
    page.click("#logout-button")

    # Staff see the board updated.
    log_in(page, portal, "ministry")
    page.goto(f"{portal}/evaluations/calls/{call_id}/ranking/")
    assert scores_in(page, title) == f"{done + 1}/{done + 1}"
    check_accessibility(page, "expert-journey-06-ranking-after")
