"""The one permission check of the services: a permission name from the rules (the
vocabulary is registered by accounts.rules with django-rules) and the object.

Where the rules can say why a person is refused — the four-eyes rule: you prepared
this decision — they register the reason here (`explain_refusal`), and `require`
raises `Refused`, a PermissionDenied that carries the message for the page to show.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied

_REASONS: dict[str, list[tuple[Callable, str]]] = {}


class Refused(PermissionDenied):
    """A refusal the person is told about: `message` says why (a page shows it as an error)."""

    def __init__(self, perm: str, message: str):
        super().__init__(message)
        self.perm = perm
        self.message = message

    @property
    def messages(self) -> list[str]:
        return [self.message]


def explain_refusal(perm: str, applies: Callable, message) -> None:
    """When `perm` is refused and `applies(user, obj)` holds, the person reads `message`
    (a lazy translation: it is read in the language of the request)."""
    _REASONS.setdefault(perm, []).append((applies, message))


def _explained(user, perm: str, obj) -> str | None:
    for applies, message in _REASONS.get(perm, ()):
        if applies(user, obj):
            return str(message)
    return None


def refusal_reason(user, perm: str, obj=None) -> str | None:
    """Why `user` may not `perm` (`obj`), when the rules say; None when allowed or unexplained."""
    return None if user.has_perm(perm, obj) else _explained(user, perm, obj)


def require(user, perm: str, obj=None) -> None:
    """Raise PermissionDenied unless `user` has `perm` (on `obj`); `Refused` with the
    reason when the rules give one. For services."""
    if not user.has_perm(perm, obj):
        reason = _explained(user, perm, obj)
        if reason:
            raise Refused(perm, reason)
        raise PermissionDenied(perm)
