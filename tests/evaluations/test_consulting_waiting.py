"""Consulting that cannot dead-end (issue 20): a plan in consulting without consultants tells
the region that staff are assigning them (nothing to do on its side) and tells staff it waits
for them; the consultant's page says what is actually the case once consulting is not open."""

import pytest
from django.urls import reverse

from evaluations.models import AssignmentKind
from proposals.services import proposal_send_to_consulting, proposal_start_revising
from tests.evaluations.conftest import assign, clear, make_expert
from tests.login import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_consulting(complete_proposal, official, before_deadline):
    return proposal_send_to_consulting(actor=official, proposal=complete_proposal, now=before_deadline)


def consulting_page(client, proposal) -> str:
    response = client.get(reverse("evaluations:consulting", args=[proposal.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_without_consultants_the_region_is_told_staff_are_assigning_them(client, official, in_consulting):
    log_in(client, official)
    html = consulting_page(client, in_consulting)
    assert "Ministry staff are assigning the consultants" in html
    assert "when the lead region sends the plan to consulting" not in html  # it did: no blame
    detail = client.get(reverse("proposals:detail", args=[in_consulting.pk])).content.decode()
    assert "Ministry staff are assigning the consultants" in detail  # on the proposal's page too


def test_without_consultants_staff_are_told_it_waits_for_them(client, ministry, in_consulting):
    log_in(client, ministry)
    html = consulting_page(client, in_consulting)
    assert "Waiting for you:" in html
    assert f'href="{reverse("evaluations:panel", args=[in_consulting.pk])}">Assign consultants' in html
    detail = client.get(reverse("proposals:detail", args=[in_consulting.pk])).content.decode()
    assert "Waiting for you:" in detail


def test_with_a_consultant_the_region_waits_for_comments_not_for_staff(client, official, ministry, in_consulting):
    clear(assign(in_consulting, make_expert("consultant"), by=ministry, kind=AssignmentKind.CONSULTING))
    log_in(client, official)
    html = consulting_page(client, in_consulting)
    assert 'id="waiting-for-consultants"' not in html
    assert 'id="waiting-for-consultants"' not in client.get(
        reverse("proposals:detail", args=[in_consulting.pk])).content.decode()
    assert "The consultants are reading the version sent to consulting" in html


def test_the_consultant_is_told_the_round_closed_and_the_region_revises(client, official, ministry, in_consulting):
    assignment = clear(assign(in_consulting, make_expert("consultant"), by=ministry, kind=AssignmentKind.CONSULTING))
    proposal_start_revising(actor=official, proposal=in_consulting)
    log_in(client, assignment.expert)
    html = client.get(reverse("evaluations:assignment", args=[assignment.pk])).content.decode()
    assert "This consulting round is closed and the region is revising the plan." in html
    assert "not in consulting right now" not in html
    rows = client.get(reverse("evaluations:assignments")).content.decode()
    assert "Round closed; the region is revising" in rows
