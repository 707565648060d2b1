"""Notes that higher apps add to a proposal's page (the lower layer offers the registry; each app
registers a callable from its `AppConfig.ready()`):

    page_parts.register(part)

`part(*, user, proposal)` returns None or a dict with `template` (included at the top of the
page) and whatever that template reads, as `part.<name>`.
"""

from collections.abc import Callable

_parts: list[Callable] = []


def register(part: Callable) -> None:
    if part not in _parts:
        _parts.append(part)


def parts_for(*, user, proposal) -> list[dict]:
    return [shown for part in _parts if (shown := part(user=user, proposal=proposal))]
