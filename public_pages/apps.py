from django.apps import AppConfig


class PublicConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "public_pages"

    def ready(self):
        # The public pages are cached (public_pages.cache): emptied when what they show changes. The lower
        # layers announce; public listens (it imports them, never the other way round).
        from django.db.models.signals import post_delete, post_save

        from funding.models import FundingDecision
        from funding.signals import decision_approved
        from programmes.models import Call, RubricCriterion
        from programmes.signals import call_announced

        from .cache import forget_after_commit

        call_announced.connect(forget_after_commit, dispatch_uid="public-call-announced")
        decision_approved.connect(forget_after_commit, dispatch_uid="public-decision-approved")
        for model in (Call, RubricCriterion, FundingDecision):  # published, edited, a decision withdrawn
            post_save.connect(forget_after_commit, sender=model, dispatch_uid=f"public-save-{model.__name__}")
            post_delete.connect(forget_after_commit, sender=model, dispatch_uid=f"public-delete-{model.__name__}")
