"""The one permission check of the services: a permission name from the rules (the
vocabulary is registered by accounts.rules with django-rules) and the object."""

from django.core.exceptions import PermissionDenied


def require(user, perm: str, obj=None) -> None:
    """Raise PermissionDenied unless `user` has `perm` (on `obj`). For services."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied(perm)
