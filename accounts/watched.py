"""What the audit trail watches in accounts (called from AccountsConfig.ready())."""

from django.contrib.auth.models import Group

from audit.models import AuditAction
from audit.registry import watch, watch_permission_changes

from .models import User


def register() -> None:
    # Passwords and log-in times never enter the trail; group and permission changes are
    # recorded with full before/after sets by watch_permission_changes.
    watch(User, exclude_fields=["password", "last_login", "unread_count", "digest_sent_on"], field_actions={
        AuditAction.PERMISSIONS: {"is_superuser", "is_staff", "is_break_glass"},
        AuditAction.USER_ACCOUNT: {"role", "region", "is_active", "is_region_admin", "access_until",
                                       "is_service_account"},
    })
    watch(Group, include_fields=["name"])
    watch_permission_changes(User)
