"""An objection (이의신청) in the browser, from the demo data.

The 2023 call's results are announced (the test moves the announcement to now, so its
14-day period is open). Daegu, the lead region of a super-regional proposal that was not
selected, opens its evaluation results, sees the deadline with its D-day and lodges an
objection (first with empty grounds: refused at the field). Ministry staff find it in the
call's list, uphold it for a re-evaluation (first without the confirmation: refused, the
typed reasons kept), form a new panel with a conflict-free expert who was not on the
original panel; that expert declares no conflict and submits scores; staff see both rounds
side by side and close the re-evaluation; Daegu reads the answer. Every page is checked with
axe-core and photographed into tests/artifacts/ (the region's page at 360 px too).
"""

import datetime
import re

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import expect  # noqa: E402

from .test_journeys import check_accessibility, log_in  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GROUNDS = "평가위원 의견 중 예산 계획의 근거 부족은 제안서 5장의 연차별 집행 계획을 반영하지 않은 판단입니다."
ANSWER = "지적된 항목에 대한 평가 의견이 제안서 내용과 맞지 않아 새 평가위원회가 재평가합니다."
COMMENT = "이의신청 사유와 제안서 5장의 연차별 집행 계획을 다시 검토한 결과 해당 항목은 양호하다고 판단됩니다."


def logout(page) -> None:
    with page.expect_navigation():
        page.click("#logout-button")


