"""Stage evaluations reuse the evaluation machinery, tested through the stage path:
the same conflict-of-interest checks and declaration, scoring on the round's own
rubric, the same aggregation; staff decide once, from submitted scores."""

import math

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Notification
from audit.models import AuditEvent
from evaluations.models import Assignment, AssignmentKind, Score, ScoresheetState
from evaluations.services import assignment_declare, panel_assign
from evaluations.services.scoring import scoresheet_for
from programmes.models import CallStatus
from projects import selectors
from projects.models import (
    ConditionState,
    Outcome,
    Project,
    ProjectStatus,
    RoundState,
    StagePlan,
    StageRound,
    StageState,
)
from projects.services import stages
from tests.evaluations.conftest import make_expert
from tests.factories import CallFactory

from .conftest import ProposalFactory, decide, evaluation_of, fill, fund, open_round, score, seat, with_second_kpi

pytestmark = pytest.mark.django_db


@pytest.fixture
def rnd(project, call, ministry):
    """The pilot-end round of the 2023 call, preparing, with the default rubric."""
    return open_round(call, by=ministry)


@pytest.fixture
def evaluation(rnd, project):
    return evaluation_of(rnd, project)


# --- Opening a round -------------------------------------------------------------------------


def test_a_round_has_its_own_rubric_and_an_evaluation_per_project_at_the_stage_end(rnd, project, call):
    assert [(c.name_en, c.weight, c.max_score) for c in rnd.criteria.order_by("order")] == [
        ("Achievement of goals", 35, 10), ("Budget execution", 20, 10), ("Plan for the next stage", 25, 10),
        ("Regional ownership", 20, 10)]
    assert not set(rnd.criteria.values_list("pk", flat=True)) & set(call.criteria.values_list("pk", flat=True))
    assert list(rnd.evaluations.values_list("project_id", "stage__number")) == [(project.pk, 1)]
    assert project.stages.get(number=1).state == StageState.EVALUATING


def test_a_round_takes_only_the_calls_running_projects_chosen_by_staff(project, call, ministry, make_project,
                                                                       ministry2):
    chosen, left_out, terminated = make_project(), make_project(), make_project()
    Project.objects.filter(pk=terminated.pk).update(status=ProjectStatus.TERMINATED)
    other_call = CallFactory(year=2023, status=CallStatus.ANNOUNCED, created_by=ministry)
    elsewhere = fund(with_second_kpi(fill(ProposalFactory(call=other_call, partners=["jeonnam"]))),
                     prepared_by=ministry, approved_by=ministry2)

    rnd = open_round(call, by=ministry, projects=[project, chosen, terminated, elsewhere])

    assert sorted(rnd.evaluations.values_list("project_id", flat=True)) == sorted([project.pk, chosen.pk])
    assert left_out.stages.get().state == StageState.RUNNING
    with pytest.raises(ValidationError) as refused:
        open_round(other_call, by=ministry, stage_number=2)
    assert refused.value.messages == ["No running project of this call is at the end of stage 2."]


def test_a_round_rubric_must_sum_to_100(project, call, ministry):
    with pytest.raises(ValidationError) as refused:
        open_round(call, by=ministry, criteria=[{"name_ko": "목표 달성도", "weight": 60},
                                                {"name_ko": "예산 집행", "weight": 30}])
    assert refused.value.messages == ["The criteria weights must sum to 100 (now 90)."]
    assert project.proposal.call.stage_rounds.count() == 0


def test_a_stage_of_a_call_is_evaluated_in_one_round(rnd, call, ministry):
    with pytest.raises(ValidationError) as refused:
        open_round(call, by=ministry)
    assert refused.value.message_dict == {"stage_number": ["This stage of this call already has an evaluation round."]}


def test_only_staff_open_a_round(project, call, official, expert):
    for who in (official, expert):
        with pytest.raises(PermissionDenied):
            open_round(call, by=who)
    assert call.stage_rounds.count() == 0


# --- Conflicts of interest, as in the selection -----------------------------------------------


def refusal(call_service) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        call_service()
    return refused.value.messages


