"""Participating organisations: typed freely, suggested from the institutions registry (a datalist
on the step) and matched to it on save, so conflict checks compare institutions."""

import pytest
from django.urls import reverse

from programmes.models import Institution, InstitutionKind
from proposals.services import proposal_save_organisations
from tests.factories import region
from tests.login import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def chonnam(db):
    return Institution.objects.create(name_ko="전남대학교", name_en="Chonnam National University", aliases="전남대",
                                      kind=InstitutionKind.UNIVERSITY)


def test_a_saved_organisation_is_matched_to_the_registry_by_alias_and_the_typed_name_kept(
    proposal, partner_official, chonnam
):
    orgs = [{"name": "전남대", "kind": "university", "role": "참여"},
            {"name": "새로운 기업", "kind": "company", "role": "참여"}]
    proposal_save_organisations(actor=partner_official, proposal=proposal, region=region("jeonnam"),
                                expected_revision=0, organisations=orgs)
    assert list(proposal.organisations.order_by("pk").values_list("name", "institution__name_ko")) == [
        ("전남대", "전남대학교"), ("새로운 기업", None)]


def test_the_organisations_step_suggests_the_registry_names(client, proposal, official, chonnam):
    log_in(client, official)
    page = client.get(reverse("proposals:step", args=[proposal.pk, "organisations"]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'list="institution-names"' in body
    assert '<datalist id="institution-names"><option value="전남대학교"></option>' \
           '<option value="Chonnam National University"></option></datalist>' in body
