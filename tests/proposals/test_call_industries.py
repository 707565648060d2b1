"""A call's strategic industries limit what a proposal may choose (programmes.Call.industry_choices):
the form offers only them, and the services refuse another at the field."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from proposals.forms import OverviewForm, ProposalCreateForm
from proposals.services import proposal_create, proposal_save_overview
from tests.factories import industry
from tests.login import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def ai_only(call):
    call.strategic_industries.set([industry("artificial-intelligence")])
    return call


def test_a_call_without_industries_offers_every_active_one(call):
    from programmes.models import StrategicIndustry

    assert set(call.industry_choices()) == set(StrategicIndustry.objects.filter(active=True))
    assert call.allows_industry(industry("marine-bio"))


def test_a_call_with_industries_offers_only_them(ai_only):
    assert list(ai_only.industry_choices()) == [industry("artificial-intelligence")]
    assert ai_only.allows_industry(industry("artificial-intelligence")) and ai_only.allows_industry(None)
    assert not ai_only.allows_industry(industry("marine-bio"))


def test_the_forms_offer_only_the_calls_industries(ai_only, proposal, official):
    assert list(OverviewForm(instance=proposal).fields["industry"].queryset) == [industry("artificial-intelligence")]
    form = ProposalCreateForm(calls=type(ai_only).objects.filter(pk=ai_only.pk), own_region=official.region)
    assert list(form.fields["industry"].queryset) == [industry("artificial-intelligence")]


def test_creating_a_proposal_in_another_industry_is_refused_at_the_field(ai_only, official):
    with pytest.raises(ValidationError) as refused:
        proposal_create(actor=official, call=ai_only, cooperation_type="leap", title_ko="바이오 과제",
                        industry=industry("marine-bio"))
    assert list(refused.value.message_dict) == ["industry"]
    assert industry("marine-bio").name in refused.value.message_dict["industry"][0]


def test_saving_the_overview_with_another_industry_is_refused(ai_only, proposal, official):
    data = {"title_ko": proposal.title_ko, "title_en": "", "industry": industry("marine-bio"),
            "summary": "요약", "problem": "문제", "cooperation_type": proposal.cooperation_type}
    with pytest.raises(ValidationError) as refused:
        proposal_save_overview(actor=official, proposal=proposal, expected_revision=0, data=data)
    assert list(refused.value.message_dict) == ["industry"]
    proposal.refresh_from_db()
    assert proposal.industry == industry("artificial-intelligence")


def test_the_overview_step_lists_only_the_calls_industries(client, ai_only, proposal, official):
    log_in(client, official)
    response = client.get(reverse("proposals:step", args=[proposal.pk, "overview"]))
    html = response.content.decode()
    assert f'value="{industry("artificial-intelligence").pk}"' in html
    assert f'value="{industry("marine-bio").pk}"' not in html
