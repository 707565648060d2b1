from django.utils.functional import SimpleLazyObject


def notifications(request):
    """Unread notification count for the header, counted only if a template asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: user.notifications.filter(read_at__isnull=True).count())}
