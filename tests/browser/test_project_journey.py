"""A funded project's year in the browser, from the demo data.

Jeonbuk (the lead and only region of a leap-type 2023 project) submits its
overdue 2025 annual report; ministry staff accept it. In the pilot-end stage
evaluation under way, staff add a conflict-free expert to that project's panel;
the expert declares no conflict, reads the stage (KPIs, budget, reports) and
submits scores; staff decide "continue with conditions" (with a condition and
its due date, after the confirmation), build the stage-evaluation report and
download it (a PDF). Every page visited is checked with axe-core and
photographed into tests/artifacts/ (also at 360 px for the workspace).
"""

from pathlib import Path

import pytest
from django.conf import settings

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import expect  # noqa: E402

from .test_journeys import ARTIFACTS, check_accessibility, log_in  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROKER = bool(settings.CELERY_BROKER_URL)
COMMENT = "연차보고서와 성과지표 달성 실적을 검토한 결과 해당 항목의 수준은 양호하다고 판단됩니다."


@pytest.fixture
def reports_media(settings, tmp_path, portal, request):
    """Stage reports of this test in a temporary MEDIA_ROOT when built in-process; with a broker
    a real worker builds them (and the test removes the files it added)."""
    if BROKER:
        request.getfixturevalue("celery_worker")
        folder = Path(settings.MEDIA_ROOT) / "stage-reports"
        before = set(folder.glob("*.pdf")) if folder.exists() else set()
        yield portal
        for path in (set(folder.glob("*.pdf")) if folder.exists() else set()) - before:
            path.unlink()
        return
    settings.MEDIA_ROOT = tmp_path / "media"
    yield portal


def logout(page) -> None:
    with page.expect_navigation():
        page.click("#logout-button")


