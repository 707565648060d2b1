"""A super-regional proposal written in the browser, from the draft to the submission.

Gwangju (lead) creates a draft with Jeonnam as partner and fills every step of
the multi-step form; Jeonnam adds its own budget and organisations and signs
off; Gwangju signs off too and submits. Everything is done by clicking and
typing: the ORM is used only to move the open call's deadline into the future
beforehand and to double-check the end state. Each page is photographed into
tests/artifacts/ and checked with axe-core (serious/critical violations fail).
"""

import datetime
import re

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from django.utils import timezone  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402

# Shared helpers of the browser journeys (the module skips itself without Chromium or axe-core).
from .test_journeys import check_accessibility, log_in  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPEN_CALL_YEAR = 2027
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TITLE = "광주·전남 초광역 AI 반도체 실증 브라우저 시험 과제"
NATIONAL = 900_000_000
LOCAL = 180_000_000  # exactly 20% of the national request


# --- fixtures ----------------------------------------------------------------------


@pytest.fixture
def open_call(portal):
    """The demo's open call, with its deadline 60 days ahead and the timeline still in order."""
    from programmes.models import Call, CallStatus

    call = Call.objects.get(year=OPEN_CALL_YEAR, status=CallStatus.OPEN)
    deadline = (timezone.now() + datetime.timedelta(days=60)).replace(microsecond=0)
    deadline_day = timezone.localtime(deadline).date()
    today = timezone.localdate()
    call.consulting_start = min(call.consulting_start, today)
    call.consulting_end = max(min(call.consulting_end, deadline_day), call.consulting_start)
    call.submission_deadline = deadline
    call.review_start = deadline_day + datetime.timedelta(days=10)
    call.review_end = deadline_day + datetime.timedelta(days=35)
    call.announcement_date = deadline_day + datetime.timedelta(days=55)
    call.full_clean()  # the timeline rule: each date on or after the one before
    call.save()
    return call


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploads go to a temporary folder (the live server shares these settings)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- helpers -------------------------------------------------------------------------


def submit(page: Page, selector: str) -> None:
    """Press a submit button and wait for the page it leads to; fail on an error message."""
    with page.expect_navigation():
        page.click(selector)
    errors = page.locator("main .messages .alert-danger")
    if errors.count():
        pytest.fail(f"error after pressing {selector} on {page.url}: {errors.all_inner_texts()}", pytrace=False)


def save_and_continue(page: Page, pk: int, next_step: str) -> None:
    submit(page, "main form button[name='continue']")
    page.wait_for_url(re.compile(rf"/proposals/{pk}/edit/{next_step}/"))
    expect(page.locator("main .messages .alert-success")).to_be_visible()


def save(page: Page) -> None:
    submit(page, "main form button[name='save']")
    expect(page.locator("main .messages .alert-success")).to_be_visible()


def go_to_step(page: Page, pk: int, step: str) -> None:
    """Follow the step's link in the form's step list."""
    page.click(f"nav ol.step-list a[href='/proposals/{pk}/edit/{step}/']")
    page.wait_for_url(re.compile(rf"/proposals/{pk}/edit/{step}/$"))
    expect(page.locator(f"nav ol.step-list a[href='/proposals/{pk}/edit/{step}/']")).to_have_attribute("aria-current", "step")


def log_in_to_dashboard(page: Page, portal: str, username: str) -> None:
    log_in(page, portal, username)
    page.wait_for_url(f"{portal}/")
    expect(page.locator("main#main")).to_have_attribute("data-dashboard", "official")


def log_out(page: Page) -> None:
    page.click("#logout-button")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    expect(page.locator("#logout-button")).to_have_count(0)


def open_from_dashboard(page: Page, pk: int) -> None:
    page.click(f"main a[href='/proposals/{pk}/']")
    page.wait_for_url(re.compile(rf"/proposals/{pk}/$"))


