"""What django-auditlog watches, and how its entries join the one trail.

django-auditlog diffs every save and delete of the registered models (before →
after per field) and stores a LogEntry with the actor of the request being
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


def _register_models():
    from auditlog.registry import auditlog

    from accounts.models import User
    from evaluations.models import Assignment, ExpertProfile, PanelResult, Score, Scoresheet
    from funding.models import FundingDecision, FundingYear, LocalObligation, SelectionNote
    from programmes.models import Call, Programme, Region, RubricCriterion, StrategicIndustry
    from projects.models import (
        AnnualReport,
        Condition,
        KPIResult,
        PlanYear,
        Project,
        ProjectStage,
        ReportPart,
        StageEvaluation,
        StagePlan,
        StageRound,
    )
    from proposals.models import Participation, Proposal

    plain = [Region, StrategicIndustry, Programme, RubricCriterion, Participation, Assignment, ExpertProfile,
             Scoresheet, Score, PanelResult, FundingDecision, FundingYear, LocalObligation, SelectionNote,
             Project, ProjectStage, AnnualReport, ReportPart, KPIResult, StageRound, StageEvaluation, Condition,
             StagePlan, PlanYear]
    for model in plain:
        if not auditlog.contains(model):
            auditlog.register(model, exclude_fields=NOISE)
    registrations = [
        (Call, {"exclude_fields": [*NOISE, "updated_by"], "m2m_fields": {"eligible_regions", "strategic_industries"}}),
        # A proposal's content is versioned by the proposals app; state moves are explicit events too.
        (Proposal, {"exclude_fields": [*NOISE, "revision", "section_revisions"]}),
        # Passwords and log-in times never enter the trail; group and permission
        # changes are recorded by `_permissions_changed` with full before/after sets.
        (User, {"exclude_fields": ["password", "last_login", "unread_count"]}),
        (Group, {"include_fields": ["name"]}),
    ]
    for model, options in registrations:
        if not auditlog.contains(model):
            auditlog.register(model, **options)


# --- LogEntry → AuditEvent -----------------------------------------------------------------

# Models whose str() is an id: the trail names them with `services.describe`.
DESCRIBED = {"Proposal", "FundingDecision", "Assignment", "Scoresheet", "Score", "PanelResult", "SelectionNote", "Participation"}
USER_ACCOUNT_FIELDS = {"role", "region", "is_active"}
USER_PERMISSION_FIELDS = {"is_superuser", "is_staff"}


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

    from accounts.models import User

    if entry.action == LogEntry.Action.CREATE:
        return AuditAction.CREATED
    if entry.action == LogEntry.Action.DELETE:
        return AuditAction.DELETED
    if model is User and keys & USER_PERMISSION_FIELDS:
        return AuditAction.PERMISSIONS
    if model is User and keys & USER_ACCOUNT_FIELDS:
        return AuditAction.USER_ACCOUNT
    return AuditAction.CHANGED


def _copy_log_entry(sender, instance, created, raw=False, **kwargs):
    from auditlog.models import LogEntry

    from .services import actor_name, describe

    if not created or raw or instance.action == LogEntry.Action.ACCESS:
        return
    model = instance.content_type.model_class() if instance.content_type_id else None
    before, after = _before_after(model, instance)
    object_repr = instance.object_repr or ""
    if model is not None and model.__name__ in DESCRIBED and instance.action != LogEntry.Action.DELETE:
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


def _permission_fields():
    from accounts.models import User

    return {
        User.groups.through: User._meta.get_field("groups"),
        User.user_permissions.through: User._meta.get_field("user_permissions"),
        Group.permissions.through: Group._meta.get_field("permissions"),
    }


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

    _register_models()
    post_save.connect(_copy_log_entry, sender=LogEntry, dispatch_uid="audit_copy_log_entry")
    for through in _permission_fields():
        m2m_changed.connect(_permissions_changed, sender=through, dispatch_uid=f"audit_perm_{through.__name__}")
