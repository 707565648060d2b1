"""The patent analysis in the browser (issue 17, phase 3), on the demo's Busan draft that grew from Busan's
final theme (its demo analysis removed first).

Ministry staff write the analysis from the proposal's origin section: a high risk without a comment is
refused at the field with everything typed kept, then saved with its key patent and file; Busan reads it
and answers; the proposal page's origin shows the themes considered, the selection's reason, the analysis
and the answer. Every page is checked with axe-core and photographed into tests/artifacts/, the analysis
form and the patent page also at 360 px.
"""

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import Page, expect  # noqa: E402

from .test_journeys import check_accessibility, log_in  # noqa: E402
from .test_planning_journey import DESKTOP, at_phone_width, click  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def busan_draft(portal, settings, tmp_path):
    from proposals.models import PatentAnalysis, Proposal

    settings.MEDIA_ROOT = tmp_path / "media"
    proposal = Proposal.objects.get(call__year=2027, title_ko="부산 해양 모빌리티 실증 플랫폼 구축")
    assert proposal.origin_theme is not None
    PatentAnalysis.objects.filter(proposal=proposal).delete()
    return proposal


def test_staff_attach_a_patent_analysis_busan_answers_and_the_origin_shows_it(portal, busan_draft, new_context,
                                                                               tmp_path):
    proposal = busan_draft
    page: Page = new_context(viewport=DESKTOP).new_page()
    log_in(page, portal, "ministry")

    # From the proposal's origin section to the (empty) patent page, then its form.
    page.goto(f"{portal}/proposals/{proposal.pk}/")
    expect(page.locator("#proposal-origin")).to_contain_text("친환경 선박 자율운항 실증")
    click(page, "#origin-patents-link")
    expect(page.locator("#patent-empty")).to_be_visible()
    click(page, "#patent-edit")
    page.fill("#id_landscape", "자율운항 충돌회피 특허는 국내 조선사가 주도한다.")
    page.fill("#id_white_spaces", "항만 내 저속 자율 접·이안")
    page.fill("#id_patents-0-number", "KR 10-2345678")
    page.fill("#id_patents-0-title", "선박 자율운항 충돌회피 방법")
    page.fill("#id_patents-0-holder", "HD한국조선해양")
    page.fill("#id_patents-0-country", "KR")
    page.fill("#id_patents-0-legal_status", "등록")
    page.select_option("#id_risk", "high")
    click(page, "#patent-save")
    # Refused at the comment; what was typed is kept.
    expect(page.locator("#id_risk_comment")).to_have_class(re.compile("is-invalid"))
    expect(page.locator("#id_patents-0-number")).to_have_value("KR 10-2345678")
    check_accessibility(page, "patents-01-form-refused")
    at_phone_width(page, "patents-01-form-refused")
    page.fill("#id_risk_comment", "원격 관제 통신 구조가 선행 특허와 겹친다.")
    upload = tmp_path / "특허분석.pdf"
    upload.write_bytes(PDF)
    page.set_input_files("#id_file", str(upload))
    click(page, "#patent-save")
    expect(page.locator("#patent-rows")).to_contain_text("KR 10-2345678")
    expect(page.locator("#patent-file")).to_have_text("특허분석.pdf")
    check_accessibility(page, "patents-02-analysis")
    page.click("#logout-button")

    # Busan reads and answers it.
    page.wait_for_url(re.compile(r"/accounts/login/"))
    log_in(page, portal, "official-busan")
    page.goto(f"{portal}/proposals/{proposal.pk}/patents/")
    page.fill("#id_answer", "원격 관제 통신 구조를 회피 설계하여 계획서에 반영함")
    click(page, "#patent-answer-save")
    expect(page.locator("#patent-answer")).to_contain_text("회피 설계하여 계획서에 반영함")
    check_accessibility(page, "patents-03-answered")
    at_phone_width(page, "patents-03-answered")

    # The origin on the proposal page: themes considered (the dropped one with its reason), the reason for the
    # selection, the analysis and Busan's answer.
    page.goto(f"{portal}/proposals/{proposal.pk}/")
    origin = page.locator("#proposal-origin")
    expect(origin).to_contain_text("해양 수소 저장·운송 소재")
    expect(origin).to_contain_text("원천기술 성숙도가 낮아")
    expect(origin).to_contain_text("의견수렴 결과")
    expect(origin).to_contain_text("KR 10-2345678")
    expect(origin).to_contain_text("회피 설계하여 계획서에 반영함")
    check_accessibility(page, "patents-04-origin")
    at_phone_width(page, "patents-04-origin")