@pytest.mark.parametrize("conflicted", ["home region", "affiliation"])
def test_a_conflicted_expert_is_refused_for_the_same_reasons_as_in_the_selection(evaluation, project, ministry,
                                                                                 conflicted):
    if conflicted == "home region":
        expert = make_expert("from-jeonnam", home="jeonnam")
        reason = "Home region"
    else:
        organisation = project.proposal.organisations.order_by("pk").first().name
        expert = make_expert("from-partner-org", affiliation=organisation)
        reason = "Affiliation"

    stage_reasons = refusal(lambda: stages.stage_assign(actor=ministry, evaluation=evaluation, expert=expert))
    selection_reasons = refusal(lambda: panel_assign(actor=ministry, proposal=project.proposal, expert=expert,
                                                     kind=AssignmentKind.EVALUATION))

    assert stage_reasons == selection_reasons
    assert stage_reasons[0].startswith(f"{expert} has a conflict of interest: {reason}")
    assert evaluation.assignments.count() == 0


def test_a_conflict_free_expert_sits_on_the_stage_panel(evaluation, project, ministry, stage_expert):
    assignment = stages.stage_assign(actor=ministry, evaluation=evaluation, expert=stage_expert)
    assert (assignment.kind, assignment.stage_number, assignment.proposal_id, assignment.declared_at) == (
        AssignmentKind.STAGE, evaluation.round.stage_number, project.proposal_id, None)
    assert list(evaluation.assignments) == [assignment]
    with pytest.raises(ValidationError) as refused:
        stages.stage_assign(actor=ministry, evaluation=evaluation, expert=stage_expert)
    assert refused.value.messages == [f"{stage_expert} is already assigned."]


def test_only_staff_assign_stage_experts(evaluation, official, stage_expert):
    with pytest.raises(PermissionDenied):
        stages.stage_assign(actor=official, evaluation=evaluation, expert=stage_expert)
    assert evaluation.assignments.count() == 0


# --- Declaration and scoring ------------------------------------------------------------------


def test_an_expert_scores_only_after_declaring_no_conflict(evaluation, rnd, ministry, stage_expert):
    other = make_expert("second")
    undeclared = stages.stage_assign(actor=ministry, evaluation=evaluation, expert=stage_expert)
    seat(evaluation, other, by=ministry)
    stages.round_start_scoring(actor=ministry, rnd=rnd)
    with pytest.raises(PermissionDenied):
        score(undeclared, (8, 8, 8, 8))

    cleared = assignment_declare(actor=stage_expert, assignment=undeclared, conflict=False)
    assert score(cleared, (8, 8, 8, 8)).state == ScoresheetState.SUBMITTED
    with pytest.raises(ValidationError) as refused:
        assignment_declare(actor=stage_expert, assignment=cleared, conflict=True, note="뒤늦은 신고")
    assert refused.value.messages == ["You already made your declaration for this assignment."]


def test_an_expert_who_declares_a_conflict_withdraws_from_the_stage_panel(evaluation, rnd, ministry, stage_expert):
    assignment = stages.stage_assign(actor=ministry, evaluation=evaluation, expert=stage_expert)
    withdrawn = assignment_declare(actor=stage_expert, assignment=assignment, conflict=True,
                                   note="참여기관과 공동연구 수행 중")
    # A withdrawn expert leaves the project without an evaluator: scoring cannot start.
    with pytest.raises(ValidationError) as refused:
        stages.round_start_scoring(actor=ministry, rnd=rnd)
    assert refused.value.messages == [f"Assign experts first: {evaluation.project.title} has no evaluator."]
    seat(evaluation, make_expert("replacement"), by=ministry)
    stages.round_start_scoring(actor=ministry, rnd=rnd)
    with pytest.raises(PermissionDenied):
        score(withdrawn, (8, 8, 8, 8))


def test_scoring_waits_for_the_round_to_start(evaluation, rnd, ministry, stage_expert):
    assignment = seat(evaluation, stage_expert, by=ministry)
    with pytest.raises(ValidationError) as refused:
        score(assignment, (8, 8, 8, 8), submit=False)
    assert refused.value.messages == ["This stage evaluation is not open for scoring."]
    stages.round_start_scoring(actor=ministry, rnd=rnd)
    rnd.refresh_from_db()
    assert rnd.state == RoundState.SCORING
    assert score(assignment, (8, 8, 8, 8)).state == ScoresheetState.SUBMITTED