def fill_budget(page: Page, years: list[int], national: int, local: int, other: int = 0) -> None:
    for year in years:
        page.fill(f"input[name='national_{year}']", str(national))
        page.fill(f"input[name='local_{year}']", str(local))
        page.fill(f"input[name='other_{year}']", str(other))


def drop_blank_rows(page: Page) -> None:
    """Tick "delete" on every formset row whose text inputs are all empty.

    Work-around for a portal bug: a blank extra row still submits its <select>
    (no empty choice), so Django sees it as changed and asks for its required
    fields; without this the organisations step cannot be saved at all.
    """
    total = int(page.input_value("input[name='rows-TOTAL_FORMS']"))
    for i in range(total):
        texts = page.locator(f"input[type='text'][name^='rows-{i}-'], input[type='number'][name^='rows-{i}-'], textarea[name^='rows-{i}-']")
        if all(not texts.nth(j).input_value() for j in range(texts.count())):
            page.check(f"input[name='rows-{i}-DELETE']")


def won(amount: int) -> str:
    """What money-input.js shows in Korean: toLocaleString('ko-KR') + 원."""
    return f"{amount:,}원"


def pilot_years(call) -> list[int]:
    return list(range(call.year, call.year + call.pilot_years))


def create_draft(page: Page, portal: str, call, *, title: str, partner: str | None, screenshot: str | None = None) -> int:
    """From the dashboard, through Proposals → New proposal; returns the new proposal's id."""
    page.click("#main-nav a.nav-link[href='/proposals/']")
    page.wait_for_url(f"{portal}/proposals/")
    page.click("main a.btn[href='/proposals/new/']")
    page.wait_for_url(f"{portal}/proposals/new/")
    page.select_option("#id_call", str(call.pk))
    page.check(f"input[name='cooperation_type'][value='{'super_regional' if partner else 'leap'}']")
    if partner:
        page.get_by_label(partner, exact=True).check()
    page.fill("#id_title_ko", title)
    page.select_option("#id_industry", label="인공지능")
    if screenshot:
        check_accessibility(page, screenshot)
    submit(page, "#create-proposal")
    page.wait_for_url(re.compile(r"/proposals/\d+/edit/overview/$"))
    expect(page.locator("main h1")).to_have_text(title)
    return int(re.search(r"/proposals/(\d+)/edit/", page.url).group(1))


# --- tests -----------------------------------------------------------------------------


