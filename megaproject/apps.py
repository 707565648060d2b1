from django.apps import AppConfig


class MegaprojectConfig(AppConfig):
    """The composition root: connects the Celery signals of logs and metrics."""

    name = "megaproject"
    verbose_name = "Mega Project portal"

    def ready(self):
        from .celery_app import connect_signals

        connect_signals()
