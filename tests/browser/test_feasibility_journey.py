"""The government's feasibility advice in the browser (issue 17, phase 2), on the demo's 2027 call.

Ministry staff open the call's expert groups and ask expert1 (of the demo's group) to review Gwangju +
Jeonnam's candidate theme; expert1 signs the review's confidentiality pledge, declares no conflict and
recommends it with changes; Gwangju reads the consolidated advice on its selection page and selects the theme,
recording that it followed the advice.
Every page is checked with axe-core and photographed; the review and the selection also at 360 px.
"""

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import expect  # noqa: E402

from .test_journeys import check_accessibility, log_in  # noqa: E402
from .test_planning_journey import DESKTOP, at_phone_width, click, planning_call  # noqa: E402, F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THEME = "AI 뉴로모픽 반도체 소자 실증"


def test_an_expert_recommends_gwangju_s_theme_with_changes_and_gwangju_selects_it_as_advised(
        portal, planning_call, new_context):  # noqa: F811  (the imported fixture)
    from accounts.models import User
    from evaluations.models import ThemeReview
    from proposals.models import CandidateTheme, ThemeSelection

    call = planning_call
    theme = CandidateTheme.objects.get(call=call, title_ko=THEME)
    expert = User.objects.get(username="expert1")
    page = new_context(viewport=DESKTOP).new_page()

    # Ministry staff: the call's expert groups, the theme's reviews, expert1 assigned.
    log_in(page, portal, "ministry")
    page.goto(f"{portal}/calls/{call.pk}/")
    click(page, "#call-expert-groups")
    expect(page.locator("#expert-group-list")).to_contain_text("반도체·수소 전략기술 전문가 그룹")
    check_accessibility(page, "feasibility-01-groups")
    click(page, "#expert-group-list a")
    expect(page.locator("#group-members")).to_contain_text("위원장")
    check_accessibility(page, "feasibility-02-group")
    page.goto(f"{portal}/evaluations/themes/{theme.pk}/reviews/")
    page.select_option("#review-expert", str(expert.pk))
    click(page, "#review-assign")
    expect(page.locator("#theme-reviewers")).to_contain_text(expert.display_name)
    check_accessibility(page, "feasibility-03-theme-reviews")
    page.click("#logout-button")

    # expert1: the pledge and the declaration first, then the review, recommended with changes.
    page.wait_for_url(re.compile(r"/accounts/login/"))
    log_in(page, portal, "expert1")
    review = ThemeReview.objects.get(theme=theme, expert=expert)
    page.goto(f"{portal}/evaluations/theme-reviews/")
    click(page, f"a[href='/evaluations/theme-reviews/{review.pk}/']")
    expect(page.locator("body")).not_to_contain_text("지역 대학·출연연 보유 원천기술")
    page.check("#id_agree")  # the confidentiality pledge bound to the review comes first
    page.fill("#id_signed_name", expert.display_name)
    click(page, "#pledge-submit")
    page.check("input[name='decision'][value='none']")
    click(page, "#theme-declare")
    expect(page.locator("body")).to_contain_text("지역 대학·출연연 보유 원천기술")
    for key, grade in (("feasibility", "4"), ("originality", "4"), ("regional_fit", "5"), ("application", "3")):
        page.select_option(f"#id_{key}_grade", grade)
    page.fill("#id_application_comment", "실증 부지 확보 계획이 필요함")
    page.check("input[name='recommendation'][value='with_changes']")
    page.fill("#id_reasons", "원천기술은 타당하나 실증·사업화 경로를 구체화한 뒤 추천함")
    at_phone_width(page, "feasibility-04-review-form")
    page.check("#review-confirm")
    click(page, "#review-submit")
    expect(page.locator("#review-recommendation")).to_have_text("보완 후 추천")
    check_accessibility(page, "feasibility-05-review-submitted")
    page.click("#logout-button")

    # Gwangju: the advice on its selection page, then the theme selected as advised.
    page.wait_for_url(re.compile(r"/accounts/login/"))
    log_in(page, portal, "official-gwangju")
    page.goto(f"{portal}/calls/{call.pk}/")
    click(page, "#call-theme-selection")
    advice = page.locator(f"#theme-advice [data-theme='{theme.pk}']")
    expect(advice).to_contain_text("실증·사업화 경로를 구체화한 뒤 추천함")
    expect(advice.locator("[data-recommendation='with_changes']")).to_contain_text("1")
    if not call.reveal_panel_names:
        expect(advice).not_to_contain_text(expert.display_name)
    check_accessibility(page, "feasibility-06-advice")
    page.check(f"input[name='theme'][value='{theme.pk}']")
    page.fill("#id_reason", "의견 수렴 결과와 전문가 자문")
    page.check("input[name='followed_advice'][value='yes']")
    page.fill("#id_advice_reason", "실증 부지 확보 계획을 기획에 반영하기로 함")
    click(page, "#theme-select")
    expect(page.locator("#selected-theme")).to_contain_text(theme.title)
    expect(page.locator("#selection-advice")).to_contain_text("실증 부지 확보 계획을 기획에 반영하기로 함")
    at_phone_width(page, "feasibility-07-selection")
    selection = ThemeSelection.objects.get(theme=theme)
    assert (selection.followed_advice, review.__class__.objects.get(pk=review.pk).state) == ("yes", "submitted")
