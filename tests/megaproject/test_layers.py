"""The layers of pyproject.toml hold for what import-linter cannot see: model relations and
string references ("app.Model", apps.get_model, import_string) — and a deliberate upward
import makes `lint-imports` fail."""

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
LAYERS = next(c for c in CONFIG["contracts"] if c["type"] == "layers")["layers"]
# Lowest layer first: a package may point at its own index or a lower one.
RANK = {package: index for index, package in enumerate(reversed(LAYERS))}


def test_every_top_level_package_of_the_portal_sits_in_exactly_one_layer():
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert sorted(packages) == sorted(CONFIG["root_packages"]) == sorted(LAYERS)


def _relations():
    for model in apps.get_models(include_auto_created=True):
        package = model.__module__.split(".")[0]
        if package not in RANK:
            continue
        for field in [*model._meta.fields, *model._meta.many_to_many]:  # forward relations only
            if field.is_relation and field.related_model is not None:
                yield model, field, field.related_model


def test_no_model_relation_points_at_a_higher_layer():
    # The one accepted exception: "who did it" columns to the swappable user model
    # (settings.AUTH_USER_MODEL), as Django's own apps do.
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    upward = []
    for model, field, target in _relations():
        target_package = target.__module__.split(".")[0]
        if target is user_model or target_package not in RANK:
            continue
        if RANK[target_package] > RANK[model.__module__.split(".")[0]]:
            upward.append(f"{model._meta.label}.{field.name} → {target._meta.label}")
    assert upward == []


def test_the_relation_check_sees_relations():
    # A check that found nothing to check would pass for nothing.
    labels = {f"{m._meta.label}.{f.name}" for m, f, _t in _relations()}
    assert {"accounts.User.region", "funding.FundingDecision.proposal", "projects.Project.proposal"} <= labels


def _app_of_label(label: str) -> str | None:
    """The top-level package of the app whose label is `label`."""
    try:
        return apps.get_app_config(label).module.__name__.split(".")[0]
    except LookupError:
        return None


def _string_references(path: Path):
    """("app.Model" constants, get_model/import_string arguments) of one source file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in {"get_model", "import_string"} and node.args:
                args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if name == "get_model" and len(args) == 2:
                    yield node.lineno, f"{args[0]}.{args[1]}"
                elif args:
                    yield node.lineno, args[0]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            parts = node.value.split(".")
            if len(parts) == 2 and parts[0].isidentifier() and parts[1][:1].isupper() and parts[1].isidentifier():
                yield node.lineno, node.value


def test_no_string_reference_points_at_a_higher_layer():
    upward = []
    for package in RANK:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue  # migrations are history: they name the models as they were
            for line, reference in _string_references(path):
                first = reference.split(".")[0]
                target = first if first in RANK else _app_of_label(first)
                if target in RANK and RANK[target] > RANK[package]:
                    upward.append(f"{path.relative_to(ROOT)}:{line} {reference}")
    assert upward == []


def test_the_string_check_sees_string_references():
    found = [ref for _line, ref in _string_references(ROOT / "funding" / "models.py")]
    assert "proposals.Proposal" in found


@pytest.mark.skipif(shutil.which("lint-imports", path=str(Path(sys.executable).parent)) is None,
                    reason="import-linter is installed by `make test`")
def test_an_upward_import_breaks_the_contracts(tmp_path):
    """Copy the packages, hide an upward import inside a function of programmes, and lint."""
    for package in [*CONFIG["root_packages"]]:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    lint = str(Path(sys.executable).parent / "lint-imports")
    clean = subprocess.run([lint], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert clean.returncode == 0, clean.stdout[-2000:]
    with (tmp_path / "programmes" / "services.py").open("a") as f:
        f.write("\n\ndef _sneaky():\n    from funding.models import FundingDecision\n\n    return FundingDecision\n")
    broken = subprocess.run([lint], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert broken.returncode != 0
    assert "programmes.services -> funding.models" in broken.stdout
