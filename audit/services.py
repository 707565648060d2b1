"""Writing the audit trail. `record()` is the one way to add an explicit event.

    record(*, actor, action, obj=None, summary="", before=None, after=None, request=None) -> AuditEvent

Services call it inside their transaction, after the write it describes, so the
event and the change commit or roll back together. The actor is always passed
explicitly; the IP address comes from `request` when given, otherwise from the
request being served (django-auditlog's middleware keeps it), otherwise none
(Celery tasks, management commands).
"""

import datetime
import decimal
import uuid
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from .models import AuditAction, AuditEvent, AuditSource


def _jsonable(value):
    """Before/after values as plain JSON (dates as ISO text, Decimals as text, models as their name)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, Model):
        return str(value)
    return str(value)


def actor_name(actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    name = str(actor)
    return name if name == actor.get_username() else f"{name} ({actor.get_username()})"


def current_context() -> dict:
    """What django-auditlog's middleware (or `acting_as`) knows of the request being served."""
    from auditlog.context import auditlog_value

    try:
        return auditlog_value.get() or {}
    except LookupError:
        return {}


# How the trail names objects whose str() is an id or follows the reader's language:
# each app gives a function for its models (audit.registry.watch(describe=...)).
_DESCRIBERS: dict = {}


def name_objects_with(model, describe) -> None:
    _DESCRIBERS[model] = describe


def has_describer(model) -> bool:
    return model in _DESCRIBERS


def describe(obj) -> str:
    """How the trail names an object (at most 300 characters)."""
    describer = _DESCRIBERS.get(type(obj)._meta.concrete_model)
    return (describer(obj) if describer else str(obj))[:300]


def record(*, actor, action: str, obj=None, summary: str = "", before=None, after=None,
           request=None) -> AuditEvent:
    """Append one explicit event to the audit trail and return it."""
    action = AuditAction(action)  # an unknown code is a programming error: ValueError
    ip = request.META.get("REMOTE_ADDR") if request is not None else current_context().get("remote_addr")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    event = AuditEvent(
        actor=actor, actor_name=actor_name(actor), action=action, source=AuditSource.EVENT,
        summary=str(summary)[:5000], before=_jsonable(before), after=_jsonable(after), ip=ip or None,
    )
    if obj is not None:
        event.content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
        event.object_id = str(obj.pk)
        event.object_repr = describe(obj)
    event.save()
    return event


@contextmanager
def acting_as(actor):
    """Attribute the field-level changes made inside the block to `actor` (for
    services run outside a request: Celery tasks, management commands, seeds)."""
    from auditlog.context import auditlog_value, set_actor

    # auditlog's set_actor leaves its value behind; restore what was there before.
    token = auditlog_value.set(current_context())
    try:
        with set_actor(actor):
            yield
    finally:
        auditlog_value.reset(token)
