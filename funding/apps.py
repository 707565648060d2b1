from django.apps import AppConfig


class FundingConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'funding'

    def ready(self):
        from . import watched

        watched.register()  # what the audit trail watches here
