"""`manage.py seed_demo`: idempotent demo data; refused unless DEBUG (ALLOW_DEMO_DATA).

It lives in the composition root because it seeds every app, each through its own demo module."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import demo as accounts_demo
from agreements import demo as agreements_demo
from evaluations import demo as evaluations_demo
from funding import demo as funding_demo
from programmes import demo as programmes_demo
from projects import demo as projects_demo
from proposals import demo as proposals_demo


class Command(BaseCommand):
    help = "Load the demo programme, the 2023 call and demo accounts (password demo1234). Idempotent."

    def handle(self, *args, **options):
        if not settings.ALLOW_DEMO_DATA:
            raise CommandError(
                "seed_demo is refused when DEBUG is off: demo accounts share the password demo1234."
            )
        with transaction.atomic():
            users = accounts_demo.seed()
            programmes_demo.seed(actor=users["ministry"])
            users.update(evaluations_demo.seed())
            proposals = proposals_demo.seed(feasibility=evaluations_demo.seed_feasibility)
            evaluations_demo.seed_panels()
            evaluations_demo.seed_quality()
            evaluations_demo.seed_rounds()  # after the written round's record: shortlist, presentations
            funding_demo.seed()
            evaluations_demo.seed_objections()  # after the results: the regions object, staff answer
            projects_demo.seed()
            agreements_demo.seed()  # after the projects: their agreements, back-filled
        summary = f"Demo data ready: {len(users)} accounts (password demo1234), {len(proposals)} new proposals."
        self.stdout.write(self.style.SUCCESS(summary))
