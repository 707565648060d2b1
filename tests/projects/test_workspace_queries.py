"""The project's workspace page at scale (issue 16): what it shows every reader is read once per data
version (one query per section) and kept in the process's cache; what depends on the reader — the
forms their permissions allow, the stage reports and letters they may download, the agreement's
card — is decided after the cache. The number of queries does not grow with the project's stages,
reports, evaluations or conditions."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.version import forget_data_version
from projects.models import Outcome, ProjectStage, StageState
from projects.services import reports
from tests.login import log_in

from .conftest import YEAR, decide

pytestmark = pytest.mark.django_db


def cold_count(client, url) -> int:
    """Queries of one request with the page's cache emptied (every section read)."""
    caches["figures"].clear()
    forget_data_version()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_queries_do_not_grow_with_stages_reports_and_conditions(ready, project, official, ministry,
                                                                    django_assert_max_num_queries):
    client = log_in(Client(), ministry)
    url = reverse("projects:detail", args=[project.pk])
    reports.report_open(actor=official, project=project, year=YEAR)
    small = cold_count(client, url)
    # More of every section: two more stages, two more reports, a decided evaluation with three conditions.
    decide(ready, by=ministry, outcome=Outcome.CONDITIONS,
           conditions=[{"text": f"보완 조건 {n}"} for n in range(3)])
    for year in (YEAR + 1, YEAR + 2):
        reports.report_open(actor=official, project=project, year=year)
    ProjectStage.objects.bulk_create([ProjectStage(project=project, number=n, start_year=YEAR + 3 * (n - 1), years=3,
                                                   goals=f"{n}단계 목표", state=StageState.CLOSED) for n in (2, 3)])
    large = cold_count(client, url)
    assert large == small
    page = client.get(url)
    assert page.content.decode().count("보완 조건") == 3 and len(page.context["report_rows"]) >= 3
    # Served from the cache: the session, the person, their authenticator, the project and what is
    # read for every reader — at most the bench's 12.
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_after_the_cache_each_reader_sees_only_what_they_may(ready, project, official, partner_official,
                                                              outsider_official, ministry):
    decide(ready, by=ministry, outcome=Outcome.CONDITIONS, conditions=[{"text": "기업 유치 실적 보완"}])
    condition = ready.conditions.get()
    close = reverse("projects:condition_close", args=[condition.pk])
    url = reverse("projects:detail", args=[project.pk])
    staff, lead, partner = (log_in(Client(), u) for u in (ministry, official, partner_official))
    stranger = log_in(Client(), outsider_official)
    staff_page = staff.get(url)
    assert close in staff_page.content.decode()  # staff close conditions
    # The regions read the same cached sections (no stage is read again) without staff's forms.
    for client in (lead, partner):
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(url)
        assert page.status_code == 200 and page.wsgi_request.LANGUAGE_CODE == staff_page.wsgi_request.LANGUAGE_CODE
        assert not any("projects_projectstage" in q["sql"] for q in ctx.captured_queries)
        body = page.content.decode()
        assert "기업 유치 실적 보완" in body and close not in body
    # Only the lead region may start a year's report (staff may too).
    start = f'id="start-{YEAR}"'
    assert [start in c.get(url).content.decode() for c in (staff, lead, partner)] == [True, True, False]
    # A region outside the project: not found, cached or not.
    assert stranger.get(url).status_code == 404