def test_scoring_starts_once(evaluation, rnd, ministry, stage_expert):
    seat(evaluation, stage_expert, by=ministry)
    stages.round_start_scoring(actor=ministry, rnd=rnd)
    with pytest.raises(ValidationError) as refused:
        stages.round_start_scoring(actor=ministry, rnd=rnd)
    assert refused.value.messages == ["Scoring has already started."]


def test_a_round_moves_by_its_table_and_nothing_closes_one_yet():
    assert {name: (sorted(m.sources), m.target, m.permission) for name, m in stages.ROUND_MOVES.items()} == {
        "start_scoring": (["preparing"], "scoring", "projects.manage_stage_rounds")}


def test_starting_a_closed_round_is_refused_and_changes_nothing(evaluation, rnd, ministry, stage_expert):
    seat(evaluation, stage_expert, by=ministry)
    StageRound.objects.filter(pk=rnd.pk).update(state=RoundState.CLOSED)
    assert refusal(lambda: stages.round_start_scoring(actor=ministry, rnd=rnd)) == ["Scoring has already started."]
    assert StageRound.objects.get(pk=rnd.pk).state == RoundState.CLOSED
    assert [e.after["state"] for e in AuditEvent.objects.filter(action="stage_round")] == ["preparing"]


def test_a_round_without_an_evaluator_for_each_project_does_not_start(evaluation, rnd, ministry, official):
    assert refusal(lambda: stages.round_start_scoring(actor=ministry, rnd=rnd)) == [
        f"Assign experts first: {evaluation.project.title} has no evaluator."]
    with pytest.raises(PermissionDenied):
        stages.round_start_scoring(actor=official, rnd=rnd)
    assert StageRound.objects.get(pk=rnd.pk).state == RoundState.PREPARING


def test_starting_a_round_records_it_and_tells_its_experts(evaluation, rnd, ministry, stage_expert):
    seat(evaluation, stage_expert, by=ministry)
    started = stages.round_start_scoring(actor=ministry, rnd=rnd)
    assert started.state == RoundState.SCORING
    (event,) = AuditEvent.objects.filter(action="stage_round", before__isnull=False)
    assert (event.actor, event.summary, event.before, event.after) == (
        ministry, rnd.title, {"state": "preparing"}, {"state": "scoring"})
    assert list(Notification.objects.filter(user=stage_expert, url="/evaluations/assignments/")
                .values_list("message", flat=True)) == [f"Stage evaluation “{rnd.title}” is open for scoring."]


def test_an_unknown_round_move_is_refused(rnd, ministry):
    assert refusal(lambda: stages.round_transition(actor=ministry, rnd=rnd, action="close")) == ["Unknown action."]


def test_a_stage_scoresheet_uses_the_rounds_rubric_not_the_calls(evaluation, rnd, call, ministry, stage_expert):
    assignment = seat(evaluation, stage_expert, by=ministry)
    assert sorted(c.pk for c in assignment.criteria()) == sorted(rnd.criteria.values_list("pk", flat=True))
    sheet = scoresheet_for(assignment)
    assert sorted(sheet.scores.values_list("criterion_id", flat=True)) == sorted(
        rnd.criteria.values_list("pk", flat=True))
    assert not sheet.scores.filter(criterion__call=call).exists()


def test_a_stage_score_is_checked_against_the_rounds_criterion(evaluation, rnd, ministry, stage_expert):
    assignment = seat(evaluation, stage_expert, by=ministry)
    stages.round_start_scoring(actor=ministry, rnd=rnd)
    first = rnd.criteria.order_by("order").first()
    with pytest.raises(ValidationError) as refused:
        score(assignment, (11, 8, 8, 8))
    assert refused.value.message_dict == {f"score-{first.pk}": ["Score between 0 and 10."]}


# --- Aggregation, the same as the selection's ------------------------------------------------------

# Five evaluators on the round's rubric (weights 35 / 20 / 25 / 20, highest score 10):
SCORES = [(8, 7, 9, 6), (9, 9, 9, 9), (5, 6, 4, 5), (7, 8, 7, 7), (10, 8, 6, 9)]
# Weighted totals, by hand: Σ score / 10 × weight.
TOTALS = [28 + 14 + 22.5 + 12, 90.0, 17.5 + 12 + 10 + 10, 24.5 + 16 + 17.5 + 14, 35 + 16 + 15 + 18]


