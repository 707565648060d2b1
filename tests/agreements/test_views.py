"""The agreement's pages: staff prepare it from the project page and issue it, each party accepts on
the version's page; refusals are shown at the party, foreign agreements are a 404."""

import pytest
from django.urls import reverse

from agreements.models import Agreement, AgreementState, PartyKind
from tests.login import log_in

from .conftest import party

pytestmark = pytest.mark.django_db


def version_url(version) -> str:
    return reverse("agreements:version", args=[version.pk])


def test_staff_prepare_it_from_the_project_page_with_the_conditions_they_type(client, project, ministry):
    log_in(client, ministry)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert reverse("agreements:prepare", args=[project.pk]) in page
    response = client.post(reverse("agreements:prepare", args=[project.pk]), {"conditions": "연 1회 점검"})
    version = Agreement.objects.get(project=project).versions.get()
    assert response.status_code == 302 and response["Location"] == version_url(version)
    assert version.conditions == "연 1회 점검" and version.state == AgreementState.DRAFT


def test_a_too_long_condition_is_refused_at_the_field_and_kept(client, project, ministry):
    log_in(client, ministry)
    response = client.post(reverse("agreements:prepare", args=[project.pk]), {"conditions": "가" * 5001})
    assert response.status_code == 400
    assert response.context["form"].errors["conditions"]
    assert "가" * 5001 in response.content.decode()
    assert not Agreement.objects.filter(project=project).exists()


def test_an_official_sees_no_prepare_button_and_is_refused_the_page(client, project, official):
    log_in(client, official)
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "No agreement yet: staff prepare it" in page
    assert client.get(reverse("agreements:prepare", args=[project.pk])).status_code == 403


def test_issue_needs_the_confirmation_box(client, draft, ministry):
    log_in(client, ministry)
    client.post(reverse("agreements:issue", args=[draft.pk]), {})
    draft.refresh_from_db()
    assert draft.state == AgreementState.DRAFT
    client.post(reverse("agreements:issue", args=[draft.pk]), {"confirm": "yes"})
    draft.refresh_from_db()
    assert draft.state == AgreementState.ISSUED


def test_each_region_accepts_its_own_place_on_the_page(client, issued, official, partner_official):
    log_in(client, partner_official)
    page = client.get(version_url(issued)).content.decode()
    assert 'id="accept-region-jeonnam"' in page and 'id="accept-region-gwangju"' not in page
    jeonnam = party(issued, PartyKind.REGION, partner_official.region)
    response = client.post(reverse("agreements:accept", args=[issued.pk]),
                           {"party": jeonnam.pk, "version": 1, "confirm": "yes"})
    assert response.status_code == 302
    jeonnam.refresh_from_db()
    assert jeonnam.accepted_by == partner_official


def test_the_institution_refused_without_the_signature_says_why_at_the_box(client, issued, official):
    log_in(client, official)
    institution = party(issued, PartyKind.INSTITUTION)
    response = client.post(reverse("agreements:accept", args=[issued.pk]),
                           {"party": institution.pk, "version": 1, "confirm": "yes"})
    assert response.status_code == 400
    assert "Confirm that the head of the institution has signed" in response.content.decode()
    institution.refresh_from_db()
    assert institution.accepted_at is None


def test_a_posted_old_version_number_is_refused(client, issued, official):
    log_in(client, official)
    gwangju = party(issued, PartyKind.REGION, official.region)
    response = client.post(reverse("agreements:accept", args=[issued.pk]),
                           {"party": gwangju.pk, "version": 0, "confirm": "yes"})
    assert response.status_code == 400
    assert "Only the version issued now can be accepted" in response.content.decode()


def test_an_outsider_gets_404_everywhere(client, issued, outsider_official, expert):
    for person in (outsider_official, expert):
        log_in(client, person)
        assert client.get(version_url(issued)).status_code == 404
        gwangju = party(issued, PartyKind.REGION, issued.agreement.project.proposal.lead_region)
        assert client.post(reverse("agreements:accept", args=[issued.pk]),
                           {"party": gwangju.pk, "version": 1, "confirm": "yes"}).status_code == 404
        client.logout()
