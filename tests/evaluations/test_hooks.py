"""Evaluations sits below projects: no model of evaluations or programmes points at a
projects model, and no module of evaluations names projects. What a stage evaluation
adds (which evaluation, whether it is open, what the evaluator reads) reaches
evaluations through `evaluations.hooks`, registered by projects (tested with the stage
path in tests/projects/test_stages.py)."""

import ast
from pathlib import Path

from django.apps import apps

import evaluations
from evaluations import hooks
from evaluations.models import AssignmentKind

EVALUATIONS = Path(evaluations.__file__).resolve().parent


def test_no_evaluations_or_programmes_model_has_a_relation_to_projects():
    relations = {
        f"{model._meta.label}.{field.name}": field.related_model._meta.app_label
        for app in ("evaluations", "programmes")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        # Forward relations: the reverse accessors (programmes.Call.stage_rounds) are projects' keys.
        for field in [*model._meta.fields, *model._meta.many_to_many]
        if field.is_relation and field.related_model is not None
    }
    assert {"evaluations.Assignment.proposal", "programmes.RubricCriterion.stage_call"} <= set(relations)
    assert [name for name, app in relations.items() if app == "projects"] == []


def _names_of_projects(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "projects":
            yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "projects")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("projects"):
            yield node.lineno, node.value


def test_no_module_of_evaluations_imports_or_names_projects_not_even_inside_a_function():
    found = [f"{path.relative_to(EVALUATIONS)}:{line} {name}"
             for path in EVALUATIONS.rglob("*.py") if "migrations" not in path.parts
             for line, name in _names_of_projects(path)]
    assert found == []


def test_no_template_of_evaluations_includes_a_projects_template():
    found = [str(path.relative_to(EVALUATIONS)) for path in (EVALUATIONS / "templates").rglob("*.html")
             if '"projects/' in path.read_text()]
    assert found == []


def test_the_stage_kind_has_its_owner_s_rules_registered_at_start_up():
    stage = hooks.registered(AssignmentKind.STAGE)
    assert {name: getattr(stage, name).__module__ for name in ("assignable", "scoring_open", "page_context")} == {
        "assignable": "projects.services.stages", "scoring_open": "projects.services.stages",
        "page_context": "projects.selectors"}


def test_a_kind_without_rules_of_its_own_adds_no_page_context():
    class Selection:
        kind = AssignmentKind.EVALUATION

    assert hooks.page_context(assignment=Selection()) == {}
