from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports and exports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The funded projects' datasets join the export registry.
        from core.documents.verification import register_verifier

        from . import agreement_datasets, project_datasets  # noqa: F401
        from .models import CallReport
        from .services import verify_call_report

        register_verifier(verify_call_report, model=CallReport)  # /verify of the call result reports
