"""Middle-out planning in the browser, on the demo's 2027 call given a planning period.

Gwangju reads and acknowledges the discovery guideline, registers two candidate themes with Jeonnam
as partner, records an opinion meeting and selects one final theme; Jeonnam signs it off; Gwangju
opens the proposal draft from it, which shows its origin. Every page is checked with axe-core and
photographed into tests/artifacts/; the theme form and the selection page also at 360 px.
"""

import datetime
import re

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from django.utils import timezone  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402

from .test_journeys import check_accessibility, log_in  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def planning_call(portal, settings, tmp_path):
    """The demo's open 2027 call with a planning period in which theme discovery runs today, and a
    discovery guideline published by ministry staff."""
    from accounts.models import User
    from programmes.models import Call, CallStatus
    from programmes.services import guideline_publish

    settings.MEDIA_ROOT = tmp_path / "media"
    call = Call.objects.get(year=2027, status=CallStatus.OPEN)
    today = timezone.localdate()

    def day(n):
        return today + datetime.timedelta(days=n)

    call.planning_start, call.discovery_end, call.selection_end, call.planning_end = day(-5), day(5), day(15), day(25)
    call.consulting_start, call.consulting_end = min(call.consulting_start, day(-5)), day(40)
    call.submission_deadline = timezone.now() + datetime.timedelta(days=60)
    call.review_start, call.review_end, call.announcement_date = day(70), day(90), day(110)
    call.full_clean()
    call.save()
    guideline_publish(actor=User.objects.get(username="ministry"), call=call, phase="discovery",
                      title_ko="주제 발굴 기획지침", title_en="Theme discovery guideline",
                      text="지역 혁신역량을 분석하여 후보 주제를 발굴하십시오.")
    return call


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def at_phone_width(page: Page, name: str) -> None:
    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)
    check_accessibility(page, f"{name}-360")
    page.set_viewport_size(DESKTOP)


def click(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def register_theme(page: Page, portal: str, call, *, title: str, jeonnam_pk: int) -> None:
    page.goto(f"{portal}/calls/{call.pk}/")
    click(page, "#call-new-theme")
    page.fill("#id_title_ko", title)
    page.check(f"input[name='partners'][value='{jeonnam_pk}']")
    page.fill("#id_rationale", "광주 AI 집적단지와 전남 에너지 산업의 연계")
    page.fill("#id_capacity_institutions", "GIST, 전남대, 한국에너지공대")
    page.fill("#id_capacity_companies", "팹리스 12개사, 장비 5개사")
    page.fill("#id_capacity_workforce", "석박사 연구인력 300명")
    page.fill("#id_capacity_projects", "AI 데이터센터 조성 사업")
    page.fill("#id_source_technology", "저항변화 메모리 기반 소자")
    page.fill("#id_path_to_application", "2030 실증, 2033 사업화")
    click(page, "#theme-save")
    expect(page.locator("h1")).to_have_text(title)


def test_gwangju_and_jeonnam_go_from_candidate_themes_to_the_proposal_draft(portal, planning_call, new_context):
    from programmes.models import Region
    from proposals.models import CandidateTheme, Proposal

    call = planning_call
    jeonnam = Region.objects.get(code="jeonnam")
    page = new_context(viewport=DESKTOP).new_page()
    log_in(page, portal, "official-gwangju")

    # The guideline on the call page, read and acknowledged.
    page.goto(f"{portal}/calls/{call.pk}/")
    expect(page.locator("#call-guidelines")).to_contain_text("주제 발굴 기획지침")
    check_accessibility(page, "planning-01-call")
    click(page, "#call-guidelines a[href^='/calls/guidelines/']")
    click(page, "#guideline-acknowledge")
    expect(page.locator("#guideline-read")).to_be_visible()
    check_accessibility(page, "planning-02-guideline")

    # Two candidate themes with Jeonnam.
    register_theme(page, portal, call, title="뉴로모픽 반도체 소자", jeonnam_pk=jeonnam.pk)
    check_accessibility(page, "planning-03-theme")
    register_theme(page, portal, call, title="AI 반도체 첨단 패키징", jeonnam_pk=jeonnam.pk)
    page.goto(f"{portal}/calls/{call.pk}/")
    click(page, "#call-new-theme")
    at_phone_width(page, "planning-04-theme-form")

    # An opinion meeting, then the final theme with its reason.
    page.goto(f"{portal}/calls/{call.pk}/")
    click(page, "#call-theme-selection")
    page.select_option("#id_kind", "meeting")
    page.fill("#id_held_on", timezone.localdate().isoformat())
    page.fill("#id_participants", "도민 40명, 전문가 5명")
    page.fill("#id_summary", "패키징 주제가 지역 기업 수요와 맞는다는 의견이 많았다.")
    click(page, "#opinion-add")
    expect(page.locator("#opinion-list")).to_contain_text("도민 40명")
    chosen = CandidateTheme.objects.get(title_ko="AI 반도체 첨단 패키징")
    page.check(f"input[name='theme'][value='{chosen.pk}']")
    page.fill("#id_reason", "의견 수렴 결과와 지역 기업 집적도")
    click(page, "#theme-select")
    expect(page.locator("#selected-theme")).to_contain_text("AI 반도체 첨단 패키징")
    check_accessibility(page, "planning-05-selection")
    at_phone_width(page, "planning-05-selection")
    page.click("#logout-button")

    # Jeonnam signs the final theme off.
    page.wait_for_url(re.compile(r"/accounts/login/"))
    log_in(page, portal, "official-jeonnam")
    page.goto(f"{portal}/proposals/themes/selection/{call.pk}/")
    click(page, "#selection-sign-off")
    expect(page.locator("#selection-sign-offs")).not_to_contain_text("서명 대기")
    page.click("#logout-button")

    # Gwangju opens the draft: everything carried over, the origin shown.
    page.wait_for_url(re.compile(r"/accounts/login/"))
    log_in(page, portal, "official-gwangju")
    page.goto(f"{portal}/proposals/themes/selection/{call.pk}/")
    click(page, "#theme-draft")
    proposal = Proposal.objects.get(origin_theme=chosen)
    page.wait_for_url(re.compile(rf"/proposals/{proposal.pk}/$"))
    expect(page.locator("#proposal-origin")).to_contain_text("의견 수렴 결과와 지역 기업 집적도")
    expect(page.locator("#proposal-origin")).to_contain_text("뉴로모픽 반도체 소자")
    check_accessibility(page, "planning-06-proposal")
    assert (proposal.title_ko, sorted(p.region.code for p in proposal.participations.all())) == (
        "AI 반도체 첨단 패키징", ["gwangju", "jeonnam"])
