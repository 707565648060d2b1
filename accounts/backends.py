"""Django's password check with the portal's one extra condition: a person whose access end date
(User.access_until) has passed cannot log in. `get_user` asks the same question on every request,
so a deactivated person, or one whose access ended, loses any session still open at once."""

from django.contrib.auth.backends import ModelBackend


def may_log_in(user) -> bool:
    """Active, and the access end date (if any) not passed. The single-sign-on backend asks the same."""
    return bool(getattr(user, "is_active", False)) and not user.access_ended()


class PortalModelBackend(ModelBackend):
    def user_can_authenticate(self, user):
        return may_log_in(user)
