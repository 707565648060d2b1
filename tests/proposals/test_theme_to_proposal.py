"""Phase 3: the selected and signed-off final theme becomes the proposal draft, with its title,
industry and regions carried over and the theme linked; the proposal page shows its origin."""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from programmes.models import CooperationType
from proposals.models import Proposal
from proposals.services import themes
from tests.login import log_in
from tests.proposals.test_theme_selection import _media_root, call, two_themes  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def selected(official, partner_official, call, two_themes):  # noqa: F811
    themes.theme_select(actor=official, call=call, theme=two_themes[1], reason="설문 결과와 산업 집적도")
    return two_themes[1]


def test_the_draft_opens_only_once_every_region_signed_off(official, partner_official, selected):
    with pytest.raises(ValidationError) as refused:
        themes.proposal_from_theme(actor=official, theme=selected)
    assert refused.value.messages == ["Every region of the theme must sign off the final theme first."]
    themes.selection_sign_off(actor=partner_official, theme=selected)
    proposal = themes.proposal_from_theme(actor=official, theme=selected)
    assert (proposal.title_ko, proposal.industry, proposal.origin_theme, proposal.cooperation_type) == (
        selected.title_ko, selected.industry, selected, CooperationType.SUPER_REGIONAL)
    assert sorted(p.region.code for p in proposal.participations.all()) == ["gwangju", "jeonnam"]
    assert proposal.summary == selected.rationale
    with pytest.raises(ValidationError):
        themes.proposal_from_theme(actor=official, theme=selected)


def test_a_partner_cannot_open_the_draft(partner_official, selected):
    themes.selection_sign_off(actor=partner_official, theme=selected)
    with pytest.raises(PermissionDenied):
        themes.proposal_from_theme(actor=partner_official, theme=selected)


def test_a_theme_not_selected_does_not_become_a_draft(official, two_themes):  # noqa: F811
    with pytest.raises(ValidationError):
        themes.proposal_from_theme(actor=official, theme=two_themes[0])


def test_the_proposal_page_shows_its_origin_the_themes_considered_and_the_reason(client, official, partner_official,
                                                                               selected, two_themes):  # noqa: F811
    themes.selection_sign_off(actor=partner_official, theme=selected)
    log_in(client, official)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("proposals:theme_draft", args=[selected.pk]))
    proposal = Proposal.objects.get()
    assert response["Location"] == reverse("proposals:detail", args=[proposal.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'id="proposal-origin"' in page
    assert "설문 결과와 산업 집적도" in page
    # The theme considered beside it, linked.
    assert reverse("proposals:theme_detail", args=[two_themes[0].pk]) in page
