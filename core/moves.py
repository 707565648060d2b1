"""A stateful model's table of moves: the shape every lifecycle shares.

Each app keeps its table beside one transition function (as
proposals.services.lifecycle does): the move is allowed from the current state →
the actor has its permission → the move's own guards → the write → the audit
record → what follows. `Move` is a table row; an app's own kind of row adds its
fields (guards, who-and-when stamps, what follows) by subclassing it.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .permissions import require


@dataclass(frozen=True)
class Move:
    label: str
    sources: frozenset  # the states it starts from
    target: str
    permission: str  # a permission name from the rules
    not_now: str = ""  # the refusal when the object is in another state (may name it: %(state)s)


def move_of(moves: dict, action: str) -> Move:
    """The table's move for `action`; an action it does not know is refused."""
    move = moves.get(action)
    if move is None:
        raise ValidationError(_("Unknown action."))
    return move


def check_move(move: Move, *, actor, obj, on=None) -> None:
    """The move starts from `obj`'s state (else `not_now`), and `actor` has its permission
    on `on` (the object itself by default; core.permissions.require says why when it can)."""
    if obj.state not in move.sources:
        raise ValidationError(str(move.not_now) % {"state": obj.get_state_display()})
    require(actor, move.permission, obj if on is None else on)
