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
        from django.db.models.signals import post_save

        from audit.models import AuditEvent

        from .figures import forget_data_version

        post_save.connect(forget_data_version, sender=AuditEvent, dispatch_uid="reports-data-version")
