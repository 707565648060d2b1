"""The demo's outcomes (projects/demo.py): the five 2023 projects have papers, patents and technology
transfers of 2023–2025; their KPIs "특허 출원" and "기술이전" count them, so the annual reports show the
computed values. Seeded once for the module, rolled back after it."""

from io import StringIO

import pytest
from django.core.management import call_command

from projects.models import KPIResult, OutcomeKind, OutcomeRecord, Project
from tests.programmes.test_demo_data import demo  # noqa: F401  (the demo, seeded once for the module)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_the_five_2023_projects_have_papers_patents_and_a_transfer():
    projects = Project.objects.filter(proposal__call__year=2023)
    assert projects.count() == 5
    for project in projects:
        kinds = {k: project.outcomes.filter(kind=k).count() for k in OutcomeKind.values}
        assert (kinds["paper"], kinds["patent"], kinds["transfer"]) == (5, 18, 2)


def test_the_patent_kpi_of_each_report_is_the_years_patent_count():
    """Plan: 4 patent applications in 2023, 6 in 2024, 8 in 2025 (projects.demo.OUTCOME_PLAN)."""
    rows = KPIResult.objects.filter(report__project__proposal__call__year=2023, kpi__counts_outcome="patent")
    assert {(r.report.year, r.achieved) for r in rows.select_related("report")} == {(2023, 4), (2024, 6), (2025, 8)}


def test_reseeding_adds_no_outcome():
    before = OutcomeRecord.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert OutcomeRecord.objects.count() == before