def test_a_region_objects_staff_uphold_it_and_a_new_panel_re_evaluates(portal, new_context):
    from django.utils import timezone

    from evaluations.models import Assignment, AssignmentKind, Objection, ObjectionState
    from evaluations.services.objections import original_panel_ids, reevaluation_candidates
    from programmes.models import Call
    from proposals.models import Proposal, ProposalState

    # The demo pool is small and its consultants never evaluate what they coached: a new Daejeon
    # expert joins it, free for the re-evaluation panel.
    _join_pool("expert-reeval")

    call = Call.objects.get(programme__code="mega", year=2023)
    Call.objects.filter(pk=call.pk).update(announced_at=timezone.now())
    # Daegu's super-regional proposal with Gyeongnam (the demo has a Daegu-only one not selected too).
    proposal = Proposal.objects.get(call=call, lead_region__code="daegu", state=ProposalState.NOT_SELECTED,
                                    participations__region__code="gyeongnam")
    assert not Objection.objects.filter(proposal=proposal).exists(), "the demo leaves Daegu's result unobjected"
    page = new_context().new_page()

    # 1. Daegu reads its results, sees the deadline and lodges an objection.
    log_in(page, portal, "official-daegu")
    page.goto(f"{portal}/evaluations/proposals/{proposal.pk}/feedback/")
    expect(page.locator("#objection-section")).to_contain_text("D-14")
    check_accessibility(page, "objection-journey-01-feedback")
    with page.expect_navigation():
        page.click("#objection-link")
    expect(page.locator("#objection-window")).to_contain_text("23:59:59")
    with page.expect_navigation():
        page.click("#objection-submit")  # no grounds: refused at the field
    expect(page.locator("#id_grounds")).to_have_class(re.compile(r"\bis-invalid\b"))
    check_accessibility(page, "objection-journey-02-refused")
    page.fill("#id_grounds", GROUNDS)
    with page.expect_navigation():
        page.click("#objection-submit")
    expect(page.locator("#objection-grounds")).to_contain_text(GROUNDS)
    expect(page.locator("#objection-pending")).to_be_visible()
    check_accessibility(page, "objection-journey-03-lodged")
    objection = Objection.objects.get(proposal=proposal)
    logout(page)

    # 2. Staff find it in the call's list and uphold it for a re-evaluation, after confirming.
    log_in(page, portal, "ministry")
    page.goto(f"{portal}/calls/{call.pk}/")
    with page.expect_navigation():
        page.click("#call-objections")
    expect(page.locator("#objections-table")).to_contain_text(proposal.title_ko)
    check_accessibility(page, "objection-journey-04-list")
    with page.expect_navigation():
        page.click(f"#objections-table a[href='/evaluations/objections/{objection.pk}/']")
    page.check("input[name='action'][value='uphold']")
    page.fill("#id_answer", ANSWER)
    page.select_option("#id_remedy", "re_evaluation")
    page.fill("#id_reevaluation_deadline", (timezone.localdate() + datetime.timedelta(days=14)).isoformat())
    with page.expect_navigation():
        page.click("#objection-answer-submit")  # without the confirmation: refused, the reasons kept
    expect(page.locator("#id_answer")).to_have_value(ANSWER)
    check_accessibility(page, "objection-journey-05-answer-refused")
    page.check("#id_confirm")
    with page.expect_navigation():
        page.click("#objection-answer-submit")
    expect(page.locator("#objection-state")).to_have_text("인용")  # Korean first, whatever the browser prefers
    objection.refresh_from_db()
    assert (objection.state, objection.answered_by.username) == (ObjectionState.UPHELD, "ministry")

    # 3. The new panel: a conflict-free expert who was not on the original panel (one joined the pool above).
    # (the expert who joined the pool: new to the call, so the pledge comes first)
    candidate = next(c for c in reevaluation_candidates(proposal) if c.username == "expert-reeval")
    assert candidate.pk not in original_panel_ids(proposal)
    page.select_option("#reeval-expert", str(candidate.pk))
    with page.expect_navigation():
        page.click("#reeval-assign")
    expect(page.locator("#reevaluation-panel")).to_contain_text(str(candidate))
    check_accessibility(page, "objection-journey-06-panel")
    logout(page)

    # 4. The expert declares no conflict and scores the proposal again.
    assignment = Assignment.objects.get(kind=AssignmentKind.REEVALUATION, proposal=proposal, expert=candidate)
    log_in(page, portal, candidate.username)
    page.goto(f"{portal}/evaluations/assignments/{assignment.pk}/")
    # New to the call: the confidentiality pledge first, then back to the assignment.
    expect(page.locator("#pledge-submit")).to_be_visible()
    check_accessibility(page, "objection-journey-06b-pledge")
    page.check("#id_agree")
    page.fill("#id_signed_name", "재평가 전문가")
    with page.expect_navigation():
        page.click("#pledge-submit")
    for answer in page.locator("input[name^='ground_'][value='no']").all():  # no to every declared ground
        answer.check()
    page.check("#decision-none")
    with page.expect_navigation():
        page.click("#declare-submit")
    inputs = page.locator("input.score-input")
    assert inputs.count() == call.criteria.count()
    for i in range(inputs.count()):
        inputs.nth(i).fill("8")
        page.locator("#scoresheet-form textarea[id^='comment-']").nth(i).fill(COMMENT)
    check_accessibility(page, "objection-journey-07-scoresheet")
    page.check("#confidence-2")
    page.check("#confirm-scores")
    with page.expect_navigation():
        page.click("#submit-scores")
    expect(page.locator("#scoresheet-form input.score-input").first).to_be_disabled()
    logout(page)

    # 5. Staff see both rounds side by side and close the re-evaluation.
    log_in(page, portal, "ministry")
    page.goto(f"{portal}/evaluations/objections/{objection.pk}/")
    expect(page.locator("#reevaluation-comparison tfoot")).to_contain_text("80.00")
    check_accessibility(page, "objection-journey-08-comparison")
    page.fill("#id_reevaluation_result", "재평가 결과 80점으로 예비 선정 대상에 포함합니다.")
    page.locator("#reevaluation-close-form #id_confirm").check()
    with page.expect_navigation():
        page.click("#reevaluation-close-submit")
    objection.refresh_from_db()
    assert objection.state == ObjectionState.RE_EVALUATED
    logout(page)

    # 6. Daegu reads the answer (on a phone too).
    phone = new_context(viewport={"width": 360, "height": 800}).new_page()
    log_in(phone, portal, "official-daegu")
    phone.goto(f"{portal}/evaluations/proposals/{proposal.pk}/objection/")
    expect(phone.locator("#objection-answer")).to_contain_text(ANSWER)
    expect(phone.locator("#objection-answer")).to_contain_text("재평가 결과 80점으로 예비 선정 대상에 포함합니다.")
    check_accessibility(phone, "objection-journey-09-answer-360")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def _join_pool(username: str):
    from accounts.models import Role, User
    from evaluations.models import ExpertProfile
    from programmes.models import Region

    user = User.objects.create_user(username=username, password="demo1234", role=Role.EXPERT,
                                    display_name="재평가 전문가", email=f"{username}@megaproject.local")
    ExpertProfile.objects.create(user=user, affiliation="한국기계연구원", home_region=Region.objects.get(code="daejeon"))
    return user