def test_super_regional_proposal_from_draft_to_submission(portal, open_call, media_root, page, tmp_path):
    from proposals.models import Proposal, ProposalState

    call = open_call
    years = pilot_years(call)
    pdf = tmp_path / "사업계획서.pdf"
    pdf.write_bytes(PDF_BYTES)

    # --- 1. Gwangju creates the draft with Jeonnam as partner -------------------------
    log_in_to_dashboard(page, portal, "official-gwangju")
    page.goto(f"{portal}/calls/{call.pk}/")  # the call page offers to write a proposal on it
    expect(page.locator("#call-new-proposal")).to_have_attribute("href", f"/proposals/new/?call={call.pk}")
    check_accessibility(page, "proposal-00-call")
    pk = create_draft(page, portal, call, title=TITLE, partner="전라남도", screenshot="proposal-01-create")

    # --- 2. Overview ----------------------------------------------------------------------
    expect(page.locator("#id_title_ko")).to_have_value(TITLE)
    page.fill("#id_summary", "광주의 AI 집적단지와 전남의 반도체 후공정 역량을 묶어 지능형 반도체를 실증한다.")
    page.fill("#id_problem", "단기 사업 위주의 지원으로 두 지역의 AI·반도체 생태계가 따로 성장해 온 문제를 해결한다.")
    check_accessibility(page, "proposal-02-overview")
    save_and_continue(page, pk, "consortium")

    # --- 3. Regions: Jeonnam takes part ---------------------------------------------------
    regions = page.locator("main table tbody")
    expect(regions).to_contain_text("광주광역시")
    expect(regions).to_contain_text("전라남도")
    check_accessibility(page, "proposal-03-consortium")

    # --- 4. Roadmap, the step after the regions (the KPI targets need one column per stage) ---
    page.click(f"main a.btn[href='/proposals/{pk}/edit/roadmap/']")  # the regions step's "Continue"
    page.wait_for_url(re.compile(rf"/proposals/{pk}/edit/roadmap/$"))
    expect(page.locator("select[name='rows-0-kind']")).to_have_value("basic")
    expect(page.locator("input[name='rows-0-years']")).to_have_value(str(call.pilot_years))
    page.fill("input[name='rows-0-years']", "3")
    page.fill("textarea[name='rows-0-goals']", "원천기술 확보 및 시범 적용")
    page.fill("textarea[name='rows-0-deliverables']", "핵심 원천기술, 특허, 시제품")
    page.select_option("select[name='rows-1-kind']", "demonstration")
    page.fill("input[name='rows-1-years']", "3")
    page.fill("textarea[name='rows-1-goals']", "기술 고도화 및 실증")
    check_accessibility(page, "proposal-04-roadmap")
    save(page)
    expect(page.locator("select[name='rows-1-kind']")).to_have_value("demonstration")
    expect(page.locator("input[name='rows-1-years']")).to_have_value("3")

    # --- 5. Goals and one KPI with a target per stage: "Save and continue" never stalls ----
    save_and_continue(page, pk, "goals")
    page.fill("#id_vision", "초광역 AI 반도체 실증 거점")
    page.fill("#id_goals", "1단계: 원천기술 확보\n2단계: 실증 및 표준화")
    expect(page.locator("input[name='rows-0-target_2']")).to_have_count(1)  # two stages, two targets
    expect(page.locator("input[name='rows-0-target_3']")).to_have_count(0)
    page.fill("input[name='rows-0-name']", "AI 반도체 기업 유치")
    page.fill("input[name='rows-0-unit']", "개사")
    page.fill("input[name='rows-0-baseline']", "0")
    page.fill("input[name='rows-0-target_1']", "10")
    page.fill("input[name='rows-0-target_2']", "30")
    check_accessibility(page, "proposal-05-goals")
    save_and_continue(page, pk, "budget")

    # --- 6. Gwangju's budget: the live totals before saving ----------------------------------
    expect(page.locator("main h2")).to_contain_text("광주광역시")
    fill_budget(page, years, NATIONAL, LOCAL)
    expect(page.locator(f"tr[data-year='{years[0]}'] .row-total")).to_have_text(won(NATIONAL + LOCAL))
    expect(page.locator("#sum-national")).to_have_text(won(NATIONAL * len(years)))
    expect(page.locator("#sum-local")).to_have_text(won(LOCAL * len(years)))
    expect(page.locator("#sum-other")).to_have_text(won(0))
    expect(page.locator("#sum-total")).to_have_text(won((NATIONAL + LOCAL) * len(years)))
    expect(page.locator("#live-matching")).to_contain_text("20.00%")
    check_accessibility(page, "proposal-06-budget-gwangju")
    save_and_continue(page, pk, "links")

    # --- 7. One linked government project ------------------------------------------------------
    page.fill("input[name='rows-0-name']", "인공지능 중심 산업융합 집적단지")
    page.fill("input[name='rows-0-ministry']", "과학기술정보통신부")
    page.fill("textarea[name='rows-0-connection']", "집적단지의 데이터센터와 실증 인프라를 공동 활용한다.")
    check_accessibility(page, "proposal-07-links")
    save_and_continue(page, pk, "organisations")

    # --- 8. Gwangju's organisations ----------------------------------------------------------
    expect(page.locator("main h2")).to_contain_text("광주광역시")
    page.fill("input[name='rows-0-name']", "광주과학기술원")
    page.select_option("select[name='rows-0-kind']", "university")
    page.fill("input[name='rows-0-role']", "주관연구기관")
    drop_blank_rows(page)
    check_accessibility(page, "proposal-08-organisations-gwangju")
    save_and_continue(page, pk, "attachments")

    # --- 9. A small PDF attached -----------------------------------------------------------------
    page.set_input_files("input[type='file'][name='file']", str(pdf))
    page.fill("input[name='description']", "사업계획서 요약")
    submit(page, "main form[enctype='multipart/form-data'] button[type='submit']")
    page.wait_for_url(re.compile(rf"/proposals/{pk}/edit/attachments/$"))
    expect(page.locator("main table tbody")).to_contain_text(pdf.name)
    check_accessibility(page, "proposal-09-attachments")

    # --- 10. Review: Jeonnam's part and the sign-offs are still missing --------------------------
    page.click(f"main a.btn[href='/proposals/{pk}/edit/review/']")
    page.wait_for_url(re.compile(rf"/proposals/{pk}/edit/review/$"))
    checklist = page.locator("section[aria-labelledby='checklist-heading'] li")
    expect(checklist).to_have_count(8)
    expect(checklist.filter(has=page.locator(".text-danger"))).to_have_count(2)  # organisations, sign-offs
    expect(checklist.filter(has=page.locator(f"a[href='/proposals/{pk}/edit/organisations/']"))).to_have_count(1)
    expect(page.locator("#move-submit")).to_have_attribute("aria-disabled", "true")  # shown, disabled, explained
    expect(page.locator("#submit-blockers li")).to_have_count(2)
    check_accessibility(page, "proposal-10-review-gwangju")
    log_out(page)

    # --- 11. Jeonnam: budget, organisations, sign-off --------------------------------------------
    log_in_to_dashboard(page, portal, "official-jeonnam")
    open_from_dashboard(page, pk)
    expect(page.locator("main h1")).to_have_text(TITLE)
    check_accessibility(page, "proposal-11-detail-jeonnam")
    page.click(f"main a.btn[href='/proposals/{pk}/edit/overview/']")
    page.wait_for_url(re.compile(rf"/proposals/{pk}/edit/overview/$"))
    go_to_step(page, pk, "budget")
    expect(page.locator("main h2")).to_contain_text("전라남도")
    fill_budget(page, years, NATIONAL, LOCAL)
    expect(page.locator("#sum-total")).to_have_text(won((NATIONAL + LOCAL) * len(years)))
    check_accessibility(page, "proposal-12-budget-jeonnam")
    save(page)
    for year in years:
        expect(page.locator(f"input[name='national_{year}']")).to_have_value(str(NATIONAL))
        expect(page.locator(f"input[name='local_{year}']")).to_have_value(str(LOCAL))

    go_to_step(page, pk, "organisations")
    expect(page.locator("main h2")).to_contain_text("전라남도")
    page.fill("input[name='rows-0-name']", "전남대학교")
    page.select_option("select[name='rows-0-kind']", "university")
    page.fill("input[name='rows-0-role']", "공동연구기관")
    drop_blank_rows(page)
    check_accessibility(page, "proposal-13-organisations-jeonnam")
    save(page)

    go_to_step(page, pk, "review")
    expect(checklist.filter(has=page.locator(".text-danger"))).to_have_count(1)  # only the sign-offs
    check_accessibility(page, "proposal-14-review-jeonnam")
    submit(page, "#sign-off-button")
    page.wait_for_url(re.compile(rf"/proposals/{pk}/$"))
    expect(page.locator("main .messages .alert-success")).to_be_visible()
    signed = page.locator("section[aria-labelledby='regions-heading'] li", has_text="전라남도")
    expect(signed.locator(".text-success")).to_be_visible()
    log_out(page)

    # --- 12. Gwangju signs off too and submits ---------------------------------------------------
    log_in_to_dashboard(page, portal, "official-gwangju")
    open_from_dashboard(page, pk)
    expect(signed.locator(".text-success")).to_be_visible()  # Jeonnam's sign-off still stands
    page.click(f"main a.btn[href='/proposals/{pk}/edit/overview/']")
    page.wait_for_url(re.compile(rf"/proposals/{pk}/edit/overview/$"))
    go_to_step(page, pk, "review")
    expect(checklist.filter(has=page.locator(".text-danger"))).to_have_count(1)  # Gwangju's sign-off
    check_accessibility(page, "proposal-15-review-before-sign-off")
    submit(page, "#sign-off-button")
    page.wait_for_url(re.compile(rf"/proposals/{pk}/$"))
    page.click(f"main a.btn[href='/proposals/{pk}/edit/overview/']")
    page.wait_for_url(re.compile(rf"/proposals/{pk}/edit/overview/$"))
    go_to_step(page, pk, "review")
    expect(checklist.filter(has=page.locator(".text-success"))).to_have_count(8)
    expect(checklist.filter(has=page.locator(".text-danger"))).to_have_count(0)
    expect(page.locator("#sign-off-button")).to_have_count(0)
    check_accessibility(page, "proposal-16-review-complete")

    page.check("#confirm-submit")
    submit(page, "#move-submit")
    page.wait_for_url(re.compile(rf"/proposals/{pk}/$"))
    expect(page.locator("main .page-header .status-badge")).to_contain_text("제출")
    versions = page.locator("section[aria-labelledby='versions-heading']")
    expect(versions.locator(f"a[href='/proposals/{pk}/versions/1/']")).to_have_text("v1")
    expect(page.locator(f"main a.btn[href='/proposals/{pk}/edit/overview/']")).to_have_count(0)  # no longer editable
    check_accessibility(page, "proposal-17-submitted")

    proposal = Proposal.objects.get(pk=pk)
    assert proposal.state == ProposalState.SUBMITTED
    assert list(proposal.versions.values_list("number", flat=True)) == [1]
    assert proposal.attachments.count() == 1
    lines = proposal.budget_lines.values_list("region__code", "year", "national_won", "local_won", "other_won")
    funded = sorted(line for line in lines if any(line[2:]))  # the later years are saved as zero lines
    assert funded == sorted((code, y, NATIONAL, LOCAL, 0) for code in ("gwangju", "jeonnam") for y in years)


