"""Stage evaluations: staff open a round for a call's projects at the end of a
stage, with its own rubric; experts are assigned and score through the
evaluations app (the same conflict-of-interest checks, blind scoring and
aggregation); staff decide each project's outcome from the scores."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import AuditAction, record
from core.moves import Move, check_move, move_of
from core.permissions import require
from evaluations.models import Assignment, AssignmentKind, Score, ScoresheetState
from evaluations.services import aggregation
from programmes.services import stage_rubric_create, validate_rubric_weights

from ..models import (
    Condition,
    ConditionState,
    Outcome,
    PlanState,
    PlanYear,
    Project,
    ProjectStatus,
    RoundState,
    StageEvaluation,
    StagePlan,
    StageRound,
    StageState,
)
from ..selectors import stage_evaluation_of
from . import goodfaith
from .lifecycle import project_transition, remaining_years, stage_transition

# The default rubric of a stage evaluation (staff may change it when opening a round).
DEFAULT_RUBRIC = [
    {"name_ko": "목표 달성도", "name_en": "Achievement of goals", "weight": 35, "max_score": 10},
    {"name_ko": "예산 집행의 적정성", "name_en": "Budget execution", "weight": 20, "max_score": 10},
    {"name_ko": "다음 단계 계획의 타당성", "name_en": "Plan for the next stage", "weight": 25, "max_score": 10},
    {"name_ko": "지역 주도성", "name_en": "Regional ownership", "weight": 20, "max_score": 10},
]


def projects_due(*, call, stage_number: int):
    """The call's running projects whose stage `stage_number` exists and is not yet evaluated."""
    return (Project.objects.filter(proposal__call=call, status=ProjectStatus.ACTIVE,
                                   stages__number=stage_number, stages__state=StageState.RUNNING)
            .select_related("proposal").order_by("proposal_id"))


@transaction.atomic
def round_open(*, actor, call, stage_number: int, title: str, year: int, envelope_won: int,
               next_stage_years: int = 3, panel_size: int = 5, criteria=None, projects=None,
               excellent_from=None, insufficient_below=None, scores_due_on=None) -> StageRound:
    require(actor, "projects.manage_stage_rounds")
    criteria = criteria if criteria is not None else DEFAULT_RUBRIC
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the round a title.")
    if envelope_won is None or envelope_won < 0:
        errors["envelope_won"] = _("Amounts cannot be negative.")
    if not 1 <= (next_stage_years or 0) <= call.max_total_years:
        errors["next_stage_years"] = _("Between 1 and %(n)s years.") % {"n": call.max_total_years}
    grading = {name: value for name, value in (("excellent_from", excellent_from),
                                               ("insufficient_below", insufficient_below)) if value is not None}
    if grading:  # the grade thresholds (defaults 80 and 60), validated as the model says
        try:
            StageRound(call=call, title=title or "-", year=year, envelope_won=max(envelope_won or 0, 0),
                       opened_by=actor, **grading).full_clean(exclude=["call", "opened_by"])
        except ValidationError as exc:
            errors.update({k: v for k, v in exc.message_dict.items() if k in grading})
    if StageRound.objects.filter(call=call, stage_number=stage_number).exists():
        errors["stage_number"] = _("This stage of this call already has an evaluation round.")
    if errors:
        raise ValidationError(errors)
    validate_rubric_weights([c["weight"] for c in criteria])
    chosen = list(projects_due(call=call, stage_number=stage_number))
    if projects is not None:
        wanted = {p.pk for p in projects}
        chosen = [p for p in chosen if p.pk in wanted]
    if not chosen:
        raise ValidationError(_("No running project of this call is at the end of stage %(n)s.") % {"n": stage_number})
    rnd = StageRound.objects.create(call=call, stage_number=stage_number, title=title.strip(), year=year,
                                    envelope_won=envelope_won, next_stage_years=next_stage_years,
                                    panel_size=panel_size, scores_due_on=scores_due_on, opened_by=actor, **grading)
    stage_rubric_create(call=call, stage_number=stage_number, criteria=criteria)
    for project in chosen:
        stage = project.stages.get(number=stage_number)
        StageEvaluation.objects.create(round=rnd, project=project, stage=stage)
        stage_transition(actor=actor, stage=stage, action="evaluate")
    record(actor=actor, action="stage_round", obj=rnd, summary=rnd.title,
           after={"state": rnd.state, "projects": [p.proposal.title_ko for p in chosen],
                  "envelope_won": rnd.envelope_won, "criteria": [(c["name_ko"], c["weight"]) for c in criteria]})
    return rnd


