"""The data version: a number that changes whenever recorded data changes.

Every state change, decision, score and field change of the programme's models writes an audit
event, so the newest event's id is a version of all the data: page parts cached under it (the
dashboards' figures, the to-do lists, the ranking and selection boards) show any change at once.
It lives here, at the bottom, so that every app may key its caches by it.
"""

import time

# Read at most once per VERSION_SECONDS in each process (every logged-in page asks it for the
# header's to-do count); an audit event written in this process forgets it at once
# (forget_data_version, connected in apps.py), another process's within VERSION_SECONDS.
VERSION_SECONDS = 2.0
_version = {"value": None, "at": 0.0}


def data_version() -> int:
    """The newest audit event's id (an index-only max), 0 before any."""
    from .models import AuditEvent

    now = time.monotonic()
    if _version["value"] is not None and now - _version["at"] < VERSION_SECONDS:
        return _version["value"]
    value = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    _version.update(value=value, at=now)
    return value


def forget_data_version(**kwargs) -> None:
    """An audit event was written: the next reader asks the database."""
    _version["value"] = None