def test_budget_local_funds_under_the_minimum_are_explained_at_the_cell(portal, open_call, page):
    """19.99% local funds: refused, the message sits next to the local cell, nothing typed is lost."""
    call = open_call
    year = pilot_years(call)[0]
    log_in_to_dashboard(page, portal, "official-gwangju")
    pk = create_draft(page, portal, call, title="지방비 19.99% 브라우저 시험", partner=None)
    go_to_step(page, pk, "budget")

    page.fill(f"input[name='national_{year}']", "1000000")
    page.fill(f"input[name='local_{year}']", "199900")
    expect(page.locator("#live-matching")).to_contain_text("19.99%")
    with page.expect_navigation():
        page.click("main form button[name='save']")
    page.wait_for_url(re.compile(rf"/proposals/{pk}/edit/budget/$"))

    expect(page.locator("main .messages .alert-danger")).to_be_visible()
    # one message per place: the year's 합계 cell does not repeat the local cell's
    expect(page.locator(f"tr[data-year='{year}'] .year-problem")).to_have_count(0)
    local = page.locator(f"input[name='local_{year}']")
    expect(local).to_have_attribute("aria-invalid", "true")
    described_by = (local.get_attribute("aria-describedby") or "").split()
    assert described_by[-1:] == [f"id_local_{year}-error"], "the invalid cell points to no message"
    error_id = described_by[-1]
    error = page.locator(f"[id='{error_id}']")
    expect(error).to_be_visible()
    expect(error).to_contain_text("200,000")  # 20% of 1,000,000
    # the message is in the same cell as the input
    expect(page.locator(f"tr[data-year='{year}'] td", has=local).locator(f"[id='{error_id}']")).to_have_count(1)
    expect(page.locator(f"input[name='national_{year}']")).to_have_value("1000000")
    expect(local).to_have_value("199900")
    check_accessibility(page, "proposal-budget-matching-error")

    from proposals.models import Proposal

    assert not Proposal.objects.get(pk=pk).budget_lines.exists()
