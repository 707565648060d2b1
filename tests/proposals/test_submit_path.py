"""One path to submit (issue 20): steps that never stall, one progress measure, a checklist whose
every item links to where it is fixed, a submit button that says what is missing (the same list
the submit move checks), and one numbering for versions."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from proposals.models import ProposalEvent, ProposalState
from proposals.services import (
    checklist,
    consortium_sign_off,
    proposal_send_to_consulting,
    proposal_start_revising,
    proposal_submit,
    submit_blockers,
)
from proposals.views import STEP_KEYS
from tests.factories import EOK
from tests.login import log_in
from tests.proposals.conftest import form_fields, parse

pytestmark = pytest.mark.django_db

MANAGEMENT = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")


def step_url(proposal, step: str) -> str:
    return reverse("proposals:step", kwargs={"pk": proposal.pk, "step": step})


def save_and_continue(client, proposal, step: str, data: dict):
    """Open the step as a person would, then post what they typed with "Save and continue"."""
    page = client.get(step_url(proposal, step))
    assert page.status_code == 200
    fields = form_fields(page)
    kept = {name: f.get("value", "") for name, f in fields.items()
            if name.endswith(MANAGEMENT) or name == "expected_revision"}
    return client.post(step_url(proposal, step), {**kept, **data, "continue": "1"})


def test_the_roadmap_comes_before_the_goals_so_no_step_needs_a_later_one():
    assert STEP_KEYS.index("roadmap") < STEP_KEYS.index("goals")
    assert STEP_KEYS[-1] == "review"


def test_save_and_continue_walks_every_step_to_the_review_without_stalling(client, official, proposal, call):
    """From a fresh draft: each step saved with "Save and continue" lands on the next step; the
    goals step (after the roadmap) offers one KPI target per saved stage."""
    log_in(client, official)
    years = proposal.pilot_years()
    typed = {
        "overview": {"title_ko": proposal.title_ko, "title_en": proposal.title_en,
                     "industry": proposal.industry_id, "summary": "요약", "problem": "지역 문제",
                     "cooperation_type": proposal.cooperation_type},
        "roadmap": {"rows-0-kind": "basic", "rows-0-years": str(call.pilot_years), "rows-0-goals": "원천기술 확보",
                    "rows-1-kind": "demonstration", "rows-1-years": "3", "rows-1-goals": "실증"},
        "goals": {"vision": "지능형 센서 거점", "goals": "핵심기술 자립", "rows-0-name": "특허 출원",
                  "rows-0-unit": "건", "rows-0-baseline": "0", "rows-0-target_1": "10", "rows-0-target_2": "30"},
        "budget": {k: v for y in years for k, v in
                   ((f"national_{y}", str(9 * EOK)), (f"local_{y}", str(2 * EOK)), (f"other_{y}", "0"))},
        "links": {"rows-0-name": "집적단지", "rows-0-ministry": "과학기술정보통신부", "rows-0-connection": "공동 활용"},
        "organisations": {"rows-0-name": "광주과학기술원", "rows-0-kind": "university", "rows-0-role": "주관",
                          "rows-1-kind": "university"},  # a blank row's select still posts its default
    }
    for i, step in enumerate(STEP_KEYS[:-1]):
        nxt = STEP_KEYS[i + 1]
        if step in typed:
            response = save_and_continue(client, proposal, step, typed[step])
            assert response.status_code == 302, (step, response.context and response.context.get("formset")
                                                 and response.context["formset"].errors)
            assert response.url == step_url(proposal, nxt), step
        else:  # the regions and attachments steps have no form of their own: a link goes on
            page = client.get(step_url(proposal, step))
            assert f'href="{step_url(proposal, nxt)}"'.encode() in page.content, step
        if step == "roadmap":  # the goals step now has a target column for each of the two stages
            goals = form_fields(client.get(step_url(proposal, "goals")))
            assert "rows-0-target_2" in goals and "rows-0-target_3" not in goals
    proposal.refresh_from_db()
    missing = [item.key for item in checklist(proposal) if not item.done]
    assert missing == ["organisations", "sign_offs"]  # Jeonnam's organisations, and nobody signed yet


def test_every_step_shows_one_progress_measure_the_checklist(client, official, proposal):
    log_in(client, official)
    for step in ("overview", "goals", "review"):
        html = client.get(step_url(proposal, step)).content.decode()
        assert "Ready to submit: 2 of 8 checklist items" in html, step  # the overview and the two regions
        assert "of 9" not in html  # no second counter of steps beside it


def test_every_checklist_item_links_to_where_it_is_fixed(client, official, proposal):
    log_in(client, official)
    response = client.get(step_url(proposal, "review"))
    html = response.content.decode()
    for item in checklist(proposal):
        href = step_url(proposal, item.step) + (f"#{item.anchor}" if item.anchor else "")
        assert f'href="{href}" data-checklist-item="{item.key}"' in html, item.key
    assert 'id="sign-off"' in html  # the sign-offs' link lands on the sign-off section


def test_a_draft_in_consulting_shows_a_disabled_submit_button_listing_why(client, official, complete_proposal,
                                                                         before_deadline):
    proposal_send_to_consulting(actor=official, proposal=complete_proposal, now=before_deadline)
    complete_proposal.refresh_from_db()
    assert [b.key for b in submit_blockers(complete_proposal, now=before_deadline)] == ["consulting"]
    log_in(client, official)
    for url in (step_url(complete_proposal, "review"), reverse("proposals:detail", args=[complete_proposal.pk])):
        page = parse(client.get(url))
        html = client.get(url).content.decode()
        assert 'id="move-submit" aria-disabled="true" aria-describedby="submit-blockers"' in html, url
        assert "You can submit once the consulting round is closed." in page.text_by_id["submit-blockers"]
        assert 'name="action" value="submit"' not in html  # no form posts the submission


def test_the_blockers_are_a_list_with_links_and_the_submit_move_checks_the_same_list(
        client, official, proposal, before_deadline):
    blockers = submit_blockers(proposal, now=before_deadline)
    assert [b.key for b in blockers] == ["roadmap", "goals", "budget", "links", "organisations", "sign_offs"]
    with pytest.raises(ValidationError) as exc:
        proposal_submit(actor=official, proposal=proposal, now=before_deadline)
    assert exc.value.messages == [b.message for b in blockers]
    log_in(client, official)
    html = client.get(step_url(proposal, "review")).content.decode()
    listed = html.split('id="submit-blockers"', 1)[1].split("</ul>", 1)[0]
    assert listed.count("<li") == len(blockers)
    assert f'href="{step_url(proposal, "review")}#sign-off"' in listed
    assert f'href="{step_url(proposal, "roadmap")}"' in listed


def test_a_complete_signed_draft_has_a_working_submit_button(client, official, complete_proposal, call):
    log_in(client, official)
    html = client.get(step_url(complete_proposal, "review")).content.decode()
    assert 'aria-disabled="true"' not in html and 'id="confirm-submit"' in html
    response = client.post(reverse("proposals:action", args=[complete_proposal.pk]),
                           {"action": "submit", "confirm": "yes"})
    assert response.status_code == 302
    complete_proposal.refresh_from_db()
    assert complete_proposal.state == ProposalState.SUBMITTED


def test_a_partner_region_sees_no_submit_button(client, partner_official, complete_proposal):
    log_in(client, partner_official)
    html = client.get(step_url(complete_proposal, "review")).content.decode()
    assert 'id="move-submit"' not in html


def test_the_version_a_region_signs_is_the_version_listed_after_submission(
        client, official, partner_official, complete_proposal, before_deadline):
    """v1 is frozen for consulting; after the round the regions sign "version 2", and the
    submission is frozen as v2 (the edit counter `revision` is never shown)."""
    proposal_send_to_consulting(actor=official, proposal=complete_proposal, now=before_deadline)
    proposal_start_revising(actor=official, proposal=complete_proposal, now=before_deadline)
    complete_proposal.refresh_from_db()
    complete_proposal.participations.update(signed_off_at=None, signed_revision=None, signed_off_by=None)
    log_in(client, official)
    html = client.get(step_url(complete_proposal, "review")).content.decode()
    assert "Sign off version 2 for" in html
    assert f"revision {complete_proposal.revision}" not in html
    for person in (official, partner_official):
        consortium_sign_off(actor=person, proposal=complete_proposal, revision=complete_proposal.revision)
    assert ProposalEvent.objects.filter(proposal=complete_proposal, action="signed_off", note="v2").count() == 2
    proposal_submit(actor=official, proposal=complete_proposal, now=before_deadline)
    assert list(complete_proposal.versions.values_list("number", "kind")) == [(1, "consulting"), (2, "submission")]