@transaction.atomic
def stage_assign(*, actor, evaluation: StageEvaluation, expert) -> Assignment:
    """An expert on the project's stage panel, through the evaluations app's one
    assignment function (conflicts of interest checked there)."""
    from evaluations.services.panels import panel_assign

    require(actor, "projects.manage_stage_rounds")
    # Read (and lock) the evaluation again: a caller's copy may predate the outcome.
    evaluation = StageEvaluation.objects.select_for_update().select_related("round", "project__proposal").get(
        pk=evaluation.pk)
    return panel_assign(actor=actor, proposal=evaluation.project.proposal, expert=expert,
                        kind=AssignmentKind.STAGE, stage_number=evaluation.round.stage_number, subject=evaluation)


# --- The round's panels by the optimal plan (evaluations.services.panels.panel_plan) ---------


def round_panel_plan(*, rnd: StageRound, mode: str = "total", max_load: int | None = None):
    """The optimal plan of the round's undecided panels: the call's plan (the same solver,
    conflicts, exclusions, coaching bar, this app's rules for stage assignments, composition
    rules, load and modes) for the projects' proposals, kind stage at the round's stage, each
    panel filled to the round's panel size (existing stage assignments count, as do the
    experts' loads in this round). Read-only: staff review it, then `round_panels_confirm`."""
    from evaluations.services.panels import panel_plan

    evaluations = list(rnd.evaluations.filter(outcome="").select_related("round", "project__proposal")
                       .order_by("project__proposal_id"))
    return panel_plan(call=rnd.call, proposals=[e.project.proposal for e in evaluations], kind=AssignmentKind.STAGE,
                      stage_number=rnd.stage_number, size=rnd.panel_size, mode=mode, max_load=max_load,
                      subjects={e.project.proposal_id: e for e in evaluations})


@transaction.atomic
def round_panels_confirm(*, actor, rnd: StageRound, signature: str, mode: str = "total",
                         max_load: int | None = None) -> list[Assignment]:
    """Assign the plan staff reviewed (`signature`): refused if anything changed since, or if
    any panel cannot be filled (nothing assigned then); recorded and the experts told, as
    `stage_assign` does."""
    from evaluations.services.panels import panel_plan_confirm

    require(actor, "projects.manage_stage_rounds")
    # Lock the round and its evaluations so two confirmations (or a hand assignment) cannot interleave.
    rnd = StageRound.objects.select_for_update().select_related("call").get(pk=rnd.pk)
    list(StageEvaluation.objects.select_for_update().filter(round=rnd).values_list("pk"))
    plan = round_panel_plan(rnd=rnd, mode=mode, max_load=max_load)
    subjects = {e.project.proposal_id: e for e in rnd.evaluations.select_related("round", "project__proposal")}
    created = panel_plan_confirm(actor=actor, call=rnd.call, plan=plan, signature=signature, subjects=subjects)
    for assignment in created:
        record(actor=actor, action=AuditAction.PANEL_ASSIGN, obj=assignment,
               after={"expert": assignment.expert, "kind": assignment.kind})
    return created


# --- The rules of a stage assignment, registered with evaluations.hooks (apps.py) ----------


