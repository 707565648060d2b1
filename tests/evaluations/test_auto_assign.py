"""Automatic panel assignment: plan, review, confirm.

Four eligible Gwangju proposals (artificial intelligence) and ten Daejeon
experts unless a test says otherwise. The plan is optimal (the highest total
affinity, or the weakest proposal first in the fairness mode) within the load,
deterministic; confirming checks the reviewed plan's signature and creates all
of it or nothing. (The solver's own rules on arrays: test_assignment_solver.py.)
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Notification
from evaluations.models import Assignment, AssignmentKind
from evaluations.services import assignment_declare, panel_auto_confirm, panel_auto_plan
from tests.evaluations.conftest import assign, make_expert
from tests.factories import industry, region
from tests.login import log_in
from tests.proposals.conftest import form_fields, messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposals(eligible_factory):
    return [eligible_factory(title_en=f"Proposal {n}") for n in range(1, 5)]


@pytest.fixture
def experts(db):
    return [make_expert(f"expert-{n:02d}") for n in range(1, 11)]


def set_panel_size(call, size: int) -> None:
    call.panel_size = size
    call.save()


def pairs(plan) -> set:
    return {(row.proposal.pk, e.pk) for row in plan.rows for e, _match in row.experts}


def assignment_pairs() -> set:
    return set(Assignment.objects.values_list("proposal_id", "expert_id"))


@pytest.mark.parametrize(("size", "loads"), [(3, [1] * 8 + [2] * 2), (5, [2] * 10)])
def test_every_proposal_gets_the_panel_size_and_loads_differ_by_at_most_one(call, proposals, experts, size, loads):
    set_panel_size(call, size)
    plan = panel_auto_plan(call=call)
    assert [row.proposal for row in plan.rows] == proposals
    assert [len({e.pk for e, _m in row.experts}) for row in plan.rows] == [size] * 4
    assert sorted(plan.loads.values()) == loads  # 4 × size assignments over 10 experts, as even as can be
    assert plan.problems == []


def test_experts_whose_field_matches_fill_the_panel_first(call, eligible_factory):
    set_panel_size(call, 3)
    eligible_factory()  # artificial intelligence
    batteries = [make_expert(f"battery-{n}") for n in range(3)]
    ai = [make_expert(f"ai-{n}", industries=["artificial-intelligence"]) for n in range(2)]
    (row,) = panel_auto_plan(call=call).rows
    assert row.experts[:2] == [(ai[0], True), (ai[1], True)]
    assert row.experts[2][0] in batteries


def test_the_plan_gives_the_versatile_expert_to_the_proposal_only_they_fit(call, eligible_factory):
    """Taken in id order (the old plan), the first proposal would take the expert who fits both
    and the second would get a stranger; the optimal plan matches both."""
    set_panel_size(call, 1)
    ai_first = eligible_factory()
    battery_second = eligible_factory(industry=industry("secondary-batteries"))
    versatile = make_expert("a-both", industries=["artificial-intelligence", "secondary-batteries"])
    ai_only = make_expert("b-ai", industries=["artificial-intelligence"])
    plan = panel_auto_plan(call=call)
    assert [(row.proposal, row.experts) for row in plan.rows] == [
        (ai_first, [(ai_only, True)]), (battery_second, [(versatile, True)])]
    assert plan.max_load == 1


def test_a_staff_load_limit_is_kept_and_one_below_the_balanced_load_is_refused(call, proposals, experts):
    set_panel_size(call, 3)
    plan = panel_auto_plan(call=call, max_load=3)
    assert plan.max_load == 3 and max(plan.loads.values()) <= 3
    assert [len(row.experts) for row in plan.rows] == [3] * 4
    with pytest.raises(ValidationError) as refused:
        panel_auto_plan(call=call, max_load=1)  # 12 seats over 10 experts need 2
    assert refused.value.message_dict == {
        "max_load": ["At least 2: the panels need 12 seats and 10 experts may take them."]}


@pytest.fixture
def crowded(call, eligible_factory):
    """Three Gwangju proposals only two Daejeon experts may take, two Busan ones the four Gwangju
    experts may take; panels of two: 10 seats over 6 experts, balanced load 2."""
    set_panel_size(call, 2)
    gwangju = [eligible_factory(title_en=f"Gwangju {n}") for n in range(3)]
    busan = [eligible_factory(title_en=f"Busan {n}", lead_region=region("busan")) for n in range(2)]
    for n in range(2):
        make_expert(f"daejeon-{n}")
    for n in range(4):
        make_expert(f"gwangju-{n}", home="gwangju")
    return gwangju, busan


def test_the_balanced_load_grows_only_as_far_as_the_conflicts_require(call, crowded):
    plan = panel_auto_plan(call=call)
    assert (plan.balanced_load, plan.max_load, plan.problems) == (2, 3, [])
    assert [len(r.experts) for r in plan.rows] == [2] * 5
    assert max(plan.loads.values()) == 3


def test_a_staff_load_the_conflicts_make_too_low_assigns_nothing_and_says_why(call, crowded, ministry):
    gwangju, _busan = crowded
    plan = panel_auto_plan(call=call, max_load=2)
    assert plan.problems
    assert all(p.endswith("its 2 conflict-free experts already carry the load limit of 2 evaluations; raise the load "
                          "or add experts to the pool.") and p.startswith("Gwangju ") for p in plan.problems)
    assert all(r.experts == [] for r in plan.rows)
    with pytest.raises(ValidationError):
        panel_auto_confirm(actor=ministry, call=call, signature=plan.signature, max_load=2)
    assert Assignment.objects.count() == 0


def test_a_conflicted_expert_with_the_highest_affinity_is_never_chosen(call, eligible_factory):
    set_panel_size(call, 1)
    eligible_factory()
    local = make_expert("a-local", home="gwangju", industries=["artificial-intelligence"], keywords="뉴로모픽, 반도체")
    other = make_expert("b-other")
    (row,) = panel_auto_plan(call=call).rows
    assert row.experts == [(other, False)]
    assert [e for e, _r in row.excluded] == [local]


def test_the_fairness_mode_never_has_a_weaker_weakest_proposal(call, eligible_factory):
    set_panel_size(call, 2)
    eligible_factory(summary="뉴로모픽 반도체")
    eligible_factory(industry=industry("secondary-batteries"), summary="폐배터리 재활용")
    eligible_factory(summary="자율주행 인공지능")
    make_expert("a", industries=["artificial-intelligence", "secondary-batteries"], keywords="반도체, 재활용")
    make_expert("b", industries=["artificial-intelligence"], keywords="뉴로모픽")
    make_expert("c", keywords="재활용")
    make_expert("d", industries=[], keywords="자율주행")
    default, fair = panel_auto_plan(call=call), panel_auto_plan(call=call, mode="fair")
    assert (default.mode, fair.mode) == ("total", "fair")
    assert fair.weakest_affinity >= default.weakest_affinity
    assert default.total_affinity >= fair.total_affinity
    assert all(len(r.experts) == 2 for r in fair.rows)


def test_each_planned_expert_comes_with_the_affinity_and_its_reasons(call, eligible_factory):
    set_panel_size(call, 1)
    proposal = eligible_factory(summary="뉴로모픽 반도체 기반 감시정찰 AI")
    expert = make_expert("ai", industries=["artificial-intelligence"], keywords="뉴로모픽, 반도체")
    (row,) = panel_auto_plan(call=call).rows
    ((who, score, reasons),) = row.affinity
    assert who == expert and score > 0.3
    assert reasons == ["keywords: 뉴로모픽, 반도체", "industry: Artificial intelligence"]
    assert proposal == row.proposal


def test_existing_assignments_count_towards_the_panel_size(call, proposals, experts, ministry):
    set_panel_size(call, 3)
    assign(proposals[0], experts[9], by=ministry)
    plan = panel_auto_plan(call=call)
    assert [(row.already, len(row.experts)) for row in plan.rows] == [(1, 2), (0, 3), (0, 3), (0, 3)]
    assert experts[9] not in [e for e, _m in plan.rows[0].experts]


def test_an_expert_who_withdrew_is_replaced_by_the_next_plan(call, proposals, experts, ministry):
    set_panel_size(call, 3)
    plan = panel_auto_plan(call=call)
    panel_auto_confirm(actor=ministry, call=call, signature=plan.signature)
    withdrawn = Assignment.objects.filter(proposal=proposals[0]).first()
    assignment_declare(actor=withdrawn.expert, assignment=withdrawn, conflict=True, note="공동연구 중")
    row = panel_auto_plan(call=call).rows[0]
    assert (row.already, len(row.experts)) == (2, 1)


def test_the_same_input_gives_the_same_plan(call, proposals, experts):
    set_panel_size(call, 3)
    first, second = panel_auto_plan(call=call), panel_auto_plan(call=call)
    assert first.signature == second.signature
    assert [[e.pk for e, _m in r.experts] for r in first.rows] == [[e.pk for e, _m in r.experts] for r in second.rows]


def test_a_different_input_gives_a_different_signature(call, proposals, experts):
    set_panel_size(call, 3)
    before = panel_auto_plan(call=call).signature
    make_expert("expert-11")
    assert panel_auto_plan(call=call).signature != before


def test_not_enough_experts_is_a_problem_and_confirming_creates_nothing(call, proposals, ministry):
    set_panel_size(call, 5)
    for n in range(4):
        make_expert(f"expert-{n}")
    make_expert("local", home="gwangju")  # excluded: Gwangju leads every proposal
    plan = panel_auto_plan(call=call)
    assert plan.problems == [
        f"Proposal {n}: only 4 of 5 conflict-free experts are available." for n in range(1, 5)]
    assert [(len(r.experts), r.missing) for r in plan.rows] == [(0, 5)] * 4  # nothing planned, not a part
    notifications = Notification.objects.count()
    with pytest.raises(ValidationError) as refused:
        panel_auto_confirm(actor=ministry, call=call, signature=plan.signature)
    assert refused.value.messages == plan.problems
    assert (Assignment.objects.count(), Notification.objects.count()) == (0, notifications)


def test_confirming_a_stale_plan_is_refused(call, proposals, experts, ministry):
    set_panel_size(call, 3)
    reviewed = panel_auto_plan(call=call)
    assign(proposals[0], experts[0], by=ministry)  # someone assigns by hand meanwhile
    with pytest.raises(ValidationError) as refused:
        panel_auto_confirm(actor=ministry, call=call, signature=reviewed.signature)
    assert refused.value.messages == [
        "The assignments changed since you reviewed them. Review the new proposal, then confirm again."]
    assert Assignment.objects.count() == 1


def test_confirming_the_reviewed_plan_creates_exactly_its_assignments(call, proposals, experts, ministry):
    set_panel_size(call, 3)
    plan = panel_auto_plan(call=call)
    created = panel_auto_confirm(actor=ministry, call=call, signature=plan.signature)
    assert len(created) == 12
    assert assignment_pairs() == pairs(plan)
    assert set(Assignment.objects.values_list("kind", "assigned_by", "declared_at")) == {
        (AssignmentKind.EVALUATION, ministry.pk, None)}
    told = {e.pk: Notification.objects.filter(user=e, url__startswith="/evaluations/assignments/").count()
            for e in experts}
    assert told == plan.loads


def test_only_staff_may_confirm(call, proposals, experts, official):
    plan = panel_auto_plan(call=call)
    with pytest.raises(PermissionDenied):
        panel_auto_confirm(actor=official, call=call, signature=plan.signature)
    assert Assignment.objects.count() == 0


# --- Through the page --------------------------------------------------------------------------


def test_the_page_shows_the_plan_and_confirming_it_creates_the_assignments(client, call, proposals, experts, ministry):
    set_panel_size(call, 3)
    log_in(client, ministry)
    url = reverse("evaluations:auto_assign", args=[call.pk])
    preview = client.get(url)
    plan = preview.context["plan"]
    body = preview.content.decode()
    assert preview.status_code == 200
    assert [r.proposal.title for r in plan.rows] == [f"Proposal {n}" for n in range(1, 5)]
    assert all(f"Proposal {n}" in body for n in range(1, 5))
    assert all(str(e) in body for e, _m in plan.rows[0].experts)
    assert form_fields(preview)["signature"]["value"] == plan.signature
    assert Assignment.objects.count() == 0  # previewing assigns nothing
    response = client.post(url, {"signature": plan.signature, "type": "", "mode": "total", "max_load": ""},
                           follow=True)
    assert response.redirect_chain == [(reverse("evaluations:progress", args=[call.pk]), 302)]
    assert messages_of(response) == ["12 assignments created; the experts were told."]
    assert assignment_pairs() == pairs(plan)


def test_the_page_refuses_a_wrong_signature_and_shows_the_plan_again(client, call, proposals, experts, ministry):
    log_in(client, ministry)
    response = client.post(reverse("evaluations:auto_assign", args=[call.pk]), {"signature": "0" * 16, "mode": "total"})
    assert response.status_code == 200
    assert messages_of(response) == [
        "The assignments changed since you reviewed them. Review the new proposal, then confirm again."]
    assert response.context["plan"].signature == panel_auto_plan(call=call).signature
    assert Assignment.objects.count() == 0


def test_the_page_shows_the_problem_and_no_confirm_button_when_experts_are_missing(client, call, proposals, ministry):
    set_panel_size(call, 3)
    make_expert("only-one")
    log_in(client, ministry)
    response = client.get(reverse("evaluations:auto_assign", args=[call.pk]))
    body = response.content.decode()
    assert "Proposal 1: only 1 of 3 conflict-free experts are available." in body
    assert ("signature" in form_fields(response), 'id="confirm-assign"' in body) == (False, False)


def test_the_page_plans_in_the_fairness_mode_and_confirms_that_plan(client, call, proposals, experts, ministry):
    set_panel_size(call, 3)
    log_in(client, ministry)
    url = reverse("evaluations:auto_assign", args=[call.pk])
    preview = client.get(url, {"mode": "fair", "max_load": "3"})
    plan = preview.context["plan"]
    fields = form_fields(preview)
    assert (plan.mode, plan.max_load) == ("fair", 3)
    assert (preview.context["form"]["mode"].value(), fields["max_load"]["value"]) == ("fair", "3")
    assert '<input type="hidden" name="mode" value="fair">' in preview.content.decode()
    assert "affinity" in preview.content.decode()
    response = client.post(url, {"signature": plan.signature, "type": "", "mode": "fair", "max_load": "3"},
                           follow=True)
    assert messages_of(response) == ["12 assignments created; the experts were told."]
    assert assignment_pairs() == pairs(plan)


def test_the_page_refuses_a_load_below_the_balanced_one_at_the_field_and_keeps_it(client, call, proposals, experts,
                                                                                     ministry):
    set_panel_size(call, 3)
    log_in(client, ministry)
    response = client.get(reverse("evaluations:auto_assign", args=[call.pk]), {"mode": "total", "max_load": "1"})
    form = response.context["form"]
    assert form.errors == {"max_load": ["At least 2: the panels need 12 seats and 10 experts may take them."]}
    assert form_fields(response)["max_load"]["value"] == "1"
    assert response.context["plan"] is None
    assert 'id="confirm-assign"' not in response.content.decode()


def test_a_kind_owned_by_a_higher_app_asks_its_rules_and_plans_nothing_they_refuse(call, proposals, experts):
    """The general plan (panel_plan) for a stage evaluation: proposals without a funded project's
    evaluation at that stage are refused by the projects app's rules (evaluations.hooks), by name."""
    from evaluations.services.panels import panel_plan

    plan = panel_plan(call=call, proposals=proposals[:2], kind=AssignmentKind.STAGE, stage_number=1, size=2)
    assert plan.problems == [f"{p.title}: Choose the stage evaluation." for p in proposals[:2]]
    assert [row.experts for row in plan.rows] == [[], []]
    assert plan.signature != panel_auto_plan(call=call).signature
