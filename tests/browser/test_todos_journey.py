"""The dashboards' to-dos in Chromium, one journey per role: the to-do is listed with its D-day
badge (or "no deadline"), its link leads to the form, the action is done there for real, and back
on the dashboard the to-do is gone and the header's count went down (the count is cached per data
version: completing the action must move it)."""

import pytest

from .test_journeys import log_in

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def badge_text(user, kind: str, label: str) -> str:
    """The D-day badge the dashboard must show for this to-do (computed from the registry)."""
    from core.todos import todos_for

    todo = next(t for t in todos_for(user) if t.kind == kind and str(t.label) == label)
    days = todo.days_left()
    if days is None:
        return "기한 없음"
    return "D-day" if days == 0 else (f"D-{days}" if days > 0 else f"D+{-days}")


def header_count(page: Page) -> int:
    """The header's to-do count (0 when the header shows none); a phone sees the same number on
    the folded menu's button."""
    link, on_menu_button = page.locator("#todo-count"), page.locator("#todo-count-menu")
    if not link.count():
        assert not on_menu_button.count()
        return 0
    count = int(link.locator(".badge").inner_text())
    assert on_menu_button.locator("[aria-hidden=true]").text_content().strip() == str(count)
    return count


def todo_item(page: Page, kind: str, label: str):
    return page.locator(f"#todos li[data-todo-kind='{kind}']").filter(has_text=label)


def open_todo(page: Page, portal: str, user, kind: str, label: str) -> int:
    """On the dashboard: the to-do with its badge; follow its link. Returns the header's count before."""
    page.goto(f"{portal}/")
    item = todo_item(page, kind, label)
    expect(item).to_have_count(1)
    expect(item.locator(".todo-due")).to_contain_text(badge_text(user, kind, label))
    count = header_count(page)
    assert count >= 1
    with page.expect_navigation():
        item.locator("a.todo-link").click()
    return count


def back_on_dashboard_it_is_gone(page: Page, portal: str, kind: str, label: str, before: int) -> None:
    page.goto(f"{portal}/")
    expect(todo_item(page, kind, label)).to_have_count(0)
    assert header_count(page) == before - 1


def test_an_official_signs_off_the_current_version_from_the_to_do(portal, page):
    from accounts.models import User
    from proposals.models import Participation, Proposal

    official = User.objects.get(username="official-busan")
    proposal = Proposal.objects.get(participations__region_id=official.region_id, call__year=2027)
    label = proposal.title_ko
    log_in(page, portal, official.username)

    before = open_todo(page, portal, official, "proposals.sign_off", label)
    assert page.url.endswith(f"/proposals/{proposal.pk}/#regions-heading")
    with page.expect_navigation():
        page.click("#sign-off-button")
    assert Participation.objects.get(proposal=proposal, region_id=official.region_id).is_signed_for(proposal.revision)

    back_on_dashboard_it_is_gone(page, portal, "proposals.sign_off", label, before)


@pytest.fixture
def consultant(portal):
    """An expert with nothing to do, newly assigned by staff to coach the Busan draft of the 2027 call
    (not pledged to that call yet)."""
    from accounts.models import User
    from core.todos import todos_for
    from evaluations.models import AssignmentKind
    from evaluations.services import panel_assign
    from evaluations.services.panels import exclusions_for
    from proposals.models import Proposal

    proposal = Proposal.objects.get(call__year=2027, state="consulting")
    excluded = {u.pk for u, _reasons in exclusions_for(proposal, kind=AssignmentKind.CONSULTING)}
    expert = next(e for e in User.objects.filter(username__startswith="expert").order_by("username")
                  if e.pk not in excluded and not todos_for(e))
    return panel_assign(actor=User.objects.get(username="ministry"), proposal=proposal, expert=expert,
                        kind=AssignmentKind.CONSULTING)


def test_an_expert_pledges_declares_and_comments_from_the_to_dos(portal, page, consultant):
    expert, proposal = consultant.expert, consultant.proposal
    call_title, label = proposal.call.title, proposal.title_ko
    log_in(page, portal, expert.username)

    # 1. The call's confidentiality pledge (nothing of the proposal before it).
    before = open_todo(page, portal, expert, "evaluations.pledge", call_title)
    page.check("#id_agree")
    page.fill("#id_signed_name", expert.display_name or expert.username)
    with page.expect_navigation():
        page.click("#pledge-submit")
    page.goto(f"{portal}/")
    expect(todo_item(page, "evaluations.pledge", call_title)).to_have_count(0)

    # 2. The declaration of conflicts, from its own to-do.
    assert header_count(page) == before  # the pledge gave way to the declaration
    open_todo(page, portal, expert, "evaluations.declare", label)
    for answer in page.locator("input[name^='ground_'][value='no']").all():  # no to every declared ground
        answer.check()
    page.check("#decision-none")
    with page.expect_navigation():
        page.click("#declare-submit")

    # 3. The consulting comment; then nothing is left for this proposal.
    open_todo(page, portal, expert, "evaluations.comment", label)
    page.fill("#id_text", "사업 목표 대비 실증 범위가 넓어 단계별 우선순위를 제시하면 좋겠습니다.")
    with page.expect_navigation():
        page.click("#send-comment")
    back_on_dashboard_it_is_gone(page, portal, "evaluations.comment", label, before)


def test_ministry_accepts_a_submitted_annual_report_from_the_to_do(portal, page):
    from accounts.models import User
    from projects.models import AnnualReport, ReportState

    ministry = User.objects.get(username="ministry")
    report = (AnnualReport.objects.filter(state=ReportState.SUBMITTED).select_related("project__proposal")
              .order_by("project_id").first())
    label = report.project.proposal.title_ko
    log_in(page, portal, ministry.username)

    before = open_todo(page, portal, ministry, "projects.review_report", label)
    assert page.url.endswith(f"/projects/{report.project_id}/reports/{report.year}/")
    with page.expect_navigation():
        page.click("#accept-report")
    report.refresh_from_db()
    assert report.state == ReportState.ACCEPTED

    back_on_dashboard_it_is_gone(page, portal, "projects.review_report", label, before)
