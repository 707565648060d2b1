from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agreements"
    verbose_name = _("Grant agreements")

    def ready(self):
        from . import watched

        watched.register()  # what the audit trail watches here
        from core.todos import register

        from . import todos

        register(todos.agreement_todos)  # the dashboards' to-dos (core.todos)
        from core.documents.verification import register_verifier

        from .models import AgreementDocument
        from .services.documents import verify_agreement

        register_verifier(verify_agreement, model=AgreementDocument)  # /verify of the agreements' PDFs
        from .models import SettlementDocument
        from .services.documents import verify_settlement

        register_verifier(verify_settlement, model=SettlementDocument)  # /verify of the settlement PDFs
        from projects import hooks

        from .page_parts import agreement_card
        from .selectors import agreement_in_force, equipment_approved

        hooks.register_page_part(agreement_card)  # the agreement's card on the project's workspace
        hooks.register_agreement_check(agreement_in_force)  # what opens payments and spending later
        hooks.register_equipment_approval(equipment_approved)  # the spending rules' equipment check
        from programmes import call_page

        from .call_parts import amendment_policy_part

        call_page.register(amendment_policy_part)  # staff: the call's amendment thresholds
