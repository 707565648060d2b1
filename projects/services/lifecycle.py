"""A project opens when its funding decision is approved; its stages never run past
the call's maximum total years (ten by default).

The lives of a project and of its stages, each a table of moves beside one
transition function (as proposals.services.lifecycle):

- a stage is added running (`stage_add`: the pilot when the project opens, each
  later stage when its plan is approved), is under evaluation once a stage round
  takes it in, and is closed when the round decides its outcome;
- a project is active until a stage evaluation terminates it (from its wind-down
  date on, no reports or funding).

The move is allowed from the current state → the actor has its permission → the
write (update_fields). Both models are watched by the audit trail (every change of
state is recorded with its actor), and the service that makes the move records its
own event beside it (the round opened, the outcome decided, the plan approved).
Nothing else sets a stage's state or a project's status.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.moves import Move, check_move, move_of
from core.permissions import require

from ..models import Project, ProjectStage, ProjectStatus, StageState


def total_years(project: Project, *, stages=None) -> int:
    stages = list(project.stages.all()) if stages is None else stages
    return sum(s.years for s in stages)


def max_years(project: Project) -> int:
    return project.proposal.call.max_total_years


def remaining_years(project: Project) -> int:
    return max_years(project) - total_years(project)


# Outcomes (papers, patents, ...) keep being reported for this many years after the project ends.
OUTCOME_YEARS_AFTER_END = 5


def end_year(project: Project, *, stages=None) -> int:
    """The project's last year: the end of its last stage, or a terminated project's wind-down year."""
    stages = list(project.stages.all()) if stages is None else stages
    last = max((s.end_year for s in stages), default=project.start_year)
    if project.status != ProjectStatus.ACTIVE and project.wind_down_on:
        last = min(last, project.wind_down_on.year)
    return last


def outcome_years_until(project: Project, *, stages=None) -> int:
    """The last year for which (and in which) the project's outcomes are still reported."""
    return end_year(project, stages=stages) + OUTCOME_YEARS_AFTER_END


def check_ten_year_rule(project: Project, *, adding_years: int) -> None:
    """Refuse any plan that takes the project past the call's maximum total years."""
    used = total_years(project)
    limit = max_years(project)
    if adding_years < 1:
        raise ValidationError({"years": _("A stage lasts at least one year.")})
    if used + adding_years > limit:
        raise ValidationError({"years": _(
            "The project already has %(used)s years; %(adding)s more would make %(total)s, beyond the limit of "
            "%(limit)s years in total. At most %(left)s more year(s) can be planned.") % {
            "used": used, "adding": adding_years, "total": used + adding_years, "limit": limit,
            "left": max(0, limit - used)}})


@transaction.atomic
def open_on_approval(sender, *, decision, **kwargs) -> None:
    """Receiver of funding's `decision_approved`: the approval opens the project."""
    project_open(decision=decision)


def project_open(*, decision) -> Project:
    """Called when a funding decision is approved: the project and its pilot stage.
    Idempotent (a re-approved later version keeps the same project)."""
    proposal = decision.proposal
    project, created = Project.objects.get_or_create(proposal=proposal, defaults={"start_year": proposal.start_year})
    if created:
        pilot = proposal.stages.filter(order=1).first()
        stage_add(project=project, number=1, start_year=proposal.start_year, years=proposal.call.pilot_years,
                  goals=pilot.goals if pilot else "")
    return project


# --- A stage's moves ------------------------------------------------------------------------------

St = StageState

STAGE_MOVES = {
    # A stage round takes the stage in (projects.services.stages.round_open).
    "evaluate": Move(St.EVALUATING.label, frozenset({St.RUNNING}), St.EVALUATING, "projects.manage_stage_rounds",
                     gettext_lazy("This stage is “%(state)s”: only a running stage is taken into a stage "
                                  "evaluation.")),
    # An evaluation's outcome closes the stage (projects.services.stages.stage_decide): normally one
    # under evaluation; a special evaluation outside a round may decide on a running or a closed one.
    "close": Move(St.CLOSED.label, frozenset({St.EVALUATING, St.RUNNING, St.CLOSED}), St.CLOSED,
                  "projects.decide_stage"),
}


def stage_add(*, project: Project, number: int, start_year: int, years: int, goals: str = "") -> ProjectStage:
    """A new stage of the project, running: the pilot when the project opens, a later stage
    when its plan is approved (the callers check the approval and the ten-year rule)."""
    return ProjectStage.objects.create(project=project, number=number, start_year=start_year, years=years,
                                       goals=goals, state=St.RUNNING)


@transaction.atomic
def stage_transition(*, actor, stage: ProjectStage, action: str) -> ProjectStage:
    move = move_of(STAGE_MOVES, action)
    stage = ProjectStage.objects.select_for_update().get(pk=stage.pk)
    check_move(move, actor=actor, obj=stage)
    if stage.state != move.target:  # closing a closed stage writes nothing
        stage.state = move.target
        stage.save(update_fields=["state"])
    return stage


# --- A project's moves ----------------------------------------------------------------------------

PROJECT_MOVES = {
    # A stage evaluation's outcome ends the project after its wind-down date.
    "terminate": Move(ProjectStatus.TERMINATED.label, frozenset({ProjectStatus.ACTIVE}), ProjectStatus.TERMINATED,
                      "projects.decide_stage",
                      gettext_lazy("This project is “%(status)s”: no further reports, plans or funding.")),
}


@transaction.atomic
def project_transition(*, actor, project: Project, action: str,
                       wind_down_on: datetime.date | None = None) -> Project:
    move = move_of(PROJECT_MOVES, action)
    project = Project.objects.select_for_update().get(pk=project.pk)
    # A project has a status, not a state: the same check as core.moves.check_move.
    if project.status not in move.sources:
        raise ValidationError(str(move.not_now) % {"status": project.get_status_display()})
    require(actor, move.permission, project)
    project.status = move.target
    project.wind_down_on = wind_down_on
    project.save(update_fields=["status", "wind_down_on"])
    return project


def require_running(project: Project) -> None:
    if project.status != ProjectStatus.ACTIVE:
        raise ValidationError(_("This project is “%(status)s”: no further reports, plans or funding.") % {
            "status": project.get_status_display()})