def stage_assignable(*, proposal, stage_number, subject=None) -> None:
    """A stage evaluation's panel changes until its outcome is decided and its round closed.
    `subject` is the evaluation the caller read (and locked); else it is looked up."""
    evaluation = subject if subject is not None else stage_evaluation_of(proposal_id=proposal.pk,
                                                                         stage_number=stage_number)
    if (evaluation is None or evaluation.project.proposal_id != proposal.pk
            or evaluation.round.stage_number != stage_number):
        raise ValidationError(_("Choose the stage evaluation."))
    if evaluation.is_decided or evaluation.round.state == RoundState.CLOSED:
        raise ValidationError(_("This stage evaluation is decided; its panel can no longer change."))


def stage_scoring_open(*, assignment) -> None:
    """A stage assignment is scored while its round is scoring and its outcome undecided."""
    evaluation = stage_evaluation_of(proposal_id=assignment.proposal_id, stage_number=assignment.stage_number)
    if evaluation is None or evaluation.is_decided or evaluation.round.state != RoundState.SCORING:
        raise ValidationError(_("This stage evaluation is not open for scoring."))


def stage_scores_due(*, assignment):
    """The day a stage assignment's scores are due: its round's, if the round sets one
    (evaluations.hooks `due`: the expert's scoring to-do shows it)."""
    evaluation = stage_evaluation_of(proposal_id=assignment.proposal_id, stage_number=assignment.stage_number)
    return evaluation.round.scores_due_on if evaluation is not None else None


def round_start_scoring(*, actor, rnd: StageRound) -> StageRound:
    return round_transition(actor=actor, rnd=rnd, action="start_scoring")


# --- The round's moves ------------------------------------------------------------------------
#
# The table of moves beside one transition function, as proposals.services.lifecycle:
# the move is allowed from the round's state → the actor has its permission → the
# move's guards → the write (update_fields) → the audit record ("stage_round") → who is
# told. Nothing else sets a round's state. A round is opened preparing (round_open);
# nothing closes a round yet: RoundState.CLOSED is read by the rules (a closed round's
# panels no longer change), and a closing move belongs in this table when one is built.

RS = RoundState


def _guard_every_project_has_an_evaluator(rnd: StageRound) -> None:
    seated = set(rnd.assignments.filter(conflict_declared=False).values_list("proposal_id", flat=True))
    empty = [e.project.title for e in rnd.evaluations.select_related("project__proposal")
             if e.project.proposal_id not in seated]
    if empty:
        raise ValidationError(_("Assign experts first: %(titles)s has no evaluator.") % {"titles": ", ".join(empty)})


def _tell_the_experts_scoring_started(rnd: StageRound) -> None:
    from accounts.services import notify

    experts = {a.expert for a in rnd.assignments.select_related("expert")}
    notify(users=experts, url="/evaluations/assignments/",
           message=_("Stage evaluation “%(title)s” is open for scoring.") % {"title": rnd.title})


@dataclass(frozen=True)
class RoundMove(Move):
    guards: tuple = field(default=())  # guard(round): raises ValidationError
    then: tuple = field(default=())  # then(round): who is told, inside the transaction


ROUND_MOVES = {
    "start_scoring": RoundMove(gettext_lazy("Start scoring"), frozenset({RS.PREPARING}), RS.SCORING,
                               "projects.manage_stage_rounds", gettext_lazy("Scoring has already started."),
                               guards=(_guard_every_project_has_an_evaluator,),
                               then=(_tell_the_experts_scoring_started,)),
}


@transaction.atomic
def round_transition(*, actor, rnd: StageRound, action: str) -> StageRound:
    move = move_of(ROUND_MOVES, action)
    rnd = StageRound.objects.select_for_update().get(pk=rnd.pk)
    check_move(move, actor=actor, obj=rnd)
    for guard in move.guards:
        guard(rnd)
    before = rnd.state
    rnd.state = move.target
    rnd.save(update_fields=["state"])
    record(actor=actor, action="stage_round", obj=rnd, summary=rnd.title, before={"state": before},
           after={"state": rnd.state})
    for step in move.then:
        step(rnd)
    return rnd


def round_criteria(rnd: StageRound) -> list:
    return list(rnd.criteria.all())


