"""The proposal page reads each section of the plan once (issue 8: 28 queries before, one per
section now), however many regions, years, stages and versions the plan has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals.models import BudgetLine, ProposalEvent, ProposalVersion
from proposals.services.versions import snapshot
from tests.factories import region
from tests.login import log_in
from tests.proposals.conftest import KPIFactory, OrganisationFactory, fill

pytestmark = pytest.mark.django_db


def queries_for(client, proposal) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_proposal_page_needs_as_many_queries_for_a_large_plan_as_for_an_empty_one(
    client, official, make_proposal, partner_official
):
    log_in(client, official)
    small = make_proposal(cooperation_type="leap", title_ko="작은 계획")
    queries_for(client, small)  # warm-up (content types, translations)
    empty, _html = queries_for(client, small)

    large = fill(make_proposal(partners=["jeonnam", "busan"], title_ko="큰 계획"))
    for p in large.participations.all():
        BudgetLine.objects.bulk_create([BudgetLine(proposal=large, region_id=p.region_id, year=y, national_won=1)
                                        for y in large.project_years() if y not in large.pilot_years()])
        OrganisationFactory(proposal=large, region_id=p.region_id)
    for _n in range(4):
        KPIFactory(proposal=large)
    for number in (1, 2, 3):
        ProposalVersion.objects.create(proposal=large, number=number, kind="consulting", revision=number,
                                       snapshot=snapshot(large), created_by=official)
        ProposalEvent.objects.create(proposal=large, actor=official, action="send_to_consulting")
    queries_for(client, large)  # the first view after new data works the header's to-dos out once
    count, html = queries_for(client, large)
    # Session, user, unread notifications; the proposal; participations, stages, KPIs, links,
    # attachments, budget, organisations, versions, events: one each.
    assert (count, count <= 13) == (empty, True)
    assert (html.count("v3"), region("busan").name_en in html) == (1, True)
