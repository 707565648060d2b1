from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'evaluations'

    def ready(self):
        from . import watched

        watched.register()  # what the audit trail watches here

        from accounts.twofactor import register_requirement

        from .selectors import expert_needs_second_factor

        register_requirement(expert_needs_second_factor)  # a call may require it of its experts

        from programmes import call_page

        from .call_parts import waiting_for_consultants_part

        # Staff see on the call's page which drafts wait for consultants.
        call_page.register(waiting_for_consultants_part)
