from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = _("Funded projects")

    def ready(self):
        # The annual reports join the export registry of the reports app.
        from . import exports  # noqa: F401
