"""The questions and answers board in the browser, from the demo data.

Gwangju's official asks on the open 2027 call from its page; ministry staff find the question
in their queue and answer it publicly; a visitor without an account reads the answer on the
call's public board, which names neither the asker nor their region; staff publish a notice
the visitor then reads. Every page is checked with axe-core and photographed into
tests/artifacts/ at 1280 and 360 px, in Korean and English.
"""

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import expect  # noqa: E402

from .test_journeys import check_accessibility, log_in  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "초광역 협력형의 지방비 매칭 기준"
BODY = "두 지역이 함께 제안할 때 지방비 매칭 비율은 지역별로 따로 계산합니까?\n<script>alert(1)</script>"
ANSWER = "지역별로 국비의 20% 이상을 매칭해야 합니다."
NARROW = {"width": 360, "height": 780}


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def photograph(new_context, url: str, name: str, *, log_in_as: str | None = None, portal: str = "") -> None:
    """The page at 1280 and 360 px, in Korean and English: axe-clean, no sideways scroll at 360."""
    for language in ("ko", "en"):
        for width, viewport in (("1280", None), ("360", NARROW)):
            context = new_context(**({"viewport": viewport} if viewport else {}))
            context.add_cookies([{"name": "django_language", "value": language, "url": portal}])
            page = context.new_page()
            if log_in_as:
                log_in(page, portal, log_in_as)
            page.goto(url)
            if viewport:
                no_sideways_scroll(page)
            check_accessibility(page, f"public-boards-{name}-{language}-{width}")
            context.close()


def test_an_official_asks_staff_answer_and_everyone_reads_the_answer_without_the_asker(portal, new_context):
    from programmes.models import Call
    from public_pages.models import Question

    call = Call.objects.get(programme__code="mega", year=2027)

    # 1. Gwangju asks from the call's page.
    page = new_context().new_page()
    log_in(page, portal, "official-gwangju")
    page.goto(f"{portal}/calls/{call.pk}/")
    with page.expect_navigation():
        page.click("#call-ask-question")
    check_accessibility(page, "public-boards-01-ask")
    page.fill("#id_title", TITLE)
    page.fill("#id_body", BODY)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text(TITLE)
    expect(page.locator("main")).to_contain_text("<script>alert(1)</script>")  # shown as text
    check_accessibility(page, "public-boards-02-my-questions")
    question = Question.objects.get(title=TITLE)

    # 2. Staff answer it publicly from their queue.
    staff = new_context().new_page()
    log_in(staff, portal, "ministry")
    staff.goto(f"{portal}/public/questions/queue/")
    with staff.expect_navigation():
        staff.click(f"text={TITLE}")
    staff.fill("#id_answer", ANSWER)
    staff.check("#id_visibility_0")
    with staff.expect_navigation():
        staff.click("main button[type=submit]")
    expect(staff.locator("main")).to_contain_text(TITLE)

    # 3. A visitor without an account reads it; nothing names Gwangju or its official.
    visitor = new_context().new_page()
    visitor.goto(f"{portal}/public/calls/{call.pk}/questions/")
    expect(visitor.locator("main")).to_contain_text(ANSWER)
    html = visitor.content()
    for secret in ("광주", "Gwangju", "official-gwangju", "담당자"):
        assert secret not in html, secret
    question.refresh_from_db()
    assert question.state == "published"

    # 4. The board and the queue at both widths, in both languages.
    photograph(new_context, f"{portal}/public/calls/{call.pk}/questions/", "board", portal=portal)
    photograph(new_context, f"{portal}/public/questions/queue/", "queue", log_in_as="ministry", portal=portal)


def test_staff_publish_a_notice_and_the_visitor_reads_it(portal, new_context):
    page = new_context().new_page()
    log_in(page, portal, "ministry")
    page.goto(f"{portal}/public/notices/new/")
    check_accessibility(page, "public-boards-03-notice-form")
    page.fill("#id_title", "2027년 공모 설명회 안내")
    page.fill("#id_body", "설명회를 엽니다.\n장소: 세종")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    notice_url = page.url
    visitor = new_context().new_page()
    assert visitor.goto(notice_url).status == 404  # not published yet
    with page.expect_navigation():
        page.click("#notice-publish")
    visitor.goto(notice_url)
    expect(visitor.locator("h1")).to_have_text("2027년 공모 설명회 안내")
    check_accessibility(visitor, "public-boards-04-notice")
    photograph(new_context, f"{portal}/public/notices/", "notices", portal=portal)
