"""KPIs that count outcomes: their achieved value in a year's annual report is computed from the
project's outcome records of that year (rejected ones excluded), shown read-only with its source,
never typed; the other KPIs are typed as before. Counts below are worked out by hand."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import OutcomeKind
from projects.services import outcomes, reports
from tests.login import log_in

from .conftest import YEAR, complete_report

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 4)


def add(actor, project, kind, day, **data):
    return outcomes.outcome_add(actor=actor, project=project, kind=kind, data={"occurred_on": day, **data},
                                today=TODAY)


def paper(actor, project, day, n):
    return add(actor, project, OutcomeKind.PAPER, day, title=f"논문 {n}", journal="J", indexed=True,
               doi=f"10.1000/p{n}")


@pytest.fixture
def counted(project, official, partner_official, ministry):
    """KPI 1 counts papers, KPI 2 start-ups. 2023: papers p1, p2 (Jeonnam), p3 rejected; start-ups 2 + 1;
    2024: paper p4, start-ups 5."""
    first, second = project.proposal.kpis.order_by("order")
    first.counts_outcome, second.counts_outcome = OutcomeKind.PAPER, OutcomeKind.STARTUP
    first.save(), second.save()
    paper(official, project, datetime.date(2023, 3, 1), 1)
    paper(partner_official, project, datetime.date(2023, 9, 1), 2)
    rejected = paper(official, project, datetime.date(2023, 10, 1), 3)
    outcomes.outcome_transition(actor=ministry, record_=rejected, action="reject", comment="중복 게재")
    add(official, project, OutcomeKind.STARTUP, datetime.date(2023, 5, 1), title="(주)하나", count=2)
    add(partner_official, project, OutcomeKind.STARTUP, datetime.date(2023, 6, 1), title="(주)둘", count=1)
    paper(official, project, datetime.date(2024, 2, 1), 4)
    add(official, project, OutcomeKind.STARTUP, datetime.date(2024, 5, 1), title="(주)셋", count=5)
    return first, second


def test_the_values_per_year_are_computed_from_the_records(project, counted):
    values_2023 = outcomes.kpi_values(project, 2023)
    assert (values_2023["paper"], values_2023["startup"], values_2023["patent"]) == (2, 3, 0)
    values_2024 = outcomes.kpi_values(project, 2024)
    assert (values_2024["paper"], values_2024["startup"]) == (1, 5)


def test_investment_adds_up_won_and_jobs_add_up_counts(project, official):
    add(official, project, OutcomeKind.INVESTMENT, datetime.date(2024, 1, 2), partner="A", amount_won=300_000_000)
    add(official, project, OutcomeKind.INVESTMENT, datetime.date(2024, 3, 2), partner="B", amount_won=1_200_000_000)
    add(official, project, OutcomeKind.JOBS, datetime.date(2024, 3, 2), count=4)
    add(official, project, OutcomeKind.JOBS, datetime.date(2024, 8, 2), count=9)
    values = outcomes.kpi_values(project, 2024)
    assert (values["investment"], values["jobs"]) == (Decimal(1_500_000_000), Decimal(13))


def test_a_typed_value_for_a_counted_kpi_is_ignored_and_the_count_saved(report, official, counted):
    first, second = counted
    rows = {r.kpi_id: r for r in report.kpi_results.all()}
    reports.report_save(actor=official, report=report, narrative="실적", kpi_values={
        rows[first.pk].pk: ("99", "논문"), rows[second.pk].pk: ("77", "")})
    achieved = dict(report.kpi_results.values_list("kpi_id", "achieved"))
    assert achieved == {first.pk: Decimal("2.00"), second.pk: Decimal("3.00")}


def test_counted_kpis_are_never_missing_and_the_submission_keeps_the_count(report, official, partner_official,
                                                                           counted, ministry):
    first, _second = counted
    complete_report(report, lead=official, partner=partner_official)
    assert reports.report_problems(report) == []
    reports.report_submit(actor=official, report=report)
    # A paper of 2023 reported after the submission: the submitted report keeps the count it was judged on.
    paper(official, project=report.project, day=datetime.date(2023, 12, 1), n=5)
    assert report.kpi_results.get(kpi=first).achieved == Decimal("2.00")
    assert outcomes.kpi_values(report.project, YEAR)["paper"] == 3


def test_the_report_page_shows_the_computed_value_read_only_with_its_source(client, report, official, counted):
    first, second = counted
    log_in(client, official)
    response = client.get(reverse("projects:report", args=[report.project_id, report.year]))
    html = response.content.decode()
    row = report.kpi_results.get(kpi=first)
    assert f'name="kpi-{row.pk}"' not in html  # nothing to type
    assert f'id="kpi-{row.pk}-computed">2<' in html
    assert f"?kind=paper&amp;year={YEAR}" in html
    assert "Computed from the outcomes: Paper" in html


def test_a_kpi_not_counting_outcomes_is_typed_as_before(report, official, project):
    first = project.proposal.kpis.order_by("order").first()
    row = report.kpi_results.get(kpi=first)
    reports.report_save(actor=official, report=report, narrative="실적", kpi_values={row.pk: ("12.5", "")})
    row.refresh_from_db()
    assert row.achieved == Decimal("12.50")
