"""Parts of a call's page that higher apps add: the regions' way into their proposals on the
call, staff's view of what waits on it. Programmes knows no proposal; each app registers a
callable from its `AppConfig.ready()`:

    call_page.register(part)

`part(*, user, call)` returns None (nothing to show this user) or a dict with `slot`
("actions": beside the page's buttons, "side": a card in the side column), `template` (the
template to include) and whatever that template reads, as `part.<name>`.
"""

from collections.abc import Callable

SLOTS = ("actions", "side")
_parts: list[Callable] = []


def register(part: Callable) -> None:
    if part not in _parts:
        _parts.append(part)


def parts_for(*, user, call) -> dict[str, list[dict]]:
    """What each registered part shows `user` on `call`'s page, by slot."""
    shown: dict[str, list[dict]] = {slot: [] for slot in SLOTS}
    for part in _parts:
        result = part(user=user, call=call)
        if result:
            shown[result.get("slot", "side")].append(result)
    return shown
