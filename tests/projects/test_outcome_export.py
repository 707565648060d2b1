"""The outcomes export (a dataset of the reports registry): one row per outcome with the fields of the
national outcome registry, in CSV through core/spreadsheet.py; an official exports only the outcomes
of projects their region takes part in."""

import datetime

import pytest
from django.urls import reverse

from projects.models import OutcomeKind
from projects.services import outcomes
from tests.login import log_in
from tests.reports.conftest import body_of, csv_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(project, official, partner_official):
    outcomes.outcome_add(actor=official, project=project, kind=OutcomeKind.PAPER, data={
        "title": "해양바이오 소재", "journal": "Marine Drugs", "issn": "1660-3397", "doi": "10.3390/md21010001",
        "occurred_on": datetime.date(2024, 3, 2), "indexed": True})
    outcomes.outcome_add(actor=partner_official, project=project, kind=OutcomeKind.PATENT, data={
        "title": "제조 방법", "application_number": "10-2024-0012345", "country": "KR",
        "occurred_on": datetime.date(2024, 5, 1), "registration_number": "10-2567890",
        "registered_on": datetime.date(2025, 1, 10), "applicants": "광주과학기술원", "inventors": "김민준",
        "patent_status": "registered"})
    outcomes.outcome_add(actor=official, project=project, kind=OutcomeKind.TRANSFER, data={
        "title": "소재 합성 기술", "partner": "(주)바다", "occurred_on": datetime.date(2025, 2, 3),
        "amount_won": 120_000_000})
    return project


def export(client, user):
    log_in(client, user)
    response = client.get(reverse("reports:export", args=["outcomes", "csv"]))
    rows = csv_rows(body_of(response))
    return rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_the_csv_has_the_registry_fields_of_each_type(client, ministry, recorded):
    header, rows = export(client, ministry)
    assert header[:8] == ["Proposal no.", "Call year", "Project", "Region", "Outcome type", "Year", "State", "Date"]
    paper, patent, transfer = rows
    assert (paper["Outcome type"], paper["DOI"], paper["ISSN"], paper["Indexed (SCI(E)/SCOPUS)"],
            paper["Date"]) == ("Paper", "10.3390/md21010001", "1660-3397", "Y", "2024-03-02")
    assert (patent["Application number"], patent["Registration number"], patent["Registration date"],
            patent["Country"], patent["Applicants (patent)"], patent["Inventors"], patent["Patent status"],
            patent["Region"]) == ("10-2024-0012345", "10-2567890", "2025-01-10", "KR", "광주과학기술원", "김민준",
                                  "Registered", "Jeonnam")
    assert (transfer["Partner or investor"], transfer["Amount (won)"], transfer["Date"]) == (
        "(주)바다", "120000000", "2025-02-03")


def test_an_official_exports_only_projects_of_their_region(client, other_client, partner_official,
                                                           outsider_official, recorded):
    _header, rows = export(client, partner_official)
    assert len(rows) == 3
    _header, rows = export(other_client, outsider_official)
    assert rows == []
