"""Verification of a generated document by the code printed on it (`/verify/<code>`).

Each domain app registers a verifier in its `AppConfig.ready()`:
`register_verifier(fn)`, where `fn(code)` gets the code (trimmed, upper case) and
returns a `Verified` — the template fragment showing the document's main facts and
its context — or None when the code is not one of its ready documents.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Verified:
    template: str
    context: dict = field(default_factory=dict)


Verifier = Callable[[str], Verified | None]

_verifiers: list[Verifier] = []


def register_verifier(verifier: Verifier) -> Verifier:
    """Add a verifier (once; usable as a decorator)."""
    if verifier not in _verifiers:
        _verifiers.append(verifier)
    return verifier


def verify(code: str) -> Verified | None:
    """What the page shows for `code`: the first verifier's answer, or None."""
    code = code.strip().upper()
    for verifier in _verifiers:
        found = verifier(code)
        if found is not None:
            return found
    return None
