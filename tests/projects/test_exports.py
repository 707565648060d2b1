"""The annual reports export (a dataset the projects app registers with the reports app)."""

import pytest
from django.urls import reverse

from projects.models import Project
from projects.services import reports
from projects.services.reports import _create as open_report_row
from tests.funding.conftest import (  # noqa: F401  (fixtures)
    _english,
    _media_root,
    approve,
    approved,
    build_letter,
    complete_proposal,
    make_proposal,
    official_of,
    prepared,
    proposal,
    selected,
)
from tests.login import log_in
from tests.reports.conftest import body_of, csv_rows, xlsx_rows


@pytest.fixture
def reported(approved):  # noqa: F811
    """The 2027 report: Gwangju spent 17억 national + 4억 local, Jeonnam nothing yet; 2028 opened."""
    project = Project.objects.get(proposal=approved.proposal)
    report = open_report_row(project, 2027)
    gwangju = report.parts.get(region__code="gwangju")
    reports.report_part_save(actor=official_of(gwangju.region), part=gwangju, national_spent="1,700,000,000",
                             local_spent=400_000_000, narrative="광주 추진 실적")
    open_report_row(project, 2028)
    return project


def export(client, user, fmt):
    log_in(client, user)
    return client.get(reverse("reports:export", args=["annual_reports", fmt]))


def test_the_csv_has_one_row_per_region_and_year_with_the_spent_totals(client, ministry, reported):
    rows = csv_rows(body_of(export(client, ministry, "csv")))
    header, data = rows[0], rows[1:]
    assert len(data) == 4  # 2 years × 2 regions
    assert {(r[header.index("Year")], r[header.index("Region")]) for r in data} == {
        ("2027", "Gwangju"), ("2027", "Jeonnam"), ("2028", "Gwangju"), ("2028", "Jeonnam")}
    assert sum(int(r[header.index("National funds spent (won)")] or 0) for r in data) == 1_700_000_000
    assert sum(int(r[header.index("Local funds spent (won)")] or 0) for r in data) == 400_000_000
    assert {r[header.index("Project")] for r in data} == {reported.proposal.title_ko}  # Korean round-trips


def test_the_xlsx_has_number_cells(client, ministry, reported):
    _sheet, rows = xlsx_rows(body_of(export(client, ministry, "xlsx")))
    header = [c.value for c in rows[0]]
    spent = [r[header.index("National funds spent (won)")].value for r in rows[1:]]
    assert sorted(spent) == [0, 0, 0, 1_700_000_000]


def test_another_region_s_official_exports_nothing_and_the_partner_everything(client, reported, outsider_official,
                                                                                partner_official):
    assert csv_rows(body_of(export(client, outsider_official, "csv")))[1:] == []
    assert len(csv_rows(body_of(export(client, partner_official, "csv")))[1:]) == 4


# --- spending by category ---


def test_the_spending_export_has_one_row_per_category_adding_up_to_the_totals(client, ministry, reported):
    gwangju = reported.reports.get(year=2027).parts.get(region__code="gwangju")
    reports.report_part_save(actor=official_of(gwangju.region), part=gwangju, narrative="광주 추진 실적", spending={
        ("national", "personnel"): "1,000,000,000", ("national", "indirect"): "200,000,000",
        ("national", "materials"): "500,000,000", ("local", "personnel"): "400,000,000"})
    log_in(client, ministry)
    rows = csv_rows(body_of(client.get(reverse("reports:export", args=["spending", "csv"]))))
    header, data = rows[0], rows[1:]
    got = {(r[header.index("Year")], r[header.index("Region")], r[header.index("Source")],
            r[header.index("Spending category")]): int(r[header.index("Amount (won)")]) for r in data}
    assert got == {("2027", "Gwangju", "National funds", "Personnel"): 1_000_000_000,
                   ("2027", "Gwangju", "National funds", "Indirect costs"): 200_000_000,
                   ("2027", "Gwangju", "National funds", "Materials"): 500_000_000,
                   ("2027", "Gwangju", "Local funds", "Personnel"): 400_000_000}
    gwangju.refresh_from_db()
    assert sum(v for k, v in got.items() if k[2] == "National funds") == gwangju.national_spent_won
