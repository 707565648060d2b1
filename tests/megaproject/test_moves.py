"""Every stateful model changes state through its table of moves: over the portal's source,
only the one transition function of each lifecycle writes a `state` or `status`.

Read from the source (the syntax tree, so a comment or a string never counts): an
assignment to `<anything>.state` / `.status` (also in a tuple or augmented), a queryset
`update(state=…)` / `update(status=…)`, `setattr(…, "state"/"status", …)` and a
`bulk_update(…, [… "state" …])`. Scanned: every package of the import contracts
(pyproject.toml), without migrations and without the demo data (`demo.py` of each app:
seeding writes the states of its stories directly, as the benchmarks' `bench/` seeds do,
which is no app package). Creating a row in its first state (`Model(state=…)`) is not a move.
"""

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]
FIELDS = {"state", "status"}

# module → its transition functions: the only places a state or status is written.
TRANSITIONS = {
    "core/documents/models.py": {"document_transition"},  # generated documents and export jobs (system moves)
    "programmes/services.py": {"call_change_status"},  # a call: Call.allowed_statuses is its table
    "proposals/services/lifecycle.py": {"proposal_transition"},
    "evaluations/services/scoring.py": {"scoresheet_transition"},
    "evaluations/services/objections.py": {"objection_transition"},
    "funding/services/decisions.py": {"decision_transition"},
    "projects/services/lifecycle.py": {"stage_transition", "project_transition"},
    "projects/services/plans.py": {"plan_transition"},
    "projects/services/reports.py": {"report_transition"},
    "projects/services/stages.py": {"round_transition", "condition_transition"},
    "projects/services/goodfaith.py": {"good_faith_transition"},
    "public_pages/boards.py": {"question_transition"},  # a question on a call's board (a notice has no state)
    "projects/services/outcomes.py": {"outcome_transition"},  # an outcome record: reported → confirmed / rejected
    "agreements/services/lifecycle.py": {"agreement_transition", "_enforce"},  # _enforce: the last acceptance's move
    "agreements/services/amendments.py": {"amendment_transition"},
    "agreements/services/payments.py": {"carry_over_transition"},  # a carry-over: requested → approved / refused
    # --- settlement --- a year's settlement: SETTLEMENT_MOVES (propose, accept, dispute, confirm, close)
    "agreements/services/settlement.py": {"settlement_transition"},
    # A candidate theme leaves "candidate" once, selected or dropped: THEME_MOVES beside theme_transition.
    "proposals/services/themes.py": {"theme_transition"},
    # --- feasibility --- a feasibility review of a candidate theme: MOVES is its table (save, submit, return)
    "evaluations/services/feasibility.py": {"review_transition"},
}


def _is_literal_field(node) -> bool:
    return isinstance(node, ast.Constant) and node.value in FIELDS


def writes(source: str) -> list[tuple[str | None, int, str]]:
    """(enclosing function, line, code) of every state/status write in `source`."""
    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            hit = False
            if isinstance(child, ast.Assign | ast.AugAssign | ast.AnnAssign):
                targets = child.targets if isinstance(child, ast.Assign) else [child.target]
                hit = any(isinstance(n, ast.Attribute) and n.attr in FIELDS for t in targets for n in ast.walk(t))
            elif isinstance(child, ast.Call):
                name = child.func.attr if isinstance(child.func, ast.Attribute) else getattr(child.func, "id", "")
                if name == "update":
                    hit = any(k.arg in FIELDS for k in child.keywords)
                elif name == "setattr":
                    hit = len(child.args) > 1 and _is_literal_field(child.args[1])
                elif name == "bulk_update":
                    fields = child.args[1] if len(child.args) > 1 else next(
                        (k.value for k in child.keywords if k.arg == "fields"), None)
                    hit = fields is not None and any(_is_literal_field(n) for n in ast.walk(fields))
            if hit:
                found.append((inner, child.lineno, ast.unparse(child).splitlines()[0]))
            visit(child, inner)

    visit(ast.parse(source), None)
    return found


def scanned() -> list[Path]:
    return [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
            if "migrations" not in path.parts and path.name != "demo.py"]


def test_only_the_transition_functions_write_a_state_or_a_status():
    outside, seen = [], set()
    for path in scanned():
        module = path.relative_to(ROOT).as_posix()
        for function, line, code in writes(path.read_text()):
            if function in TRANSITIONS.get(module, ()):
                seen.add((module, function))
            else:
                outside.append(f"{module}:{line} in {function}(): {code}")
    assert outside == []
    # Each transition function named above is still there and still the one writer.
    assert seen == {(module, f) for module, functions in TRANSITIONS.items() for f in functions}


def test_the_scan_sees_every_kind_of_write():
    source = '''
def by_hand(sheet, rows, job, a, b):
    sheet.state = "submitted"
    a.status, b.x = "done", 1
    job.attempts += 1
    Scoresheet.objects.filter(pk=1).update(state="draft")
    ExportJob.objects.filter(pk=1).update(status="expired", file="")
    setattr(job, "status", "failed")
    Scoresheet.objects.bulk_update(rows, ["value", "state"])
    Score.objects.bulk_update(rows, fields=["status"])

def harmless(sheet, rows):
    if sheet.state == "draft":
        Scoresheet.objects.filter(state="draft").update(overall_comment="")
    Score.objects.bulk_update(rows, ["value", "comment"])
    return Scoresheet(state="draft")  # a row created in its first state
'''
    assert [(function, line) for function, line, _code in writes(source)] == [
        ("by_hand", 3), ("by_hand", 4), ("by_hand", 6), ("by_hand", 7), ("by_hand", 8), ("by_hand", 9),
        ("by_hand", 10)]


def test_the_demo_data_is_the_only_thing_left_out():
    left_out = {p.relative_to(ROOT).as_posix() for package in PACKAGES for p in (ROOT / package).rglob("*.py")
                if "migrations" not in p.parts} - {p.relative_to(ROOT).as_posix() for p in scanned()}
    assert left_out and all(Path(p).name == "demo.py" for p in left_out)
