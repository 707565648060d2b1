from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ProgrammesConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'programmes'

    def ready(self):
        from . import watched

        watched.register()  # what the audit trail watches here
        # Cached reference data (regions, industries) is emptied when it changes.
        from .models import Region, StrategicIndustry
        from .selectors import forget_reference_data

        for model in (Region, StrategicIndustry):
            post_save.connect(forget_reference_data, sender=model, dispatch_uid=f"forget-{model.__name__}-save")
            post_delete.connect(forget_reference_data, sender=model, dispatch_uid=f"forget-{model.__name__}-delete")
