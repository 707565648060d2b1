from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'evaluations'

    def ready(self):
        from . import watched

        watched.register()  # what the audit trail watches here
        from core.todos import register

        from . import todos

        for provider in (todos.expert_todos, todos.official_todos, todos.staff_todos, todos.feasibility_todos):
            register(provider)  # the dashboards' to-dos (core.todos)

        from accounts.twofactor import register_requirement

        from .selectors import expert_needs_second_factor

        register_requirement(expert_needs_second_factor)  # a call may require it of its experts

        from programmes import call_page
        from proposals import page_parts

        from .call_parts import consultants_pending_part, feasibility_part, waiting_for_consultants_part

        # Staff see on the call's page which drafts wait for consultants; the proposal's page tells
        # staff and the regions alike who acts next.
        call_page.register(waiting_for_consultants_part)
        call_page.register(feasibility_part)  # staff: the call's expert groups and feasibility reviews
        page_parts.register(consultants_pending_part)
        from accounts import consultants

        from .selectors import consults_on

        # The rules ask who consults on a proposal (its patent analysis is written by them or by staff).
        consultants.register(consults_on)
        from . import feasibility_parts

        # The experts' feasibility advice on candidate themes, as the proposals app shows and counts it.
        feasibility_parts.register()
