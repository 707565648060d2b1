from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'proposals'

    def ready(self):
        from . import watched

        watched.register()  # what the audit trail watches here
        from core.todos import register

        from .todos import planning_todos, sign_off_todos

        register(sign_off_todos)  # the dashboards' to-dos (core.todos)
        register(planning_todos)
        from core.documents.verification import register_verifier

        from .models import ProposalDocument
        from .services.documents import verify_proposal_pdf

        register_verifier(verify_proposal_pdf, model=ProposalDocument)
        from programmes.signals import call_announced

        from .services.lifecycle import results_announced

        # The results held back from the regions are told when the call's results are announced.
        call_announced.connect(results_announced, dispatch_uid="proposals_results_announced")
        from programmes import call_page

        from .call_parts import region_proposals_part, region_themes_part

        # The call page leads a region into its proposals on the call, and its candidate themes.
        call_page.register(region_proposals_part)
        call_page.register(region_themes_part)
        from . import page_parts
        from .theme_parts import origin_part

        # The proposal page shows the planning-period theme it grew from.
        page_parts.register(origin_part)
