"""The government's feasibility advice on candidate themes, as the proposals app learns it (issue 17).

The advice lives in a higher app (evaluations: expert groups and their reviews); proposals knows no
review. That app registers, from its `AppConfig.ready()`, the functions named here:

    advice.register("advised_themes", fn)   # fn(theme_ids) -> set of the theme ids with advice given
    advice.register("selection_advice", fn) # fn(*, user, call, themes) -> None or a page part (dict with
                                            #   `template`) shown on the region's phase-2 page
    advice.register("reviewed_themes", fn)  # fn(user) -> the ids (a queryset) of the themes the user reviews
                                            #   and may read now (pledged, no conflict, still assigned)

Without a registration there is no advice: the selection asks nothing about it.
"""

from collections.abc import Callable

NAMES = ("advised_themes", "selection_advice", "reviewed_themes")
_hooks: dict[str, Callable] = {}


def register(name: str, fn: Callable) -> None:
    if name not in NAMES:
        raise ValueError(name)
    _hooks[name] = fn


def advised_themes(theme_ids) -> set:
    """The ids among `theme_ids` of the themes on which advice was given."""
    fn = _hooks.get("advised_themes")
    ids = list(theme_ids)
    return set(fn(ids)) if fn and ids else set()


def selection_advice(*, user, call, themes) -> dict | None:
    fn = _hooks.get("selection_advice")
    return fn(user=user, call=call, themes=themes) if fn else None



def reviewed_themes(user):
    """The ids of the candidate themes an expert reviews and may read now (None when nothing is registered)."""
    fn = _hooks.get("reviewed_themes")
    return fn(user) if fn else None
