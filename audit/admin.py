"""Admin building blocks for every app, and the read-only audit trail.

Access to the Django admin is the portal rule `accounts.use_admin_site`
(administrators), enforced by the site and by `PortalModelAdmin` for every model.
Other apps reuse:

- `PortalModelAdmin`: a ModelAdmin whose permissions are that rule;
- `ReadOnlyAdmin`: a PortalModelAdmin that can only be looked at (events,
  histories, generated files, the audit trail);
- `ReadOnlyInline`: the same for inlines.
"""

from auditlog.models import LogEntry
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, PersonalDataAccess, PersonalDataSubject
from .selectors import diff_rows

ADMIN_RULE = "accounts.use_admin_site"


def can_use_admin(request) -> bool:
    user = request.user
    return user.is_active and user.has_perm(ADMIN_RULE)


class PortalPermissionsMixin:
    """Every admin permission is the one portal rule: no per-model Django permissions."""

    def has_module_permission(self, request):
        return can_use_admin(request)

    def has_view_permission(self, request, obj=None):
        return can_use_admin(request)

    def has_add_permission(self, request, *args):
        return can_use_admin(request)

    def has_change_permission(self, request, obj=None):
        return can_use_admin(request)

    def has_delete_permission(self, request, obj=None):
        return can_use_admin(request)


class ReadOnlyMixin:
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PortalModelAdmin(PortalPermissionsMixin, admin.ModelAdmin):
    list_per_page = 50


class ReadOnlyAdmin(ReadOnlyMixin, PortalModelAdmin):
    """Looked at, never added, changed or deleted (and no bulk delete action)."""

    def get_actions(self, request):
        return {}


class PortalInline(PortalPermissionsMixin, admin.TabularInline):
    extra = 0


class ReadOnlyInline(ReadOnlyMixin, PortalInline):
    pass


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_name", "action", "object_repr", "short_summary")
    list_filter = ("action", "source", "content_type", "at")
    search_fields = ("object_repr", "summary", "actor_name", "object_id")
    list_select_related = ("content_type",)
    date_hierarchy = "at"
    fields = ("at", "actor", "actor_name", "action", "source", "content_type", "object_id", "object_repr",
              "summary", "changes", "ip", "log_entry_id")
    readonly_fields = fields
    raw_id_fields = ("actor",)

    @admin.display(description=_("summary"))
    def short_summary(self, obj):
        return (obj.summary[:80] + "…") if len(obj.summary) > 80 else obj.summary

    @admin.display(description=_("before → after"))
    def changes(self, obj):
        return "\n".join(f"{r['field']}: {r['before']} → {r['after']}" for r in diff_rows(obj)) or "—"


class LogEntryAdmin(ReadOnlyAdmin):
    """django-auditlog's own entries (the raw store behind the field-level rows); read-only too."""

    list_display = ("timestamp", "actor", "action", "content_type", "object_repr")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "actor__username")
    list_select_related = ("actor", "content_type")
    date_hierarchy = "timestamp"
    readonly_fields = ("timestamp", "actor", "action", "content_type", "object_pk", "object_repr", "changes",
                       "remote_addr")
    fields = readonly_fields


def replace_logentry_admin():
    """Called from AuditConfig.ready(), after admin autodiscovery registered auditlog's own."""
    if admin.site.is_registered(LogEntry):
        admin.site.unregister(LogEntry)
    admin.site.register(LogEntry, LogEntryAdmin)


class PersonalDataSubjectInline(ReadOnlyInline):
    model = PersonalDataSubject
    fields = ("subject", "subject_name")
    readonly_fields = fields
    raw_id_fields = ("subject",)


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    """The access log of personal data: looked at, never changed (the schedule purges it)."""

    list_display = ("at", "accessor_name", "purpose", "channel", "description", "row_count")
    list_filter = ("purpose", "channel", "at")
    search_fields = ("accessor_name", "description", "subjects__subject_name")
    date_hierarchy = "at"
    fields = ("at", "accessor", "accessor_name", "channel", "purpose", "purpose_detail", "items", "description",
              "row_count", "ip")
    readonly_fields = fields
    raw_id_fields = ("accessor",)
    inlines = [PersonalDataSubjectInline]


@admin.register(PersonalDataSubject)
class PersonalDataSubjectAdmin(ReadOnlyAdmin):
    list_display = ("subject_name", "access")
    search_fields = ("subject_name",)
    list_select_related = ("access",)
    fields = ("access", "subject", "subject_name")
    readonly_fields = fields