def round_results(rnd: StageRound) -> dict:
    """{evaluation id: aggregation.ProposalResult} from the submitted stage scoresheets —
    the same aggregation as the selection's ranking (evaluators never named)."""
    criteria = round_criteria(rnd)
    crit = [aggregation.Criterion(id=c.pk, weight=c.weight, max_score=c.max_score) for c in criteria]
    sheets: dict = {}
    # The round's sheets, each with its evaluation (the round's one of the assignment's project).
    evaluation_id = "scoresheet__assignment__proposal__project__evaluations__id"
    for s in (Score.objects.filter(scoresheet__assignment__kind=AssignmentKind.STAGE,
                                   scoresheet__assignment__stage_number=rnd.stage_number,
                                   scoresheet__assignment__proposal__project__evaluations__round=rnd,
                                   scoresheet__state=ScoresheetState.SUBMITTED,
                                   scoresheet__assignment__conflict_declared=False)
              .values("scoresheet_id", "scoresheet__assignment__expert_id", evaluation_id, "criterion_id", "value")):
        key = s["scoresheet_id"]
        sheet = sheets.setdefault(key, aggregation.Sheet(
            expert_id=s["scoresheet__assignment__expert_id"], proposal_id=s[evaluation_id], values={}))
        sheet.values[s["criterion_id"]] = s["value"]
    return aggregation.aggregate(list(sheets.values()), crit)


def _parse_date(value, field, errors):
    if isinstance(value, datetime.date) or value is None:
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[field] = _("Enter a date as YYYY-MM-DD.")
        return None


@transaction.atomic
def stage_decide(*, actor, evaluation: StageEvaluation, outcome: str, panel_comment: str, reason: str,
                 conditions=(), wind_down_on=None) -> StageEvaluation:
    """Continue, continue with conditions, or terminate — decided from the scores.
    Continuing opens the next stage's plan (within the ten-year limit);
    terminating stops the project's reports and funding after the wind-down date."""
    require(actor, "projects.decide_stage", evaluation)
    evaluation = StageEvaluation.objects.select_for_update().select_related(
        "round", "project__proposal__call", "stage").get(pk=evaluation.pk)
    project = Project.objects.select_for_update().get(pk=evaluation.project_id)
    errors = {}
    if evaluation.is_decided:
        raise ValidationError(_("This stage evaluation was already decided (%(outcome)s).") % {
            "outcome": evaluation.get_outcome_display()})
    if evaluation.round.state != RoundState.SCORING:
        raise ValidationError(_("Decide once scoring has started."))
    if outcome not in Outcome.values:
        errors["outcome"] = _("Choose an outcome.")
    results = round_results(evaluation.round).get(evaluation.pk)
    if results is None or results.evaluators == 0:
        raise ValidationError(_("No evaluator has submitted scores yet; the outcome is decided from the scores."))
    if not reason.strip():
        errors["reason"] = _("Give the reason for the outcome; the regions read it.")
    conditions = [c for c in conditions if (c.get("text") or "").strip()]
    parsed = []
    for i, c in enumerate(conditions):
        parsed.append((c["text"].strip(), _parse_date(c.get("due_on") or None, f"condition-{i}", errors)))
    if outcome == Outcome.CONDITIONS and not parsed:
        errors["conditions"] = _("State at least one condition.")
    if outcome != Outcome.CONDITIONS and parsed:
        errors["conditions"] = _("Conditions belong to “continue with conditions” only.")
    wind_down = _parse_date(wind_down_on or None, "wind_down_on", errors)
    if outcome == Outcome.TERMINATE and wind_down is None and "wind_down_on" not in errors:
        errors["wind_down_on"] = _("Give the wind-down date.")
    if outcome == Outcome.TERMINATE:  # an insufficient grade is checked for good faith first
        try:
            goodfaith.check_termination_allowed(evaluation, results.trimmed_mean)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if outcome in (Outcome.CONTINUE, Outcome.CONDITIONS) and remaining_years(project) < 1:
        errors["outcome"] = _("The project has used all %(n)s years; it cannot continue.") % {
            "n": project.proposal.call.max_total_years}
    if errors:
        raise ValidationError(errors)
    evaluation.outcome = outcome
    evaluation.panel_comment = panel_comment.strip()
    evaluation.outcome_reason = reason.strip()
    evaluation.wind_down_on = wind_down if outcome == Outcome.TERMINATE else None
    evaluation.decided_by = actor
    evaluation.decided_at = timezone.now()
    evaluation.save()
    stage_transition(actor=actor, stage=evaluation.stage, action="close")
    record(actor=actor, action="stage_outcome", obj=evaluation, summary=project.proposal.title_ko,
           after={"outcome": outcome, "reason": evaluation.outcome_reason, "conditions": [t for t, _d in parsed],
                  "wind_down_on": evaluation.wind_down_on,
                  "score_mean": results.mean, "score_trimmed_mean": results.trimmed_mean})
    Condition.objects.bulk_create([Condition(evaluation=evaluation, text=t, due_on=d) for t, d in parsed])
    if outcome == Outcome.TERMINATE:
        project = project_transition(actor=actor, project=project, action="terminate", wind_down_on=wind_down)
        # Any plan not yet approved is void.
        StagePlan.objects.filter(project=project).exclude(state=PlanState.APPROVED).delete()
    else:
        _open_plan(evaluation, project)
    from accounts.services import notify
    from proposals.selectors import officials_of

    notify(users=officials_of(project.proposal), url=f"/projects/{project.pk}/",
           message=_("Stage evaluation of “%(title)s”: %(outcome)s.") % {
               "title": project.proposal.title_ko, "outcome": evaluation.get_outcome_display()})
    return evaluation


