"""The outcomes dashboard and a project page read as many queries with 30 funded projects, each with
its outcomes, as with 3 (issue 18: `make bench` measures them at 2,000 projects, bench/seed.py
--projects): every grouping is one query, nothing is read per project."""

import datetime
import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit import version
from projects.models import OutcomeKind, OutcomeRecord, OutcomeState
from tests.login import log_in

from .conftest import project_straight

pytestmark = pytest.mark.django_db


def add_projects(make_proposal, official, n: int) -> list:
    """n projects written straight to the models, each with a paper (confirmed) and jobs (reported)."""
    projects = [project_straight(make_proposal(partners=["jeonnam"], title_ko=f"과제 {i}")) for i in range(n)]
    OutcomeRecord.objects.bulk_create([
        record for i, p in enumerate(projects) for record in (
            OutcomeRecord(project=p, region_id=official.region_id, year=2024, kind=OutcomeKind.PAPER,
                          occurred_on=datetime.date(2024, 3, 1), title=f"논문 {p.pk}", journal="J",
                          doi=f"10.1000/scale.{p.pk}", indexed=i % 2 == 0, entered_by=official,
                          state=OutcomeState.CONFIRMED),
            OutcomeRecord(project=p, region_id=official.region_id, year=2024, kind=OutcomeKind.JOBS,
                          occurred_on=datetime.date(2024, 5, 1), count=2, entered_by=official))])
    # Written outside the services (no audit event): the cached figures are not those of the new data.
    caches["figures"].clear()
    version.forget_data_version()
    return projects


def counted(client, url: str) -> tuple[int, object]:
    client.get(url)  # warm: the header's to-dos and the figures are worked out once per data version
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def shown(response) -> dict:
    """The totals and the number of project rows the dashboard shows (its body may come from the cache)."""
    html = response.content.decode()
    totals = {name: int(value) for name, value in re.findall(r'data-total="(\w+)">(\d+)<', html)}
    return {**totals, "project rows": len(re.findall(r'href="/projects/\d+/outcomes/"', html))}


def test_the_outcomes_dashboard_and_a_project_page_read_as_many_queries_for_30_projects_as_for_3(
    client, make_proposal, official, partner_official, ministry
):
    first, *_ = add_projects(make_proposal, official, 3)
    log_in(client, ministry)
    dashboard, project_page = reverse("projects:outcome_dashboard"), reverse("projects:detail", args=[first.pk])
    few_dashboard, response = counted(client, dashboard)
    assert shown(response) == {"papers": 3, "startups": 0, "jobs": 6, "project rows": 3}
    few_project, _ = counted(client, project_page)

    add_projects(make_proposal, official, 27)
    many_dashboard, response = counted(client, dashboard)
    # 30 papers, 60 jobs; the first page of 25 projects.
    assert shown(response) == {"papers": 30, "startups": 0, "jobs": 60, "project rows": 25}
    assert "Showing 1–25 of 30" in response.content.decode()
    many_project, _ = counted(client, project_page)
    assert (many_dashboard, many_project) == (few_dashboard, few_project)