def test_a_region_reports_staff_accept_and_run_the_stage_evaluation_to_a_decision_and_its_report(
        reports_media, new_context):
    from projects.models import AnnualReport, Outcome, ReportState, StageEvaluation
    from projects.selectors import expert_choices

    portal = reports_media
    report = AnnualReport.objects.select_related("project__proposal").get(
        project__proposal__lead_region__code="jeonbuk", year=2025)
    assert report.state == ReportState.DRAFT, "the demo keeps Jeonbuk's 2025 report in draft"
    project = report.project
    evaluation = StageEvaluation.objects.select_related("round").get(project=project)
    page = new_context().new_page()

    # 1. Jeonbuk finds its project, sees the overdue report and submits it.
    log_in(page, portal, "official-jeonbuk")
    page.goto(f"{portal}/projects/")
    expect(page.locator("#project-table")).to_contain_text(project.proposal.title_ko)
    check_accessibility(page, "project-journey-01-list")
    page.click(f"#project-table a[href='/projects/{project.pk}/']")
    expect(page.locator("#timeline svg[role='img']")).to_be_visible()
    check_accessibility(page, "project-journey-02-workspace")
    page.click(f"a[href='/projects/{project.pk}/reports/2025/']")
    expect(page.locator("#report-ready")).to_be_visible()
    page.fill("#part-narrative", "전북특별자치도: 3차년도 실증 준비를 마치고 시험 생산 설비를 구축하였다.")
    with page.expect_navigation():
        page.click("#save-part")
    expect(page.locator("#part-narrative")).to_have_value("전북특별자치도: 3차년도 실증 준비를 마치고 시험 생산 설비를 구축하였다.")
    check_accessibility(page, "project-journey-03-report-draft")
    page.check("#confirm-submit")
    with page.expect_navigation():
        page.click("#submit-report")
    expect(page.locator("#submit-report")).to_have_count(0)
    check_accessibility(page, "project-journey-04-report-submitted")
    logout(page)

    # 2. Ministry staff accept it.
    log_in(page, portal, "ministry")
    page.goto(f"{portal}/projects/{project.pk}/reports/2025/")
    check_accessibility(page, "project-journey-05-report-review")
    with page.expect_navigation():
        page.click("#accept-report")
    expect(page.locator("#accepted-note")).to_be_visible()
    report.refresh_from_db()
    assert report.state == ReportState.ACCEPTED

    # 3. The round under way: staff add a conflict-free expert to the project's panel.
    candidate = next(x["user"] for x in expert_choices(evaluation) if not x["reasons"])
    page.goto(f"{portal}/projects/rounds/")
    check_accessibility(page, "project-journey-06-rounds")
    page.click(f"a[href='/projects/rounds/{evaluation.round_id}/']")
    page.select_option(f"#expert-{evaluation.pk}", str(candidate.pk))
    with page.expect_navigation():
        page.locator(f"#evaluation-{evaluation.pk} form:has(#expert-{evaluation.pk}) button").click()
    expect(page.locator(f"#panel-{evaluation.pk}")).to_contain_text(str(candidate))
    check_accessibility(page, "project-journey-07-round")
    logout(page)

    # 4. The expert declares no conflict, reads the stage and scores it.
    candidate.set_password("demo1234")
    candidate.save(update_fields=["password"])
    assignment = evaluation.assignments.get(expert=candidate)
    log_in(page, portal, candidate.username)
    page.goto(f"{portal}/evaluations/assignments/{assignment.pk}/")
    for answer in page.locator("input[name^='ground_'][value='no']").all():  # no to every declared ground
        answer.check()
    page.check("#decision-none")
    with page.expect_navigation():
        page.click("#declare-submit")
    expect(page.locator("#stage-kpis")).to_be_visible()
    expect(page.locator("#stage-budget")).to_be_visible()
    check_accessibility(page, "project-journey-08-stage-scoresheet")
    inputs = page.locator("input.score-input")
    assert inputs.count() == 4  # the round's own rubric
    for i in range(4):
        inputs.nth(i).fill("8")
        page.locator("#scoresheet-form textarea[id^='comment-']").nth(i).fill(COMMENT)
    page.check("#confidence-3")
    page.check("#confirm-scores")
    with page.expect_navigation():
        page.click("#submit-scores")
    expect(page.locator("#scoresheet-form input.score-input").first).to_be_disabled()
    logout(page)

    # 5. Staff decide "continue with conditions" from the scores, after confirming.
    log_in(page, portal, "ministry")
    page.goto(f"{portal}/projects/rounds/{evaluation.round_id}/")
    expect(page.locator(f"#results-{evaluation.pk}")).to_be_visible()
    expect(page.locator(f"#results-{evaluation.pk}")).not_to_contain_text(str(candidate))
    page.click(f"#decide-{evaluation.pk}")
    expect(page.locator("#id_reason")).to_be_visible()
    check_accessibility(page, "project-journey-09-decide")
    page.check(f"input[name='outcome'][value='{Outcome.CONDITIONS}']")
    page.fill("#id_panel_comment", "시범사업 목표를 대체로 달성하였으나 기업 유치 실적 보완이 필요함.")
    page.fill("#id_reason", "평균 80점으로 계속 지원하되 조건을 부과함.")
    page.fill("#id_conditions-0-text", "2026년 상반기까지 참여기업 2개 이상 추가 유치")
    page.fill("#id_conditions-0-due_on", "2026-06-30")
    with page.expect_navigation():
        page.click("#decide-submit")  # without the confirmation: refused, typed text kept
    expect(page.locator("#id_conditions-0-text")).to_have_value("2026년 상반기까지 참여기업 2개 이상 추가 유치")
    page.check("#id_confirm")
    with page.expect_navigation():
        page.click("#decide-submit")
    expect(page.locator(f"#outcome-{evaluation.pk}")).to_be_visible()
    evaluation.refresh_from_db()
    assert evaluation.outcome == Outcome.CONDITIONS
    assert list(evaluation.conditions.values_list("text", flat=True)) == ["2026년 상반기까지 참여기업 2개 이상 추가 유치"]

    # 6. The stage-evaluation report: built, then downloaded (a PDF).
    with page.expect_navigation():
        page.click(f"#request-report-{evaluation.pk}")
    expect(page.locator(f"#download-report-{evaluation.pk}")).to_be_visible(timeout=60_000)
    check_accessibility(page, "project-journey-10-report-built")
    with page.expect_download() as download:
        page.click(f"#download-report-{evaluation.pk}")
    pdf = ARTIFACTS / "project-journey-stage-report.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    # 7. The workspace shows the outcome and its open condition, on a phone too.
    page.goto(f"{portal}/projects/{project.pk}/")
    expect(page.locator("#evaluations")).to_contain_text("2026년 상반기까지 참여기업 2개 이상 추가 유치")
    check_accessibility(page, "project-journey-11-workspace-after")
    phone = new_context(viewport={"width": 360, "height": 800}).new_page()
    log_in(phone, portal, "official-jeonbuk")
    phone.goto(f"{portal}/projects/{project.pk}/")
    check_accessibility(phone, "project-journey-12-workspace-360")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
