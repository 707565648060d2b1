from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    label = "core"
    verbose_name = "Portal foundation"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy check core.W001)
        from .documents import signing

        # A configured certificate that cannot sign stops every process at start (web, worker,
        # manage.py): documents are never issued unsigned by accident.
        signing.check_configuration()
