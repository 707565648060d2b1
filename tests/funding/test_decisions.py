"""Selection, funding decisions within the call's rules, four eyes, and who sees the pages."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from evaluations.models import Assignment, AssignmentKind
from funding import services
from funding.models import DecisionState, FundingDecision, SelectionNote
from programmes.models import Call, MatchingBasis
from proposals.models import Proposal, ProposalState
from tests.factories import EOK, ExpertFactory, region
from tests.funding.conftest import FOUR_EYES, announce, form_fields, plan, region_ids, text_of
from tests.login import log_in
from tests.proposals.conftest import ProposalFactory

pytestmark = pytest.mark.django_db

JEONNAM_SHORT = "Each region states its own local funds for every year."


def problems_of(proposal, years, obligations) -> dict:
    return services.decision_problems(proposal=proposal, years=years, obligations=obligations)


# --- Four eyes ------------------------------------------------------------------------


def test_the_person_who_prepared_a_decision_cannot_approve_it(prepared, ministry):
    with pytest.raises(PermissionDenied) as exc:
        services.funding_approve(actor=ministry, decision=prepared)

    assert exc.value.messages == [FOUR_EYES]
    prepared.refresh_from_db()
    assert (prepared.state, prepared.approved_by, prepared.approved_at) == (DecisionState.PREPARED, None, None)
    assert Proposal.objects.get(pk=prepared.proposal_id).state == ProposalState.SELECTED


def test_approving_asks_for_funding_approve_which_the_preparer_lacks_though_they_may_prepare(prepared, ministry,
                                                                                               ministry2):
    assert (ministry.has_perm("funding.prepare"), ministry.has_perm("funding.approve", prepared)) == (True, False)
    assert ministry2.has_perm("funding.approve", prepared) is True

    with pytest.raises(PermissionDenied):
        services.funding_approve(actor=ministry, decision=prepared)
    assert FundingDecision.objects.get(pk=prepared.pk).state == DecisionState.PREPARED


def test_the_preparer_who_posts_the_approval_reads_the_four_eyes_message_on_the_page(client, prepared, ministry):
    log_in(client, ministry)
    url = reverse("funding:decision_approve", args=[prepared.proposal_id])
    response = client.post(url, {"decision": prepared.pk, "confirm": "yes"}, follow=True)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [FOUR_EYES]
    assert FundingDecision.objects.get(pk=prepared.pk).state == DecisionState.PREPARED


def test_a_withdrawn_or_approved_decision_is_not_withdrawn_again(approved, ministry2):
    with pytest.raises(ValidationError) as exc:
        services.decision_transition(actor=ministry2, decision=approved, action="withdraw")
    assert exc.value.messages == ["This decision is “Approved” and cannot be withdrawn."]
    with pytest.raises(ValidationError) as exc:
        services.decision_transition(actor=ministry2, decision=approved, action="void")
    assert exc.value.messages == ["Unknown action."]
    assert FundingDecision.objects.get(pk=approved.pk).state == DecisionState.APPROVED


def test_another_staff_member_approves_and_the_decision_records_who_prepared_and_approved_it_and_when(
    prepared, ministry, ministry2, approve
):
    decision, _letter = approve(prepared, ministry2)

    stored = FundingDecision.objects.get(pk=decision.pk)
    assert (stored.state, stored.prepared_by, stored.approved_by) == (DecisionState.APPROVED, ministry, ministry2)
    assert stored.prepared_at is not None
    assert stored.approved_at is not None
    assert stored.prepared_at <= stored.approved_at
    assert stored.national_total_won == 54 * EOK
    assert Proposal.objects.get(pk=prepared.proposal_id).state == ProposalState.FUNDED
    assert services.committed_won(stored.proposal.call) == 54 * EOK


def test_a_portal_administrator_may_approve_what_ministry_staff_prepared(prepared, admin_user, approve):
    decision, _letter = approve(prepared, admin_user)
    assert (decision.state, decision.approved_by) == (DecisionState.APPROVED, admin_user)


def test_approving_the_same_decision_twice_is_refused(approved, ministry2, admin_user):
    for actor in (ministry2, admin_user):
        with pytest.raises(ValidationError) as exc:
            services.funding_approve(actor=actor, decision=approved)
        assert exc.value.messages == ["This decision is “Approved” and cannot be approved."]
    assert FundingDecision.objects.get(pk=approved.pk).approved_by.username == "ministry2"


def test_an_official_can_neither_prepare_nor_approve(selected, prepared, official):
    years, obligations = plan(selected)
    with pytest.raises(PermissionDenied):
        services.funding_prepare(actor=official, proposal=selected, years=years, obligations=obligations)
    with pytest.raises(PermissionDenied):
        services.funding_approve(actor=official, decision=prepared)
    assert FundingDecision.objects.filter(proposal=selected).count() == 1


def test_preparing_again_withdraws_the_unapproved_version_and_adds_the_next(prepared, ministry2):
    years, obligations = plan(prepared.proposal, national=15 * EOK)
    second = services.funding_prepare(actor=ministry2, proposal=prepared.proposal, years=years,
                                      obligations=obligations)

    prepared.refresh_from_db()
    assert (prepared.version, prepared.state) == (1, DecisionState.WITHDRAWN)
    assert (second.version, second.state, second.national_total_won) == (2, DecisionState.PREPARED, 45 * EOK)
    assert second.reference == f"MEGA-2027-{second.proposal_id:04d}-v2"


def test_only_a_selected_proposal_gets_a_decision(complete_proposal, ministry):
    years, obligations = plan(complete_proposal)
    with pytest.raises(ValidationError) as exc:
        services.funding_prepare(actor=ministry, proposal=complete_proposal, years=years, obligations=obligations)
    assert exc.value.messages == ["Only a selected proposal can get a funding decision (now “Draft”)."]


# --- The call's rules -------------------------------------------------------------------


def test_a_decision_as_planned_meets_every_rule_and_is_stored_year_by_year(prepared):
    lead, partner = region_ids(prepared.proposal)
    assert [(y.year, y.national_won) for y in prepared.years.all()] == [
        (2027, 18 * EOK), (2028, 18 * EOK), (2029, 18 * EOK)]
    assert sorted((o.region_id, o.year, o.local_won) for o in prepared.obligations.all()) == sorted(
        (r, y, 2 * EOK) for r in (lead, partner) for y in (2027, 2028, 2029))
    assert (prepared.state, prepared.version, prepared.national_total_won) == (DecisionState.PREPARED, 1, 54 * EOK)


def test_national_funding_above_the_per_project_cap_is_refused(selected, ministry):
    years, obligations = plan(selected, national=20 * EOK)
    message = "National funding of 6,000,000,000 won exceeds the per-project cap of 5,500,000,000 won."

    assert problems_of(selected, years, obligations) == {("cap",): message}
    with pytest.raises(services.DecisionInvalid) as exc:
        services.funding_prepare(actor=ministry, proposal=selected, years=years, obligations=obligations)
    assert exc.value.problems == {("cap",): message}
    assert exc.value.messages == [message]
    assert not FundingDecision.objects.filter(proposal=selected).exists()


def test_national_funding_exactly_at_the_cap_passes(selected):
    years = {2027: 19 * EOK, 2028: 18 * EOK, 2029: 18 * EOK}
    _years, obligations = plan(selected, local=2 * EOK)
    obligations[(region_ids(selected)[0], 2027)] = 2 * EOK + 20_000_000
    assert sum(years.values()) == 55 * EOK
    assert problems_of(selected, years, obligations) == {}


def test_local_funds_of_exactly_20_percent_each_year_pass(selected, ministry):
    years, obligations = plan(selected, national=10 * EOK, local=1 * EOK)  # 2억 of 10억 a year

    assert problems_of(selected, years, obligations) == {}
    decision = services.funding_prepare(actor=ministry, proposal=selected, years=years, obligations=obligations)
    assert decision.national_total_won == 30 * EOK


def test_local_funds_of_19_99_percent_in_one_year_are_refused_at_that_year(selected, ministry):
    years, obligations = plan(selected, national=10 * EOK, local=1 * EOK)
    partner = region_ids(selected)[1]
    obligations[(partner, 2028)] = 99_900_000  # 1억 + 0.999억 = 19.99% of 10억

    problems = problems_of(selected, years, obligations)

    assert problems == {
        ("year", 2028): "Local funds must be at least 20% of the national funding: at least 200,000,000 won.",
        ("total",): "Local funds must be at least 20% of the national funding: at least 600,000,000 won.",
    }
    with pytest.raises(services.DecisionInvalid) as exc:
        services.funding_prepare(actor=ministry, proposal=selected, years=years, obligations=obligations)
    assert exc.value.problems == problems


@pytest.fixture
def on_total_basis(selected):
    """The selected proposal, its call asking local funds ≥ 20% of the total project cost."""
    Call.objects.filter(pk=selected.call_id).update(matching_basis=MatchingBasis.TOTAL)
    return Proposal.objects.get(pk=selected.pk)


def test_on_the_total_basis_the_message_names_the_total_project_cost(on_total_basis):
    # 4억 local a year beside 18억 national is 18.18% of 22억; 20% of the total needs 4.5억.
    years, obligations = plan(on_total_basis)

    assert problems_of(on_total_basis, years, obligations) == {
        **{("year", y): "Local funds must be at least 20% of the total project cost: at least 450,000,000 won."
           for y in (2027, 2028, 2029)},
        ("total",): "Local funds must be at least 20% of the total project cost: at least 1,350,000,000 won.",
    }


def test_on_the_total_basis_exactly_20_percent_of_the_total_passes(on_total_basis):
    years, obligations = plan(on_total_basis, local=225_000_000)  # 4.5억 of 22.5억 a year
    assert problems_of(on_total_basis, years, obligations) == {}


def test_a_region_with_no_local_funds_in_a_funded_year_is_refused_at_its_cell(selected):
    years, obligations = plan(selected)
    lead, partner = region_ids(selected)
    obligations[(lead, 2028)] = 4 * EOK  # the year as a whole still has 20%
    obligations[(partner, 2028)] = 0

    assert problems_of(selected, years, obligations) == {(partner, 2028, "local"): JEONNAM_SHORT}


def test_a_region_left_out_of_a_funded_year_is_refused_like_a_region_with_zero(selected):
    years, obligations = plan(selected)
    lead, partner = region_ids(selected)
    obligations[(lead, 2028)] = 4 * EOK
    del obligations[(partner, 2028)]

    assert problems_of(selected, years, obligations) == {(partner, 2028, "local"): JEONNAM_SHORT}


def test_national_funding_for_a_year_outside_the_pilot_is_refused(selected, ministry):
    years, obligations = plan(selected, national=15 * EOK)
    years[2030] = 3 * EOK

    problems = problems_of(selected, years, obligations)

    assert problems == {(None, 2030, "national"): "Funding is decided for the pilot years 2027–2029 only."}
    with pytest.raises(services.DecisionInvalid):
        services.funding_prepare(actor=ministry, proposal=selected, years=years, obligations=obligations)


def test_local_funds_for_a_year_outside_the_pilot_are_refused(selected, ministry):
    years, obligations = plan(selected)
    lead = region_ids(selected)[0]
    obligations[(lead, 2031)] = 5 * EOK

    with pytest.raises(services.DecisionInvalid) as exc:
        services.funding_prepare(actor=ministry, proposal=selected, years=years, obligations=obligations)
    assert list(exc.value.problems) == [(lead, 2031, "local")]


def test_a_region_that_does_not_take_part_cannot_carry_local_funds(selected):
    years, obligations = plan(selected)
    busan = region("busan").pk
    obligations[(busan, 2027)] = 1 * EOK
    assert problems_of(selected, years, obligations) == {
        (busan, 2027, "local"): "This region does not take part in the project."}


# --- Selection -----------------------------------------------------------------------------


@pytest.fixture
def eligible(complete_proposal):
    Proposal.objects.filter(pk=complete_proposal.pk).update(state=ProposalState.ELIGIBLE)
    complete_proposal.refresh_from_db()
    return complete_proposal


@pytest.mark.parametrize(("action", "state"), [
    ("select", ProposalState.SELECTED),
    ("reserve", ProposalState.RESERVE),
    ("not_select", ProposalState.NOT_SELECTED),
])
def test_selection_moves_an_eligible_proposal_and_records_the_reason(eligible, ministry, action, state):
    reason = "권역별 심층평가 결과 유형별 상위 과제"
    services.selection_decide(actor=ministry, proposal=eligible, action=action, reason=f"  {reason} ")

    stored = Proposal.objects.get(pk=eligible.pk)
    note = SelectionNote.objects.get(proposal=eligible)
    assert (stored.state, stored.state_reason) == (state, reason)
    assert (note.reason, note.decided_by) == (reason, ministry)


def test_a_selection_decision_without_a_reason_is_refused(eligible, ministry):
    for action in ("select", "reserve", "not_select"):
        with pytest.raises(ValidationError) as exc:
            services.selection_decide(actor=ministry, proposal=eligible, action=action, reason="  ")
        assert exc.value.message_dict == {"reason": ["Give the reason; the regions will read it."]}
    assert Proposal.objects.get(pk=eligible.pk).state == ProposalState.ELIGIBLE
    assert not SelectionNote.objects.filter(proposal=eligible).exists()


def test_selection_knows_only_its_three_decisions_and_funding_is_not_one_of_them(selected, ministry):
    with pytest.raises(ValidationError) as exc:
        services.selection_decide(actor=ministry, proposal=selected, action="fund", reason="직권")
    assert exc.value.messages == ["Unknown decision."]
    assert Proposal.objects.get(pk=selected.pk).state == ProposalState.SELECTED


def test_a_reserve_proposal_can_still_be_selected_and_an_official_cannot_decide(eligible, ministry, official):
    services.selection_decide(actor=ministry, proposal=eligible, action="reserve", reason="예비 1순위")
    with pytest.raises(PermissionDenied):
        services.selection_decide(actor=official, proposal=eligible, action="select", reason="자체 선정")
    services.selection_decide(actor=ministry, proposal=eligible, action="select", reason="선정 과제 포기에 따른 승계")
    assert Proposal.objects.get(pk=eligible.pk).state == ProposalState.SELECTED
    assert SelectionNote.objects.get(proposal=eligible).reason == "선정 과제 포기에 따른 승계"


# --- Pages -------------------------------------------------------------------------------------


@pytest.fixture
def on_board(eligible, ministry):
    """The eligible proposal with an evaluation panel member, so the board lists it."""
    Assignment.objects.create(kind=AssignmentKind.EVALUATION, expert=ExpertFactory(), proposal=eligible,
                              assigned_by=ministry)
    return eligible


@pytest.mark.parametrize("who", ["ministry", "admin_user"])
def test_the_selection_board_shows_staff_the_envelope_and_the_proposal_with_a_link_to_decide(client, request,
                                                                                             on_board, who):
    log_in(client, request.getfixturevalue(who))
    response = client.get(reverse("funding:selection", args=[on_board.call_id]))

    assert response.status_code == 200
    assert text_of(response, "envelope-total") == "KRW 22 billion"
    assert text_of(response, "envelope-remaining") == "KRW 22 billion"
    assert on_board.title_en in text_of(response, "selection-table")
    page = response.content.decode()
    # The figures first: no form in any row, the decision opens on its own page.
    assert f'href="{reverse("funding:select", args=[on_board.pk])}?' in page
    assert ("<form method=\"post\"" in page, 'name="reason"' in page) == (False, False)


def test_staff_select_on_the_proposal_s_decision_page_and_return_to_the_board_s_page(client, on_board, ministry):
    log_in(client, ministry)
    url = reverse("funding:select", args=[on_board.pk])
    assert client.get(url).status_code == 200
    response = client.post(f"{url}?type=&page=2", {"action": "select", "reason": "유형별 1위"})

    assert response.status_code == 302
    assert response["Location"] == reverse("funding:selection", args=[on_board.call_id]) + "?page=2"
    assert Proposal.objects.get(pk=on_board.pk).state == ProposalState.SELECTED
    assert SelectionNote.objects.get(proposal=on_board).reason == "유형별 1위"


def test_a_decision_without_a_reason_comes_back_with_the_message_at_the_reason_and_the_choice_kept(
    client, on_board, ministry
):
    log_in(client, ministry)
    response = client.post(reverse("funding:select", args=[on_board.pk]), {"action": "reserve", "reason": "   "})

    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["Give the reason; the regions will read it."]
    assert response.context["form"]["action"].value() == "reserve"
    assert Proposal.objects.get(pk=on_board.pk).state == ProposalState.ELIGIBLE


def test_a_decided_proposal_s_page_offers_no_form(client, on_board, ministry):
    services.selection_decide(actor=ministry, proposal=on_board, action="not_select", reason="예산 부족")
    log_in(client, ministry)
    response = client.get(reverse("funding:select", args=[on_board.pk]))
    assert (response.status_code, text_of(response, "selection-note")) == (200, "예산 부족")
    assert 'id="selection-form"' not in response.content.decode()


@pytest.mark.parametrize("who", ["official", "partner_official", "outsider_official", "expert"])
def test_the_selection_board_and_the_decision_page_are_forbidden_to_everyone_but_staff(client, request, on_board, who):
    log_in(client, request.getfixturevalue(who))
    board = reverse("funding:selection", args=[on_board.call_id])
    decide = reverse("funding:select", args=[on_board.pk])
    assert client.get(board).status_code == 403
    assert client.get(decide).status_code in (403, 404)
    assert client.post(decide, {"action": "select", "reason": "x"}).status_code in (403, 404)
    assert Proposal.objects.get(pk=on_board.pk).state == ProposalState.ELIGIBLE


def test_the_decision_form_is_prefilled_from_the_budget_plan_and_preparing_through_it_works(
    client, selected, ministry
):
    lead, partner = region_ids(selected)
    log_in(client, ministry)
    url = reverse("funding:decision", args=[selected.pk])
    fields = form_fields(client.get(url))

    assert {name: fields[name]["value"] for name in ("national-2027", f"local-{lead}-2028",
                                                      f"local-{partner}-2029")} == {
        "national-2027": str(18 * EOK), f"local-{lead}-2028": str(2 * EOK), f"local-{partner}-2029": str(2 * EOK)}
    data = {name: f["value"] for name, f in fields.items() if name.startswith(("national-", "local-"))}
    response = client.post(reverse("funding:decision_prepare", args=[selected.pk]),
                           {**data, "csrfmiddlewaretoken": "x", "conditions": "조건 없음"}, follow=True)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "Decision prepared. Another staff member must approve it."]
    decision = FundingDecision.objects.get(proposal=selected)
    assert (decision.prepared_by, decision.national_total_won, decision.conditions) == (ministry, 54 * EOK, "조건 없음")
    assert "approve-button" not in response.content.decode()


def test_the_decision_form_marks_the_cell_that_breaks_the_rule_and_saves_nothing(client, selected, ministry):
    lead, partner = region_ids(selected)
    log_in(client, ministry)
    url = reverse("funding:decision_prepare", args=[selected.pk])
    data = {**{f"national-{y}": 18 * EOK for y in (2027, 2028, 2029)},
            **{f"local-{r}-{y}": 2 * EOK for r in (lead, partner) for y in (2027, 2028, 2029)}}
    data[f"local-{lead}-2028"] = 4 * EOK
    data[f"local-{partner}-2028"] = 0

    response = client.post(url, data)

    assert response.status_code == 400
    assert form_fields(response)[f"local-{partner}-2028"]["class"] == "form-control text-end money-input is-invalid"
    assert JEONNAM_SHORT in response.content.decode()
    assert not FundingDecision.objects.filter(proposal=selected).exists()


@pytest.mark.parametrize("who", ["ministry", "ministry2", "admin_user"])
def test_staff_see_the_decision_page_and_only_someone_else_than_the_preparer_gets_the_approve_button(
    client, request, prepared, who
):
    log_in(client, request.getfixturevalue(who))
    response = client.get(reverse("funding:decision", args=[prepared.proposal_id]))

    assert response.status_code == 200
    assert text_of(response, "decision-total") == "5,400,000,000 won (KRW 5.4 billion)"
    assert ('id="approve-button"' in response.content.decode()) == (who != "ministry")
    assert 'id="prepare-button"' in response.content.decode()  # a new version may still be prepared


@pytest.mark.parametrize("who", ["official", "partner_official"])
def test_an_official_of_the_project_sees_the_decision_read_only(client, request, approved, who):
    announce(approved.proposal.call)  # before, sealed (tests/megaproject/test_sealed_results.py)
    log_in(client, request.getfixturevalue(who))
    url = reverse("funding:decision", args=[approved.proposal_id])
    response = client.get(url)

    page = response.content.decode()
    assert response.status_code == 200
    assert text_of(response, "decision-total") == "5,400,000,000 won (KRW 5.4 billion)"
    assert [name for name in ('id="decision-form"', 'id="prepare-button"', 'id="approve-button"',
                              'id="envelope-total"', 'name="op"') if name in page] == []
    assert 'id="download-ko"' in page
    assert client.post(reverse("funding:decision_prepare", args=[approved.proposal_id])).status_code == 403


def test_officials_of_other_regions_and_experts_do_not_find_the_decision_page(client, approved, outsider_official,
                                                                                 expert):
    url = reverse("funding:decision", args=[approved.proposal_id])
    for user in (outsider_official, expert):
        log_in(client, user)
        assert client.get(url).status_code == 404
        assert client.post(reverse("funding:decision_approve", args=[approved.proposal_id]),
                           {"decision": approved.pk, "confirm": "yes"}).status_code == 404


def test_before_any_decision_an_official_of_the_project_does_not_find_the_decision_page(client, selected, official):
    log_in(client, official)
    assert client.get(reverse("funding:decision", args=[selected.pk])).status_code == 404


def test_approving_on_the_page_needs_the_confirmation_box(client, prepared, ministry2):
    log_in(client, ministry2)
    url = reverse("funding:decision_approve", args=[prepared.proposal_id])
    response = client.post(url, {"decision": prepared.pk}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Tick the confirmation box to approve."]
    assert FundingDecision.objects.get(pk=prepared.pk).state == DecisionState.PREPARED


# --- The decision page's actions: one URL each, posted ids are the proposal's decisions or nothing ------


def test_the_decision_page_s_forms_post_to_their_own_urls_and_the_page_takes_no_post(client, prepared, ministry2):
    log_in(client, ministry2)
    url = reverse("funding:decision", args=[prepared.proposal_id])
    body = client.get(url).content.decode()
    for action in ("prepare", "approve"):
        assert f'action="{reverse(f"funding:decision_{action}", args=[prepared.proposal_id])}"' in body
    assert 'name="op"' not in body
    assert client.post(url, {"op": "approve", "decision": prepared.pk, "confirm": "yes"}).status_code == 405
    assert FundingDecision.objects.get(pk=prepared.pk).state == DecisionState.PREPARED


@pytest.mark.parametrize("decision", ["abc", "", "-1", "1.5", "²", "١", "99999999999999999999", "0x1F", "other"])
def test_a_decision_id_that_is_not_one_of_the_proposal_s_is_a_404(client, prepared, ministry, ministry2, decision):
    """"other": the id of another proposal's decision, as foreign as a number that is none."""
    if decision == "other":
        other = ProposalFactory(call=prepared.proposal.call, title_ko="다른 과제")
        decision = str(FundingDecision.objects.create(proposal=other, prepared_by=ministry).pk)
    log_in(client, ministry2)
    for action, data in (("approve", {"confirm": "yes"}), ("letter", {"language": "en"})):
        response = client.post(reverse(f"funding:decision_{action}", args=[prepared.proposal_id]),
                               {**data, "decision": decision})
        assert response.status_code == 404, action
    assert set(FundingDecision.objects.values_list("state", flat=True)) == {DecisionState.PREPARED}


