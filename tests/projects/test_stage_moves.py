"""The lives of a project and its stages: a table of moves beside one transition function
each (projects.services.lifecycle). A stage is added running, is under evaluation once a
round takes it in, and closed when its outcome is decided; a project is active until an
outcome terminates it. A move not in the table is refused and changes nothing."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditAction, AuditEvent
from projects.models import Outcome, Project, ProjectStage, ProjectStatus, StageState
from projects.services import lifecycle

from .conftest import WIND_DOWN, YEAR, decide, stage_rows

pytestmark = pytest.mark.django_db


def stage_changes(stage: ProjectStage) -> list:
    """The audit trail's field changes of the stage's state."""
    return [(e.before, e.after) for e in AuditEvent.objects.filter(
        action=AuditAction.CHANGED, content_type=ContentType.objects.get_for_model(ProjectStage),
        object_id=str(stage.pk)).order_by("pk")]


def test_a_project_opens_with_its_pilot_running(project):
    assert stage_rows(project) == [(1, YEAR, 3, StageState.RUNNING)]


def test_a_round_takes_the_stage_in_and_the_outcome_closes_it(ready, project, ministry):
    stage = project.stages.get(number=1)
    assert stage.state == StageState.EVALUATING
    decide(ready, by=ministry, outcome=Outcome.CONTINUE)
    stage.refresh_from_db()
    assert stage.state == StageState.CLOSED
    assert [after for _before, after in stage_changes(stage)][-1]["state"] == StageState.CLOSED


def test_a_stage_under_evaluation_or_closed_is_not_taken_into_another_round(ready, project, ministry):
    stage = project.stages.get(number=1)
    with pytest.raises(ValidationError) as refused:
        lifecycle.stage_transition(actor=ministry, stage=stage, action="evaluate")
    assert refused.value.messages == [
        "This stage is “Under stage evaluation”: only a running stage is taken into a stage evaluation."]
    decide(ready, by=ministry, outcome=Outcome.CONTINUE)
    with pytest.raises(ValidationError) as refused:
        lifecycle.stage_transition(actor=ministry, stage=stage, action="evaluate")
    assert refused.value.messages == ["This stage is “Closed”: only a running stage is taken into a stage evaluation."]
    assert stage_rows(project)[0][3] == StageState.CLOSED


def test_closing_a_closed_stage_writes_nothing(ready, project, ministry):
    decide(ready, by=ministry, outcome=Outcome.CONTINUE)
    stage = project.stages.get(number=1)
    changes = stage_changes(stage)
    assert lifecycle.stage_transition(actor=ministry, stage=stage, action="close").state == StageState.CLOSED
    assert stage_changes(stage) == changes


def test_an_unknown_move_is_refused(project, ministry):
    stage = project.stages.get()
    with pytest.raises(ValidationError) as refused:
        lifecycle.stage_transition(actor=ministry, stage=stage, action="reopen")
    assert refused.value.messages == ["Unknown action."]
    with pytest.raises(ValidationError):
        lifecycle.project_transition(actor=ministry, project=project, action="complete")
    assert (stage_rows(project)[0][3], Project.objects.get(pk=project.pk).status) == (
        StageState.RUNNING, ProjectStatus.ACTIVE)


def test_only_staff_move_a_stage_or_a_project(project, official):
    stage = project.stages.get()
    with pytest.raises(PermissionDenied):
        lifecycle.stage_transition(actor=official, stage=stage, action="evaluate")
    with pytest.raises(PermissionDenied):
        lifecycle.project_transition(actor=official, project=project, action="terminate", wind_down_on=WIND_DOWN)
    assert (stage_rows(project)[0][3], Project.objects.get(pk=project.pk).status) == (
        StageState.RUNNING, ProjectStatus.ACTIVE)


def test_a_terminated_project_is_not_terminated_again(ready, project, ministry):
    decide(ready, by=ministry, outcome=Outcome.TERMINATE, wind_down_on=WIND_DOWN)
    project.refresh_from_db()
    assert (project.status, project.wind_down_on) == (ProjectStatus.TERMINATED, WIND_DOWN)
    with pytest.raises(ValidationError) as refused:
        lifecycle.project_transition(actor=ministry, project=project, action="terminate", wind_down_on=None)
    assert refused.value.messages == ["This project is “Terminated”: no further reports, plans or funding."]
    project.refresh_from_db()
    assert project.wind_down_on == WIND_DOWN


def test_the_table_names_every_state_a_stage_can_reach(project):
    targets = {move.target for move in lifecycle.STAGE_MOVES.values()}
    assert targets | {StageState.RUNNING} == set(StageState.values)
