"""Rules a higher app adds for its own kind of assignment.

The evaluations app assigns experts, checks conflicts of interest and keeps the
scoresheets for every kind of assignment. What a kind means beyond that (for a
funded project's stage evaluation: which evaluation, whether it is decided, whether
its round is scoring, what the evaluator reads) belongs to the app that owns it,
which registers its callbacks here from its `AppConfig.ready()`:

    hooks.register(AssignmentKind.STAGE, assignable=..., scoring_open=..., page_context=...)

- `assignable(*, proposal, stage_number, subject)` raises ValidationError when the
  assignment cannot be made (`subject` is the caller's own object, handed through
  untouched, or None);
- `scoring_open(*, assignment)` raises ValidationError when the assignment cannot be
  scored now;
- `page_context(*, assignment)` returns extra context for the expert's assignment
  page (a `side_template` to include there and what that template reads);
- `due(*, assignment)` returns the day the assignment's scores are due, or None.

A kind with no callback registered is not refused by it; a kind that needs one
(see `REQUIRES_HOOKS`) is refused while none is registered.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import AssignmentKind

# Kinds that mean nothing without their owner's rules.
REQUIRES_HOOKS = {AssignmentKind.STAGE}


@dataclass(frozen=True)
class KindHooks:
    assignable: Callable | None = None
    scoring_open: Callable | None = None
    page_context: Callable | None = None
    due: Callable | None = None


_registry: dict[str, KindHooks] = {}


def register(kind: str, *, assignable: Callable | None = None, scoring_open: Callable | None = None,
             page_context: Callable | None = None, due: Callable | None = None) -> None:
    """Register (or replace) the callbacks of one kind of assignment."""
    _registry[str(kind)] = KindHooks(assignable=assignable, scoring_open=scoring_open, page_context=page_context,
                                     due=due)


def registered(kind: str) -> KindHooks | None:
    """The callbacks registered for this kind of assignment, if any."""
    return _registry.get(str(kind))


def _hooks(kind: str) -> KindHooks | None:
    hooks = registered(kind)
    if hooks is None and kind in REQUIRES_HOOKS:
        raise ValidationError(_("Unknown kind of assignment."))
    return hooks


def check_assignable(*, kind: str, proposal, stage_number: int | None, subject=None) -> None:
    hooks = _hooks(kind)
    if hooks is not None and hooks.assignable is not None:
        hooks.assignable(proposal=proposal, stage_number=stage_number, subject=subject)


def check_scoring_open(*, assignment) -> None:
    hooks = _hooks(assignment.kind)
    if hooks is not None and hooks.scoring_open is not None:
        hooks.scoring_open(assignment=assignment)


def page_context(*, assignment) -> dict:
    hooks = registered(assignment.kind)
    if hooks is None or hooks.page_context is None:
        return {}
    return hooks.page_context(assignment=assignment)
