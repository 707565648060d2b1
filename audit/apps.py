from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        # Which models django-auditlog watches, and the receivers that turn its
        # entries and permission changes into the one browsable trail.
        from . import registry

        registry.connect()

        from .admin import replace_logentry_admin

        replace_logentry_admin()

        # An audit event written in this process moves the data version at once.
        from django.db.models.signals import post_save

        from .models import AuditEvent
        from .version import forget_data_version

        post_save.connect(forget_data_version, sender=AuditEvent, dispatch_uid="audit-data-version")
