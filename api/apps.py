from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "API"

    def ready(self):
        from accounts.profile_links import register_profile_link

        from .scopes import scopes_for

        register_profile_link("api_tokens:list", _("My API tokens"), shown_to=lambda user: bool(scopes_for(user)))
        register_profile_link(
            "api_tokens:service_accounts", _("Service accounts"), shown_to=lambda user: user.has_perm("accounts.manage_users")
        )
