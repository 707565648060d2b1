from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = _("Funded projects")

    def ready(self):
        from . import watched

        watched.register()  # what the audit trail watches here
        from funding.signals import decision_approved

        from .services.lifecycle import open_on_approval

        decision_approved.connect(open_on_approval, dispatch_uid="projects_open_on_approval")
