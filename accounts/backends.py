"""Django's password check with the portal's extra conditions: a person whose access end date
(User.access_until) has passed cannot log in, nor can a service account (User.is_service_account,
which reads the API with tokens only). `get_user` asks the same question on every request,
so a deactivated person, or one whose access ended, loses any session still open at once."""

from django.contrib.auth.backends import ModelBackend


def account_usable(user) -> bool:
    """Active, and the access end date (if any) not passed: what a log-in and an API token
    (api.auth) both need."""
    return bool(getattr(user, "is_active", False)) and not user.access_ended()


def may_log_in(user) -> bool:
    """A usable account that is not a service account (those only read the API with tokens).
    The single-sign-on backend asks the same."""
    return account_usable(user) and not getattr(user, "is_service_account", False)


class PortalModelBackend(ModelBackend):
    def user_can_authenticate(self, user):
        return may_log_in(user)
