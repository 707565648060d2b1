from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'evaluations'

    def ready(self):
        from . import watched

        watched.register()  # what the audit trail watches here
        from core.todos import register

        from . import todos

        for provider in (todos.expert_todos, todos.official_todos, todos.staff_todos):
            register(provider)  # the dashboards' to-dos (core.todos)

        from accounts.twofactor import register_requirement

        from .selectors import expert_needs_second_factor

        register_requirement(expert_needs_second_factor)  # a call may require it of its experts
