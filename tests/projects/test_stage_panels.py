"""A stage round's panels by the optimal plan: the call plan's solver and rules
(evaluations.services.panels.panel_plan) for the projects' proposals, kind stage;
staff review the plan on its page, then confirm it (all of it or nothing).

Two funded projects (Gwangju + Jeonnam) in the pilot-end round; experts from
Daejeon (conflict-free) unless a test says otherwise."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Notification
from audit.models import AuditEvent
from evaluations.models import Assignment, AssignmentKind
from evaluations.services.panels import panel_plan
from projects.services import stages
from tests.evaluations.conftest import make_expert
from tests.login import log_in

from .conftest import decide, evaluation_of, open_round, score, seat

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(project, make_project):
    return [project, make_project(title_en="Second project", title_ko="두 번째 사업")]


@pytest.fixture
def rnd(projects, call, ministry):
    rnd = open_round(call, by=ministry)
    rnd.panel_size = 3
    rnd.save()
    return rnd


@pytest.fixture
def experts(db):
    return [make_expert(f"stage-{n:02d}") for n in range(1, 7)]


def stage_pairs() -> set:
    return set(Assignment.objects.filter(kind=AssignmentKind.STAGE).values_list("proposal_id", "expert_id"))


def test_each_project_gets_exactly_the_round_s_panel_size_within_a_balanced_load(rnd, projects, experts):
    plan = stages.round_panel_plan(rnd=rnd)
    assert not plan.problems
    assert [len(row.experts) for row in plan.rows] == [3, 3]
    assert {row.proposal.pk for row in plan.rows} == {p.proposal_id for p in projects}
    assert plan.max_load == plan.balanced_load == 1  # 6 seats over 6 experts
    assert sorted(v for v in plan.loads.values() if v) == [1] * 6
    assert all(score >= 0 and isinstance(reasons, list) for row in plan.rows for _e, score, reasons in row.affinity)


def test_the_plan_is_deterministic_and_confirming_creates_it_recorded_and_told(rnd, projects, experts, ministry):
    first, second = stages.round_panel_plan(rnd=rnd), stages.round_panel_plan(rnd=rnd)
    assert first.signature == second.signature
    planned = {(row.proposal.pk, e.pk) for row in first.rows for e, _m in row.experts}

    created = stages.round_panels_confirm(actor=ministry, rnd=rnd, signature=first.signature)

    assert stage_pairs() == planned and len(created) == 6
    assert {a.stage_number for a in created} == {rnd.stage_number}
    assert AuditEvent.objects.filter(action="panel_assign").count() == 6
    assert Notification.objects.filter(user__in=experts).count() == 6
    for evaluation in rnd.evaluations.all():
        assert evaluation.assignments.count() == 3


def test_existing_stage_assignments_count_towards_the_panel_and_the_load(rnd, projects, experts, ministry):
    seat(evaluation_of(rnd, projects[0]), experts[0], by=ministry)
    plan = stages.round_panel_plan(rnd=rnd, max_load=1)
    rows = {row.proposal.pk: row for row in plan.rows}
    assert rows[projects[0].proposal_id].already == 1
    assert len(rows[projects[0].proposal_id].experts) == 2 and len(rows[projects[1].proposal_id].experts) == 3
    assert experts[0] not in [e for row in plan.rows for e, _m in row.experts]  # its load of 1 is used
    assert plan.loads[experts[0].pk] == 1


def test_conflicted_experts_are_never_chosen(rnd, projects, experts):
    local = make_expert("gwangju-local", home="gwangju")  # the projects' lead region: a conflict
    plan = stages.round_panel_plan(rnd=rnd)
    assert local not in [e for row in plan.rows for e, _m in row.experts]
    assert all(local in [e for e, _r in row.excluded] for row in plan.rows)


def test_too_few_conflict_free_experts_assigns_nothing_and_names_the_projects(rnd, projects, ministry):
    for n in range(2):
        make_expert(f"only-{n}")
    plan = stages.round_panel_plan(rnd=rnd)
    assert len(plan.problems) == 2
    assert any(projects[1].proposal.title in p for p in plan.problems)
    assert "only 2 of 3 conflict-free experts are available" in plan.problems[0]
    with pytest.raises(ValidationError):
        stages.round_panels_confirm(actor=ministry, rnd=rnd, signature=plan.signature)
    assert stage_pairs() == set()


def test_a_load_below_the_balanced_one_is_refused_at_the_field(rnd, projects):
    for n in range(4):
        make_expert(f"four-{n}")
    with pytest.raises(ValidationError) as refused:
        stages.round_panel_plan(rnd=rnd, max_load=1)  # 6 seats over 4 experts need 2
    assert refused.value.message_dict["max_load"][0].startswith("At least 2")
    assert stages.round_panel_plan(rnd=rnd, max_load=2).max_load == 2


def test_a_stale_signature_is_refused_and_nothing_assigned(rnd, projects, experts, ministry):
    reviewed = stages.round_panel_plan(rnd=rnd)
    hand = stages.stage_assign(actor=ministry, evaluation=evaluation_of(rnd, projects[1]), expert=experts[5])
    with pytest.raises(ValidationError) as refused:
        stages.round_panels_confirm(actor=ministry, rnd=rnd, signature=reviewed.signature)
    assert "changed since you reviewed" in " ".join(refused.value.messages)
    assert stage_pairs() == {(hand.proposal_id, experts[5].pk)}


def test_only_staff_confirm(rnd, projects, experts, official):
    plan = stages.round_panel_plan(rnd=rnd)
    with pytest.raises(PermissionDenied):
        stages.round_panels_confirm(actor=official, rnd=rnd, signature=plan.signature)
    assert stage_pairs() == set()


def test_the_stage_rules_refuse_a_decided_evaluation_and_the_round_skips_it(call, project, ministry, stage_expert):
    rnd = open_round(call, by=ministry)
    assignment = seat(evaluation_of(rnd, project), stage_expert, by=ministry)
    stages.round_start_scoring(actor=ministry, rnd=rnd)
    score(assignment, (8, 7, 8, 9))
    decide(evaluation_of(rnd, project), by=ministry)
    make_expert("late-one")

    assert stages.round_panel_plan(rnd=rnd).rows == []  # decided: its panel no longer changes
    plan = panel_plan(call=call, proposals=[project.proposal], kind=AssignmentKind.STAGE,
                      stage_number=rnd.stage_number, size=2)
    assert plan.problems == [f"{project.proposal.title}: This stage evaluation is decided; its panel can no "
                             "longer change."]
    assert plan.rows[0].experts == []


def test_the_page_shows_the_plan_and_confirms_it(client, rnd, projects, experts, ministry):
    log_in(client, ministry)
    url = reverse("projects:round_auto_assign", args=[rnd.pk])
    assert reverse("projects:round_auto_assign", args=[rnd.pk]).encode() in client.get(
        reverse("projects:round", args=[rnd.pk])).content
    page = client.get(url, {"mode": "fair"})
    plan = page.context["plan"]
    assert plan.mode == "fair" and str(experts[0]) in page.content.decode()

    refused = client.get(url, {"max_load": "0"})
    assert refused.context["form"].errors["max_load"]

    done = client.post(url, {"signature": plan.signature, "mode": "fair", "max_load": ""})
    assert done.status_code == 302 and done.url == reverse("projects:round", args=[rnd.pk])
    assert len(stage_pairs()) == 6


def test_the_page_is_staff_only(client, rnd, official):
    log_in(client, official)
    assert client.get(reverse("projects:round_auto_assign", args=[rnd.pk])).status_code == 403


@pytest.mark.parametrize("stage_too", [True, False])
def test_the_coaching_bar_holds_in_the_round_s_plan_when_the_call_says_so(rnd, call, projects, experts, ministry,
                                                                          stage_too):
    call.coi_coached_stage = stage_too
    call.save()
    coach = make_expert("coach", keywords="이차전지")
    Assignment.objects.create(kind=AssignmentKind.CONSULTING, expert=coach, proposal=projects[0].proposal,
                              assigned_by=ministry)
    row = {r.proposal.pk: r for r in stages.round_panel_plan(rnd=rnd, max_load=2).rows}[projects[0].proposal_id]
    assert (coach in [e for e, _r in row.excluded]) is stage_too
    if stage_too:
        assert coach not in [e for e, _m in row.experts]


def test_evaluation_loads_of_the_call_do_not_count_in_the_round(rnd, projects, experts, ministry):
    Assignment.objects.create(kind=AssignmentKind.EVALUATION, expert=experts[0], proposal=projects[0].proposal,
                              assigned_by=ministry)
    plan = stages.round_panel_plan(rnd=rnd)
    assert plan.max_load == 1 and experts[0] in [e for row in plan.rows for e, _m in row.experts]
