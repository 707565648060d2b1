"""Conflicts of interest: automatic (home region, affiliation) and declared by the expert.

The proposal is Gwangju (lead) + Jeonnam. An expert from either region, or
working at one of its participating organisations, is never assigned; an
expert who declares a conflict is withdrawn and sees no content.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations.models import Assignment, AssignmentKind
from evaluations.services import assignment_declare, exclusions_for, panel_assign, panel_auto_plan
from proposals.models import OrganisationKind
from tests.evaluations.conftest import NO_GROUNDS, assign, make_expert
from tests.login import log_in
from tests.proposals.conftest import OrganisationFactory, messages_of

pytestmark = pytest.mark.django_db

HOME_GWANGJU = "Home region Gwangju takes part in the proposal."
HOME_JEONNAM = "Home region Jeonnam takes part in the proposal."
PLAN_SECTIONS = ("세계 수준의 지능형 센서 거점", "10년 내 핵심기술 자립")  # vision and goals written by fill()


@pytest.fixture
def organisation(eligible_proposal):
    """A participating organisation with spaces in its name."""
    return OrganisationFactory(proposal=eligible_proposal, region=eligible_proposal.lead_region,
                               name="광주 과학 기술원", kind=OrganisationKind.UNIVERSITY)


@pytest.mark.parametrize(("home", "reason"), [("gwangju", HOME_GWANGJU), ("jeonnam", HOME_JEONNAM)])
def test_panel_assign_refuses_an_expert_whose_home_region_takes_part(eligible_proposal, ministry, home, reason):
    local = make_expert(f"local-{home}", home=home, display_name="지역 전문가")
    with pytest.raises(ValidationError) as refused:
        panel_assign(actor=ministry, proposal=eligible_proposal, expert=local)
    assert refused.value.messages == [f"지역 전문가 has a conflict of interest: {reason}"]
    assert Assignment.objects.count() == 0


def test_a_home_region_expert_is_not_assigned_for_consulting_either(proposal, ministry):
    local = make_expert("local", home="gwangju")
    with pytest.raises(ValidationError):
        panel_assign(actor=ministry, proposal=proposal, expert=local, kind=AssignmentKind.CONSULTING)
    assert Assignment.objects.count() == 0


def test_the_automatic_plan_never_proposes_a_home_region_expert_and_lists_them_as_excluded(
    eligible_proposal, call
):
    call.panel_size = 3
    call.save()
    gwangju = make_expert("a-gwangju", home="gwangju")
    jeonnam = make_expert("b-jeonnam", home="jeonnam")
    outside = [make_expert(f"c-daejeon-{n}") for n in range(3)]
    plan = panel_auto_plan(call=call)
    (row,) = plan.rows
    assert [e for e, _match in row.experts] == outside
    assert row.excluded == [(gwangju, [HOME_GWANGJU]), (jeonnam, [HOME_JEONNAM])]
    assert plan.problems == []


def test_an_expert_whose_affiliation_is_a_participating_organisation_ignoring_spaces_is_excluded(
    eligible_proposal, organisation, call, ministry
):
    call.panel_size = 1
    call.save()
    colleague = make_expert("gist", affiliation="광주과학기술원", display_name="지스트 교수")
    other = make_expert("kaist", affiliation="한국과학기술원")
    reason = "Affiliation 광주과학기술원 is a participating organisation."
    with pytest.raises(ValidationError) as refused:
        panel_assign(actor=ministry, proposal=eligible_proposal, expert=colleague)
    assert refused.value.messages == [f"지스트 교수 has a conflict of interest: {reason}"]
    (row,) = panel_auto_plan(call=call).rows
    assert (row.experts, row.excluded) == ([(other, False)], [(colleague, [reason])])


def test_the_panel_page_offers_only_conflict_free_experts_and_refuses_a_conflicted_one(
    client, eligible_proposal, ministry
):
    local = make_expert("local", home="gwangju", display_name="광주 전문가")
    free = make_expert("free", display_name="대전 전문가")
    log_in(client, ministry)
    url = reverse("evaluations:panel", args=[eligible_proposal.pk])
    page = client.get(url)
    assert list(page.context["candidates"]) == [free]
    assert page.context["excluded"] == [(local, [HOME_GWANGJU])]
    response = client.post(reverse("evaluations:panel_assign", args=[eligible_proposal.pk]),
                           {"expert": local.pk, "kind": "evaluation"}, follow=True)
    assert messages_of(response) == [f"광주 전문가 has a conflict of interest: {HOME_GWANGJU}"]
    assert Assignment.objects.count() == 0


def test_the_panel_page_refuses_an_unknown_kind_of_assignment(client, eligible_proposal, ministry):
    free = make_expert("free")
    log_in(client, ministry)
    response = client.post(reverse("evaluations:panel_assign", args=[eligible_proposal.pk]),
                           {"expert": free.pk, "kind": "jury"})
    assert (response.status_code, Assignment.objects.count()) == (302, 0)


# --- Declared conflicts ------------------------------------------------------------------------


def test_a_declared_conflict_withdraws_the_expert(eligible_proposal, ministry):
    expert = make_expert("declarer")
    assignment = assign(eligible_proposal, expert, by=ministry)
    assignment_declare(actor=expert, assignment=assignment, conflict=True, note="주관기관 책임자가 제 지도교수입니다.")
    assignment.refresh_from_db()
    assert (assignment.conflict_declared, assignment.is_active, assignment.is_cleared, assignment.conflict_note) == (
        True, False, False, "주관기관 책임자가 제 지도교수입니다.")
    assert assignment.declared_at is not None


def test_after_declaring_a_conflict_through_the_page_the_expert_sees_no_content(client, eligible_proposal, ministry):
    expert = make_expert("declarer")
    assignment = assign(eligible_proposal, expert, by=ministry)
    log_in(client, expert)
    url = reverse("evaluations:assignment", args=[assignment.pk])
    response = client.post(reverse("evaluations:declare", args=[assignment.pk]),
                           {"decision": "conflict", "note": "같은 학과 교수입니다.", **NO_GROUNDS}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert messages_of(response) == ["Thank you. You were withdrawn from this proposal; ministry staff were told."]
    assert response.templates[0].name == "evaluations/withdrawn.html"
    body = response.content.decode()
    assert [text in body for text in PLAN_SECTIONS] == [False, False]
    assert "snapshot" not in response.context
    assert Assignment.objects.get(pk=assignment.pk).conflict_declared is True
    # The scores cannot be reached either.
    assert client.post(reverse("evaluations:score", args=[assignment.pk]), {"draft": "1"}).status_code == 403


def test_declaring_a_conflict_without_describing_it_is_refused(eligible_proposal, ministry):
    expert = make_expert("declarer")
    assignment = assign(eligible_proposal, expert, by=ministry)
    with pytest.raises(ValidationError) as refused:
        assignment_declare(actor=expert, assignment=assignment, conflict=True, note="  ")
    assert refused.value.message_dict == {
        "note": ["Describe the conflict briefly (e.g. same department, former student)."]}
    assignment.refresh_from_db()
    assert (assignment.declared_at, assignment.conflict_declared) == (None, False)


def test_declaring_a_conflict_without_a_note_through_the_page_keeps_the_declaration_open(
    client, eligible_proposal, ministry
):
    expert = make_expert("declarer")
    assignment = assign(eligible_proposal, expert, by=ministry)
    log_in(client, expert)
    response = client.post(reverse("evaluations:declare", args=[assignment.pk]),
                           {"decision": "conflict", "note": "", **NO_GROUNDS}, follow=True)
    assert messages_of(response) == ["Describe the conflict briefly (e.g. same department, former student)."]
    assert response.templates[0].name == "evaluations/declare.html"
    assert Assignment.objects.get(pk=assignment.pk).declared_at is None


def test_a_declaration_is_made_once(eligible_proposal, ministry):
    expert = make_expert("declarer")
    assignment = assign(eligible_proposal, expert, by=ministry)
    assignment_declare(actor=expert, assignment=assignment, conflict=False)
    with pytest.raises(ValidationError) as refused:
        assignment_declare(actor=expert, assignment=assignment, conflict=True, note="뒤늦게 발견한 이해관계")
    assert refused.value.messages == ["You already made your declaration for this assignment."]
    assert Assignment.objects.get(pk=assignment.pk).conflict_declared is False


def test_a_declared_conflict_tells_ministry_staff(eligible_proposal, ministry, ministry2):
    expert = make_expert("declarer", display_name="박전문")
    assignment = assign(eligible_proposal, expert, by=ministry)
    assignment_declare(actor=expert, assignment=assignment, conflict=True, note="공동 연구 수행 중")
    for staff in (ministry, ministry2):
        assert list(staff.notifications.filter(message__contains="conflict").values_list("message", "url")) == [
            ("박전문 declared a conflict of interest and withdrew from a proposal: 공동 연구 수행 중",
             f"/evaluations/proposals/{eligible_proposal.pk}/panel/")]


# --- The list of exclusions -------------------------------------------------------------------


def test_exclusions_for_lists_every_excluded_expert_with_the_reasons(eligible_proposal, organisation, ministry):
    make_expert("a-gwangju", home="gwangju")
    make_expert("b-jeonnam", home="jeonnam")
    make_expert("c-gist", affiliation="광주 과학기술원")
    make_expert("d-both", home="gwangju", affiliation="광주과학기술원")
    make_expert("e-free")
    declarer = make_expert("f-declarer")
    assignment_declare(actor=declarer, assignment=assign(eligible_proposal, declarer, by=ministry), conflict=True,
                       note="가족이 참여기관에 재직")
    exclusions = {user.username: reasons for user, reasons in exclusions_for(eligible_proposal)}
    assert exclusions == {
        "a-gwangju": [HOME_GWANGJU],
        "b-jeonnam": [HOME_JEONNAM],
        "c-gist": ["Affiliation 광주 과학기술원 is a participating organisation."],
        "d-both": [HOME_GWANGJU, "Affiliation 광주과학기술원 is a participating organisation."],
        "f-declarer": ["Declared a conflict: 가족이 참여기관에 재직"],
    }
