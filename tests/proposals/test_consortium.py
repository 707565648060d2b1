"""Consortium proposals: every region signs what it saw; each region edits its own part."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from programmes.models import CooperationType
from proposals.models import BudgetLine, Participation, Proposal, ProposalEvent, ProposalState, StageKind
from proposals.services import (
    checklist,
    consortium_sign_off,
    proposal_create,
    proposal_save_budget,
    proposal_save_goals,
    proposal_save_links,
    proposal_save_organisations,
    proposal_save_overview,
    proposal_save_roadmap,
    proposal_submit,
)
from tests.factories import EOK, CallFactory, region

pytestmark = pytest.mark.django_db


def sign_offs(proposal) -> list[tuple]:
    return list(Participation.objects.filter(proposal=proposal).order_by("-is_lead").values_list(
        "region__code", "signed_off_by__username", "signed_revision"))


def overview(proposal, **changes) -> dict:
    data = {name: getattr(proposal, name) for name in ("title_ko", "title_en", "industry", "summary", "problem")}
    return {**data, **changes}


# --- Sign-offs ---------------------------------------------------------------------------------


def test_submission_is_refused_until_every_region_has_signed_off(
    complete_proposal, official, partner_official, before_deadline
):
    Participation.objects.filter(proposal=complete_proposal, region__code="jeonnam").update(
        signed_off_at=None, signed_off_by=None, signed_revision=None)
    with pytest.raises(ValidationError) as exc:
        proposal_submit(actor=official, proposal=complete_proposal, now=before_deadline)
    assert exc.value.messages == ["Every region signed off the current version"]  # the submit button lists the same

    consortium_sign_off(actor=partner_official, proposal=complete_proposal, revision=complete_proposal.revision)
    proposal_submit(actor=official, proposal=complete_proposal, now=before_deadline)
    complete_proposal.refresh_from_db()
    assert complete_proposal.state == ProposalState.SUBMITTED


def test_a_region_signs_off_the_revision_it_saw(proposal, partner_official):
    consortium_sign_off(actor=partner_official, proposal=proposal, revision=proposal.revision)
    assert sign_offs(proposal) == [("gwangju", None, None), ("jeonnam", "official-jeonnam", 1)]
    assert list(proposal.events.values_list("actor__username", "action", "note")) == [
        ("official-jeonnam", "signed_off", "v1")]  # the version number users see


def test_an_edit_after_the_sign_offs_clears_them_all_and_records_it(complete_proposal, official):
    assert [rev for _code, _who, rev in sign_offs(complete_proposal)] == [1, 1]
    proposal_save_overview(actor=official, proposal=complete_proposal, expected_revision=0,
                           data=overview(complete_proposal, summary="실증 지역을 순천까지 넓힌다."))
    assert sign_offs(complete_proposal) == [("gwangju", None, None), ("jeonnam", None, None)]
    assert list(Participation.objects.filter(proposal=complete_proposal).values_list("signed_off_at", flat=True)) == [
        None, None]
    assert list(ProposalEvent.objects.filter(proposal=complete_proposal).values_list(
        "actor__username", "action", "from_state", "to_state", "note")) == [
        ("official-gwangju", "sign_offs_cleared", "draft", "draft", "overview")]
    assert checklist(Proposal.objects.get(pk=complete_proposal.pk))[-1].done is False


def test_a_partner_editing_its_budget_clears_the_lead_regions_sign_off_too(complete_proposal, partner_official):
    proposal_save_budget(actor=partner_official, proposal=complete_proposal, region=region("jeonnam"),
                         expected_revision=0, lines={2027: (8 * EOK, 2 * EOK, 0)})
    assert sign_offs(complete_proposal) == [("gwangju", None, None), ("jeonnam", None, None)]
    assert list(ProposalEvent.objects.filter(proposal=complete_proposal).values_list("action", "note")) == [
        ("sign_offs_cleared", f"budget:{region('jeonnam').pk}")]


def test_an_edit_without_sign_offs_records_no_clearing(proposal, official):
    proposal_save_overview(actor=official, proposal=proposal, expected_revision=0,
                           data=overview(proposal, summary="새 요약"))
    assert proposal.events.count() == 0


def test_signing_a_stale_revision_is_refused(proposal, official, partner_official):
    seen = proposal.revision
    proposal_save_overview(actor=official, proposal=proposal, expected_revision=0,
                           data=overview(proposal, summary="파트너가 보지 못한 요약"))
    with pytest.raises(ValidationError) as exc:
        consortium_sign_off(actor=partner_official, proposal=proposal, revision=seen)
    assert exc.value.messages == [
        "The proposal changed since you opened it. Review the current version, then sign off."]
    assert sign_offs(proposal) == [("gwangju", None, None), ("jeonnam", None, None)]


def test_an_official_of_a_region_outside_the_consortium_cannot_sign_off(proposal, outsider_official):
    with pytest.raises(PermissionDenied):
        consortium_sign_off(actor=outsider_official, proposal=proposal, revision=proposal.revision)


# --- Who edits what --------------------------------------------------------------------------


def test_a_partner_cannot_edit_the_lead_regions_budget_lines(proposal, partner_official):
    with pytest.raises(PermissionDenied):
        proposal_save_budget(actor=partner_official, proposal=proposal, region=region("gwangju"),
                             expected_revision=0, lines={2027: (5 * EOK, 1 * EOK, 0)})
    proposal.refresh_from_db()
    assert (BudgetLine.objects.filter(proposal=proposal).count(), proposal.revision) == (0, 1)


def test_a_partner_edits_its_own_budget_lines(proposal, partner_official):
    proposal_save_budget(actor=partner_official, proposal=proposal, region=region("jeonnam"),
                         expected_revision=0, lines={2027: (5 * EOK, 1 * EOK, 0), 2028: (5 * EOK, 1 * EOK, 3)})
    proposal.refresh_from_db()
    assert list(BudgetLine.objects.filter(proposal=proposal).values_list(
        "region__code", "year", "national_won", "local_won", "other_won")) == [
        ("jeonnam", 2027, 5 * EOK, 1 * EOK, 0), ("jeonnam", 2028, 5 * EOK, 1 * EOK, 3)]
    assert (proposal.revision, proposal.section_revisions) == (2, {f"budget:{region('jeonnam').pk}": 1})


def test_the_lead_region_cannot_edit_a_partners_budget_lines(proposal, official):
    """Each region enters its own money (issue 20; the lead used to be able to edit a partner's)."""
    with pytest.raises(PermissionDenied):
        proposal_save_budget(actor=official, proposal=proposal, region=region("jeonnam"),
                             expected_revision=0, lines={2027: (5 * EOK, 1 * EOK, 0)})
    assert not BudgetLine.objects.filter(proposal=proposal).exists()


def test_nobody_edits_the_budget_of_a_region_outside_the_consortium(proposal, official):
    with pytest.raises(PermissionDenied):
        proposal_save_budget(actor=official, proposal=proposal, region=region("busan"),
                             expected_revision=0, lines={2027: (5 * EOK, 1 * EOK, 0)})


def test_a_partner_cannot_edit_the_overview(proposal, partner_official):
    title = proposal.title_ko
    with pytest.raises(PermissionDenied):
        proposal_save_overview(actor=partner_official, proposal=proposal, expected_revision=0,
                               data=overview(proposal, title_ko="전남이 바꾼 제목"))
    proposal.refresh_from_db()
    assert (proposal.title_ko, proposal.revision) == (title, 1)


@pytest.mark.parametrize("section", ["goals", "roadmap", "links"])
def test_a_partner_cannot_edit_the_other_lead_sections(proposal, partner_official, section):
    save = {
        "goals": lambda: proposal_save_goals(actor=partner_official, proposal=proposal, expected_revision=0,
                                             vision="v", goals="g", kpis=[]),
        "roadmap": lambda: proposal_save_roadmap(actor=partner_official, proposal=proposal, expected_revision=0,
                                                 stages=[{"kind": "basic", "years": 3, "goals": "g"}]),
        "links": lambda: proposal_save_links(actor=partner_official, proposal=proposal, expected_revision=0, links=[]),
    }[section]
    with pytest.raises(PermissionDenied):
        save()


def test_a_partner_edits_its_own_organisations_but_not_the_lead_regions(proposal, partner_official):
    orgs = [{"name": "전남대학교", "kind": "university", "role": "참여"}]
    with pytest.raises(PermissionDenied):
        proposal_save_organisations(actor=partner_official, proposal=proposal, region=region("gwangju"),
                                    expected_revision=0, organisations=orgs)
    proposal_save_organisations(actor=partner_official, proposal=proposal, region=region("jeonnam"),
                                expected_revision=0, organisations=orgs)
    assert list(proposal.organisations.values_list("region__code", "name")) == [("jeonnam", "전남대학교")]


def test_nobody_edits_a_submitted_proposal(complete_proposal, official, before_deadline):
    proposal_submit(actor=official, proposal=complete_proposal, now=before_deadline)
    with pytest.raises(PermissionDenied):
        proposal_save_overview(actor=official, proposal=complete_proposal, expected_revision=0,
                               data=overview(complete_proposal, summary="제출 후 수정"))


# --- Creation ------------------------------------------------------------------------------


def test_a_leap_proposal_with_a_partner_region_is_refused_at_creation(call, official, industry_ai):
    with pytest.raises(ValidationError) as exc:
        proposal_create(actor=official, call=call, cooperation_type=CooperationType.LEAP, title_ko="광주 단독 과제",
                        industry=industry_ai, partner_regions=[region("jeonnam")])
    assert exc.value.message_dict == {
        "partner_regions": ["A regional innovation leap proposal has exactly one region."]}
    assert Proposal.objects.count() == 0


def test_a_partner_region_not_eligible_for_the_call_is_refused(official, industry_ai, ministry):
    call = CallFactory(eligible_regions=[region("gwangju")])
    with pytest.raises(ValidationError) as exc:
        proposal_create(actor=official, call=call, cooperation_type=CooperationType.SUPER_REGIONAL,
                        title_ko="광주·전남 과제", industry=industry_ai, partner_regions=[region("jeonnam")])
    assert exc.value.message_dict == {"partner_regions": ["Not eligible for this call: Jeonnam"]}


def test_a_super_regional_proposal_of_two_regions_is_completed_through_the_services_and_submitted(
    call, official, partner_official, industry_ai, before_deadline
):
    p = proposal_create(actor=official, call=call, cooperation_type=CooperationType.SUPER_REGIONAL,
                        title_ko="광주·전남 AI 반도체", industry=industry_ai, partner_regions=[region("jeonnam")])
    assert sign_offs(p) == [("gwangju", None, None), ("jeonnam", None, None)]
    p = proposal_save_overview(actor=official, proposal=p, expected_revision=0, data=overview(
        p, summary="광주와 전남이 함께 뉴로모픽 센서를 만든다.", problem="지역 전략산업의 기술 자립이 어렵다."))
    p = proposal_save_goals(actor=official, proposal=p, expected_revision=0, vision="세계 수준 거점", goals="기술 자립",
                            kpis=[{"name": "특허", "unit": "건", "baseline": 0, "targets": [10, 20, 30]}])
    p = proposal_save_roadmap(actor=official, proposal=p, expected_revision=0, stages=[
        {"kind": StageKind.BASIC, "years": 3, "goals": "원천기술"},
        {"kind": StageKind.DEMONSTRATION, "years": 3, "goals": "실증"},
        {"kind": StageKind.APPLICATION, "years": 4, "goals": "사업화"},
    ])
    p = proposal_save_links(actor=official, proposal=p, expected_revision=0, links=[
        {"name": "AI 집적단지", "ministry": "과학기술정보통신부", "connection": "인프라 공동 활용"}])
    for who, code in ((official, "gwangju"), (partner_official, "jeonnam")):
        p = proposal_save_budget(actor=who, proposal=p, region=region(code), expected_revision=0,
                                 lines={2027: (9 * EOK, 2 * EOK, 0), 2028: (9 * EOK, 2 * EOK, 0),
                                        2029: (9 * EOK, 2 * EOK, 0)})
        p = proposal_save_organisations(actor=who, proposal=p, region=region(code), expected_revision=0,
                                        organisations=[{"name": f"{code} 대학교", "kind": "university", "role": "주관"}])
    assert [item.key for item in checklist(p) if not item.done] == ["sign_offs"]

    for who in (official, partner_official):
        consortium_sign_off(actor=who, proposal=p, revision=p.revision)
    p = Proposal.objects.get(pk=p.pk)
    assert [item.key for item in checklist(p) if not item.done] == []
    p = proposal_submit(actor=official, proposal=p, now=before_deadline)
    assert (p.state, p.revision, sign_offs(p)) == (ProposalState.SUBMITTED, 9, [
        ("gwangju", "official-gwangju", 9), ("jeonnam", "official-jeonnam", 9)])
    assert p.versions.get().snapshot["regions"] == [
        {"code": "gwangju", "name": "광주광역시", "name_en": "Gwangju", "lead": True},
        {"code": "jeonnam", "name": "전라남도", "name_en": "Jeonnam", "lead": False}]
