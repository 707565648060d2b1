"""A region names an unsuitable reviewer in Chromium: a missing reason is refused at the field
with what was typed kept; staff then see the list on the panel page; the named expert never
sees it. Each page checked by axe-core and at 360 px."""

import re

import pytest
from playwright.sync_api import expect

from .test_journeys import OVERFLOW_JS, check_accessibility, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "제안 과제와 경쟁 관계인 과제를 수행 중"


@pytest.fixture
def draft(portal):
    """A Gwangju draft of the open 2027 call (its panel is still to come)."""
    from accounts.models import User
    from programmes.models import Call, CooperationType, StrategicIndustry
    from proposals.services import proposal_create

    return proposal_create(actor=User.objects.get(username="official-gwangju"), call=Call.objects.get(year=2027),
                           cooperation_type=CooperationType.LEAP, title_ko="광주 인공지능 실증 과제",
                           title_en="Gwangju AI demonstration",
                           industry=StrategicIndustry.objects.get(code="artificial-intelligence"))


def fits(page):
    assert page.evaluate(OVERFLOW_JS, 360) == []


def test_a_region_names_an_unsuitable_reviewer_and_only_staff_see_it(portal, new_context, draft):
    page = new_context(viewport={"width": 360, "height": 800}).new_page()
    log_in(page, portal, "official-gwangju")
    page.goto(f"{portal}/proposals/{draft.pk}/")
    page.click("#reviewers-link")

    page.select_option("#id_expert", label="박지훈 교수 · 서울대학교")
    page.fill("#id_institution", "서울대학교 산학협력단")
    page.click("#unsuitable-form button[type=submit]")
    expect(page.locator("#id_reason")).to_have_class(re.compile("is-invalid"))
    expect(page.locator("#id_institution")).to_have_value("서울대학교 산학협력단")
    check_accessibility(page, "reviewers-refused")
    fits(page)

    page.fill("#id_reason", REASON)
    page.click("#unsuitable-form button[type=submit]")
    expect(page.locator("#unsuitable-list")).to_contain_text(REASON)
    page.fill("#id_text", "뉴로모픽 소자 공정")
    page.click("#field-form button[type=submit]")
    expect(page.locator("#suggested-list")).to_contain_text("뉴로모픽 소자 공정")
    check_accessibility(page, "reviewers-listed")
    fits(page)

    staff = new_context(viewport={"width": 360, "height": 800}).new_page()
    log_in(staff, portal, "ministry")
    staff.goto(f"{portal}/evaluations/proposals/{draft.pk}/panel/")
    expect(staff.locator("#applicant-list")).to_contain_text(REASON)
    expect(staff.locator("#pick-expert")).not_to_contain_text("박지훈 교수")
    check_accessibility(staff, "panel-with-reviewer-list")
    fits(staff)

    expert = new_context().new_page()
    log_in(expert, portal, "expert3")
    expert.goto(f"{portal}/evaluations/assignments/")
    assert REASON not in expert.content()
    assert expert.goto(f"{portal}/evaluations/proposals/{draft.pk}/reviewers/").status == 404
