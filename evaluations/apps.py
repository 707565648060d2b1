from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'evaluations'

    def ready(self):
        from . import watched

        watched.register()  # what the audit trail watches here
