def notifications(request):
    """Unread notification count for the header, and whether the second factor is still owed."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Kept on the user row by accounts.services: no query per page. While the log-in still owes its
    # second factor (accounts.middleware), the header shows no links but the log-out.
    from .sessions import login_notice
    from .twofactor import SESSION_KEY

    session = getattr(request, "session", {})
    owed = bool(session.get(SESSION_KEY)) and not getattr(user, "is_verified", lambda: True)()
    # The previous log-in (accounts.sessions), once, on the first page after the log-in's last step.
    notice = "" if owed else login_notice(request)
    return {"unread_notifications": user.unread_count, "second_step_owed": owed, "login_notice": notice}


def single_sign_on(request):
    """Whether the log-in page offers single sign-on (OIDC_ENABLED)."""
    from django.conf import settings

    return {"sso_enabled": settings.OIDC_ENABLED}
