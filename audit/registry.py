"""What django-auditlog watches, and how its entries join the one trail.

Each app names its own models with `watch()` from its AppConfig.ready() (the
foundation knows no domain model). django-auditlog diffs every save and delete
of the watched models (before → after per field) and stores a LogEntry with the actor of the request being
served (its middleware) or of `audit.services.acting_as`. Each new LogEntry is
copied into `AuditEvent`, so explicit events and field changes are browsed,
filtered and exported in one place. Permission changes (group membership, user
permissions, a group's permissions) are recorded here from m2m_changed with the
full before and after sets.
"""

from django.contrib.auth.models import Group
from django.db.models import ForeignKey
from django.db.models.signals import m2m_changed, post_save

from .models import AuditAction, AuditEvent, AuditSource

# Fields that change on every save and say nothing about who decided what.
NOISE = ["updated_at", "created_at"]

# Per watched model: {action code: field names} — a change of one of those fields is
# recorded under that action instead of "changed" (e.g. a user's role → user_account).
_FIELD_ACTIONS: dict = {}


def watch(model, *, exclude_fields=(), include_fields=None, m2m_fields=None, field_actions=None,
          describe=None) -> None:
    """Each app names its own models to the trail, from its AppConfig.ready():
    django-auditlog diffs their saves and deletes (the noisy timestamps left out),
    `describe(obj)` names an object whose str() says little, and `field_actions`
    files changes of some fields under a sharper action."""
    from auditlog.registry import auditlog

    from .services import name_objects_with

    if not auditlog.contains(model):
        options = {"include_fields": list(include_fields)} if include_fields else {
            "exclude_fields": [*NOISE, *exclude_fields]}
        if m2m_fields:
            options["m2m_fields"] = set(m2m_fields)
        auditlog.register(model, **options)
    if field_actions:
        _FIELD_ACTIONS[model] = {action: set(fields) for action, fields in field_actions.items()}
    if describe is not None:
        name_objects_with(model, describe)


# --- LogEntry → AuditEvent -----------------------------------------------------------------



def _readable_fk(model, field_name: str, value):
    """A foreign key's stored pk as the object's name (one query per changed key)."""
    if value in (None, "None", ""):
        return None
    try:
        field = model._meta.get_field(field_name)
    except Exception:
        return value
    if not isinstance(field, ForeignKey):
        return value
    target = field.related_model._default_manager.filter(pk=value).first()
    return f"{target} (#{value})" if target is not None else f"#{value}"


def _is_reverse_relation(model, name: str) -> bool:
    if model is None:
        return False
    try:
        field = model._meta.get_field(name)
    except Exception:
        return False
    return field.auto_created and not field.concrete


def _before_after(model, entry):
    from auditlog.models import LogEntry

    before, after = {}, {}
    for name, change in (entry.changes or {}).items():
        if name == "id" or _is_reverse_relation(model, name):
            continue  # auditlog lists reverse relations of a new object ("app.Model.None"): nothing to read
        if isinstance(change, dict) and change.get("type") == "m2m":
            objects = change.get("objects", [])
            key = "added" if change.get("operation") == "add" else "removed"
            after[name] = {key: objects}
            continue
        old, new = change
        before[name] = _readable_fk(model, name, old) if model else old
        after[name] = _readable_fk(model, name, new) if model else new
    if entry.action == LogEntry.Action.CREATE:
        return None, {k: v for k, v in after.items() if v not in (None, "None", "")}
    if entry.action == LogEntry.Action.DELETE:
        return before, None
    return before or None, after


def _action_for(model, entry, keys: set) -> str:
    from auditlog.models import LogEntry

    if entry.action == LogEntry.Action.CREATE:
        return AuditAction.CREATED
    if entry.action == LogEntry.Action.DELETE:
        return AuditAction.DELETED
    for action, fields in _FIELD_ACTIONS.get(model, {}).items():  # in the order the app gave them
        if keys & fields:
            return action
    return AuditAction.CHANGED


def _copy_log_entry(sender, instance, created, raw=False, **kwargs):
    from auditlog.models import LogEntry

    from .services import actor_name, describe, has_describer

    if not created or raw or instance.action == LogEntry.Action.ACCESS:
        return
    model = instance.content_type.model_class() if instance.content_type_id else None
    before, after = _before_after(model, instance)
    object_repr = instance.object_repr or ""
    if model is not None and has_describer(model) and instance.action != LogEntry.Action.DELETE:
        obj = model._default_manager.filter(pk=instance.object_pk).first()
        object_repr = describe(obj) if obj is not None else object_repr
    actor = instance.actor
    AuditEvent.objects.create(
        actor=actor, actor_name=actor_name(actor), source=AuditSource.FIELDS,
        action=_action_for(model, instance, set((instance.changes or {}).keys())),
        content_type_id=instance.content_type_id, object_id=str(instance.object_pk)[:64],
        object_repr=object_repr[:300], before=before, after=after,
        ip=instance.remote_addr or None, log_entry_id=instance.pk,
    )


# --- Permission changes (m2m) --------------------------------------------------------------


def _name(obj) -> str:
    from django.contrib.auth.models import Permission

    if isinstance(obj, Permission):
        return f"{obj.content_type.app_label}.{obj.codename}"
    if isinstance(obj, Group):
        return obj.name
    return obj.get_username() if hasattr(obj, "get_username") else str(obj)


def _related_names(instance, field, reverse: bool) -> list[str]:
    accessor = field.remote_field.get_accessor_name() if reverse else field.name
    related = getattr(instance, accessor).all()
    if related.model.__name__ == "Permission":
        related = related.select_related("content_type")
    return sorted(_name(o) for o in related)


_PERMISSION_FIELDS: dict = {}


def _permission_fields():
    return _PERMISSION_FIELDS


def watch_permission_changes(user_model) -> None:
    """Group membership, user permissions and a group's permissions, recorded with the full
    before and after sets (called by accounts, which owns the user model)."""
    _PERMISSION_FIELDS.update({
        user_model.groups.through: user_model._meta.get_field("groups"),
        user_model.user_permissions.through: user_model._meta.get_field("user_permissions"),
        Group.permissions.through: Group._meta.get_field("permissions"),
    })
    for through in _PERMISSION_FIELDS:
        m2m_changed.connect(_permissions_changed, sender=through, dispatch_uid=f"audit_perm_{through.__name__}")


def _permissions_changed(sender, instance, action, reverse, **kwargs):
    from .services import current_context, record

    field = _permission_fields()[sender]
    key = field.remote_field.get_accessor_name() if reverse else field.name
    stash = instance.__dict__.setdefault("_audit_m2m_before", {})
    if action.startswith("pre_"):
        stash[key] = _related_names(instance, field, reverse)
        return
    before = stash.pop(key, None)
    after = _related_names(instance, field, reverse)
    if before == after:
        return
    record(actor=current_context().get("actor"), action=AuditAction.PERMISSIONS, obj=instance,
           summary=f"{key}: {action.removeprefix('post_')}", before={key: before}, after={key: after})


def connect():
    from auditlog.models import LogEntry

    post_save.connect(_copy_log_entry, sender=LogEntry, dispatch_uid="audit_copy_log_entry")
