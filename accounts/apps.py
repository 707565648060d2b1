from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'accounts'

    def ready(self):
        from . import sessions, watched

        sessions.connect()  # log-in sessions: stamped at log-in, closed at log-out

        watched.register()  # what the audit trail watches here

        from django.contrib.auth.signals import user_logged_in

        from .twofactor import note_second_step

        user_logged_in.connect(note_second_step, dispatch_uid="accounts.note_second_step")
        user_logged_in.connect(_break_glass_login, dispatch_uid="accounts.break_glass_login")


def _break_glass_login(sender, request, user, **kwargs):
    """Every log-in of a break-glass administrator (the portal's or the admin site's log-in page)
    is recorded and told to every administrator."""
    if getattr(user, "is_break_glass", False):
        from .services import break_glass_used

        break_glass_used(user=user, request=request)
