"""What higher apps add to a funded project (projects offers the registries; each app registers
from its `AppConfig.ready()`, as evaluations.hooks does for projects):

- `register_page_part(part)`: `part(*, user, project)` returns None or a dict with `template`
  (a card included on the project's workspace page) and what that template reads as `part.<name>`
  (agreements: the grant agreement and its acceptance).
- `register_agreement_check(check)`: `check(project) -> bool`, "has every party accepted the
  agreement in force?" — asked by whatever opens the payments and spending of a project. With
  nothing registered every project counts as agreed (as before agreements existed).
- `register_equipment_approval(check)`: `check(project, year) -> bool`, "does the agreement in force
  approve equipment spending in that year?" — asked by the spending rules
  (projects.services.spending) for an equipment line above the call's threshold. With nothing
  registered no equipment is approved.
"""

from collections.abc import Callable

_parts: list[Callable] = []
_agreement_checks: list[Callable] = []
_equipment_checks: list[Callable] = []


def register_page_part(part: Callable) -> None:
    if part not in _parts:
        _parts.append(part)


def page_parts(*, user, project) -> list[dict]:
    return [shown for part in _parts if (shown := part(user=user, project=project))]


def register_agreement_check(check: Callable) -> None:
    if check not in _agreement_checks:
        _agreement_checks.append(check)


def agreement_accepted(project) -> bool:
    """Every party accepted the project's agreement in force (see the module's note)."""
    return all(check(project) for check in _agreement_checks)


def register_equipment_approval(check: Callable) -> None:
    if check not in _equipment_checks:
        _equipment_checks.append(check)


def equipment_approved(project, year: int) -> bool:
    """The agreement in force approves equipment spending in `year` (see the module's note)."""
    return any(check(project, year) for check in _equipment_checks)
