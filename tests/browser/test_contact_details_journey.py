"""An expert's contact details in the browser, from the demo data (Personal Information Protection Act).

Ministry staff open the expert pool (contacts masked), then an expert's profile: masked, with the
"show contact details" form. Asking without a purpose is refused at the field; with a purpose the
details are shown for that page and the reading is logged. The administrator finds the entry on
the personal data access log (linked from the audit trail). Every page is checked with axe-core
and photographed into tests/artifacts/ at 1280 and 360 px, in Korean and in English.
"""

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import expect  # noqa: E402

from .test_journeys import check_accessibility, log_in, switch_language  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_staff_read_an_expert_s_contacts_with_a_purpose_and_the_administrator_sees_it_logged(portal, new_context):
    from accounts.models import User
    from audit.models import PersonalDataAccess
    from evaluations.models import ExpertProfile

    expert = User.objects.get(username="expert3")
    ExpertProfile.objects.filter(user=expert).update(phone="010-2345-6789")
    email = expert.expert_profile.contact_email
    for width in (1280, 360):
        page = new_context(viewport={"width": width, "height": 900}).new_page()
        log_in(page, portal, "ministry")
        page.goto(f"{portal}/evaluations/experts/")
        expect(page.locator("table")).to_contain_text("010-****-6789")
        assert email not in page.content()
        check_accessibility(page, f"contacts-01-pool-{width}")
        page.goto(f"{portal}/evaluations/experts/{expert.pk}/")
        expect(page.locator("#contact-phone")).to_have_text("010-****-6789")
        check_accessibility(page, f"contacts-02-profile-masked-{width}")
        fits(page, width)
        page.click("text=연락처 보기")
        expect(page.locator("#purpose-error")).to_be_visible()
        page.select_option("#id_purpose", "other")
        page.click("text=연락처 보기")
        expect(page.locator("#purpose-detail-error")).to_be_visible()
        page.fill("#id_purpose_detail", "평가위원회 회의 장소 변경 안내")
        page.click("text=연락처 보기")
        expect(page.locator("#contact-phone")).to_have_text("010-2345-6789")
        expect(page.locator("#contact-email")).to_have_text(email)
        check_accessibility(page, f"contacts-03-profile-revealed-{width}")
        fits(page, width)
    assert PersonalDataAccess.objects.filter(accessor__username="ministry", purpose="other").count() == 2

    for width in (1280, 360):
        page = new_context(viewport={"width": width, "height": 900}).new_page()
        log_in(page, portal, "admin")
        page.goto(f"{portal}/audit/")
        page.click("text=개인정보 열람 기록")
        expect(page.locator("h1")).to_have_text("개인정보 열람 기록")
        expect(page.locator("table")).to_contain_text("평가위원회 회의 장소 변경 안내")
        check_accessibility(page, f"contacts-04-log-{width}")
        fits(page, width)
        if width < 1000:
            continue  # (the language menu sits in the collapsed navigation on a phone)
        switch_language(page, "en")
        expect(page.locator("h1")).to_have_text("Personal data access log")
        check_accessibility(page, f"contacts-05-log-en-{width}")
        page.goto(f"{portal}/evaluations/experts/{expert.pk}/")
        check_accessibility(page, f"contacts-06-profile-en-{width}")
