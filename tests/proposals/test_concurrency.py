"""Two people saving the same section: the second save is refused, never silently lost."""

import pytest
from django.urls import reverse

from proposals.models import Proposal
from proposals.services import EditConflict, proposal_save_goals, proposal_save_overview, section_revision
from tests.login import log_in
from tests.proposals.conftest import form_fields, messages_of, text_of

pytestmark = pytest.mark.django_db

FIRST = "광주가 저장한 요약: 뉴로모픽 센서 실증을 광주에서 시작한다."
SECOND = "동료가 저장하려던 요약: 순천만 감시정찰 실증을 먼저 한다."
CONFLICT = ("Someone else saved this section after you opened it. Your text is kept in the form; the saved "
            "version is shown beside it. Merge the two, then save again.")


def overview(proposal, summary) -> dict:
    return {"title_ko": proposal.title_ko, "title_en": proposal.title_en, "industry": proposal.industry,
            "summary": summary, "problem": proposal.problem}


def test_the_second_of_two_saves_opened_at_the_same_revision_is_refused_and_the_first_text_stays(
    proposal, official, colleague
):
    opened_by_first = opened_by_second = section_revision(proposal, "overview")
    assert opened_by_first == 0

    proposal_save_overview(actor=official, proposal=proposal, expected_revision=opened_by_first,
                           data=overview(proposal, FIRST))
    with pytest.raises(EditConflict) as exc:
        proposal_save_overview(actor=colleague, proposal=proposal, expected_revision=opened_by_second,
                               data=overview(proposal, SECOND))

    assert (exc.value.section, exc.value.proposal.summary) == ("overview", FIRST)
    stored = Proposal.objects.get(pk=proposal.pk)
    assert (stored.summary, stored.revision, stored.section_revisions) == (FIRST, 2, {"overview": 1})


def test_after_the_conflict_the_second_person_saves_against_the_new_revision(proposal, official, colleague):
    proposal_save_overview(actor=official, proposal=proposal, expected_revision=0, data=overview(proposal, FIRST))
    proposal_save_overview(actor=colleague, proposal=proposal, expected_revision=1,
                           data=overview(proposal, f"{FIRST} {SECOND}"))
    assert Proposal.objects.get(pk=proposal.pk).summary == f"{FIRST} {SECOND}"


def test_saves_of_different_sections_do_not_conflict(proposal, official, colleague):
    proposal_save_overview(actor=official, proposal=proposal, expected_revision=0, data=overview(proposal, FIRST))
    proposal_save_goals(actor=colleague, proposal=proposal, expected_revision=0, vision="비전", goals="목표", kpis=[])
    stored = Proposal.objects.get(pk=proposal.pk)
    assert (stored.summary, stored.vision, stored.revision) == (FIRST, "비전", 3)


def overview_post(proposal, summary, expected_revision="0") -> dict:
    return {"expected_revision": expected_revision, "title_ko": proposal.title_ko, "title_en": proposal.title_en,
            "cooperation_type": proposal.cooperation_type, "industry": proposal.industry_id,
            "summary": summary, "problem": proposal.problem}


def test_on_the_overview_page_the_second_save_shows_the_conflict_keeps_the_typed_text_and_shows_the_saved_one(
    client, other_client, proposal, official, colleague
):
    url = reverse("proposals:step", args=[proposal.pk, "overview"])
    log_in(client, official)
    log_in(other_client, colleague)
    opened = [form_fields(c.get(url))["expected_revision"]["value"] for c in (client, other_client)]
    assert opened == ["0", "0"]

    assert client.post(url, overview_post(proposal, FIRST, expected_revision=opened[0])).status_code == 302
    response = other_client.post(url, overview_post(proposal, SECOND, expected_revision=opened[1]))

    assert response.status_code == 200
    assert messages_of(response) == [CONFLICT]
    fields = form_fields(response)
    assert fields["summary"]["text"].strip() == SECOND
    assert fields["expected_revision"]["value"] == "1"
    assert response.context["conflict"].summary == FIRST
    assert FIRST in text_of(response, "main")  # in the "saved by someone else" box; the form holds SECOND
    assert Proposal.objects.get(pk=proposal.pk).summary == FIRST

    # Merging and saving again (the form now carries the new revision) succeeds.
    response = other_client.post(url, overview_post(proposal, f"{FIRST} {SECOND}", expected_revision="1"))
    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).summary == f"{FIRST} {SECOND}"
