from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = _("Funded projects")

    def ready(self):
        from . import watched

        watched.register()  # what the audit trail watches here
        from core.todos import register

        from . import todos

        register(todos.official_todos)  # the dashboards' to-dos (core.todos)
        register(todos.staff_todos)
        from core.documents.verification import register_verifier

        from .models import StageReport
        from .services.documents import verify_stage_report

        register_verifier(verify_stage_report, model=StageReport)  # /verify of the stage-evaluation reports
        from funding.signals import decision_approved

        from .services.lifecycle import open_on_approval

        decision_approved.connect(open_on_approval, dispatch_uid="projects_open_on_approval")

        # A stage evaluation's panel: the evaluations app assigns and scores, projects says
        # which evaluation, whether it is still open, and what the evaluator reads.
        from django.db.models.signals import post_delete, pre_delete

        from evaluations import hooks
        from evaluations.models import AssignmentKind

        from .models import StageEvaluation, StageRound, delete_stage_panel, delete_stage_rubric
        from .selectors import stage_page_context
        from .services.stages import stage_assignable, stage_scores_due, stage_scoring_open

        hooks.register(AssignmentKind.STAGE, assignable=stage_assignable, scoring_open=stage_scoring_open,
                       page_context=stage_page_context, due=stage_scores_due)
        pre_delete.connect(delete_stage_panel, sender=StageEvaluation, dispatch_uid="projects_delete_stage_panel")
        post_delete.connect(delete_stage_rubric, sender=StageRound, dispatch_uid="projects_delete_stage_rubric")
