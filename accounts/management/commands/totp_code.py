"""`manage.py totp_code USERNAME` (`make totp USER=ministry`): the code the person's
authenticator shows now, for the demo's staff accounts (enrolled with the published demo key).
Refused when DEBUG is off (ALLOW_DEMO_DATA), like seed_demo: production has no code printer."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.twofactor import confirmed_totp_device, usable_code


class Command(BaseCommand):
    help = "Print the current second-factor code of a demo account (DEBUG installs only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.ALLOW_DEMO_DATA:
            raise CommandError("totp_code is refused when DEBUG is off: codes come from the person's own app.")
        user = User.objects.filter(username=username).first()
        device = confirmed_totp_device(user) if user is not None else None
        if device is None:
            raise CommandError(f"{username} has no enrolled authenticator.")
        code = usable_code(device)
        if code is None:
            raise CommandError("This window's code was used already: try again in a few seconds.")
        self.stdout.write(code)
