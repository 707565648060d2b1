"""The call page leads each person to what they do on the call (issue 20): a region that may
propose gets "Write a proposal" or "Continue my proposal"; staff see drafts waiting for consultants.
Programmes knows no proposal: the parts come from proposals and evaluations (programmes.call_page)."""

import pytest
from django.urls import reverse

from evaluations.models import Assignment, AssignmentKind
from programmes.models import CallStatus, Region
from proposals.models import ProposalState
from tests.factories import CallFactory
from tests.login import log_in
from tests.proposals.conftest import ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages are compared in English
    return client


def page(client, call) -> str:
    response = client.get(reverse("programmes:call_detail", args=[call.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_official_of_an_eligible_region_may_write_a_proposal_on_an_open_call(client, official, call):
    log_in(client, official)
    html = page(client, call)
    assert f'id="call-new-proposal" href="{reverse("proposals:create")}?call={call.pk}"' in html
    assert 'data-call-action="continue"' not in html


def test_the_region_continues_its_draft_where_the_checklist_says_something_is_missing(
        client, official, partner_official, call, settings):
    draft = ProposalFactory(call=call, partners=["jeonnam"])
    for person in (official, partner_official):  # the partner region writes its own parts too
        client.logout()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # log-out empties the cookies
        log_in(client, person)
        html = page(client, call)
        href = reverse("proposals:step", kwargs={"pk": draft.pk, "step": "roadmap"})  # overview and regions done
        assert f'href="{href}" data-call-action="continue"' in html, person
        assert "Continue my proposal" in html


def test_a_submitted_proposal_is_linked_not_continued(client, official, call):
    sent = ProposalFactory(call=call, partners=["jeonnam"], state=ProposalState.SUBMITTED)
    log_in(client, official)
    html = page(client, call)
    assert f'href="{reverse("proposals:detail", args=[sent.pk])}" data-call-action="open"' in html
    assert 'data-call-action="continue"' not in html


def test_no_proposal_button_on_a_closed_call_or_for_an_ineligible_region(client, official, ministry):
    closed = CallFactory(status=CallStatus.CLOSED, year=2031)
    elsewhere = CallFactory(year=2032, eligible_regions=[Region.objects.get(code="busan")])
    log_in(client, official)
    for call in (closed, elsewhere):
        assert "data-call-action" not in page(client, call)


def test_experts_and_staff_get_no_proposal_button(client, expert, ministry, call):
    for person in (expert, ministry):
        client.logout()
        log_in(client, person)
        assert 'id="call-new-proposal"' not in page(client, call), person


def test_staff_see_the_drafts_in_consulting_that_wait_for_consultants(client, ministry, official, expert, call):
    waiting = ProposalFactory(call=call, partners=["jeonnam"], state=ProposalState.CONSULTING,
                              title_ko="컨설턴트 기다리는 제안서")
    log_in(client, ministry)
    html = page(client, call)
    assert 'id="waiting-consultants"' in html
    assert f'href="{reverse("evaluations:panel", args=[waiting.pk])}"' in html
    Assignment.objects.create(kind=AssignmentKind.CONSULTING, expert=expert, proposal=waiting, assigned_by=ministry)
    assert 'id="waiting-consultants"' not in page(client, call)
    client.logout()
    log_in(client, official)
    assert 'id="waiting-consultants"' not in page(client, call)  # staff's to-do, not the region's
