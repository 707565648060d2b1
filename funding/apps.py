from django.apps import AppConfig


class FundingConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'funding'

    def ready(self):
        from core.documents.verification import register_verifier

        from . import watched
        from .models import AwardLetter
        from .services.letters import verify_letter

        watched.register()  # what the audit trail watches here
        from core.todos import register

        from .todos import approval_todos

        register(approval_todos)  # the dashboards' to-dos (core.todos)
        register_verifier(verify_letter, model=AwardLetter)  # /verify of the award letters
        from programmes.signals import call_announced

        from .services.letters import decisions_announced

        call_announced.connect(decisions_announced, dispatch_uid="funding_decisions_announced")
