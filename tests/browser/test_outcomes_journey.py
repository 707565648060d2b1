"""The outcomes registry in the browser, from the demo data.

Jeonbuk (the lead and only region of a 2023 leap-type project) reports a paper and a patent of 2025
on its project's outcome page, each with a PDF as evidence (a malformed DOI first refused at the
field, what was typed kept); its draft 2025 annual report then shows the KPIs that count patents
and papers computed from the records, read-only with their source. Ministry staff open the outcomes
dashboard. Every page is checked with axe-core and photographed (the dashboard also at 360 px).
"""

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from playwright.sync_api import expect  # noqa: E402

from tests.proposals.conftest import PDF  # noqa: E402

from .test_journeys import check_accessibility, log_in  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logout(page) -> None:
    with page.expect_navigation():
        page.click("#logout-button")


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_region_reports_a_paper_and_a_patent_the_report_counts_them_and_staff_see_the_dashboard(
        portal, new_context, tmp_path, settings):
    from projects.models import AnnualReport, KPIResult, OutcomeRecord

    settings.MEDIA_ROOT = tmp_path / "media"
    report = AnnualReport.objects.select_related("project__proposal").get(
        project__proposal__lead_region__code="jeonbuk", year=2025)
    project = report.project
    # The plan's second KPI counts papers for this journey (the demo's counts technology transfers).
    kpis = list(project.proposal.kpis.order_by("order"))
    type(kpis[1]).objects.filter(pk=kpis[1].pk).update(counts_outcome="paper")
    patents_before = project.outcomes.filter(kind="patent", year=2025).count()
    papers_before = project.outcomes.filter(kind="paper", year=2025).count()
    evidence = tmp_path / "증빙.pdf"
    evidence.write_bytes(PDF)
    page = new_context().new_page()

    # 1. Jeonbuk opens its project's outcomes and reports a paper (a bad DOI is refused at the field first).
    log_in(page, portal, "official-jeonbuk")
    page.goto(f"{portal}/projects/{project.pk}/")
    with page.expect_navigation():
        page.click("#outcomes-link")
    check_accessibility(page, "outcomes-journey-01-list")
    with page.expect_navigation():
        page.click("#add-paper")
    page.fill("#id_title", "해양 소재의 내열 특성 연구")
    page.fill("#id_journal", "Materials Today")
    page.fill("#id_issn", "1369-7021")
    page.fill("#id_doi", "doi 10.1016 wrong")
    page.fill("#id_occurred_on", "2025-10-01")
    page.select_option("#id_indexed", "yes")
    with page.expect_navigation():
        page.click("#save-outcome")
    expect(page.locator("#id_doi")).to_have_value("doi 10.1016 wrong")
    expect(page.locator("#outcome-form")).to_contain_text("10.1000/xyz123")
    check_accessibility(page, "outcomes-journey-02-paper-refused")
    page.fill("#id_doi", "https://doi.org/10.1016/j.mattod.2025.10.001")
    with page.expect_navigation():
        page.click("#save-outcome")
    paper = OutcomeRecord.objects.get(project=project, doi="10.1016/j.mattod.2025.10.001")
    page.set_input_files(f"#evidence-{paper.pk}", str(evidence))
    with page.expect_navigation():
        page.click(f"#attach-{paper.pk}")
    expect(page.locator(f"#outcome-{paper.pk}")).to_contain_text("증빙.pdf")

    # 2. ... and a patent with its evidence.
    page.goto(f"{portal}/projects/{project.pk}/outcomes/?add=patent")
    page.fill("#id_title", "내열 소재 제조 장치")
    page.fill("#id_application_number", "10-2025-0098765")
    page.fill("#id_occurred_on", "2025-11-03")
    page.fill("#id_country", "KR")
    page.fill("#id_applicants", "전북대학교 산학협력단")
    page.fill("#id_inventors", "이전북, 박연구")
    page.select_option("#id_patent_status", "applied")
    check_accessibility(page, "outcomes-journey-03-patent-form")
    with page.expect_navigation():
        page.click("#save-outcome")
    patent = OutcomeRecord.objects.get(project=project, application_number="10-2025-0098765")
    page.set_input_files(f"#evidence-{patent.pk}", str(evidence))
    with page.expect_navigation():
        page.click(f"#attach-{patent.pk}")
    expect(page.locator(f"#outcome-{patent.pk}")).to_contain_text("증빙.pdf")
    check_accessibility(page, "outcomes-journey-04-reported")

    # 3. The draft 2025 report computes the KPIs from the records: read-only, with their source.
    page.goto(f"{portal}/projects/{project.pk}/reports/2025/")
    patent_row = KPIResult.objects.get(report=report, kpi=kpis[0])
    paper_row = KPIResult.objects.get(report=report, kpi=kpis[1])
    expect(page.locator(f"#kpi-{patent_row.pk}-computed")).to_have_text(str(patents_before + 1))
    expect(page.locator(f"#kpi-{paper_row.pk}-computed")).to_have_text(str(papers_before + 1))
    expect(page.locator(f"input[name='kpi-{paper_row.pk}']")).to_have_count(0)
    check_accessibility(page, "outcomes-journey-05-report-kpis")
    logout(page)

    # 4. Ministry staff open the outcomes dashboard (also on a phone).
    log_in(page, portal, "ministry")
    page.goto(f"{portal}/projects/")
    with page.expect_navigation():
        page.click("#outcome-dashboard-link")
    expect(page.locator("#outcome-totals")).to_contain_text("특허")
    expect(page.locator("#by-project-heading")).to_be_visible()
    check_accessibility(page, "outcomes-journey-06-dashboard")
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 360, "height": 800})
    check_accessibility(page, "outcomes-journey-07-dashboard-360")
    no_sideways_scroll(page)