def _open_plan(evaluation: StageEvaluation, project: Project) -> StagePlan:
    """The next stage's plan, to be drafted by the regions: as long as the round
    proposes, never beyond the ten-year limit."""
    years = min(evaluation.round.next_stage_years, remaining_years(project))
    start = evaluation.stage.end_year + 1
    plan = StagePlan.objects.create(evaluation=evaluation, project=project, stage_number=evaluation.stage.number + 1,
                                    start_year=start, years=years)
    regions = [p.region_id for p in project.proposal.participations.all()]
    PlanYear.objects.bulk_create([PlanYear(plan=plan, region_id=r, year=y)
                                  for y in plan.year_list for r in regions])
    return plan


def condition_close(*, actor, condition: Condition, evidence: str) -> Condition:
    return condition_transition(actor=actor, condition=condition, action="meet", evidence=evidence)


# --- A condition's move: open → met, with the evidence ------------------------------------
#
# The same shape: the table (one move) beside one transition function; nothing else
# sets a condition's state.

CONDITION_MOVES = {
    "meet": Move(gettext_lazy("Close the condition"), frozenset({ConditionState.OPEN}), ConditionState.MET,
                 "projects.close_condition", gettext_lazy("This condition is already closed.")),
}


@transaction.atomic
def condition_transition(*, actor, condition: Condition, action: str, evidence: str = "") -> Condition:
    move = move_of(CONDITION_MOVES, action)
    condition = Condition.objects.select_for_update().get(pk=condition.pk)
    check_move(move, actor=actor, obj=condition)
    if not evidence.strip():
        raise ValidationError({"evidence": _("Record how the condition was met.")})
    before = condition.state
    condition.state = move.target
    condition.evidence = evidence.strip()
    condition.closed_by = actor
    condition.closed_at = timezone.now()
    condition.save(update_fields=["state", "evidence", "closed_by", "closed_at"])
    record(actor=actor, action="condition", obj=condition, summary=condition.text[:200],
           before={"state": before}, after={"state": condition.state, "evidence": condition.evidence})
    return condition


def open_conditions(project: Project):
    return Condition.objects.filter(evaluation__project=project, state=ConditionState.OPEN)
