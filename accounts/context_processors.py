def notifications(request):
    """Unread notification count for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Kept on the user row by accounts.services: no query per page.
    return {"unread_notifications": user.unread_count}


def single_sign_on(request):
    """Whether the log-in page offers single sign-on (OIDC_ENABLED)."""
    from django.conf import settings

    return {"sso_enabled": settings.OIDC_ENABLED}