def test_round_results_are_the_selections_aggregation_computed_by_hand(evaluation, rnd, ministry):
    assert TOTALS == [76.5, 90.0, 49.5, 72.0, 84.0]
    experts = [make_expert(f"panel-{i}") for i in range(6)]
    assignments = [seat(evaluation, e, by=ministry) for e in experts]
    stages.round_start_scoring(actor=ministry, rnd=rnd)
    for assignment, scores in zip(assignments, SCORES, strict=False):
        score(assignment, scores)
    score(assignments[5], (0, 0, 0, 0), submit=False)  # a draft does not count

    result = stages.round_results(rnd)[evaluation.pk]

    assert result.evaluators == 5
    assert sorted(result.totals.values()) == sorted(TOTALS)
    assert result.mean == pytest.approx(sum(TOTALS) / 5) == pytest.approx(74.4)
    # Five evaluators or more: the highest (90) and the lowest (49.5) totals are dropped.
    assert result.trimmed_mean == pytest.approx((76.5 + 72 + 84) / 3) == pytest.approx(77.5)
    assert result.std == pytest.approx(math.sqrt(sum((t - 74.4) ** 2 for t in TOTALS) / 5))
    assert result.disagreement is True  # 90 − 49.5 ≥ 20 points
    criteria = list(rnd.criteria.order_by("order"))
    # Per criterion: the mean score as points of its weight.
    assert [result.by_criterion[c.pk] for c in criteria] == pytest.approx(
        [7.8 / 10 * 35, 7.6 / 10 * 20, 7.0 / 10 * 25, 7.2 / 10 * 20])
    assert [result.by_criterion_score[c.pk] for c in criteria] == pytest.approx([7.8, 7.6, 7.0, 7.2])


def test_fewer_than_five_evaluators_are_not_trimmed(evaluation, rnd, ministry):
    assignments = [seat(evaluation, make_expert(f"panel-{i}"), by=ministry) for i in range(3)]
    stages.round_start_scoring(actor=ministry, rnd=rnd)
    for assignment, scores in zip(assignments, SCORES[:3], strict=True):
        score(assignment, scores)
    result = stages.round_results(rnd)[evaluation.pk]
    assert (result.evaluators, result.trimmed_mean) == (3, pytest.approx((76.5 + 90 + 49.5) / 3))
    assert result.trimmed_mean == result.mean


def test_each_project_of_a_round_is_aggregated_on_its_own(project, call, ministry, make_project):
    other_project = make_project()
    rnd = open_round(call, by=ministry)
    first, second = evaluation_of(rnd, project), evaluation_of(rnd, other_project)
    a, b = make_expert("panel-a"), make_expert("panel-b")
    sheets = [(seat(first, a, by=ministry), SCORES[0]), (seat(first, b, by=ministry), SCORES[1]),
              (seat(second, a, by=ministry), SCORES[2])]
    stages.round_start_scoring(actor=ministry, rnd=rnd)
    for assignment, scores in sheets:
        score(assignment, scores)
    results = stages.round_results(rnd)
    assert {pk: (r.evaluators, r.mean) for pk, r in results.items()} == {
        first.pk: (2, pytest.approx((76.5 + 90) / 2)), second.pk: (1, pytest.approx(49.5))}


# --- Deciding the outcome ----------------------------------------------------------------------------


def test_the_outcome_waits_for_submitted_scores(evaluation, rnd, ministry, stage_expert):
    assignment = seat(evaluation, stage_expert, by=ministry)
    with pytest.raises(ValidationError) as refused:
        decide(evaluation, by=ministry)
    assert refused.value.messages == ["Decide once scoring has started."]
    stages.round_start_scoring(actor=ministry, rnd=rnd)
    score(assignment, (8, 8, 8, 8), submit=False)
    with pytest.raises(ValidationError) as refused:
        decide(evaluation, by=ministry)
    assert refused.value.messages == ["No evaluator has submitted scores yet; the outcome is decided from the scores."]
    evaluation.refresh_from_db()
    assert (evaluation.outcome, StagePlan.objects.count()) == ("", 0)


