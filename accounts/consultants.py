"""Who consults on a proposal, as the app that assigns experts knows it (the rules are below that app,
so it registers its answer here from its `AppConfig.ready()`):

    consultants.register(check)

`check(user, proposal) -> bool`: the user is an expert consulting on the proposal who has declared
no conflict of interest. With nothing registered nobody is.
"""

from collections.abc import Callable

_checks: list[Callable] = []


def register(check: Callable) -> None:
    if check not in _checks:
        _checks.append(check)


def consults_on(user, proposal) -> bool:
    return proposal is not None and any(check(user, proposal) for check in _checks)
