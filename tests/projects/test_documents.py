"""The stage-evaluation report PDF: real WeasyPrint output read back as text.

A funded Gwangju + Jeonnam project (the funding tests' standard proposal) gets
two annual reports, a pilot-end round with two evaluators who score, and a
"continue with conditions" outcome; the report is then built as the worker
builds it (services.documents.stage_report_build) and read with pdftotext.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from evaluations.services import assignment_declare, scoresheet_save
from projects.models import Outcome, Project, StageReport
from projects.services import documents, reports, stages
from projects.services.reports import _create as open_report_row
from tests.evaluations.conftest import COMMENT, make_expert
from tests.funding.conftest import (  # noqa: F401  (fixtures)
    _english,
    _media_root,
    approve,
    approved,
    build_letter,
    compact,
    complete_proposal,
    make_proposal,
    official_of,
    pdf_text,
    prepared,
    proposal,
    selected,
)

# The first year's spending by category (the same totals as the second year's: 17억 national, 3.9억 local
# per region); the indirect costs are 2억 of 15억 other national costs (13.33 %, under the call's 20 % cap).
BY_CATEGORY = {("national", "personnel"): "1,000,000,000", ("national", "materials"): "500,000,000",
               ("national", "indirect"): "200,000,000", ("local", "personnel"): "300,000,000",
               ("local", "activities"): "90,000,000"}


def _fill(report, project, *, national, local, spending=None):
    for part in report.parts.select_related("region"):
        reports.report_part_save(actor=official_of(part.region), part=part, national_spent=national,
                                 local_spent=local, spending=spending, narrative=f"{part.region.name} 추진 실적")
    lead = official_of(project.proposal.lead_region)
    values = {r.pk: ("17", "") for r in report.kpi_results.all()}
    reports.report_save(actor=lead, report=report, narrative="연차 추진 실적", kpi_values=values)
    reports.report_submit(actor=lead, report=report)


@pytest.fixture
def decided(approved, ministry, ministry2):  # noqa: F811
    project = Project.objects.get(proposal=approved.proposal)
    for index, year in enumerate(project.stages.get(number=1).year_list[:2]):
        report = open_report_row(project, year)
        _fill(report, project, national=1_700_000_000, local=390_000_000, spending=None if index else BY_CATEGORY)
        reports.report_review(actor=ministry, report=report, accept=True)
    rnd = stages.round_open(actor=ministry, call=approved.proposal.call, stage_number=1, title="1단계 종료 단계평가",
                            year=project.stages.get(number=1).end_year, envelope_won=10**11)
    evaluation = rnd.evaluations.get()
    experts = [make_expert("stage-a"), make_expert("stage-b", affiliation="서울대학교")]
    assignments = [stages.stage_assign(actor=ministry, evaluation=evaluation, expert=e) for e in experts]
    stages.round_start_scoring(actor=ministry, rnd=rnd)
    criteria = list(rnd.criteria.all())
    for a, score in zip(assignments, ("8.0", "9.0"), strict=True):
        assignment_declare(actor=a.expert, assignment=a, conflict=False)
        a.refresh_from_db()
        scoresheet_save(actor=a.expert, assignment=a, submit=True, confidence=2,
                        values={c.pk: (score, COMMENT) for c in criteria})
    return stages.stage_decide(actor=ministry2, evaluation=evaluation, outcome=Outcome.CONDITIONS,
                               panel_comment="실증 계획이 구체적임", reason="목표를 대체로 달성함",
                               conditions=[{"text": "사업화 전략 보완", "due_on": "2030-03-31"}])


@pytest.fixture
def built(decided, ministry, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        report = documents.stage_report_request(actor=ministry, evaluation=decided)
    with django_capture_on_commit_callbacks(execute=True):
        return documents.stage_report_build(report_id=report.pk)


def test_the_pdf_holds_the_kpi_table_the_budget_the_scores_and_the_outcome(built, decided):
    assert built.status == "done" and built.file.read(5) == b"%PDF-"
    text = compact(pdf_text(built.file.path))
    # KPIs planned vs achieved: the proposal's KPI with its stage-1 target and the reported value.
    kpi = decided.project.proposal.kpis.first()
    assert compact(kpi.name) in text
    assert "17" in text
    # Budget execution per year: both reported years, the spent national amount of both regions.
    year1, year2 = decided.stage.year_list[:2]
    assert f"{year1}" in text and f"{year2}" in text
    assert "3,400,000,000" in text  # 17억 spent by each of the two regions
    # Aggregated scores: the two evaluators' 8.0 and 9.0 average 8.50 on every criterion; total 85.00.
    assert "8.50/10" in text and "85.00" in text
    # The outcome and its condition, and no evaluator's name.
    assert compact(Outcome.CONDITIONS.label) in text or "조건부" in text
    assert "사업화전략보완" in text and "2030-03-31" in text
    assert "stage-a" not in text and "전문가" not in text


def test_the_pdf_shows_each_regions_spending_by_source_and_category_with_the_indirect_share(built, decided):
    text = pdf_text(built.file.path)
    flat = compact(text)
    year1, year2 = decided.stage.year_list[:2]
    with translation.override("ko"):  # the PDF is in Korean, whatever the reader's language
        regions = [p.region.name for p in decided.project.proposal.participations.select_related("region")]
    assert compact("비목별 집행") in flat or compact("Spending by category") in flat
    for region in regions:  # one grid per region and reported year
        for year in (year1, year2):
            assert compact(f"{region} {year}") in flat or f"{region}의{year}" in flat, (region, year)
    # Year 1 by category: personnel 10억 national + 3억 local; indirect 2억; the totals per source and both.
    assert "1,300,000,000" in flat and "200,000,000" in flat and "90,000,000" in flat
    assert "1,700,000,000" in flat and "390,000,000" in flat and "2,090,000,000" in flat
    # The indirect share of the other costs: 2억 / 15억 national = 13.33 %, local none, both 2억 / 18.9억.
    assert "13.33%" in flat and "0.00%" in flat and "10.58%" in flat
    # The limit: the call's cap (the regions' institutions have no approved rate in the registry here).
    assert "20%" in flat
    # Year 2 was reported as totals: its money is "unclassified" (shown since it holds money).
    assert compact("미분류") in flat or compact("Unclassified") in flat


def test_the_chart_is_drawn_as_vectors_and_a_korean_font_is_embedded(built):
    from pypdf import PdfReader

    reader = PdfReader(built.file.path)
    fonts = set()
    drawing = b""
    for page in reader.pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
        drawing += page.get_contents().get_data()
    assert any("Nanum" in f for f in fonts), fonts
    # The SVG chart's bars are filled paths ("re" rectangles or path ops then "f") in the content stream.
    assert drawing.count(b" re") + drawing.count(b"\nf") > 6


def test_requesting_again_rebuilds_the_same_report(built, decided, ministry, django_capture_on_commit_callbacks):
    first = built.file.name
    with django_capture_on_commit_callbacks(execute=False):
        again = documents.stage_report_request(actor=ministry, evaluation=decided)
    assert again.pk == built.pk and again.status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        rebuilt = documents.stage_report_build(report_id=again.pk)
    assert StageReport.objects.count() == 1
    assert rebuilt.status == "done" and rebuilt.attempts == 1
    assert rebuilt.file.name == first  # same content → same name; never two files for one report


def test_not_before_the_outcome(approved, ministry):  # noqa: F811
    project = Project.objects.get(proposal=approved.proposal)
    rnd = stages.round_open(actor=ministry, call=approved.proposal.call, stage_number=1, title="단계평가",
                            year=2029, envelope_won=10**11)
    with pytest.raises(ValidationError):
        documents.stage_report_request(actor=ministry, evaluation=rnd.evaluations.get(project=project))
    assert not StageReport.objects.exists()


def test_download_is_for_staff_and_the_project_regions_only(built, ministry, expert, outsider_official):
    assert documents.stage_report_for_download(user=ministry, report_id=built.pk) == built
    lead = official_of(built.evaluation.project.proposal.lead_region)
    assert documents.stage_report_for_download(user=lead, report_id=built.pk) == built
    for user in (expert, outsider_official):
        with pytest.raises(Http404):
            documents.stage_report_for_download(user=user, report_id=built.pk)
    with pytest.raises(PermissionDenied):
        documents.stage_report_request(actor=lead, evaluation=built.evaluation)


def test_a_failed_build_is_retried_then_given_up_visibly(decided, ministry, settings, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        report = documents.stage_report_request(actor=ministry, evaluation=decided)

    def broken(html):
        raise OSError("disk full")

    monkeypatch.setattr("core.documents.render.render_pdf", broken)
    with pytest.raises(OSError):
        documents.stage_report_build(report_id=report.pk)
    report.mark_failed("OSError: disk full", final=False)
    report.refresh_from_db()
    assert report.status == "pending" and report.attempts == 1 and not report.file
    settings.LETTER_MAX_ATTEMPTS = 1
    given_up = documents.stage_report_build(report_id=report.pk)
    # Given up visibly: failed, the last error kept for staff, no further attempt counted.
    assert given_up.status == "failed" and given_up.error == "OSError: disk full" and given_up.attempts == 1
    with pytest.raises(PermissionDenied):
        documents.stage_report_for_download(user=ministry, report_id=report.pk)


def test_the_report_prints_its_verification_code_and_verify_shows_what_it_is_but_no_scores(built, decided, settings):
    from django.test import Client

    text = compact(pdf_text(built.file.path))
    assert f"{settings.PORTAL_BASE_URL}/verify/{built.verification_code}" in text

    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/verify/{built.verification_code}").content.decode()
    assert "a stage-evaluation report issued by this portal" in page
    assert decided.project.proposal.title_ko in page and built.checksum in page
    assert "85.00" not in page and "8.50" not in page  # the scores stay in the report