def test_the_outcome_is_decided_once(ready, ministry, ministry2, project):
    decided = decide(ready, by=ministry)
    assert (decided.outcome, decided.decided_by, decided.decided_at is not None) == (
        Outcome.CONTINUE, ministry, True)
    assert project.stages.get(number=1).state == StageState.CLOSED
    with pytest.raises(ValidationError) as refused:
        decide(ready, by=ministry2, outcome=Outcome.TERMINATE, wind_down_on="2026-06-30")
    assert refused.value.messages == ["This stage evaluation was already decided (Continue)."]
    ready.refresh_from_db()
    project.refresh_from_db()
    assert (ready.outcome, ready.decided_by, project.status, StagePlan.objects.count()) == (
        Outcome.CONTINUE, ministry, "active", 1)


def test_the_outcome_needs_a_reason_and_a_known_outcome(ready, ministry):
    with pytest.raises(ValidationError) as refused:
        stages.stage_decide(actor=ministry, evaluation=ready, outcome="maybe", panel_comment="", reason=" ")
    assert refused.value.message_dict == {"outcome": ["Choose an outcome."],
                                          "reason": ["Give the reason for the outcome; the regions read it."]}


def test_only_staff_decide(ready, official, stage_expert):
    for who in (official, stage_expert):
        with pytest.raises(PermissionDenied):
            decide(ready, by=who)
    ready.refresh_from_db()
    assert ready.outcome == ""


def test_a_decided_evaluation_takes_no_more_scores_or_experts(project, call, ministry, stage_expert):
    rnd = open_round(call, by=ministry)
    evaluation = evaluation_of(rnd, project)
    first = seat(evaluation, stage_expert, by=ministry)
    late = seat(evaluation, make_expert("late"), by=ministry)
    stages.round_start_scoring(actor=ministry, rnd=rnd)
    score(first, (8, 8, 8, 8))
    decide(evaluation, by=ministry)

    with pytest.raises(ValidationError) as refused:
        score(late, (1, 1, 1, 1))
    assert refused.value.messages == ["This stage evaluation is not open for scoring."]
    with pytest.raises(ValidationError) as refused:
        stages.stage_assign(actor=ministry, evaluation=evaluation, expert=make_expert("later"))
    assert refused.value.messages == ["This stage evaluation is decided; its panel can no longer change."]
    assert stages.round_results(rnd)[evaluation.pk].evaluators == 1


def test_deciding_tells_the_regions(ready, ministry, official, partner_official):
    from accounts.models import Notification

    decide(ready, by=ministry)
    assert set(Notification.objects.filter(message__startswith="Stage evaluation of").values_list(
        "user_id", flat=True)) == {official.pk, partner_official.pk}



def test_stage_scores_stay_out_of_the_calls_selection_ranking(ready, call):
    from evaluations.selectors import submitted_sheets

    assert stages.round_results(ready.round)[ready.pk].evaluators == 1
    assert submitted_sheets(call=call) == []


def test_a_malformed_condition_date_is_a_field_error(ready, ministry):
    with pytest.raises(ValidationError) as refused:
        decide(ready, by=ministry, outcome=Outcome.CONDITIONS, conditions=[{"text": "보완", "due_on": "2026-13-01"}])
    assert refused.value.message_dict == {"condition-0": ["Enter a date as YYYY-MM-DD."]}
    ready.refresh_from_db()
    assert (ready.outcome, ready.conditions.count()) == ("", 0)


# --- The rules projects registers with evaluations.hooks ---------------------------------------

DECIDED = ["This stage evaluation is decided; its panel can no longer change."]


def assign_through_evaluations(proposal, expert, *, by, stage_number):
    """The evaluations app's own assignment function, without the projects service in front."""
    return panel_assign(actor=by, proposal=proposal, expert=expert, kind=AssignmentKind.STAGE,
                        stage_number=stage_number)


def test_a_stage_expert_is_refused_through_the_projects_rules_once_the_round_is_closed(
        evaluation, rnd, project, ministry, stage_expert):
    StageRound.objects.filter(pk=rnd.pk).update(state=RoundState.CLOSED)

    assert refusal(lambda: assign_through_evaluations(project.proposal, stage_expert, by=ministry,
                                                      stage_number=rnd.stage_number)) == DECIDED
    assert refusal(lambda: stages.stage_assign(actor=ministry, evaluation=evaluation, expert=stage_expert)) == DECIDED
    assert evaluation.assignments.count() == 0


