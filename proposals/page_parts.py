"""Notes that higher apps add to a proposal's page (the lower layer offers the registry; each app
registers a callable from its `AppConfig.ready()`):

    page_parts.register(part)

`part(*, user, proposal)` returns None or a dict with `template` (included at the top of the
page) and whatever that template reads, as `part.<name>`.

The proposal's origin section ("이 제안서의 기원", proposals.theme_parts) has a slot of its own for the
government's feasibility advice on the themes it grew from (evaluations fills it):

    page_parts.register_origin_advice(part)

`part(*, user, proposal)` returns None or a dict with `template` (included inside the origin section, and
in the version comparison's origin block) and what it reads as `advice.<name>`. It decides itself who may
read the advice (the expert names only where the call reveals them).
"""

from collections.abc import Callable

_parts: list[Callable] = []


def register(part: Callable) -> None:
    if part not in _parts:
        _parts.append(part)


def parts_for(*, user, proposal) -> list[dict]:
    return [shown for part in _parts if (shown := part(user=user, proposal=proposal))]


_origin_advice: list[Callable] = []


def register_origin_advice(part: Callable) -> None:
    if part not in _origin_advice:
        _origin_advice.append(part)


def origin_advice(*, user, proposal) -> list[dict]:
    """What the registered `origin_advice` parts show of the feasibility advice (see the module's note)."""
    return [shown for part in _origin_advice if (shown := part(user=user, proposal=proposal))]
