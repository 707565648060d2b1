"""The follow-up support plan: opened by a "continue" outcome, each region enters
its own money, local funds match at least 20% a year, one staff member endorses
and another approves within the round's envelope, and approval opens the stage."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from programmes.models import Call, MatchingBasis
from projects.models import Outcome, PlanState, PlanYear, StagePlan, StageState
from projects.services import plans
from tests.factories import EOK
from tests.login import log_in

from .conftest import LOCAL, NATIONAL, approve_plan, decide, evaluation_of, fill_plan, ready_round, stage_rows

pytestmark = pytest.mark.django_db

STAGE_2 = [2026, 2027, 2028]


def lines_of(plan: StagePlan) -> list[tuple]:
    return sorted(plan.lines.values_list("region_id", "year", "national_won", "local_won"))


def endorsed(plan: StagePlan, *, lead, by) -> StagePlan:
    plans.plan_submit(actor=lead, plan=plan)
    return plans.plan_endorse(actor=by, plan=plan)


# --- Opening ----------------------------------------------------------------------------------


def test_continuing_opens_the_next_stages_plan_with_an_empty_line_per_region_and_year(continued, ready,
                                                                                      gwangju_id, jeonnam_id):
    assert (continued.project_id, continued.stage_number, continued.start_year, continued.years,
            continued.state, continued.national_total_won) == (
        ready.project_id, 2, 2026, 3, PlanState.DRAFT, 0)
    assert lines_of(continued) == sorted((r, y, 0, 0) for r in (gwangju_id, jeonnam_id) for y in STAGE_2)


def test_continuing_with_conditions_opens_a_plan_too(ready, ministry):
    decide(ready, by=ministry, outcome=Outcome.CONDITIONS, conditions=[{"text": "사업화 전략 보완"}])
    assert StagePlan.objects.get(evaluation=ready).years == 3


def test_terminating_opens_no_plan(ready, ministry):
    decide(ready, by=ministry, outcome=Outcome.TERMINATE, wind_down_on="2026-06-30")
    assert StagePlan.objects.count() == 0


# --- Each region its own money ----------------------------------------------------------------


def test_each_region_enters_its_own_money(continued, official, partner_official, gwangju_id, jeonnam_id):
    plans.plan_save(actor=official, plan=continued, amounts={(gwangju_id, 2026): ("600,000,000", "120000000")})
    plan = plans.plan_save(actor=partner_official, plan=continued, amounts={(jeonnam_id, 2026): (4 * EOK, EOK)})
    assert (plan.national_total_won, plan.revision) == (10 * EOK, 3)
    assert plan.lines.get(region_id=gwangju_id, year=2026).national_won == 6 * EOK
    assert plan.lines.get(region_id=jeonnam_id, year=2026).local_won == EOK


def test_a_region_cannot_enter_another_regions_money(continued, official, partner_official, gwangju_id,
                                                     jeonnam_id):
    before = lines_of(continued)
    with pytest.raises(ValidationError) as refused:
        plans.plan_save(actor=partner_official, plan=continued, amounts={(gwangju_id, 2026): (9 * EOK, 0)})
    assert refused.value.message_dict == {f"national-{gwangju_id}-2026": ["Each region enters its own amounts."]}
    with pytest.raises(ValidationError):
        plans.plan_save(actor=official, plan=continued, amounts={(jeonnam_id, 2027): (9 * EOK, 0)})
    assert lines_of(continued) == before


def test_outsiders_and_experts_cannot_touch_the_plan(continued, outsider_official, stage_expert, ministry):
    for who in (outsider_official, stage_expert):
        with pytest.raises(PermissionDenied):
            plans.plan_save(actor=who, plan=continued, goals="남의 계획")
    continued.refresh_from_db()
    assert (continued.goals, continued.revision) == ("", 1)


def test_only_the_lead_region_sets_the_goals_and_the_length(continued, partner_official):
    with pytest.raises(ValidationError) as refused:
        plans.plan_save(actor=partner_official, plan=continued, goals="전남 목표", years=4)
    assert refused.value.message_dict == {"years": ["Only the lead region changes the stage's length."],
                                          "goals": ["Only the lead region writes the stage's goals."]}


def test_a_line_outside_the_plan_or_a_wrong_figure_is_refused(continued, official, gwangju_id):
    before = lines_of(continued)
    with pytest.raises(ValidationError) as refused:
        plans.plan_save(actor=official, plan=continued, amounts={
            (gwangju_id, 2030): (EOK, 0), (gwangju_id, 2026): ("-5", "많이")})
    assert refused.value.message_dict == {
        f"national-{gwangju_id}-2030": ["This region or year is not part of the plan."],
        f"national-{gwangju_id}-2026": ["Amounts cannot be negative."],
        f"local-{gwangju_id}-2026": ["Enter a whole number of won."]}
    assert lines_of(continued) == before


def test_a_save_based_on_an_older_revision_is_refused(continued, official, gwangju_id):
    plans.plan_save(actor=official, plan=continued, goals="첫 목표", revision=1)
    with pytest.raises(ValidationError) as refused:
        plans.plan_save(actor=official, plan=continued, goals="덮어쓴 목표", revision=1)
    assert refused.value.messages[0].startswith("Someone else saved this plan meanwhile.")
    continued.refresh_from_db()
    assert (continued.goals, continued.revision) == ("첫 목표", 2)


def test_shortening_the_stage_drops_the_years_after_it(continued, official, gwangju_id, jeonnam_id):
    plan = fill_plan(continued)
    plan = plans.plan_save(actor=official, plan=plan, years=2)
    assert sorted({y for _r, y, _n, _l in lines_of(plan)}) == [2026, 2027]
    assert plan.national_total_won == 2 * 2 * NATIONAL


# --- Matching: local funds at least 20% of national, every year ------------------------------------


def test_local_funds_of_exactly_20_percent_pass(continued):
    plan = fill_plan(continued)  # each year: 10억 national, 2억 local
    assert plans.plan_problems(plan) == {}


def test_local_funds_of_19_99_percent_fail_in_that_year(continued, official, gwangju_id):
    plan = fill_plan(continued)
    # 2027: 10억 national, 1억 + 0.999억 local = 19.99%.
    plans.plan_save(actor=official, plan=plan, amounts={(gwangju_id, 2027): (NATIONAL, LOCAL - 100_000)})
    plan.refresh_from_db()
    assert plans.plan_problems(plan) == {("year", 2027): (
        "Local funds must be at least 20% of the national funding: at least 200,000,000 won.")}


def test_on_the_total_basis_the_message_names_the_total_project_cost(continued, official, gwangju_id):
    plan = fill_plan(continued)  # each year 10억 national, 2억 local: 16.7% of the total
    Call.objects.filter(pk=plan.project.proposal.call_id).update(matching_basis=MatchingBasis.TOTAL)
    plan = StagePlan.objects.get(pk=plan.pk)
    assert plans.plan_problems(plan) == {("year", y): (
        "Local funds must be at least 20% of the total project cost: at least 250,000,000 won.") for y in STAGE_2}

    # 2.5억 of 12.5억 is exactly 20% of the total: 2026 passes.
    plans.plan_save(actor=official, plan=plan, amounts={(gwangju_id, 2026): (NATIONAL, LOCAL + EOK // 2)})
    plan = StagePlan.objects.get(pk=plan.pk)
    assert sorted(plans.plan_problems(plan)) == [("year", 2027), ("year", 2028)]


def test_a_plan_without_national_money_has_a_problem(continued):
    assert plans.plan_problems(continued) == {("total",): "Plan some national funding for the stage."}


def test_submitting_is_refused_with_the_problems(continued, official):
    plan = fill_plan(continued, local=0, goals="")
    with pytest.raises(ValidationError) as refused:
        plans.plan_submit(actor=official, plan=plan)
    assert refused.value.messages == [
        "Local funds must be at least 20% of the national funding: at least 200,000,000 won.",
        "Write the goals of the stage."]
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT


def test_only_the_lead_region_submits(continued, partner_official, official):
    plan = fill_plan(continued)
    with pytest.raises(PermissionDenied):
        plans.plan_submit(actor=partner_official, plan=plan)
    assert plans.plan_submit(actor=official, plan=plan).state == PlanState.SUBMITTED
    with pytest.raises(ValidationError) as refused:
        plans.plan_save(actor=official, plan=plan, goals="제출 후 수정")
    assert refused.value.messages == ["This plan is “Submitted to the ministry” and cannot be changed."]


# --- Four eyes ---------------------------------------------------------------------------------------


FOUR_EYES = "Four eyes: the person who endorsed a plan cannot approve it. Ask another staff member."


def test_the_endorser_cannot_approve_and_is_told_why(continued, official, ministry):
    plan = endorsed(fill_plan(continued), lead=official, by=ministry)
    with pytest.raises(PermissionDenied) as refused:
        plans.plan_approve(actor=ministry, plan=plan)
    assert refused.value.messages == [FOUR_EYES]
    plan.refresh_from_db()
    assert (plan.state, plan.approved_by, plan.project.stages.count()) == (PlanState.ENDORSED, None, 1)


def test_the_endorser_who_posts_the_approval_reads_the_four_eyes_message_on_the_page(client, continued, official,
                                                                                    ministry):
    plan = endorsed(fill_plan(continued), lead=official, by=ministry)
    log_in(client, ministry)
    url = reverse("projects:plan", args=[plan.pk])
    page = client.get(url)
    assert (page.context["can_approve"], page.context["approve_refused"]) == (False, FOUR_EYES)

    response = client.post(reverse("projects:plan_approve", args=[plan.pk]), {"confirm": "yes"}, follow=True)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [FOUR_EYES]
    plan.refresh_from_db()
    assert plan.state == PlanState.ENDORSED


def test_a_move_the_table_does_not_know_is_refused(continued, official):
    with pytest.raises(ValidationError) as refused:
        plans.plan_transition(actor=official, plan=fill_plan(continued), action="approve_myself")
    assert refused.value.messages == ["Unknown action."]


def test_a_plan_is_endorsed_before_it_is_approved(continued, official, ministry2):
    plan = fill_plan(continued)
    plans.plan_submit(actor=official, plan=plan)
    with pytest.raises(ValidationError) as refused:
        plans.plan_approve(actor=ministry2, plan=plan)
    assert refused.value.messages == [
        "The plan must be endorsed by one staff member before another approves it."]


def test_officials_neither_endorse_nor_approve(continued, official, ministry):
    plan = fill_plan(continued)
    plans.plan_submit(actor=official, plan=plan)
    with pytest.raises(PermissionDenied):
        plans.plan_endorse(actor=official, plan=plan)
    plans.plan_endorse(actor=ministry, plan=plan)
    with pytest.raises(PermissionDenied):
        plans.plan_approve(actor=official, plan=plan)


def test_approval_opens_the_next_stage(continued, official, ministry, ministry2, project):
    plan = approve_plan(fill_plan(continued), endorser=ministry, approver=ministry2)
    assert (plan.endorsed_by, plan.approved_by, plan.national_total_won) == (ministry, ministry2, 30 * EOK)
    assert stage_rows(project) == [(1, 2023, 3, StageState.CLOSED), (2, 2026, 3, StageState.RUNNING)]
    assert project.stages.get(number=2).goals == "실증 확대 및 기업 유치"
    assert plans.round_envelope_status(plan.evaluation.round) == {
        "envelope": 100 * EOK, "committed": 30 * EOK, "remaining": 70 * EOK}


def test_an_approved_plan_is_approved_once(continued, ministry, ministry2, admin_user):
    plan = approve_plan(fill_plan(continued), endorser=ministry, approver=ministry2)
    with pytest.raises(ValidationError):
        plans.plan_approve(actor=admin_user, plan=plan)
    assert plan.project.stages.count() == 2


def test_a_returned_plan_needs_a_comment_and_is_editable_again(continued, official, ministry):
    plan = endorsed(fill_plan(continued), lead=official, by=ministry)
    with pytest.raises(ValidationError) as refused:
        plans.plan_return(actor=ministry, plan=plan, comment=" ")
    assert refused.value.message_dict == {"comment": ["Say what must change; the regions see your comments."]}
    returned = plans.plan_return(actor=ministry, plan=plan, comment="지방비 확약서 첨부")
    assert (returned.state, returned.endorsed_by, returned.comment) == (PlanState.RETURNED, None, "지방비 확약서 첨부")
    assert plans.plan_save(actor=official, plan=returned, goals="보완된 목표").goals == "보완된 목표"


# --- The round's envelope ----------------------------------------------------------------------------


def test_the_second_plan_beyond_the_envelope_is_refused(make_project, call, official, ministry, ministry2,
                                                       stage_expert):
    first, second = make_project(), make_project()
    rnd = ready_round(call, by=ministry, expert=stage_expert, envelope_won=50 * EOK)
    plan_a, plan_b = (StagePlan.objects.get(evaluation=decide(evaluation_of(rnd, p), by=ministry))
                      for p in (first, second))
    approve_plan(fill_plan(plan_a), endorser=ministry, approver=ministry2)  # 30억
    plan_b = endorsed(fill_plan(plan_b), lead=official, by=ministry)

    with pytest.raises(ValidationError) as refused:
        plans.plan_approve(actor=ministry2, plan=plan_b)
    assert refused.value.messages == [
        "Approving would exceed the next stage's envelope: 3,000,000,000 won committed + 3,000,000,000 won > "
        "5,000,000,000 won (remaining 2,000,000,000 won)."]
    plan_b.refresh_from_db()
    assert (plan_b.state, plans.round_committed_won(rnd), second.stages.count()) == (
        PlanState.ENDORSED, 30 * EOK, 1)

    # Within what is left, it passes.
    plans.plan_return(actor=ministry, plan=plan_b, comment="잔여 예산에 맞추어 조정")
    plan_b = fill_plan(plan_b, national=3 * EOK, local=60_000_000)  # 18억 over three years
    approve_plan(plan_b, endorser=ministry, approver=ministry2)
    assert plans.round_committed_won(rnd) == 48 * EOK


def test_line_rows_cannot_go_negative_in_the_database(continued):
    from django.db import IntegrityError, transaction

    line = continued.lines.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanYear.objects.filter(pk=line.pk).update(national_won=-1)


@pytest.mark.parametrize("typed", ["", "세 해", "2.5"])
def test_a_blank_or_malformed_length_is_a_field_error(continued, official, typed):
    with pytest.raises(ValidationError) as refused:
        plans.plan_save(actor=official, plan=continued, years=typed, goals="목표")
    assert refused.value.message_dict == {"years": ["Enter a whole number of years."]}
    continued.refresh_from_db()
    assert (continued.years, continued.goals, continued.revision) == (3, "", 1)