def test_a_stage_expert_is_refused_through_the_projects_rules_once_the_outcome_is_decided(
        ready, project, ministry):
    decide(ready, by=ministry)
    late = make_expert("late")

    assert refusal(lambda: assign_through_evaluations(project.proposal, late, by=ministry,
                                                      stage_number=ready.round.stage_number)) == DECIDED
    assert refusal(lambda: stages.stage_assign(actor=ministry, evaluation=ready, expert=late)) == DECIDED
    assert not ready.assignments.filter(expert=late).exists()


def test_a_stage_assignment_must_name_a_stage_the_proposal_s_project_is_evaluated_at(
        evaluation, rnd, project, ministry, stage_expert):
    for stage_number in (None, rnd.stage_number + 1):
        assert refusal(lambda n=stage_number: assign_through_evaluations(
            project.proposal, stage_expert, by=ministry, stage_number=n)) == ["Choose the stage evaluation."]
    assignment = assign_through_evaluations(project.proposal, stage_expert, by=ministry, stage_number=rnd.stage_number)
    assert list(evaluation.assignments) == [assignment]


def test_the_stage_rubric_is_the_call_s_rubric_for_that_stage(rnd, call, project, ministry, stage_expert):
    assignment = stages.stage_assign(actor=ministry, evaluation=evaluation_of(rnd, project), expert=stage_expert)
    assert list(assignment.criteria()) == list(rnd.criteria.all()) == list(call.stage_criteria.all())
    assert {c.stage_number for c in rnd.criteria.all()} == {rnd.stage_number}
    assert call.criteria.filter(pk__in=rnd.criteria.values("pk")).count() == 0


def test_deleting_a_round_deletes_its_panels_with_their_scores_and_the_stage_rubric(ready, call):
    rnd, scores = ready.round, Score.objects.count()
    assert (call.stage_criteria.count(), Assignment.objects.filter(kind=AssignmentKind.STAGE).count()) == (4, 1)

    rnd.delete()

    assert (call.stage_criteria.count(), Assignment.objects.filter(kind=AssignmentKind.STAGE).count(),
            Score.objects.count()) == (0, 0, scores - 4)


@pytest.mark.parametrize("count", [1, 3])
def test_the_round_s_panels_are_read_in_one_query_whatever_the_number_of_projects(
        call, ministry, make_project, stage_expert, django_assert_num_queries, count):
    for i in range(count):
        make_project(title_ko=f"과제 {i}")
    rnd = open_round(call, by=ministry)
    for e in rnd.evaluations.all():
        seat(e, stage_expert, by=ministry)

    with django_assert_num_queries(3):  # the evaluations, their conditions, every panel with experts and sheets
        evaluations = selectors.round_evaluations(rnd)
        panels = [[(a.expert.username, getattr(a, "scoresheet", None)) for a in e.panel] for e in evaluations]
    assert panels == [[(stage_expert.username, None)]] * count


# --- A condition's move: open → met -----------------------------------------------------------


def test_a_condition_moves_by_its_table():
    assert {name: (sorted(m.sources), m.target, m.permission) for name, m in stages.CONDITION_MOVES.items()} == {
        "meet": (["open"], "met", "projects.close_condition")}


def test_meeting_a_met_condition_is_refused_and_keeps_its_evidence(ready, ministry, ministry2):
    decide(ready, by=ministry, outcome=Outcome.CONDITIONS, conditions=[{"text": "사업화 전략 보완"}])
    condition = ready.conditions.get()
    met = stages.condition_transition(actor=ministry, condition=condition, action="meet", evidence="제출 완료")
    assert (met.state, met.evidence, met.closed_by) == (ConditionState.MET, "제출 완료", ministry)
    assert refusal(lambda: stages.condition_transition(actor=ministry2, condition=condition, action="meet",
                                                       evidence="다시")) == ["This condition is already closed."]
    condition.refresh_from_db()
    assert (condition.evidence, condition.closed_by) == ("제출 완료", ministry)
    assert [(e.actor, e.before, e.after) for e in AuditEvent.objects.filter(action="condition")] == [
        (ministry, {"state": "open"}, {"state": "met", "evidence": "제출 완료"})]
