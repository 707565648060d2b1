"""The whole middle-out journey in the browser (issue 17), on the demo's 2027 call given a planning period.

Gwangju registers two candidate themes with Jeonnam as its consortium partner, Jeonnam attaches the
innovation-capacity analysis to one → ministry staff ask two members of the demo's expert group to review it
and unassign one of them (with the reason) → expert1 signs the confidentiality pledge bound to the review,
declares no conflict, downloads the analysis and recommends the theme with changes → Gwangju (the lead) reads
the advice, records an opinion meeting and selects the theme, saying it partly followed the advice; Jeonnam
signs it off; Gwangju opens the proposal draft → ministry staff attach a patent analysis → the proposal page
shows the title, industry and regions carried over, the overview from the theme and its origin (the themes
considered, the advice, the selection's reason, the patent analysis).

Everything after the experts' set-up (the demo's group and pool) is built through the pages. Every page is
checked with axe-core, photographed at 1280 and 360 px without sideways scroll, in Korean; the proposal page
also in English.
"""

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import Page, expect  # noqa: E402

from tests.clock import at, on  # noqa: E402

from .test_journeys import check_accessibility, log_in  # noqa: E402
from .test_planning_journey import (  # noqa: E402
    DESKTOP,
    at_phone_width,
    click,
    no_sideways_scroll,
    register_theme,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CHOSEN, OTHER = "뉴로모픽 엣지 AI 반도체 실증", "AI 데이터센터 저전력 소자"


@pytest.fixture
def middle_out_call(portal, settings, tmp_path):
    """The demo's open 2027 call with a planning period whose discovery runs today (dates from tests/clock.py:
    the written timeline of a Friday, moved to today's week)."""
    from programmes.models import Call, CallStatus

    settings.MEDIA_ROOT = tmp_path / "media"
    call = Call.objects.get(year=2027, status=CallStatus.OPEN)
    call.planning_start, call.discovery_end = on(2026, 11, 27), on(2026, 12, 11)
    call.selection_end, call.planning_end = on(2026, 12, 18), on(2026, 12, 28)
    call.consulting_start, call.consulting_end = min(call.consulting_start, on(2026, 11, 27)), on(2027, 1, 15)
    call.submission_deadline = at(2027, 1, 29, 18)
    call.review_start, call.review_end, call.announcement_date = on(2027, 2, 5), on(2027, 3, 5), on(2027, 3, 26)
    call.full_clean()
    call.save()
    return call


def look(page: Page, name: str) -> None:
    """The page at 1280 px (no sideways scroll, axe, photo), then at 360 px."""
    no_sideways_scroll(page)
    check_accessibility(page, name)
    at_phone_width(page, name)


def log_out(page: Page) -> None:
    page.click("#logout-button")
    page.wait_for_url(re.compile(r"/accounts/login/"))


def test_from_two_candidate_themes_to_the_proposal_draft_with_the_governments_advice(
        portal, middle_out_call, new_context, tmp_path):
    from accounts.models import User
    from evaluations.models import ConfidentialityPledge, ReviewState, ThemeReview
    from programmes.models import Region
    from proposals.models import CandidateTheme, Proposal, ThemeSelection

    call = middle_out_call
    jeonnam = Region.objects.get(code="jeonnam")
    industry = call.industry_choices().filter(code="semiconductors").first() or call.industry_choices().first()
    expert1, expert8 = User.objects.get(username="expert1"), User.objects.get(username="expert8")
    page = new_context(viewport=DESKTOP).new_page()

    # 1. Gwangju registers two candidate themes as a consortium with Jeonnam.
    log_in(page, portal, "official-gwangju")
    for title in (CHOSEN, OTHER):
        register_theme(page, portal, call, title=title, jeonnam_pk=jeonnam.pk)
        click(page, "#theme-edit")
        page.select_option("#id_industry", str(industry.pk))
        page.fill("#id_capacity_institutions", "광주과학기술원\n전남대학교")
        click(page, "#theme-save")
    expect(page.locator("#theme-regions")).to_contain_text("전라남도")
    look(page, "middle-out-01-theme")
    log_out(page)

    # Jeonnam, the partner, attaches the innovation-capacity analysis to the theme it will plan with Gwangju.
    chosen = CandidateTheme.objects.get(call=call, title_ko=CHOSEN)
    log_in(page, portal, "official-jeonnam")
    page.goto(f"{portal}/proposals/themes/{chosen.pk}/")
    analysis = tmp_path / "혁신역량분석.pdf"
    analysis.write_bytes(PDF)
    page.set_input_files("#id_file", str(analysis))
    page.fill("#id_description", "광주·전남 혁신역량 분석")
    click(page, "#theme-attach")
    expect(page.locator("#theme-files")).to_contain_text("혁신역량분석.pdf")
    look(page, "middle-out-02-theme-files")
    log_out(page)

    # 2. Ministry staff: the call's expert groups, then two of the group's members asked to review the theme;
    # expert8 is unassigned again, with the reason.
    log_in(page, portal, "ministry")
    page.goto(f"{portal}/calls/{call.pk}/")
    click(page, "#call-expert-groups")
    expect(page.locator("#expert-group-list")).to_contain_text("반도체·수소 전략기술 전문가 그룹")
    look(page, "middle-out-03-expert-groups")
    page.goto(f"{portal}/evaluations/themes/{chosen.pk}/reviews/")
    for expert in (expert1, expert8):
        page.select_option("#review-expert", str(expert.pk))
        click(page, "#review-assign")
        expect(page.locator("#theme-reviewers")).to_contain_text(expert.display_name)
    assert set(ThemeReview.objects.filter(theme=chosen).values_list("group__name_ko", flat=True)) == {
        "반도체·수소 전략기술 전문가 그룹"}
    second = ThemeReview.objects.get(theme=chosen, expert=expert8)
    click(page, "[data-unassign='expert8']")  # no reason: refused at the field
    expect(page.locator("#unassign-error")).to_be_visible()
    page.fill(f"#unassign-{second.pk}", "다른 주제 검토 일정과 겹쳐 제외")
    click(page, "[data-unassign='expert8']")
    expect(page.locator("tr[data-expert='expert8']")).to_contain_text("다른 주제 검토 일정과 겹쳐 제외")
    look(page, "middle-out-04-theme-reviews")
    assert ThemeReview.objects.get(pk=second.pk).state == ReviewState.UNASSIGNED
    log_out(page)

    # 3. expert1: the pledge bound to the review first, then the declaration, then the theme and its file.
    log_in(page, portal, "expert1")
    review = ThemeReview.objects.get(theme=chosen, expert=expert1)
    page.goto(f"{portal}/evaluations/theme-reviews/")
    click(page, f"a[href='/evaluations/theme-reviews/{review.pk}/']")
    page.wait_for_url(re.compile(rf"/evaluations/theme-reviews/{review.pk}/pledge/$"))
    expect(page.locator("body")).not_to_contain_text("광주과학기술원")
    expect(page.locator("#pledge-text")).to_contain_text("후보 주제")
    look(page, "middle-out-05-pledge")
    page.check("#id_agree")
    page.fill("#id_signed_name", expert1.display_name)
    click(page, "#pledge-submit")
    expect(page.locator("#review-pledge")).to_contain_text(expert1.display_name)
    page.check("input[name='decision'][value='none']")
    click(page, "#theme-declare")
    expect(page.locator("body")).to_contain_text("저항변화 메모리 기반 소자")
    with page.expect_download() as download:
        page.click("#review-files a")
    assert download.value.suggested_filename == "혁신역량분석.pdf"
    for key, grade in (("feasibility", "4"), ("originality", "4"), ("regional_fit", "5"), ("application", "3")):
        page.select_option(f"#id_{key}_grade", grade)
    page.check("input[name='recommendation'][value='with_changes']")
    page.fill("#id_reasons", "원천기술은 타당하나 실증 부지와 사업화 경로를 구체화한 뒤 추천함")
    look(page, "middle-out-06-review-form")
    page.check("#review-confirm")
    click(page, "#review-submit")
    expect(page.locator("#review-recommendation")).to_have_text("보완 후 추천")
    look(page, "middle-out-07-review-submitted")
    assert ConfidentialityPledge.objects.get(theme_review=review).signed_at is not None
    log_out(page)

    # 4. Gwangju (the lead): the advice, an opinion meeting, the selection saying how it followed the advice.
    log_in(page, portal, "official-gwangju")
    page.goto(f"{portal}/calls/{call.pk}/")
    click(page, "#call-theme-selection")
    advice = page.locator(f"#theme-advice [data-theme='{chosen.pk}']")
    expect(advice).to_contain_text("실증 부지와 사업화 경로를 구체화한 뒤 추천함")
    page.select_option("#id_kind", "meeting")
    page.fill("#id_held_on", on(2026, 12, 4).isoformat())
    page.fill("#id_participants", "광주·전남 도민 50명, 기업 10개사")
    page.fill("#id_summary", "뉴로모픽 주제가 두 지역 기업 수요와 맞는다는 의견이 많았다.")
    click(page, "#opinion-add")
    expect(page.locator("#opinion-list")).to_contain_text("광주·전남 도민 50명")
    page.check(f"input[name='theme'][value='{chosen.pk}']")
    page.fill("#id_reason", "의견 수렴 결과와 전문가 타당성 자문")
    page.check("input[name='followed_advice'][value='partly']")
    page.fill("#id_advice_reason", "실증 부지는 반영하고 사업화 일정은 2단계에서 구체화")
    click(page, "#theme-select")
    expect(page.locator("#selected-theme")).to_contain_text(CHOSEN)
    look(page, "middle-out-08-selection")
    log_out(page)

    # Jeonnam signs the final theme off.
    log_in(page, portal, "official-jeonnam")
    page.goto(f"{portal}/proposals/themes/selection/{call.pk}/")
    click(page, "#selection-sign-off")
    expect(page.locator("#selection-sign-offs")).not_to_contain_text("서명 대기")
    look(page, "middle-out-09-signed-off")
    log_out(page)

    # 5. Gwangju opens the draft from the final theme.
    log_in(page, portal, "official-gwangju")
    page.goto(f"{portal}/proposals/themes/selection/{call.pk}/")
    click(page, "#theme-draft")
    proposal = Proposal.objects.get(origin_theme=chosen)
    page.wait_for_url(re.compile(rf"/proposals/{proposal.pk}/$"))
    log_out(page)

    # 6. Ministry staff attach the patent analysis to the draft.
    log_in(page, portal, "ministry")
    page.goto(f"{portal}/proposals/{proposal.pk}/")
    click(page, "#origin-patents-link")
    click(page, "#patent-edit")
    page.fill("#id_landscape", "뉴로모픽 소자 특허는 국내 대기업과 미국 기업이 주도한다.")
    page.fill("#id_white_spaces", "엣지 기기용 저전력 시냅스 소자")
    page.fill("#id_patents-0-number", "KR 10-2456789")
    page.fill("#id_patents-0-title", "저항변화 시냅스 소자 및 그 제조방법")
    page.fill("#id_patents-0-holder", "삼성전자")
    page.fill("#id_patents-0-country", "KR")
    page.fill("#id_patents-0-legal_status", "등록")
    page.select_option("#id_risk", "low")
    report = tmp_path / "특허분석.pdf"
    report.write_bytes(PDF)
    page.set_input_files("#id_file", str(report))
    click(page, "#patent-save")
    expect(page.locator("#patent-rows")).to_contain_text("KR 10-2456789")
    look(page, "middle-out-10-patents")
    log_out(page)

    # 7. The draft as Gwangju sees it: everything carried over, the origin on the page.
    log_in(page, portal, "official-gwangju")
    page.goto(f"{portal}/proposals/{proposal.pk}/")
    expect(page.locator("h1")).to_contain_text(CHOSEN)
    body = page.locator("main")
    expect(body).to_contain_text(industry.name_ko)
    expect(body).to_contain_text("광주광역시")
    expect(body).to_contain_text("전라남도")
    origin = page.locator("#proposal-origin")
    expect(origin).to_contain_text(CHOSEN)
    expect(origin).to_contain_text(OTHER)  # the theme considered beside it
    expect(origin).to_contain_text("의견 수렴 결과와 전문가 타당성 자문")
    expect(origin).to_contain_text("실증 부지는 반영하고 사업화 일정은 2단계에서 구체화")
    expect(origin).to_contain_text("실증 부지와 사업화 경로를 구체화한 뒤 추천함")
    expect(origin).to_contain_text("KR 10-2456789")
    if not call.reveal_panel_names:
        expect(origin).not_to_contain_text(expert1.display_name)
    look(page, "middle-out-11-proposal")
    # ... and in English.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": portal}])
    page.goto(f"{portal}/proposals/{proposal.pk}/")
    expect(page.locator("#origin-heading")).to_have_text("Origin of this proposal")
    look(page, "middle-out-12-proposal-en")

    proposal.refresh_from_db()
    selection = ThemeSelection.objects.get(theme=chosen)
    assert (proposal.title_ko, proposal.industry_id, proposal.summary) == (CHOSEN, industry.pk, chosen.rationale)
    assert sorted(p.region.code for p in proposal.participations.all()) == ["gwangju", "jeonnam"]
    assert (selection.followed_advice, selection.advice_reason) == ("partly", "실증 부지는 반영하고 사업화 일정은 2단계에서 구체화")