@pytest.mark.parametrize("amount", ["18억 원화", "²", "--5", "1.5", "1e9"])
def test_an_amount_that_is_not_whole_won_is_refused_and_shown_back_as_typed(client, selected, ministry, amount):
    log_in(client, ministry)
    url = reverse("funding:decision", args=[selected.pk])
    data = {name: f["value"] for name, f in form_fields(client.get(url)).items()
            if name.startswith(("national-", "local-"))}

    response = client.post(reverse("funding:decision_prepare", args=[selected.pk]),
                           {**data, "national-2027": amount, "conditions": "조건 없음"})

    assert response.status_code == 400
    assert [str(m) for m in response.context["messages"]] == ["Amounts are whole numbers of won."]
    assert form_fields(response)["national-2027"]["value"] == amount
    assert text_of(response, "conditions") == "조건 없음"
    assert not FundingDecision.objects.filter(proposal=selected).exists()


def test_an_amount_typed_in_korean_units_is_read_as_won(client, selected, ministry):
    """The decision's cells are read as every money cell is (core.money_input): "18억", "1,800,000,000"."""
    log_in(client, ministry)
    url = reverse("funding:decision", args=[selected.pk])
    data = {name: f["value"] for name, f in form_fields(client.get(url)).items()
            if name.startswith(("national-", "local-"))}
    national = int(data["national-2027"])
    assert national % 10_000 == 0
    data["national-2027"] = f"{national // 10_000:,}만 원"
    data = {k: (f"{int(v):,}" if k.startswith("local-") and v else v) for k, v in data.items()}

    response = client.post(reverse("funding:decision_prepare", args=[selected.pk]), {**data, "conditions": ""})

    assert response.status_code == 302
    decision = FundingDecision.objects.get(proposal=selected)
    assert decision.years.get(year=2027).national_won == national
