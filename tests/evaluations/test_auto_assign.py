"""Automatic panel assignment: plan, review, confirm.

Four eligible Gwangju proposals (artificial intelligence) and ten Daejeon
experts unless a test says otherwise. The plan is deterministic; confirming
checks the reviewed plan's signature and creates all of it or nothing.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Notification
from evaluations.models import Assignment, AssignmentKind
from evaluations.services import assignment_declare, panel_auto_confirm, panel_auto_plan
from tests.evaluations.conftest import assign, make_expert
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


def test_an_expert_whose_field_matches_is_preferred_when_loads_are_equal(call, eligible_factory):
    set_panel_size(call, 3)
    eligible_factory()  # artificial intelligence
    batteries = [make_expert(f"battery-{n}") for n in range(3)]
    ai = [make_expert(f"ai-{n}", industries=["artificial-intelligence"]) for n in range(2)]
    (row,) = panel_auto_plan(call=call).rows
    assert row.experts == [(ai[0], True), (ai[1], True), (batteries[0], False)]


def test_a_lower_load_beats_a_matching_field(call, eligible_factory, ministry):
    set_panel_size(call, 3)
    full = eligible_factory()
    eligible_factory()
    batteries = [make_expert(f"battery-{n}") for n in range(4)]
    ai = make_expert("ai", industries=["artificial-intelligence"])
    for expert in (ai, batteries[0], batteries[1]):
        assign(full, expert, by=ministry)  # the first panel is complete; these three carry one evaluation each
    plan = panel_auto_plan(call=call)
    assert [row.experts for row in plan.rows] == [
        [], [(batteries[2], False), (batteries[3], False), (ai, True)]]


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
    response = client.post(url, {"signature": plan.signature, "type": ""}, follow=True)
    assert response.redirect_chain == [(reverse("evaluations:progress", args=[call.pk]), 302)]
    assert messages_of(response) == ["12 assignments created; the experts were told."]
    assert assignment_pairs() == pairs(plan)


def test_the_page_refuses_a_wrong_signature_and_shows_the_plan_again(client, call, proposals, experts, ministry):
    log_in(client, ministry)
    response = client.post(reverse("evaluations:auto_assign", args=[call.pk]), {"signature": "0" * 16})
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
